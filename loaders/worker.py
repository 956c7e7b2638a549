"""Run the reading half of a file load (loaders.prepare) in a child process, so that it overlaps the writing.

Reading, normalising and mapping rows costs about as much CPU as SQLite's writing of them; on two cores the two
halves run at once. The child is forked (it inherits the source config, the mapper and the suppression check
as they are, nothing is re-imported) and sends each batch, pickled, through a bounded queue: it runs at most
`QUEUE_BATCHES` batches ahead of the writer, so memory stays flat whatever the file size. Batches arrive in the
order the child made them, which is file order. An error in the child (an unreadable file, say) is raised in the
writer; the writer stopping early (an error, Ctrl-C) stops the child.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
from collections.abc import Callable, Generator, Iterator
from multiprocessing.process import BaseProcess
from typing import Any

from loaders.errors import LoadError
from loaders.prepare import Prepared

# Batches prepared ahead of the writer (each a few MB at most).
QUEUE_BATCHES = 16
# How often the writer checks that a silent child is still alive, and a blocked child that the writer is (s).
_POLL_S = 1.0
_PR_SET_PDEATHSIG = 1


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


def _die_with(parent: int) -> None:
    """End this process when the writer does (killed, say), even while blocked on a full queue: on Linux the
    kernel sends SIGKILL; elsewhere `_send` notices when it next waits."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the writer was gone before that
        os._exit(1)


def _child(make: Callable[[], Iterator[Prepared]], out: Any, parent: int) -> None:
    _die_with(parent)
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


def in_worker(make: Callable[[], Iterator[Prepared]]) -> Generator[Prepared, None, None]:
    """The batches of `make()`, made in a forked child process; stops the child when the caller stops early."""
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(QUEUE_BATCHES)
    process: BaseProcess = context.Process(
        target=_child, args=(make, channel, os.getpid()), name="idgraph-load-reader", daemon=True
    )
    process.start()
    finished = False
    try:
        while True:
            try:
                kind, value = channel.get(timeout=_POLL_S)
            except queue.Empty:
                if not process.is_alive():
                    raise LoadError(
                        f"the load's reader process stopped unexpectedly (exit code {process.exitcode})"
                    ) from None
                continue
            if kind == "batch":
                yield value
            elif kind == "done":
                finished = True
                return
            else:
                raise value
    finally:
        if finished:
            process.join()
        else:
            process.terminate()
            process.join()
        channel.close()
        channel.join_thread()
