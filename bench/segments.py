"""Benchmark: count a segment with two event conditions over a 1M-profile SQLite store (target: under 2 s).

    .venv/bin/python bench/segments.py [--profiles 1000000] [--events-per-profile 4] [--store PATH] [--repeat 3]

Builds the store once at PATH (default <tmp>/idgraph-bench/segments-<profiles>-<events>.db), reused afterwards:
one Customer record per profile, resolved to it, and events PERFORMED by those records, written straight into the
tables in big transactions (the event index fills itself through its triggers). Building is setup, not timed.
Then it times, on the real store: the count of "2+ purchases in 30 days AND 3+ page views in 7 days", the first
page of its members, a time-of-day distinct-cities condition (the risk example), and whether one given profile
is a member (`among`, the Profile.segments path). Figures are wall-clock seconds: min and median of the repeats.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from graph.segments import parse_segment, prepare
from graph.sqlite import SqliteGraphStore

NOW = datetime(2025, 6, 30, tzinfo=UTC)
TYPES = [("page_view", 0.5), ("purchase", 0.15), ("add_to_cart", 0.2), ("transaction", 0.15)]
CITIES = ["Shanghai", "Beijing", "Hangzhou", "Suzhou", "Nanjing", "Shenzhen", "Chengdu", "Wuhan"]
BATCH = 50_000

TWO_EVENT_CONDITIONS = {
    "all": [
        {"event": {"types": ["purchase"], "window_days": 30, "count": {"gte": 2}}},
        {"event": {"types": ["page_view"], "window_days": 7, "count": {"gte": 3}}},
    ]
}
NIGHT_CITIES = {
    "event": {
        "types": ["transaction"],
        "window_days": 7,
        "time_of_day": {"start": "00:00", "end": "05:00", "timezone": "Asia/Shanghai"},
        "distinct": {"field": "properties.city", "gte": 2},
    }
}


def build(path: Path, profiles: int, per_profile: float, seed: int = 5) -> None:
    """Write the store: profiles with one record each, about `per_profile` events each in 90 days."""
    SqliteGraphStore(path).close()  # creates the schema (and the event index with its triggers)
    rng = random.Random(seed)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA synchronous = OFF")
    c.execute("PRAGMA cache_size = -400000")
    created = "2024-01-01T00:00:00+00:00"
    names, weights = zip(*TYPES, strict=True)
    event_id = profiles + 1
    started = time.perf_counter()
    for start in range(0, profiles, BATCH):
        c.execute("BEGIN")
        ids = range(start + 1, min(start + BATCH, profiles) + 1)
        c.executemany(
            "INSERT INTO records (id, source, source_id, kind, properties) VALUES (?, 'shop', ?, 'Customer', ?)",
            [(i, f"c{i:07d}", orjson.dumps({"city": rng.choice(CITIES)}).decode()) for i in ids],
        )
        c.executemany(
            "INSERT INTO entities (id, kind, traits, created_at) VALUES (?, 'Profile', ?, ?)",
            [
                (
                    f"p-{i:07d}",
                    orjson.dumps({"email_consent": {"value": rng.random() < 0.6, "record": f"shop/c{i:07d}"}}).decode(),
                    created,
                )
                for i in ids
            ],
        )
        c.executemany("INSERT INTO resolves_to (record_id, entity_id) VALUES (?, ?)", [(i, f"p-{i:07d}") for i in ids])
        events, performed = [], []
        for i in ids:
            for _ in range(int(rng.expovariate(1 / per_profile))):
                event_type = rng.choices(names, weights)[0]
                at = NOW - timedelta(seconds=int(90 * 86400 * rng.random() ** 2))  # more recent than old
                properties = {"type": event_type, "timestamp": at.isoformat(), "channel": "web"}
                if event_type in ("purchase", "transaction"):
                    properties["amount"] = round(rng.uniform(5, 500), 2)
                    properties["properties"] = {"city": rng.choice(CITIES)}
                events.append((event_id, f"e{event_id}", orjson.dumps(properties).decode()))
                performed.append((i, event_id))
                event_id += 1
        c.executemany(
            "INSERT INTO records (id, source, source_id, kind, properties) VALUES (?, 'events', ?, 'Event', ?)", events
        )
        c.executemany(
            "INSERT INTO relations (type, start_id, end_id, properties) VALUES ('PERFORMED', ?, ?, '{}')", performed
        )
        c.execute("COMMIT")
        took = time.perf_counter() - started
        print(f"  built {ids[-1]:>9,} profiles, {event_id - profiles - 1:>10,} events ({took:.0f} s)")
    c.execute("ANALYZE")
    c.close()


def timed(label: str, repeat: int, work: object) -> float:
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    shown = result if not isinstance(result, list) else f"{len(result)} ids"
    print(f"{label:<52} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s   -> {shown}")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--events-per-profile", type=float, default=4.0)
    parser.add_argument("--store", type=Path, default=None, help="the cached store (built when missing)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "idgraph-bench"
    path = args.store or cache / f"segments-{args.profiles}-{args.events_per_profile:g}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        print(f"building {path} (setup, not timed) ...")
        build(path, args.profiles, args.events_per_profile)
    store = SqliteGraphStore(path)
    try:
        counts = store.counts()
        print(f"store {path}: {counts['Profile']:,} profiles, {counts['Event']:,} events")
        two = prepare(parse_segment(TWO_EVENT_CONDITIONS))
        night = prepare(parse_segment(NIGHT_CITIES))
        count_s = timed(
            "count: 2+ purchases/30d AND 3+ page views/7d", args.repeat, lambda: store.segment_count(two, now=NOW)
        )
        timed("members: first page of 100", args.repeat, lambda: store.segment_members(two, limit=100, now=NOW))
        timed(
            "count: 2+ cities at night (00-05 Shanghai) in 7d", args.repeat, lambda: store.segment_count(night, now=NOW)
        )
        one = store.segment_members(two, limit=1, now=NOW)
        timed(
            "one profile's membership (among=[id])", args.repeat, lambda: store.segment_members(two, among=one, now=NOW)
        )
        print(f"target: count under 2 s -> {'met' if count_s < 2 else 'NOT met'} ({count_s:.3f} s)")
    finally:
        store.close()


if __name__ == "__main__":
    main()
