"""addOverride / removeOverride through the real ASGI app: stored with who and why, applied to profiles at once."""

from __future__ import annotations

from typing import Any

import pytest

from api.security.scopes import Scope
from graph import EntityKind, RecordKey, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

ADMIN = frozenset({Scope.ADMIN})
ADD = """
mutation($kind: OverrideKind!, $a: RecordRef!, $b: RecordRef!, $reason: String!) {
  addOverride(kind: $kind, a: $a, b: $b, reason: $reason) {
    kind a { source sourceId } b { source sourceId } reason author createdAt profileIds
  }
}
"""
REMOVE = "mutation($a: RecordRef!, $b: RecordRef!) { removeOverride(a: $a, b: $b) }"


def _ref(key: RecordKey) -> dict[str, str]:
    return {"source": key.source, "sourceId": key.source_id}


def _profiles(url: str) -> tuple[tuple[RecordKey, RecordKey], tuple[RecordKey, RecordKey]]:
    """Two records of one person-profile, and two records of two different person-profiles."""
    store = open_store(url)
    try:
        entities = list(store.iter_entities(EntityKind.PROFILE))
    finally:
        store.close()
    shared = next(e for e in entities if len(e.members) == 2)
    apart = [e for e in entities if e.id != shared.id][:2]
    return (shared.members[0], shared.members[1]), (apart[0].members[0], apart[1].members[0])


def _entity_ids(url: str, *keys: RecordKey) -> list[str]:
    store = open_store(url)
    try:
        found = store.entity_ids_of(list(keys))
    finally:
        store.close()
    return [found[k] for k in keys]


async def test_never_link_splits_and_removing_it_merges_again(client_for: ClientFactory, fresh_store_url: str) -> None:
    (a, b), _ = _profiles(fresh_store_url)
    client = await client_for(ADMIN, store_url=fresh_store_url)
    body = await gql(client, ADD, kind="NEVER_LINK", a=_ref(a), b=_ref(b), reason="two people, one family email")
    assert "errors" not in body, body
    override = body["data"]["addOverride"]
    assert override["kind"] == "NEVER_LINK"
    assert override["reason"] == "two people, one family email"
    assert override["author"].startswith("tests (key ")
    first, second = _entity_ids(fresh_store_url, a, b)
    assert first != second
    assert sorted(override["profileIds"]) == sorted([first, second])

    removed = await gql(client, REMOVE, a=_ref(b), b=_ref(a))
    assert removed == {"data": {"removeOverride": True}}
    first, second = _entity_ids(fresh_store_url, a, b)
    assert first == second
    assert (await gql(client, REMOVE, a=_ref(a), b=_ref(b))) == {"data": {"removeOverride": False}}


async def test_always_link_merges_at_once(client_for: ClientFactory, fresh_store_url: str) -> None:
    _, (a, b) = _profiles(fresh_store_url)
    client = await client_for(ADMIN, store_url=fresh_store_url)
    body = await gql(client, ADD, kind="ALWAYS_LINK", a=_ref(a), b=_ref(b), reason="confirmed by phone")
    [profile_id] = set(body["data"]["addOverride"]["profileIds"])
    assert _entity_ids(fresh_store_url, a, b) == [profile_id, profile_id]
    store = open_store(fresh_store_url)
    try:
        entries = [e for e in store.audit_entries(limit=20) if e.action == "override.add"]
    finally:
        store.close()
    assert entries[0].detail["kind"] == "always_link"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"a": {"source": "crm", "sourceId": "nobody"}}, "argument 'a'"),
        ({"b": "a"}, "same record"),
        ({"reason": " "}, "argument 'reason'"),
    ],
)
async def test_bad_overrides_are_refused(
    client_for: ClientFactory, fresh_store_url: str, change: dict[str, Any], message: str
) -> None:
    _, (a, b) = _profiles(fresh_store_url)
    variables: dict[str, Any] = {"kind": "NEVER_LINK", "a": _ref(a), "b": _ref(b), "reason": "why"}
    variables.update({k: variables[v] if v == "a" else v for k, v in change.items()})
    client = await client_for(ADMIN, store_url=fresh_store_url, env="production")
    body = await gql(client, ADD, **variables)
    assert message in body["errors"][0]["message"]


async def test_overrides_need_admin(client_for: ClientFactory, fresh_store_url: str) -> None:
    _, (a, b) = _profiles(fresh_store_url)
    client = await client_for(frozenset({Scope.INGEST_WRITE, Scope.PROFILES_READ}), store_url=fresh_store_url)
    body = await gql(client, ADD, kind="NEVER_LINK", a=_ref(a), b=_ref(b), reason="why")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(client, REMOVE, a=_ref(a), b=_ref(b))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
