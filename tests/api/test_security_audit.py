"""The audit log through the real app: one `pii.read` entry per request that served unmasked PII (none without
pii:read or without PII fields), mutations' entries written before the response, concurrent requests committed
together, no raw PII in any entry, a failing log failing the request, and `idgraph audit`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.security.audit import PII_READ, audit
from api.security.principal import Principal
from api.security.scopes import Scope
from graph import AuditEntry, EntityKind, IdentifierKind, open_store
from graph.sqlite import SqliteGraphStore

from ._security import served

pytestmark = pytest.mark.anyio

CLEAR = frozenset({Scope.PROFILES_READ, Scope.PII_READ})
MASKED = frozenset({Scope.PROFILES_READ})
BY_EMAIL = "query Lookup($v: String!) { profileByIdentifier(kind: EMAIL, value: $v) { id traits { name value } } }"


def _subject(url: str) -> tuple[str, str]:
    """A profile ID and one of its emails."""
    store = open_store(url)
    try:
        for entity in store.iter_entities(EntityKind.PROFILE):
            for identifiers in store.identifiers_of(list(entity.members)).values():
                for identifier in identifiers:
                    if identifier.kind is IdentifierKind.EMAIL:
                        return entity.id, identifier.value
    finally:
        store.close()
    raise AssertionError("no profile with an email in the demo data")


def _last_seq(url: str) -> int:
    """The log's last position: the fresh store is a copy of the shared one, whose readers were audited too."""
    store = open_store(url)
    try:
        return max((e.seq or 0 for e in store.audit_entries(limit=1)), default=0)
    finally:
        store.close()


def _pii_reads(url: str, after: int) -> list[AuditEntry]:
    store = open_store(url)
    try:
        return [e for e in store.audit_entries(limit=1000) if e.action == PII_READ and (e.seq or 0) > after]
    finally:
        store.close()


async def test_a_request_serving_unmasked_pii_is_audited_once(fresh_store_url: str) -> None:
    profile_id, email = _subject(fresh_store_url)
    start = _last_seq(fresh_store_url)
    async with served(fresh_store_url, CLEAR) as api:
        body = await api.post(BY_EMAIL, v=email)
        assert body["data"]["profileByIdentifier"]["id"] == profile_id
        key_id = api.key.split("_")[1]
    [entry] = _pii_reads(fresh_store_url, start)
    assert (entry.actor, entry.actor_name, entry.target) == (key_id, "security tests", "profileByIdentifier")
    assert entry.detail == {"operation": "Lookup", "profiles": [profile_id]}
    assert email not in entry.model_dump_json()  # who read whose data, never the data (nor the query's variables)


async def test_no_pii_read_entry_without_pii_read_or_without_pii_fields(fresh_store_url: str) -> None:
    profile_id, email = _subject(fresh_store_url)
    start = _last_seq(fresh_store_url)
    async with served(fresh_store_url, MASKED) as api:
        assert "errors" not in await api.post(BY_EMAIL, v=email)
    async with served(fresh_store_url, CLEAR) as api:
        body = await api.post("query($p: ID!) { profile(id: $p) { id createdAt } }", p=profile_id)
        assert body["data"]["profile"]["id"] == profile_id
    assert _pii_reads(fresh_store_url, start) == []


async def test_concurrent_requests_are_all_audited(fresh_store_url: str) -> None:
    _, email = _subject(fresh_store_url)
    start = _last_seq(fresh_store_url)
    async with served(fresh_store_url, CLEAR) as api:
        bodies = await asyncio.gather(*(api.post(BY_EMAIL, v=email) for _ in range(25)))
        assert all("errors" not in body for body in bodies)
    assert len(_pii_reads(fresh_store_url, start)) == 25


async def test_reads_are_audited_before_their_response_while_another_writer_holds_the_lock(
    fresh_store_url: str,
) -> None:
    """With the write lock taken (a load, say), the entries wait in the writer's queue; the responses wait for them."""
    import sqlite3
    import threading

    _, email = _subject(fresh_store_url)
    start = _last_seq(fresh_store_url)
    other = sqlite3.connect(fresh_store_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    try:
        async with served(fresh_store_url, CLEAR) as api:
            other.execute("BEGIN IMMEDIATE")
            release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
            release.start()
            bodies = await asyncio.gather(*(api.post(BY_EMAIL, v=email) for _ in range(5)))
            assert all("errors" not in body for body in bodies)
            assert len(api.app.state.store.audit_entries(limit=10)) >= 5 and not other.in_transaction
            release.join()
    finally:
        other.close()
    assert len(_pii_reads(fresh_store_url, start)) == 5


async def test_the_rest_read_is_audited_too(fresh_store_url: str) -> None:
    profile_id, email = _subject(fresh_store_url)
    start = _last_seq(fresh_store_url)
    async with served(fresh_store_url, CLEAR) as api:
        response = await api.client.get("/profiles/by-identifier", params={"kind": "EMAIL", "value": email})
        assert response.status_code == 200 and response.json()["id"] == profile_id
    async with served(fresh_store_url, MASKED) as api:
        response = await api.client.get("/profiles/by-identifier", params={"kind": "EMAIL", "value": email})
        assert response.status_code == 200
        assert email not in response.text
    [entry] = _pii_reads(fresh_store_url, start)
    assert entry.detail == {"profiles": [profile_id]}


async def test_a_mutation_is_audited_before_its_response(fresh_store_url: str) -> None:
    track = "mutation($e: EventInput!) { track(event: $e) { status } }"
    event = {"type": "page_view", "identifiers": [{"kind": "DEVICE", "value": "audit-device-1"}]}
    async with served(fresh_store_url, frozenset({Scope.INGEST_WRITE})) as api:
        body = await api.post(track, e=event)
        assert body["data"]["track"]["status"] == "STORED", body
        entries = api.app.state.store.audit_entries(limit=5)  # already committed when the response arrived
        assert entries[0].action == "event.track"
        assert "audit-device-1" not in entries[0].model_dump_json()


def test_audit_refuses_details_that_would_hold_pii(fresh_store_url: str) -> None:
    class Ctx:
        principal = Principal("k", "svc", frozenset({Scope.ADMIN}))
        store = open_store(fresh_store_url)

    try:
        with pytest.raises(ValueError, match="'email' may hold personal data"):
            audit(Ctx(), "export", "p-1", email="a@example.com")
        audit(Ctx(), "export", "p-1", rows=3)  # outside a request: written at once
        [latest] = Ctx.store.audit_entries(limit=1)
        assert (latest.actor, latest.action, latest.target, latest.detail) == ("k", "export", "p-1", {"rows": 3})
    finally:
        Ctx.store.close()


class FailingAuditStore(SqliteGraphStore):
    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        raise OSError("disk full")

    def append_audit_now(self, entries: Sequence[AuditEntry]) -> list[int] | None:
        raise OSError("disk full")


class BusyThenFailingAuditStore(FailingAuditStore):
    """The write lock is always taken at once, so the entries go through the writer's queue, where they fail."""

    def append_audit_now(self, entries: Sequence[AuditEntry]) -> list[int] | None:
        return None


@pytest.mark.parametrize("store_class", [FailingAuditStore, BusyThenFailingAuditStore])
async def test_a_request_whose_audit_cannot_be_written_fails(
    fresh_store_url: str, store_class: type[SqliteGraphStore]
) -> None:
    import httpx

    from api.app import create_app
    from api.security.keys import create_key
    from api.settings import Settings

    _, email = _subject(fresh_store_url)
    store = store_class(fresh_store_url.removeprefix("sqlite:///"))
    try:
        app = create_app(Settings(store=fresh_store_url, env="production"), store=store)
        key = create_key(store, "t", CLEAR)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers={"Authorization": f"Bearer {key}"}
        ) as client:
            body = (await client.post("/graphql", json={"query": BY_EMAIL, "variables": {"v": email}})).json()
        assert body["data"] is None  # the PII is not sent when its reading could not be recorded
        assert body["errors"][0]["extensions"] == {"code": "AUDIT_UNAVAILABLE"}
        assert email not in str(body)
    finally:
        store.close()


async def test_audit_cli_prints_recent_entries(fresh_store_url: str) -> None:
    _, email = _subject(fresh_store_url)
    async with served(fresh_store_url, CLEAR) as api:
        await api.post(BY_EMAIL, v=email)
    result = CliRunner().invoke(cli, ["audit", "--json", "--limit", "5", "--store", fresh_store_url])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.splitlines()[0])
    assert line["action"] == PII_READ and line["target"] == "profileByIdentifier"
    table = CliRunner().invoke(cli, ["audit", "--store", fresh_store_url])
    assert table.exit_code == 0 and PII_READ in table.stdout
    bad = CliRunner().invoke(cli, ["audit", "--since", "yesterday", "--store", fresh_store_url])
    assert bad.exit_code == 2 and "--since" in bad.output
