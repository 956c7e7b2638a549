"""Contract of `append_audit_now`: the audit entries committed at once, in order after every earlier one, or nothing
written and None (another writer holds the lock, or the store's writes always wait); SQLite's cases."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from graph import AuditEntry, GraphStore, open_store

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def entry(action: str, minutes: int = 0) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(minutes=minutes), actor="k1", actor_name="web", action=action, target="p-1", detail={"n": 1}
    )


def test_entries_are_committed_in_order_or_not_at_all(store: GraphStore) -> None:
    assert store.append_audit_now([]) == []
    before = store.append_audit([entry("first")])
    now = store.append_audit_now([entry("second", 1), entry("third", 2)])
    if now is None:  # a store whose writes always wait: nothing was written
        assert [e.action for e in store.audit_entries()] == ["first"]
        return
    assert before[0] < now[0] < now[1]
    after = store.append_audit([entry("fourth", 3)])
    assert now[1] < after[0]
    read = store.audit_entries()
    assert [(e.seq, e.action) for e in read] == [
        (after[0], "fourth"),
        (now[1], "third"),
        (now[0], "second"),
        (before[0], "first"),
    ]
    assert read[1].detail == {"n": 1} and read[1].at == T0 + timedelta(minutes=2)


def test_sqlite_writes_at_once_only_while_no_other_writer_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    store = open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        assert store.append_audit_now([entry("free")]) is not None
        other.execute("BEGIN IMMEDIATE")  # another process's writer, say
        assert store.append_audit_now([entry("busy")]) is None
        assert [e.action for e in store.audit_entries()] == ["free"]  # a snapshot read still works meanwhile
        # The waiting write still waits for the lock (the busy timeout was put back): it goes in once it is free.
        release = threading.Timer(0.2, lambda: other.execute("COMMIT"))
        release.start()
        store.append_audit([entry("waited")])
        release.join()
        assert store.append_audit_now([entry("free again")]) is not None
        assert [e.action for e in store.audit_entries()] == ["free again", "waited", "free"]
    finally:
        other.close()
        store.close()


def test_sqlite_does_not_write_at_once_when_every_commit_waits_for_the_disk(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}?synchronous=full")
    try:
        assert store.append_audit_now([entry("full")]) is None
        assert store.audit_entries() == []
    finally:
        store.close()
