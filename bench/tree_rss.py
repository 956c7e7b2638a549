"""Peak resident memory of a process and all its descendants together, sampled from /proc by a thread.

A process's own VmHWM misses the memory of the helper processes it starts (a spawned reader, a forked worker), and
adding every process's own peak overstates what was held at once. Sampling the sum every few milliseconds gives
the concurrent peak (a spike shorter than the interval can be missed; the interval is printed with the figure).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

INTERVAL_S = 0.02


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass  # gone meanwhile
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def tree_rss_mb(root: int) -> float:
    """The summed RSS of `root` and every process below it, now."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo.extend(_children(pid))
    return total / 1024


class TreePeak:
    """`with TreePeak() as peak: ...`, then `peak.mb`: the largest summed RSS of this process and its descendants."""

    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-rss", daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval_s):
            self.mb = max(self.mb, tree_rss_mb(me))

    def __enter__(self) -> TreePeak:
        self.mb = tree_rss_mb(os.getpid())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
