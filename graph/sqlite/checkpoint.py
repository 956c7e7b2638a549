"""WAL checkpoints off the writers' path: a background thread copies committed pages into the database file.

With SQLite's automatic checkpoint, the commit that takes the WAL over 1000 pages also copies them into the
database file and syncs it: a pause of tens of milliseconds on whichever write (one incremental resolve, say)
happens to cross the line. Store connections turn that off (PRAGMA wal_autocheckpoint = 0) and this thread
runs a PASSIVE checkpoint every few hundred milliseconds instead: it never waits for a lock and copies only
what no reader still needs, so writers and readers go on while it runs.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

INTERVAL_S = 0.25


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
