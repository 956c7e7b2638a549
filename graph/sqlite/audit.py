"""SQL of the SQLite store's audit log (table `audit_log`, append-only by trigger) and document listing."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

import orjson

from graph.audit import AuditEntry, audit_time

_COLUMNS = "INSERT INTO audit_log (at, actor, actor_name, action, target, detail) VALUES "
_ROWS_PER_INSERT = 500  # 6 parameters a row, well under SQLite's limit of 32,766


def _insert(c: sqlite3.Connection, entries: Sequence[AuditEntry]) -> list[int]:
    """One INSERT of at most _ROWS_PER_INSERT entries, in order; their sequence numbers. The rows of one statement
    get consecutive numbers (AUTOINCREMENT: each is the largest so far + 1, under the write lock), so they are the
    last one's and those before it."""
    params: list[object] = []
    for entry in entries:
        params += (
            audit_time(entry.at),
            entry.actor,
            entry.actor_name,
            entry.action,
            entry.target,
            orjson.dumps(entry.detail).decode(),
        )
    last = int(c.execute(_COLUMNS + ",".join(["(?, ?, ?, ?, ?, ?)"] * len(entries)), params).lastrowid or 0)
    return list(range(last - len(entries) + 1, last + 1))


def append(c: sqlite3.Connection, entries: Sequence[AuditEntry]) -> list[int]:
    """Insert the entries in order; their sequence numbers (AUTOINCREMENT never reuses one)."""
    seqs: list[int] = []
    for start in range(0, len(entries), _ROWS_PER_INSERT):
        seqs += _insert(c, entries[start : start + _ROWS_PER_INSERT])
    return seqs


def append_now(c: sqlite3.Connection, entries: Sequence[AuditEntry], busy_timeout_ms: int) -> list[int] | None:
    """`append` in a transaction of its own, if the database's write lock is free this instant: their sequence
    numbers, committed; None, having written nothing, when another connection holds the lock (no busy wait).

    `c` is in autocommit mode and in no transaction. Up to _ROWS_PER_INSERT entries (a request's) are one INSERT,
    which is its own transaction: it takes the write lock, writes and commits, or fails BUSY having done nothing.
    That is three statements with the busy timeout's switch and back, where BEGIN IMMEDIATE ... COMMIT took five."""
    c.execute("PRAGMA busy_timeout = 0")
    try:
        if len(entries) <= _ROWS_PER_INSERT:
            return _insert(c, entries)
        c.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            return None
        raise
    finally:
        c.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    try:
        seqs = append(c, entries)
        c.execute("COMMIT")
    except BaseException:
        if c.in_transaction:
            c.execute("ROLLBACK")
        raise
    return seqs


def entries(c: sqlite3.Connection, *, since: datetime | None, before: int | None, limit: int) -> list[AuditEntry]:
    """Newest first: entries at or after `since` with seq below `before` (walks the primary key backwards)."""
    rows = c.execute(
        "SELECT seq, at, actor, actor_name, action, target, detail FROM audit_log"
        " WHERE seq < ? AND at >= ? ORDER BY seq DESC LIMIT ?",
        (before if before is not None else 2**63 - 1, audit_time(since) if since else "", max(limit, 0)),
    )
    return [
        AuditEntry.model_construct(
            seq=seq,
            at=datetime.fromisoformat(at),
            actor=actor,
            actor_name=actor_name,
            action=action,
            target=target,
            detail=orjson.loads(detail),
        )
        for seq, at, actor, actor_name, action, target, detail in rows
    ]


def document_names(c: sqlite3.Connection, prefix: str) -> list[str]:
    """Document names starting with `prefix` (a range scan of the primary key; no LIKE, so `%` and `_` are plain)."""
    rows = c.execute(
        "SELECT name FROM documents WHERE name >= ? AND substr(name, 1, ?) = ? ORDER BY name",
        (prefix, len(prefix), prefix),
    )
    return [str(name) for (name,) in rows]
