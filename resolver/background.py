"""Store work run in a second thread while the resolver goes on computing: a large write, or a large read.

SQLite (and the Neo4j driver's socket I/O) let go of the GIL while they work, so a large write overlaps with the
resolver's own work on the other core; the SQLite store reads a large store's links in a process of its own, which
this thread waits for. The result is the same as doing the work in line: `wait` returns its result or raises
whatever it raised, and callers wait before any write that must come after it. One long-lived worker thread runs
all such work: a store keeps a connection per thread, so a thread per run would leave a connection behind per run.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="resolver-background")


class Background(Generic[T]):
    """`work()` running in the background worker from construction on (after any work queued before it)."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._done = _WORKER.submit(work)

    def wait(self) -> T:
        """Block until the work is done; its result, or raise its exception."""
        return self._done.result()
