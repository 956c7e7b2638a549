"""setConsent and Profile.consents through the real ASGI app: per purpose, with source, time and history."""

from __future__ import annotations

import pytest

from api.security.scopes import Scope
from graph import EntityKind, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

INGEST = frozenset({Scope.INGEST_WRITE, Scope.PROFILES_READ})
SET = """
mutation($id: ID!, $purpose: String!, $granted: Boolean!, $source: String!) {
  setConsent(profileId: $id, purpose: $purpose, granted: $granted, source: $source) {
    id consents { purpose granted source explicit updatedAt history { granted source at } }
  }
}
"""
CONSENTS = "query($id: ID!) { profile(id: $id) { consents { purpose granted source explicit } } }"


def _profile_with_consent(url: str) -> tuple[str, bool]:
    store = open_store(url)
    try:
        for entity in store.iter_entities(EntityKind.PROFILE):
            trait = entity.traits.get("email_consent")
            if isinstance(trait, dict) and isinstance(trait.get("value"), bool):
                return entity.id, bool(trait["value"])
    finally:
        store.close()
    raise AssertionError("the demo data has consents")


async def test_records_consents_show_until_an_explicit_change_wins(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    profile_id, from_records = _profile_with_consent(fresh_store_url)
    client = await client_for(INGEST, store_url=fresh_store_url)
    before = await gql(client, CONSENTS, id=profile_id)
    email = next(c for c in before["data"]["profile"]["consents"] if c["purpose"] == "email")
    assert email == {"purpose": "email", "granted": from_records, "source": "records", "explicit": False}

    await gql(client, SET, id=profile_id, purpose="email", granted=not from_records, source="preference-centre")
    body = await gql(client, SET, id=profile_id, purpose="Email", granted=from_records, source="call-centre")
    assert "errors" not in body, body
    consents = {c["purpose"]: c for c in body["data"]["setConsent"]["consents"]}
    latest = consents["email"]
    assert (latest["granted"], latest["source"], latest["explicit"]) == (from_records, "call-centre", True)
    assert [(h["granted"], h["source"]) for h in latest["history"]] == [
        (from_records, "call-centre"),
        (not from_records, "preference-centre"),
    ]
    assert latest["updatedAt"] == latest["history"][0]["at"]


async def test_a_new_purpose_and_the_audit_entry(client_for: ClientFactory, fresh_store_url: str) -> None:
    profile_id, _ = _profile_with_consent(fresh_store_url)
    client = await client_for(INGEST, store_url=fresh_store_url)
    body = await gql(client, SET, id=profile_id, purpose="analytics", granted=True, source="cookie-banner")
    analytics = next(c for c in body["data"]["setConsent"]["consents"] if c["purpose"] == "analytics")
    assert (analytics["granted"], analytics["explicit"]) == (True, True)
    store = open_store(fresh_store_url)
    try:
        [entry] = [e for e in store.audit_entries(limit=20) if e.action == "consent.set"]
    finally:
        store.close()
    assert entry.target == profile_id
    assert entry.detail == {"purpose": "analytics", "granted": True, "source": "cookie-banner"}


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"id": "p-nobody", "purpose": "email", "source": "web"}, "profileId"),
        ({"purpose": "e-mail!", "source": "web"}, "purpose"),
        ({"purpose": "email", "source": " "}, "source"),
    ],
)
async def test_bad_arguments_are_named(
    client_for: ClientFactory, fresh_store_url: str, variables: dict[str, str], argument: str
) -> None:
    profile_id, _ = _profile_with_consent(fresh_store_url)
    client = await client_for(INGEST, store_url=fresh_store_url, env="production")
    body = await gql(client, SET, **{"id": profile_id, "granted": True, **variables})
    assert argument in body["errors"][0]["message"]


async def test_set_consent_needs_ingest_write(client_for: ClientFactory, fresh_store_url: str) -> None:
    profile_id, _ = _profile_with_consent(fresh_store_url)
    client = await client_for(frozenset({Scope.PROFILES_READ, Scope.PII_READ}), store_url=fresh_store_url)
    body = await gql(client, SET, id=profile_id, purpose="email", granted=True, source="web")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
