"""upsertRecords through the real ASGI app: rows cleaned and checked like a file's, stored and resolved at once."""

from __future__ import annotations

import pytest

from api.security.scopes import Scope
from graph import RecordKey, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

INGEST = frozenset({Scope.INGEST_WRITE, Scope.PROFILES_READ, Scope.PII_READ})
UPSERT = """
mutation($kind: RecordKind!, $records: [JSON!]!, $source: String!, $references: JSON) {
  upsertRecords(kind: $kind, records: $records, source: $source, references: $references) {
    rowsRead loaded quarantined duplicates suppressed resolved deferred
    reasons { reason rows }
    errors { index field reason message }
  }
}
"""
BY_EMAIL = "query($v: String!) { profileByIdentifier(kind: EMAIL, value: $v) { id records { source sourceId } } }"


async def test_rows_load_resolve_and_report(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url)
    rows = [
        {"source_id": "1", "first_name": "zoe", "last_name": "quist", "email": "Zoe.Quist@Example.com"},
        {"source_id": "2", "full_name": "Zoe Quist", "email": "zoe.quist@example.com", "phone": "+1 202 555 0199"},
        {"source_id": "3", "email": "broken@"},
        {"email": "no-id@example.com"},
        {"source_id": "2", "full_name": "Zoe Quist", "email": "zoe.quist@example.com", "phone": "+1 202 555 0199"},
    ]
    body = await gql(client, UPSERT, kind="CUSTOMER", records=rows, source="partner")
    assert "errors" not in body, body
    report = body["data"]["upsertRecords"]
    assert {k: report[k] for k in ("rowsRead", "loaded", "quarantined", "duplicates", "suppressed")} == {
        "rowsRead": 5,
        "loaded": 2,
        "quarantined": 2,
        "duplicates": 1,
        "suppressed": 0,
    }
    assert report["resolved"] == 2
    assert report["reasons"] == [{"reason": "invalid_email", "rows": 1}, {"reason": "missing_required", "rows": 1}]
    assert {(e["index"], e["field"], e["reason"]) for e in report["errors"]} == {
        (2, "email", "invalid_email"),
        (3, "source_id", "missing_required"),
    }
    assert all("broken@" not in e["message"] for e in report["errors"])
    profile = (await gql(client, BY_EMAIL, v="zoe.quist@example.com"))["data"]["profileByIdentifier"]
    assert {(r["source"], r["sourceId"]) for r in profile["records"]} == {("partner", "1"), ("partner", "2")}


async def test_events_refer_to_people_of_another_source(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url)
    await gql(client, UPSERT, kind="CUSTOMER", records=[{"source_id": "9", "email": "p9@example.com"}], source="p")
    events = [
        {"source_id": "e1", "type": "purchase", "timestamp": "2024-03-01T10:00:00Z", "person_id": "9", "amount": 5},
        {"source_id": "e2", "type": "purchase", "timestamp": "2024-03-01T10:00:00Z", "person_id": "404"},
    ]
    body = await gql(client, UPSERT, kind="EVENT", records=events, source="pos", references={"person": "p"})
    report = body["data"]["upsertRecords"]
    assert (report["loaded"], report["quarantined"]) == (1, 1)
    assert report["errors"] == [
        {"index": 1, "field": "person_id", "reason": "unknown_reference", "message": "no Contact/Customer record p/404"}
    ]
    store = open_store(fresh_store_url)
    try:
        assert RecordKey("pos", "e1") in store.get_records([RecordKey("pos", "e1")])
    finally:
        store.close()


async def test_bad_arguments_are_named(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(INGEST, store_url=fresh_store_url, env="production")
    body = await gql(client, UPSERT, kind="CUSTOMER", records=[{}], source="bad source")
    assert "argument 'source'" in body["errors"][0]["message"]
    body = await gql(client, UPSERT, kind="CUSTOMER", records=[{}] * 1001, source="p")
    assert "argument 'records'" in body["errors"][0]["message"]
    body = await gql(client, UPSERT, kind="EVENT", records=[{}], source="p", references={"nope": "x"})
    assert "argument 'references'" in body["errors"][0]["message"]


async def test_upsert_needs_ingest_write_and_is_audited(client_for: ClientFactory, fresh_store_url: str) -> None:
    reader = await client_for(frozenset({Scope.PROFILES_READ}), store_url=fresh_store_url)
    body = await gql(reader, UPSERT, kind="CUSTOMER", records=[{"source_id": "1"}], source="p")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    writer = await client_for(INGEST, store_url=fresh_store_url)
    await gql(writer, UPSERT, kind="CUSTOMER", records=[{"source_id": "1", "email": "a@example.com"}], source="p")
    store = open_store(fresh_store_url)
    try:
        [entry] = [e for e in store.audit_entries(limit=20) if e.action == "records.upsert"]
    finally:
        store.close()
    assert (entry.target, entry.detail["loaded"]) == ("p:Customer", 1)
    assert "a@example.com" not in entry.model_dump_json()
