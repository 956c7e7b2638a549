"""forgetProfile through the real ASGI app: the person is gone, stays gone on reload, and a repeat is harmless."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.ingest.suppression import load_check
from api.security.scopes import Scope
from api.settings import Settings
from graph import EntityKind, GraphStore, Identifier, IdentifierKind, RecordKey, RecordKind, RelType, open_store
from loaders import LoadOptions, Quarantine, load_sources, read_config
from resolver import resolve

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

ADMIN = frozenset({Scope.ADMIN})
FORGET = """
mutation($id: ID!) {
  forgetProfile(id: $id) {
    status profileId requestedAt completedAt
    counts { records events identifiers entities aliases history overrides suppressed }
  }
}
"""
TRACK = "mutation($e: EventInput!) { track(event: $e) { status event { sourceId } profile { id } } }"
UPSERT = """
mutation($rows: [JSON!]!) { upsertRecords(kind: CUSTOMER, records: $rows, source: "partner") { loaded suppressed } }
"""
BY_EMAIL = "query($v: String!) { profileByIdentifier(kind: EMAIL, value: $v) { id } }"
SET_CONSENT = 'mutation($id: ID!) { setConsent(profileId: $id, purpose: "email", granted: true, source: "web") { id } }'


class Person:
    """A demo person with several records, an email only they hold, and events."""

    def __init__(self, store: GraphStore) -> None:
        for entity in store.iter_entities(EntityKind.PROFILE):
            members = list(entity.members)
            held = store.identifiers_of(members)
            emails = sorted({i for ids in held.values() for i in ids if i.kind is IdentifierKind.EMAIL})
            events = [n for k in members for n in store.neighbours(k, RelType.PERFORMED)]
            alone = [e for e in emails if set(store.records_with(e)) <= set(members)]
            if len(members) >= 3 and alone and events:
                self.id = entity.id
                self.members = members
                self.email = alone[0]
                self.identifiers = sorted({i for ids in held.values() for i in ids})
                self.events = [n.record.key for n in events]
                return
        raise AssertionError("the demo data has such a person")


def _person(url: str) -> Person:
    store = open_store(url)
    try:
        return Person(store)
    finally:
        store.close()


async def test_forget_erases_the_person_and_a_repeat_is_harmless(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    person = _person(fresh_store_url)
    admin = await client_for(ADMIN, store_url=fresh_store_url)
    await gql(admin, SET_CONSENT, id=person.id)
    body = await gql(admin, FORGET, id=person.id)
    assert "errors" not in body, body
    result = body["data"]["forgetProfile"]
    assert (result["status"], result["profileId"]) == ("DONE", person.id)
    counts = result["counts"]
    assert counts["records"] == len(person.members)
    assert counts["events"] == len(person.events) + 1  # and the consent change
    assert counts["suppressed"] >= len(person.members) + 1

    again = (await gql(admin, FORGET, id=person.id))["data"]["forgetProfile"]
    assert again == {**result, "status": "ALREADY_FORGOTTEN"}
    assert (await gql(admin, FORGET, id="p-nobody"))["data"]["forgetProfile"]["status"] == "NOT_FOUND"
    assert (await gql(admin, BY_EMAIL, v=person.email.value))["data"]["profileByIdentifier"] is None
    assert (await gql(admin, "query($id: ID!) { profile(id: $id) { id } }", id=person.id))["data"]["profile"] is None
    request = await gql(
        admin, "query($id: ID!) { erasureRequest(id: $id) { status counts { records } } }", id=person.id
    )
    assert request["data"]["erasureRequest"] == {"status": "DONE", "counts": {"records": len(person.members)}}

    store = open_store(fresh_store_url)
    try:
        assert store.get_records([*person.members, *person.events]) == {}
        assert store.records_with(person.email) == []
        entries = [e for e in store.audit_entries(limit=50) if e.action == "profile.forget"]
        assert [e.detail["status"] for e in entries] == ["not_found", "already_forgotten", "done"]
        assert person.email.value not in "".join(e.model_dump_json() for e in entries)
        # The request record and the list hold no value.
        key_doc = store.get_document("erasure.suppression_key")
        assert key_doc is not None
        assert person.email.value not in str(store.erasure_request(person.id))
    finally:
        store.close()


async def test_an_erased_person_is_not_recreated_by_track_or_upsert(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    person = _person(fresh_store_url)
    admin = await client_for(ADMIN, store_url=fresh_store_url, suppression_key="k" * 32)
    await gql(admin, FORGET, id=person.id)
    shouted = person.email.value.upper()
    event = {
        "type": "page_view",
        "identifiers": [{"kind": "EMAIL", "value": shouted}, {"kind": "DEVICE", "value": "d"}],
    }
    tracked = (await gql(admin, TRACK, e=event))["data"]["track"]
    assert tracked == {"status": "SUPPRESSED", "event": None, "profile": None}
    rows = [{"source_id": "x1", "email": shouted}, {"source_id": "x2", "email": "someone.else@example.com"}]
    assert (await gql(admin, UPSERT, rows=rows))["data"]["upsertRecords"] == {"loaded": 1, "suppressed": 1}
    store = open_store(fresh_store_url)
    try:
        assert store.records_with(person.email) == []
        assert store.records_with(Identifier(IdentifierKind.DEVICE, "d")) == []
        assert store.get_records([RecordKey("partner", "x1")]) == {}
    finally:
        store.close()


async def test_erase_then_reload_creates_nothing(
    client_for: ClientFactory, fresh_store_url: str, demo_dir: Path
) -> None:
    person = _person(fresh_store_url)
    admin = await client_for(ADMIN, store_url=fresh_store_url)
    assert (await gql(admin, FORGET, id=person.id))["data"]["forgetProfile"]["status"] == "DONE"

    settings = Settings(store=fresh_store_url)
    store = open_store(fresh_store_url)
    try:
        before = store.counts()
        config = read_config(demo_dir / "data" / "sources.toml")
        quarantine = Quarantine(demo_dir / "reload-quarantine.jsonl")
        options = LoadOptions.of(config, quarantine=quarantine, is_suppressed=load_check(settings, store))
        report = load_sources(store, config, options)
        quarantine.close()
        assert report.totals["suppressed"] >= len(person.members)
        assert all(file.balanced for file in report.files)
        after = store.counts()
        assert {k: after[k] for k in before} == before  # not one record, identifier or link more
        assert store.get_records([*person.members, *person.events]) == {}
        resolve(store)
        assert store.records_with(person.email) == []
        assert store.get_entity(person.id) is None
        assert sum(1 for _ in store.iter_records([RecordKind.CUSTOMER])) == before[RecordKind.CUSTOMER.value]
    finally:
        store.close()
    assert (await gql(admin, BY_EMAIL, v=person.email.value))["data"]["profileByIdentifier"] is None


async def test_forget_needs_admin(client_for: ClientFactory, fresh_store_url: str) -> None:
    person = _person(fresh_store_url)
    client = await client_for(
        frozenset({Scope.INGEST_WRITE, Scope.PROFILES_READ, Scope.PII_READ}), store_url=fresh_store_url
    )
    body = await gql(client, FORGET, id=person.id)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert _person(fresh_store_url).id == person.id
