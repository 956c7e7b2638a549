"""Commit batches on a thread of their own, in order, so that mapping the next batch overlaps the store's work.

SQLite (and the Neo4j driver) release the GIL while they work, so on two cores the load runs close to the
speed of its slower half. Batches are committed one by one in the order given, each with its checkpoint, so
an interrupted load still resumes exactly after its last committed batch.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from graph import GraphBatch, GraphStore

# Batches waiting to be committed: enough to keep the writer busy, few enough to keep memory flat.
_QUEUED = 2


class BatchWriter:
    """Writes batches to a store in submission order; `after` runs once each batch is committed."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._queue: queue.Queue[tuple[GraphBatch, Callable[[], None]] | None] = queue.Queue(maxsize=_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="idgraph-batch-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            batch, after = item
            try:
                if self._error is None:  # after a failure, later batches are dropped, never written
                    self._store.write(batch)
                    after()
            except BaseException as exc:  # handed to the loading thread by `submit` / `close`
                self._error = exc
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, batch: GraphBatch, after: Callable[[], None]) -> None:
        """Queue a batch (waiting while the writer is behind); raises an earlier batch's failure."""
        self._raise()
        self._queue.put((batch, after))

    def wait(self) -> None:
        """Until every batch submitted so far is committed; raises a failure."""
        self._queue.join()
        self._raise()

    def close(self) -> None:
        """Commit what is queued and stop; raises a failure."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()
