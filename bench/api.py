"""Benchmark: the GraphQL API against a plain FastAPI route doing the same read, and `track` throughput.

    .venv/bin/python bench/api.py [--people 2000] [--companies 200] [--seconds 10] [--clients 32] [--store URL]

Builds a demo store (or uses --store), starts uvicorn (one worker, production settings) on loopback and drives it
from another process with 32 concurrent keep-alive clients (a small asyncio HTTP/1.1 client: no network beyond
127.0.0.1). Measured in the same run, on the same server:

- floor: `GET /profiles/by-identifier` (traits, identifiers, consents, last 10 events through pydantic models,
  with the same key check, masking and audit as GraphQL);
- GraphQL: `profileByIdentifier` asking for the same fields, by POST with variables (the usual frontend call);
- track: the `track` mutation, a new event per call (events/s sustained and latency).

Then, in-process and one request at a time, the GraphQL phases: parse, validate, execute (strawberry extension
hooks) and serialise (the response encoding), for a first request and for the steady state, and what parsing
and validating would cost without the guard's document cache. Figures are noisy on a shared machine: compare the
ratios of one run. Targets: GraphQL >= 0.25 x floor requests/s with p99 < 50 ms; track >= 1,000 events/s, p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PROFILE_QUERY = """
query Profile($v: String!) {
  profileByIdentifier(kind: EMAIL, value: $v) {
    id
    createdAt
    traits { name value source }
    identifiers { kind value system }
    consents { purpose granted source updatedAt }
    events(first: 10) { edges { node { type timestamp channel amount } } }
  }
}
"""
TRACK_MUTATION = """
mutation Track($e: EventInput!) { track(event: $e) { status event { source sourceId } } }
"""

# -- the store and the server ------------------------------------------------------------------------------


def build_store(root: Path, people: int, companies: int) -> str:
    from graph import open_store
    from loaders import LoadOptions, Quarantine, load_sources, read_config
    from loaders.demo import generate_demo_data
    from resolver import resolve

    generate_demo_data(root / "data", people=people, companies=companies, seed=7)
    config = read_config(root / "data" / "sources.toml")
    url = f"sqlite:///{root / 'bench.db'}"
    store = open_store(url)
    try:
        quarantine = Quarantine(root / "quarantine.jsonl")
        load_sources(store, config, LoadOptions.of(config, quarantine=quarantine))
        quarantine.close()
        resolve(store)
    finally:
        store.close()
    return url


def prepare(url: str, samples: int, *, pii: bool = True) -> tuple[str, str, list[str]]:
    """A frontend key (profiles:read, and pii:read unless `pii` is false), an ingest key, and emails of profiles
    to look up."""
    from api.security.keys import create_key
    from api.security.scopes import Scope
    from graph import EntityKind, IdentifierKind, open_store

    store = open_store(url)
    try:
        scopes = {Scope.PROFILES_READ, Scope.PII_READ} if pii else {Scope.PROFILES_READ}
        reader = create_key(store, "bench frontend", frozenset(scopes))
        ingest = create_key(store, "bench ingest", frozenset({Scope.INGEST_WRITE}))
        emails: list[str] = []
        for entity in store.iter_entities(EntityKind.PROFILE):
            held = store.identifiers_of(list(entity.members))
            email = next((i.value for ids in held.values() for i in ids if i.kind is IdentifierKind.EMAIL), None)
            if email is not None:
                emails.append(email)
            if len(emails) >= samples:
                break
    finally:
        store.close()
    return reader, ingest, emails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_SERVER = """
import sys, uvicorn
from api.app import create_app
from api.settings import Settings
app = create_app(Settings(store=sys.argv[1], env="production"))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), workers=1, log_level="warning", access_log=False)
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): the server's cost, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-c", _SERVER, url, str(port)], env={**os.environ})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


# -- the load generator (run in its own process) -----------------------------------------------------------


async def _client(
    port: int,
    requests: list[bytes],
    until: float,
    warm_until: float,
    latencies: list[float],
    failures: list[str],
    counted: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        index = random.randrange(len(requests))
        while (now := time.perf_counter()) < until:
            request = requests[index % len(requests)]
            index += 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            done = time.perf_counter()
            if status != 200 or b'"errors"' in body:
                failures.append(f"{status} {body[:200]!r}")
            else:
                counted[0] += 1
                if now >= warm_until:
                    latencies.append(done - now)
    finally:
        writer.close()


def _requests(kind: str, port: int, key: str, emails: list[str]) -> list[bytes]:
    host = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
    if kind == "floor":
        return [
            (f"GET /profiles/by-identifier?{urlencode({'kind': 'EMAIL', 'value': e})} HTTP/1.1\r\n{host}\r\n").encode()
            for e in emails
        ]
    if kind == "graphql":
        bodies = [json.dumps({"query": PROFILE_QUERY, "variables": {"v": e}}).encode() for e in emails]
    else:  # track: a new event per call; the devices of a few thousand visitors
        bodies = [
            json.dumps(
                {
                    "query": TRACK_MUTATION,
                    "variables": {
                        "e": {
                            "type": "page_view",
                            "channel": "web",
                            "identifiers": [{"kind": "DEVICE", "value": f"bench-device-{n % 5000}"}],
                            "properties": {"path": f"/products/{n % 300}"},
                        }
                    },
                }
            ).encode()
            for n in range(20_000)
        ]
    return [
        f"POST /graphql HTTP/1.1\r\n{host}Content-Type: application/json\r\nContent-Length: {len(b)}\r\n\r\n".encode()
        + b
        for b in bodies
    ]


def generate_load(kind: str, port: int, key: str, emails: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """Runs in a child process: `clients` connections for `seconds` (the first 2 s are warm-up)."""
    requests = _requests(kind, port, key, emails)
    if kind == "track":  # each track request is used once: a fresh event every time
        random.shuffle(requests)
    latencies: list[float] = []
    failures: list[str] = []
    counted = [0]

    async def main() -> float:
        start = time.perf_counter()
        warm_until, until = start + 2.0, start + 2.0 + seconds
        per_client = [requests[i::clients] for i in range(clients)]
        await asyncio.gather(
            *(_client(port, per_client[i], until, warm_until, latencies, failures, counted) for i in range(clients))
        )
        return time.perf_counter() - warm_until

    measured = asyncio.run(main())
    latencies.sort()
    return {
        "requests": len(latencies),
        "all_requests": counted[0] + len(failures),
        "rps": len(latencies) / measured,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else None,
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
    }


def run_load(
    kind: str, server: int, port: int, key: str, emails: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    """The load generator in another process (this script with --generate), so it has its own interpreter; with
    the server's CPU time per request (warm-up included), a figure that holds on a busy machine."""
    args = {"kind": kind, "port": port, "key": key, "emails": emails, "clients": clients, "seconds": seconds}
    before = cpu_seconds(server)
    done = subprocess.run(
        [sys.executable, __file__, "--generate", json.dumps(args)], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu_ms_per_request"] = 1000 * (cpu_seconds(server) - before) / max(1, result["all_requests"])
    return result


# -- the in-process phase breakdown ------------------------------------------------------------------------


def phases(url: str, emails: list[str], rounds: int) -> dict[str, Any]:
    """Parse, validate, execute and serialise times of the GraphQL profile query, one request at a time."""
    import orjson
    from graphql import parse, validate
    from strawberry.extensions import SchemaExtension
    from strawberry.http import process_result

    from api.schema import build_schema
    from api.schema.context import Context
    from api.security.audit import AuditWriter
    from api.security.principal import Principal
    from api.security.scopes import Scope
    from api.settings import Settings

    timings: dict[str, list[float]] = {"parse": [], "validate": [], "execute": [], "serialise": [], "total": []}

    class PhaseTimer(SchemaExtension):
        def on_parse(self) -> Any:
            start = time.perf_counter()
            yield
            timings["parse"].append(time.perf_counter() - start)

        def on_validate(self) -> Any:
            start = time.perf_counter()
            yield
            timings["validate"].append(time.perf_counter() - start)

        def on_execute(self) -> Any:
            start = time.perf_counter()
            yield
            timings["execute"].append(time.perf_counter() - start)

    settings = Settings(store=url, env="production")
    store = settings.open_store()
    # The timer comes first, so its hooks wrap the guard's (the cache look-up counts as parse/validate).
    schema = build_schema(production=True, audit_writer=AuditWriter(store))
    schema.extensions = (PhaseTimer, *schema.extensions)
    principal = Principal("bench", "bench", frozenset({Scope.PROFILES_READ, Scope.PII_READ}))

    async def one(email: str) -> None:
        start = time.perf_counter()
        context = Context(store=store, settings=settings, principal=principal)
        result = await schema.execute(PROFILE_QUERY, variable_values={"v": email}, context_value=context)
        encode = time.perf_counter()
        body = orjson.dumps(process_result(result))
        end = time.perf_counter()
        assert not result.errors and b"profileByIdentifier" in body, result.errors
        timings["serialise"].append(end - encode)
        timings["total"].append(end - start)

    async def run() -> None:
        for n in range(rounds):
            await one(emails[n % len(emails)])

    asyncio.run(run())
    first = {name: 1000 * values[0] for name, values in timings.items()}
    steady = {name: 1000 * statistics.median(values[1:]) for name, values in timings.items()}
    # What every request would pay without the guard's cache: parsing and validating the text each time.
    started = time.perf_counter()
    for _ in range(50):
        validate(schema._schema, parse(PROFILE_QUERY))
    uncached = 1000 * (time.perf_counter() - started) / 50
    store.close()
    return {"first_ms": first, "steady_median_ms": steady, "uncached_parse_and_validate_ms": uncached}


# -- the report -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase (after 2 s warm-up)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--store",
        help="a store (sqlite:///...) with resolved demo data, which the run writes to (keys, audit,"
        " tracked events): give a copy; without it a fresh demo store is built",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument(
        "--masked", action="store_true", help="read without pii:read: PII masked, so no PII-read audit entries"
    )
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # internal: run as the load generator
    options = parser.parse_args()
    if options.generate:
        print(json.dumps(generate_load(**json.loads(options.generate))))
        return
    # The project's `api` package, not this file (bench/api.py) which is first on the path.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    with tempfile.TemporaryDirectory() as scratch:
        url = options.store
        if url is None:
            started = time.perf_counter()
            url = build_store(Path(scratch), options.people, options.companies)
            print(
                f"built the demo store ({options.people} people) in {time.perf_counter() - started:.0f} s", flush=True
            )
        reader, ingest, emails = prepare(url, samples=500, pii=not options.masked)
        port = _free_port()
        server = start_server(url, port)
        try:
            pid = server.pid
            floor = run_load("floor", pid, port, reader, emails, options.clients, options.seconds)
            graphql = run_load("graphql", pid, port, reader, emails, options.clients, options.seconds)
            track = run_load("track", pid, port, ingest, emails, options.clients, options.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        breakdown = phases(url, emails, rounds=300)

    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401

        stack = "uvloop + httptools"
    except ImportError:
        stack = "asyncio + h11 (pip install uvloop httptools for production figures)"
    report = {
        "server": f"uvicorn, 1 worker, {stack}",
        "reads": "masked (profiles:read)" if options.masked else "unmasked and audited (profiles:read, pii:read)",
        "clients": options.clients,
        "floor": floor,
        "graphql": graphql,
        "graphql_over_floor": graphql["rps"] / floor["rps"] if floor["rps"] else None,
        "graphql_over_floor_by_cpu": floor["server_cpu_ms_per_request"] / graphql["server_cpu_ms_per_request"],
        "track": track,
        "graphql_phases": breakdown,
    }
    if options.json:
        print(json.dumps(report, indent=2))
        return
    _print(report)


def _line(name: str, figures: dict[str, Any], unit: str) -> str:
    rate, p50, p99 = figures["rps"], figures["p50_ms"], figures["p99_ms"]
    cpu = figures["server_cpu_ms_per_request"]
    text = f"{name:<9} {rate:>8,.0f} {unit}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  server CPU {cpu:.2f} ms/request"
    if figures["failures"]:
        text += f"  FAILURES {figures['failures']} (first: {figures['first_failure']})"
    return text


def _print(report: dict[str, Any]) -> None:
    print(f"{report['server']}; {report['clients']} concurrent clients on loopback; reads {report['reads']}")
    print(_line("floor", report["floor"], "req"))
    print(_line("graphql", report["graphql"], "req"))
    ratio = report["graphql_over_floor"]
    p99 = report["graphql"]["p99_ms"]
    verdict = "met" if ratio >= 0.25 and p99 < 50 else "NOT met"
    print(f"graphql / floor = {ratio:.2f} (target >= 0.25, p99 < 50 ms: {verdict})")
    print(f"graphql / floor by server CPU per request = {report['graphql_over_floor_by_cpu']:.2f}")
    track = report["track"]
    print(_line("track", track, "events"))
    met = "met" if track["rps"] >= 1000 and track["p99_ms"] < 50 else "NOT met"
    print(f"track target >= 1,000 events/s with p99 < 50 ms: {met}")
    phases_ = report["graphql_phases"]
    for label, key in (("first request", "first_ms"), ("steady state (median)", "steady_median_ms")):
        parts = "  ".join(f"{name} {value:.3f}" for name, value in phases_[key].items())
        print(f"graphql phases, {label}, ms: {parts}")
    print(f"parse + validate without the document cache: {phases_['uncached_parse_and_validate_ms']:.3f} ms a request")


if __name__ == "__main__":
    main()
