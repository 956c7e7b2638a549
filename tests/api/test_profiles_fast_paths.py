"""The fast paths of the profile read and `track` keep their behaviour: concurrent PII reads sharing an audit commit
are each audited, reads served inline give the same profile, events carry their plain fields, generated event ids
are unique 128-bit hex."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.ingest.track import build_event
from api.schema.dataloaders import Loaders, reads_inline
from api.security.audit import PII_READ
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings
from graph import EntityKind, IdentifierKind, open_store

from .conftest import ALL_READ, gql

pytestmark = pytest.mark.anyio

QUERY = """
query ($v: String!) {
  profileByIdentifier(kind: EMAIL, value: $v) {
    id
    identifiers { kind value }
    events(first: 3) { edges { node { type source sourceId performedBy } } pageInfo { hasNextPage } }
  }
}
"""


def _emails(store_url: str, count: int) -> list[tuple[str, str]]:
    """(profile ID, email) of the first `count` profiles holding an email."""
    store = open_store(store_url)
    try:
        found: list[tuple[str, str]] = []
        for entity in store.iter_entities(EntityKind.PROFILE):
            held = store.identifiers_of(list(entity.members))
            email = next((i.value for ids in held.values() for i in ids if i.kind is IdentifierKind.EMAIL), None)
            if email is not None:
                found.append((entity.id, email))
            if len(found) == count:
                return found
        return found
    finally:
        store.close()


async def test_concurrent_pii_reads_are_each_audited(fresh_store_url: str) -> None:
    people = _emails(fresh_store_url, 8)
    app = create_app(Settings(store=fresh_store_url))
    key = create_key(app.state.store, "fast paths", ALL_READ)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://idgraph.test",
        headers={"Authorization": f"Bearer {key}"},
    ) as client:
        bodies: list[dict[str, Any]] = await asyncio.gather(*(gql(client, QUERY, v=email) for _, email in people))
    store = app.state.store
    try:
        for (profile_id, email), body in zip(people, bodies, strict=True):
            profile = body["data"]["profileByIdentifier"]
            assert "errors" not in body and profile["id"] == profile_id
            assert email in {i["value"] for i in profile["identifiers"] if i["kind"] == "EMAIL"}
        reads = [e for e in store.audit_entries(limit=100) if e.action == PII_READ and e.actor_name == "fast paths"]
        assert sorted(p for e in reads for p in e.detail["profiles"]) == sorted(p for p, _ in people)
    finally:
        store.close()


async def test_event_fields_and_masking(client_for: Any, demo_store_url: str) -> None:
    (profile_id, email), *_ = _emails(demo_store_url, 1)
    body = await gql(await client_for(frozenset(ALL_READ)), QUERY, v=email)
    profile = body["data"]["profileByIdentifier"]
    assert profile["id"] == profile_id
    for edge in profile["events"]["edges"]:
        node = edge["node"]
        assert node["type"] and node["source"] and node["sourceId"] and "/" in node["performedBy"]
    masked = await gql(await client_for(frozenset({Scope.PROFILES_READ})), QUERY, v=email)
    held = masked["data"]["profileByIdentifier"]["identifiers"]
    assert any(i["kind"] == "EMAIL" for i in held)
    assert all(i["value"].startswith("***") for i in held if i["kind"] in {"EMAIL", "PHONE", "DEVICE", "ACCOUNT"})


def test_sqlite_reads_run_inline(demo_store_url: str) -> None:
    store = open_store(demo_store_url)
    try:
        assert reads_inline(store)
        loaders = Loaders(store)
        assert loaders.inline and loaders.record is loaders.record  # made once per request, on first use
    finally:
        store.close()


def test_generated_event_ids_are_unique_hex() -> None:
    ids = {
        build_event(
            event_type="page_view", identifiers=[(IdentifierKind.DEVICE, "d-1", None)], settings=Settings()
        ).event.key.source_id
        for _ in range(2000)
    }
    assert len(ids) == 2000
    assert all(re.fullmatch(r"evt-[0-9a-f]{32}", i) for i in ids)
