"""WAL checkpoints off the writers' path: a background thread copies committed pages into the database file.

With SQLite's automatic checkpoint, the commit that takes the WAL over 1000 pages also copies them into the
database file and syncs it: a pause of tens of milliseconds on whichever write (one incremental resolve, say)
happens to cross the line. Store connections turn that off (PRAGMA wal_autocheckpoint = 0) and this thread
runs a PASSIVE checkpoint every few hundred milliseconds instead: it never waits for a lock and copies only
what no reader still needs, so writers and readers go on while it runs.

A writer that never pauses (a bulk load) outruns that thread: the WAL is only rewritten from its start once a
checkpoint has copied all of it, so it would grow with the load (800 MB for 230k rows). `bound_wal` is the brake:
after a commit that leaves the WAL over WAL_LIMIT_BYTES, the writer checkpoints it itself before the next
transaction, so the next one starts the WAL afresh, and journal_size_limit truncates the file back.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from pathlib import Path

INTERVAL_S = 0.25
# Size past which a writer checkpoints the WAL itself, and to which SQLite truncates it when it starts afresh.
WAL_LIMIT_BYTES = 64 * 1024 * 1024


class Checkpointer:
    """One background thread with its own connection, checkpointing the WAL of one database file."""

    def __init__(self, path: Path, interval_s: float = INTERVAL_S) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=_checkpoint_until, args=(path, self._stop, interval_s), name="sqlite-wal-checkpoint", daemon=True
        )
        self._thread.start()

    def stop(self, *, wait: bool = True) -> None:
        self._stop.set()
        if wait:
            self._thread.join()


def _checkpoint_until(path: Path, stop: threading.Event, interval_s: float) -> None:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        while not stop.wait(interval_s):
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                continue  # busy or locked: the next round will do
    finally:
        connection.close()


def bound_wal(connection: sqlite3.Connection, wal: Path, limit: int = WAL_LIMIT_BYTES) -> None:
    """After a commit: if the WAL file is over `limit`, checkpoint it on this (writer's) connection, so that the next
    write transaction rewrites it from the start. Call while holding the process's write lock."""
    if connection.in_transaction:
        return  # a nested write: the outermost one checks
    try:
        size = wal.stat().st_size
    except OSError:
        return
    if size > limit:
        with suppress(sqlite3.Error):  # busy: the next commit tries again
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
