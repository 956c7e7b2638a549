"""A store write run in a second thread while the resolver goes on computing.

SQLite (and the Neo4j driver's socket I/O) let go of the GIL while they work, so a large write overlaps with the
resolver's own work on the other core. The result is the same as writing in line: `wait` raises whatever the write
raised, and callers wait before any write that must come after it. One long-lived worker thread runs every such
write: a store keeps a connection per thread, so a thread per run would leave a connection behind per run.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="resolver-background")


class Background:
    """`work()` running in the background worker from construction on (after any work queued before it)."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._done = _WORKER.submit(work)

    def wait(self) -> None:
        """Block until the work is done; raise its exception, if any."""
        self._done.result()
