"""track(event) through the real ASGI app: stored, resolved at once, normalised, checked, scoped and audited."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.security.scopes import Scope
from graph import EntityKind, Identifier, IdentifierKind, RecordKey, RelType, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

INGEST = frozenset({Scope.INGEST_WRITE, Scope.PROFILES_READ, Scope.PII_READ})

TRACK = """
mutation Track($event: EventInput!) {
  track(event: $event) {
    status
    event { source sourceId }
    profile { id identifiers { kind value } records { source sourceId } }
  }
}
"""
PROFILE_EVENTS = """
query($id: ID!) { profile(id: $id) { id events(first: 10) { edges { node { type amount currency properties } } } } }
"""


def _event(**fields: Any) -> dict[str, Any]:
    return {"type": "page_view", "identifiers": [{"kind": "DEVICE", "value": "dev-1"}], **fields}


async def test_an_event_is_stored_and_its_profile_is_current_when_the_call_returns(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url)
    body = await gql(
        client,
        TRACK,
        event=_event(
            type="purchase",
            identifiers=[{"kind": "EMAIL", "value": " New.Person@Example.COM "}, {"kind": "DEVICE", "value": "dev-1"}],
            timestamp="2024-05-01T12:00:00+02:00",
            channel="web",
            amount=10,
            currency="USD",
            properties={"sku": "A-1"},
        ),
    )
    assert "errors" not in body, body
    result = body["data"]["track"]
    assert result["status"] == "STORED"
    assert result["event"]["source"] == "api"
    profile = result["profile"]
    assert {"kind": "EMAIL", "value": "new.person@example.com"} in profile["identifiers"]
    [actor] = profile["records"]
    assert actor["sourceId"].startswith("anon-")
    events = await gql(client, PROFILE_EVENTS, id=profile["id"])
    [node] = [edge["node"] for edge in events["data"]["profile"]["events"]["edges"]]
    assert node == {"type": "purchase", "amount": 10.0, "currency": "USD", "properties": {"sku": "A-1"}}

    store = open_store(fresh_store_url)
    try:
        event_key = RecordKey("api", result["event"]["sourceId"])
        event = store.get_records([event_key])[event_key]
        assert event.properties["timestamp"] == "2024-05-01T10:00:00+00:00"
        actor_key = RecordKey("api", actor["sourceId"])
        assert [n.record.key for n in store.neighbours(actor_key, RelType.PERFORMED)] == [event_key]
    finally:
        store.close()


async def test_an_event_joins_the_profile_already_holding_its_identifier(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    store = open_store(fresh_store_url)
    try:
        entity = next(e for e in store.iter_entities(EntityKind.PROFILE) if len(e.members) > 1)
        held = store.identifiers_of(list(entity.members))
        email = next(i for ids in held.values() for i in ids if i.kind is IdentifierKind.EMAIL)
        size = len(entity.members)
    finally:
        store.close()
    client = await client_for(INGEST, store_url=fresh_store_url)
    body = await gql(client, TRACK, event=_event(identifiers=[{"kind": "EMAIL", "value": email.value.upper()}]))
    profile = body["data"]["track"]["profile"]
    assert profile["id"] == entity.id
    assert len(profile["records"]) == size + 1


async def test_repeated_events_of_one_visitor_share_one_actor_and_a_retry_with_an_id_stores_once(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url)
    bodies = await asyncio.gather(*(gql(client, TRACK, event=_event(id=f"e-{n % 5}")) for n in range(20)))
    assert all("errors" not in body for body in bodies), bodies[0]
    assert len({body["data"]["track"]["profile"]["id"] for body in bodies}) == 1
    store = open_store(fresh_store_url)
    try:
        [actor] = store.records_with(Identifier(IdentifierKind.DEVICE, "dev-1"))
        assert len(store.neighbours(actor, RelType.PERFORMED)) == 5
    finally:
        store.close()


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_event(identifiers=[]), "event.identifiers"),
        (_event(identifiers=[{"kind": "EMAIL", "value": "not-an-email"}]), "event.identifiers[0].value"),
        (_event(identifiers=[{"kind": "ACCOUNT", "value": "123"}]), "event.identifiers[0].system"),
        (_event(type=" "), "event.type"),
        (_event(source="bad source!"), "event.source"),
        (_event(amount=5, currency="XXX"), "event.currency"),
        (_event(currency="USD"), "event.currency"),
        (_event(properties=[1, 2]), "event.properties"),
    ],
)
async def test_bad_events_are_refused_with_the_field_named_and_no_value(
    client_for: ClientFactory, fresh_store_url: str, event: dict[str, Any], field: str
) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url, env="production")
    body = await gql(client, TRACK, event=event)
    [error] = body["errors"]
    assert field in error["message"]
    assert "not-an-email" not in error["message"]


async def test_track_needs_ingest_write(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(frozenset({Scope.PROFILES_READ}), store_url=fresh_store_url)
    body = await gql(client, TRACK, event=_event())
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_track_is_audited_without_values(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url)
    body = await gql(client, TRACK, event=_event(identifiers=[{"kind": "EMAIL", "value": "x@example.com"}]))
    event = body["data"]["track"]["event"]
    store = open_store(fresh_store_url)
    try:
        entries = [e for e in store.audit_entries(limit=50) if e.action == "event.track"]
    finally:
        store.close()
    assert [e.target for e in entries] == [f"api/{event['sourceId']}"]
    assert "x@example.com" not in entries[0].model_dump_json()
