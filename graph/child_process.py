"""Child processes that must not outlive the process that started them (the store's link reader, load workers)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> None:
    """End this child process when `parent` ends (killed, say), even while it is blocked writing to it: on Linux the
    kernel sends SIGKILL; elsewhere the child must check `os.getppid()` while it waits. Exits now if `parent` is
    already gone."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
