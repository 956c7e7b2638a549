"""Run the reading half of a file load (loaders.prepare) in child processes, so that it overlaps the writing.

Reading, normalising and mapping rows costs about as much CPU as SQLite's writing of them; on two cores the two
halves run at once. A child is forked (it inherits the source config, the mapper and the suppression check
as they are, nothing is re-imported) and sends each batch, pickled, through a bounded queue: it runs at most
`QUEUE_BATCHES` batches ahead of the writer, so memory stays flat whatever the file size. Batches arrive in the
order the child made them, which is file order. An error in the child (an unreadable file, say) is raised in the
writer; the writer stopping early (an error, Ctrl-C) stops the child. A load may run several (loaders.pipeline
gives each every other file); they run at a lower priority than the writer, which is the slower half.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Callable, Iterator
from contextlib import suppress
from multiprocessing.process import BaseProcess
from typing import Any

from graph.child_process import die_with
from loaders.errors import LoadError
from loaders.prepare import Prepared

# Worker processes of a load at most (each reads every other file; more would only share the same cores).
WORKERS = 2
# Batches prepared ahead of the writer by each worker (each a few MB at most).
QUEUE_BATCHES = 16
# Niceness of a worker: the writer is the slower half of a load, so where it shares the cores with the workers (more
# of them than cores), it keeps one to itself and they make batches ahead with the time left (Linux: two workers at
# nice 5 weigh 2 x 335 against the writer's 1024).
WORKER_NICENESS = 5
# How often the writer checks that a silent child is still alive, and a blocked child that the writer is (s).
_POLL_S = 1.0


def worker_count(files: int) -> int:
    """How many worker processes read `files` files: one a file, at most one a core and `WORKERS`."""
    return max(1, min(files, WORKERS, os.cpu_count() or 1))


def can_fork() -> bool:
    """Whether a worker can be started here (fork is POSIX-only; elsewhere loads stay in one process)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _send(out: Any, message: tuple[str, Any], parent: int) -> None:
    """Put a message in the queue, waiting while it is full; exit if the writer is gone (killed, say)."""
    while True:
        try:
            out.put(message, timeout=_POLL_S)
            return
        except queue.Full:
            if os.getppid() != parent:
                os._exit(1)


def _child(make: Callable[[], Iterator[Prepared]], out: Any, parent: int) -> None:
    die_with(parent)  # elsewhere than Linux, `_send` notices when it next waits
    with suppress(OSError):
        os.nice(WORKER_NICENESS)
    # Ctrl-C reaches the whole process group: the writer decides what happens, the child just stops when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Everything inherited is long-lived: keep the collector off it, and collect young objects less often.
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    try:
        for batch in make():
            batch.seal()
            _send(out, ("batch", batch), parent)
        _send(out, ("done", None), parent)
    except BaseException as exc:  # every failure goes to the writer, which raises it
        try:
            pickle.dumps(exc)
        except Exception:  # an exception that cannot be pickled
            exc = LoadError(f"the load's reader failed: {type(exc).__name__}")
        _send(out, ("error", exc), parent)
    out.close()
    out.join_thread()


class Reader:
    """A forked child process making the batches of `make()`, started at once; `batches()` receives them in order,
    `stop()` ends the child (at once, unless it has sent all)."""

    def __init__(self, make: Callable[[], Iterator[Prepared]]) -> None:
        context = multiprocessing.get_context("fork")
        self._channel: Any = context.Queue(QUEUE_BATCHES)
        self._process: BaseProcess = context.Process(
            target=_child, args=(make, self._channel, os.getpid()), name="idgraph-load-reader", daemon=True
        )
        self._process.start()
        self._finished = False

    def batches(self) -> Iterator[Prepared]:
        while not self._finished:
            try:
                kind, value = self._channel.get(timeout=_POLL_S)
            except queue.Empty:
                if not self._process.is_alive():
                    raise LoadError(
                        f"the load's reader process stopped unexpectedly (exit code {self._process.exitcode})"
                    ) from None
                continue
            if kind == "batch":
                yield value
            elif kind == "done":
                self._finished = True
            else:
                raise value

    def stop(self) -> None:
        if not self._finished:
            self._process.terminate()
        self._process.join()
        self._channel.close()
        self._channel.join_thread()
