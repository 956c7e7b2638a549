"""Timings of a batch run's phases, logged at DEBUG on `resolver.phases`: wall and CPU seconds, and resident memory.

A benchmark (or an operator with debug logging on) reads where a run spends its time without a profiler's overhead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("resolver.phases")


def resident_mb() -> float:
    """This process's resident memory now (0 where /proc is not available)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Log the wall and CPU seconds of the block (CPU of every thread of the process) and the memory after it."""
    if not log.isEnabledFor(logging.DEBUG):
        yield
        return
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    log.debug(
        "%s",
        name,
        extra={
            "phase": name,
            "wall": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu,
            "rss_mb": resident_mb(),
        },
    )
