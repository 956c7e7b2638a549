"""Scrubbing quarantine files after an erasure: the rejected rows that name an erased person are removed.

A quarantine entry keeps the original row, so it may hold the email or phone of someone erased since. Each entry
is checked as a load would check its row (loaders.suppression): by its source's column mapping, against the
store's suppression list. The file is rewritten beside itself and swapped in atomically, with its permissions;
entries of sources the caller does not describe are kept and counted as unchecked.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from loaders.config import SourceConfig
from loaders.errors import LoadError
from loaders.suppression import SuppressionCheck


@dataclass(frozen=True)
class ScrubResult:
    """What scrubbing one quarantine file did."""

    path: Path
    kept: int
    removed: int
    unchecked: int  # kept because their source was not among those given


def scrub_quarantine(path: Path, sources: Mapping[str, SourceConfig], check: SuppressionCheck | None) -> ScrubResult:
    """Remove from the quarantine file at `path` the entries whose row `check` finds suppressed.

    `sources` maps source names (an entry's `source`) to their configs. With no check (an empty suppression
    list) nothing is removed and the file is left untouched. A line that is not a quarantine entry is an error
    naming the file and line, and the file is left as it was.
    """
    kept = removed = unchecked = 0
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".scrub", dir=path.parent)
    try:
        with path.open("r", encoding="utf-8") as lines, os.fdopen(handle, "w", encoding="utf-8") as rewritten:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                source_name, row = _entry(path, number, line)
                source = sources.get(source_name)
                if source is None:
                    unchecked += 1
                elif check is not None and check(source, row):
                    removed += 1
                    continue
                kept += 1
                rewritten.write(line if line.endswith("\n") else line + "\n")
            rewritten.flush()
            os.fsync(rewritten.fileno())
        if removed:
            os.chmod(scratch, path.stat().st_mode & 0o7777)
            os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return ScrubResult(path=path, kept=kept, removed=removed, unchecked=unchecked)


def _entry(path: Path, number: int, line: str) -> tuple[str, dict[str, object]]:
    """The source name and original row of one quarantine line."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path}, line {number}: not a quarantine entry (not JSON: {exc.msg})") from None
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("source"), str)
        or not isinstance(entry.get("row"), dict)
    ):
        raise LoadError(f"{path}, line {number}: not a quarantine entry (it needs a 'source' and a 'row')")
    return entry["source"], entry["row"]
