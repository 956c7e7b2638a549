"""Contract of the store's audit log (append-only, numbered in order, read newest first) and document listing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph import AuditEntry, GraphStore, open_store

from .conftest import StoreFactory

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def entry(action: str, minutes: int = 0, **detail: object) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(minutes=minutes),
        actor="k1",
        actor_name="crm sync",
        action=action,
        target="p-1",
        detail=dict(detail),
    )


def test_append_numbers_entries_in_order_and_reads_them_newest_first(store: GraphStore) -> None:
    assert store.audit_entries() == []
    first = store.append_audit([entry("pii.read", 0, fields=3), entry("merge", 1, ids=["p-1", "p-2"])])
    second = store.append_audit([entry("erasure", 2)])
    assert len(first) == 2 and first[0] < first[1] < second[0]
    read = store.audit_entries()
    assert [e.action for e in read] == ["erasure", "merge", "pii.read"]
    assert [e.seq for e in read] == [second[0], first[1], first[0]]
    merge = read[1]
    assert merge.at == T0 + timedelta(minutes=1)
    assert (merge.actor, merge.actor_name, merge.target) == ("k1", "crm sync", "p-1")
    assert merge.detail == {"ids": ["p-1", "p-2"]}
    assert store.append_audit([]) == []


def test_entries_page_by_seq_and_filter_by_time(store: GraphStore) -> None:
    seqs = store.append_audit([entry(f"a{i}", i) for i in range(5)])
    assert [e.action for e in store.audit_entries(limit=2)] == ["a4", "a3"]
    assert [e.action for e in store.audit_entries(before=seqs[3], limit=2)] == ["a2", "a1"]
    assert [e.action for e in store.audit_entries(since=T0 + timedelta(minutes=3))] == ["a4", "a3"]
    # `since` in another time zone means the same instant.
    shanghai = (T0 + timedelta(minutes=4)).astimezone(timezone(timedelta(hours=8)))
    assert [e.action for e in store.audit_entries(since=shanghai)] == ["a4"]
    assert store.audit_entries(limit=0) == []


def test_the_log_survives_reopening(store_factory: StoreFactory) -> None:
    store_factory().append_audit([entry("export")])
    assert [e.action for e in store_factory().audit_entries()] == ["export"]


def test_sqlite_refuses_changing_or_removing_entries(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    store = open_store(f"sqlite:///{path}")
    try:
        store.append_audit([entry("pii.read")])
    finally:
        store.close()
    connection = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit_log")
    finally:
        connection.close()


def test_document_names_by_prefix(store: GraphStore) -> None:
    for name in ("apikey.b", "apikey.a", "apikeys", "resolver.model", "api_key.x"):
        store.put_document(name, {"n": name})
    assert store.document_names("apikey.") == ["apikey.a", "apikey.b"]
    assert store.document_names("api_") == ["api_key.x"]  # `_` is a plain character, not a wildcard
    assert store.document_names("nothing.") == []
