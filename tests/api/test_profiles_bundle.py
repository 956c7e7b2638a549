"""profileByIdentifier reads the profile and the parts its query asks for (identifiers, last events, consents) in
one store call (GraphStore.entity_bundle); the answer is the one the field-by-field reads give."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.ingest.consent import record_change
from api.schema.dataloaders import Loaders
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings
from graph import EntityKind, IdentifierKind, open_store
from graph.sqlite import SqliteGraphStore

from .conftest import ALL_READ, gql

pytestmark = pytest.mark.anyio

FIELDS = """
    id
    identifiers { kind value system }
    consents { purpose granted source updatedAt explicit history { granted source at } }
    events(first: $n) { edges { cursor node { type timestamp source sourceId performedBy amount } }
                        pageInfo { hasNextPage endCursor } }
"""
DIRECT = f"query ($v: String!, $n: Int) {{ profileByIdentifier(kind: EMAIL, value: $v) {{ {FIELDS} }} }}"
FRAGMENT = (
    f"query ($v: String!, $n: Int) {{ profileByIdentifier(kind: EMAIL, value: $v) {{ ...P }} }}"
    f" fragment P on Profile {{ {FIELDS} }}"
)
BY_ID = f"query ($id: ID!, $n: Int) {{ profile(id: $id) {{ {FIELDS} }} }}"
TWO_PAGES = """
query ($v: String!) { profileByIdentifier(kind: EMAIL, value: $v) {
  id
  recent: events(first: 2) { edges { node { sourceId } } }
  purchases: events(types: ["purchase"]) { edges { node { sourceId } } }
} }
"""
READS = ("entity_bundle", "entities_holding", "identifiers_of", "events_of", "get_entities")


class CountingStore(SqliteGraphStore):
    """The real store, counting the reads a profile look-up may make."""

    def __init__(self, path: str) -> None:
        self.calls: Counter[str] = Counter()
        super().__init__(path)

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name in READS:
            super().__getattribute__("calls")[name] += 1
        return value


@pytest.fixture
def people(fresh_store_url: str) -> list[tuple[str, str]]:
    """(profile ID, email) of a few profiles; the first has two explicit consent changes."""
    store = SqliteGraphStore(fresh_store_url.removeprefix("sqlite:///"))
    try:
        found: list[tuple[str, str]] = []
        for entity in store.iter_entities(EntityKind.PROFILE):
            held = store.identifiers_of(list(entity.members))
            email = next((i.value for ids in held.values() for i in ids if i.kind is IdentifierKind.EMAIL), None)
            if email is not None:
                found.append((entity.id, email))
            if len(found) == 6:
                break
        first = store.get_entity(found[0][0])
        assert first is not None
        record_change(store, first, "email", True, "web form")
        record_change(store, first, "sms", False, "call centre")
        return found
    finally:
        store.close()


async def _client(store: SqliteGraphStore, **settings: Any) -> httpx.AsyncClient:
    app = create_app(Settings(store=f"sqlite:///{store.path}", **settings), store=store)
    key = create_key(store, "bundle tests", ALL_READ)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers={"Authorization": f"Bearer {key}"}
    )


async def test_one_store_call_gives_what_the_field_reads_give(fresh_store_url: str, people: Any) -> None:
    store = CountingStore(fresh_store_url.removeprefix("sqlite:///"))
    try:
        async with await _client(store) as client:
            for profile_id, email in people:
                for n in (None, 1, 3, 0):
                    store.calls = Counter()
                    direct = await gql(client, DIRECT, v=email, n=n)
                    assert store.calls == Counter(entity_bundle=1)  # nothing else read
                    assert "errors" not in direct and direct["data"]["profileByIdentifier"]["id"] == profile_id
                    fragment = await gql(client, FRAGMENT, v=email, n=n)
                    by_id = await gql(client, BY_ID, id=profile_id, n=n)
                    assert direct["data"]["profileByIdentifier"] == fragment["data"]["profileByIdentifier"]
                    assert direct["data"]["profileByIdentifier"] == by_id["data"]["profile"]
            consents = (await gql(client, DIRECT, v=people[0][1], n=1))["data"]["profileByIdentifier"]["consents"]
            assert {(c["purpose"], c["granted"], c["explicit"]) for c in consents} >= {
                ("email", True, True),
                ("sms", False, True),
            }
    finally:
        store.close()


async def test_pages_the_bundle_does_not_hold_are_read_on_their_own(fresh_store_url: str, people: Any) -> None:
    store = CountingStore(fresh_store_url.removeprefix("sqlite:///"))
    try:
        async with await _client(store) as client:
            profile_id, email = people[1]
            store.calls = Counter()
            body = await gql(client, TWO_PAGES, v=email)
            profile = body["data"]["profileByIdentifier"]
            assert store.calls == Counter(entity_bundle=1, events_of=2)  # two pages: each read on its own
            only_recent = "query ($id: ID!) { profile(id: $id) { events(first: 2) { edges { node { sourceId } } } } }"
            recent = await gql(client, only_recent, id=profile_id)
            assert profile["recent"] == recent["data"]["profile"]["events"]
            assert all(edge["node"]["sourceId"] for edge in profile["purchases"]["edges"])
            bad = await gql(client, DIRECT, v=email, n=-1)  # the field's own error, not the bundle's
            assert "argument 'first'" in bad["errors"][0]["message"]
    finally:
        store.close()


async def test_masked_without_pii_read_on_the_bundled_path(client_for: Any, people: Any, fresh_store_url: str) -> None:
    client = await client_for(frozenset({Scope.PROFILES_READ}), store_url=fresh_store_url)
    profile = (await gql(client, DIRECT, v=people[0][1], n=2))["data"]["profileByIdentifier"]
    held = [i for i in profile["identifiers"] if i["kind"] in {"EMAIL", "PHONE", "DEVICE", "ACCOUNT"}]
    assert held and all(i["value"].startswith("***") for i in held)


async def test_priming_waits_for_the_loader(demo_store_url: str) -> None:
    store = open_store(demo_store_url)
    try:
        loaders = Loaders(store)
        entity = next(iter(store.iter_entities(EntityKind.PROFILE)))
        loaders.prime("entity", {"primed-id": entity})
        loaders.prime("entity", {"primed-id": None})  # as prime_many: a key already there keeps its value
        assert "entity" not in loaders.__dict__  # not made to be primed
        assert await loaders.entity.load("primed-id") is entity
        loaders.prime("entity", {"later-id": entity})  # the loader exists: primed at once
        assert await loaders.entity.load("later-id") is entity
    finally:
        store.close()
