"""The quarantine file: one JSON line per rejected row, with what is needed to fix it and nothing more."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from loaders.mapping import Problem


class Quarantine:
    """Appends rejected rows to a JSONL file (created on the first row), flushed after each batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def add(self, source: str, file: str, line: int, problems: list[Problem], row: dict[str, Any]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        entry = {
            "source": source,
            "file": file,
            "line": line,
            "reasons": [{"field": p.field, "reason": p.reason.value, "message": p.message} for p in problems],
            "row": row,
        }
        self._handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
