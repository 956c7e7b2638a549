"""The SQLite audit log's multi-row INSERT: sequence numbers in order, also across statements and for the inline
append of more entries than one statement takes, and nothing written when the write lock is taken."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from graph import AuditEntry
from graph.sqlite import SqliteGraphStore
from graph.sqlite.audit import _ROWS_PER_INSERT

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def entries(count: int, tag: str) -> list[AuditEntry]:
    return [
        AuditEntry(at=T0, actor="k1", actor_name="web", action=f"{tag}{n}", target="p-1", detail={"n": n})
        for n in range(count)
    ]


def test_many_entries_keep_their_order_and_numbers(tmp_path: Path) -> None:
    store = SqliteGraphStore(tmp_path / "g.db")
    try:
        count = _ROWS_PER_INSERT * 2 + 7
        queued = store.append_audit(entries(count, "q"))
        inline = store.append_audit_now(entries(count, "i"))
        small = store.append_audit_now(entries(3, "s"))
        assert inline is not None and small is not None
        seqs = queued + inline + small
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        stored = store.audit_entries(limit=10 * count)
        assert [(e.seq, e.action) for e in reversed(stored)] == list(
            zip(seqs, [e.action for e in entries(count, "q") + entries(count, "i") + entries(3, "s")], strict=True)
        )
        assert not store._connection().in_transaction
    finally:
        store.close()


def test_nothing_is_written_while_another_connection_writes(tmp_path: Path) -> None:
    store = SqliteGraphStore(tmp_path / "g.db")
    other = sqlite3.connect(tmp_path / "g.db", isolation_level=None)
    try:
        store.append_audit([entries(1, "x")[0]])
        other.execute("BEGIN IMMEDIATE")
        assert store.append_audit_now(entries(2, "busy")) is None
        assert store.append_audit_now(entries(_ROWS_PER_INSERT + 1, "busy")) is None
        other.execute("ROLLBACK")
        assert [e.action for e in store.audit_entries()] == ["x0"]
        assert store._connection().execute("PRAGMA busy_timeout").fetchone()[0] == 60_000  # restored
    finally:
        other.close()
        store.close()
