"""Streaming writers: one per source file (CSV or JSONL, UTF-8 or GBK), through a small shuffle window."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import IO, Any

from loaders.demo.catalogue import SourceSpec
from loaders.demo.messiness import to_gbk

Row = dict[str, Any]


class SourceSink:
    """Writes the rows of one source. Rows pass through a window of `window` rows that is shuffled before it is
    written, so a file is not in person order (a person's records would otherwise sit side by side in every file)
    while memory stays bounded. CSV files get the source's header; missing values are empty (CSV) or null (JSONL)."""

    def __init__(self, out: Path, spec: SourceSpec, rng: random.Random, *, window: int = 1000) -> None:
        self.spec = spec
        self.path = out / spec.file
        self.rows = 0
        self._rng = rng
        self._window = window
        self._pending: list[Row] = []
        self._keys = frozenset(spec.header)
        self._gbk = spec.encoding.lower() in ("gbk", "gb2312", "gb18030")
        windows_export = self._gbk  # the GBK files come from Windows point-of-sale and store systems
        self._file: IO[str] = self.path.open("w", encoding=spec.encoding, newline="")
        self._csv = None
        if not spec.is_jsonl:
            self._csv = csv.writer(self._file, lineterminator="\r\n" if windows_export else "\n")
            self._csv.writerow(spec.header)

    def write(self, row: Row, *, copies: int = 1) -> None:
        """Queue a row (`copies` > 1: an exact duplicate row, as exports with a join gone wrong have)."""
        if not row.keys() <= self._keys:
            unknown = ", ".join(sorted(row.keys() - self._keys))
            raise KeyError(f"{self.spec.file}: no column {unknown}")
        for _ in range(copies):
            self._pending.append(row)
        if len(self._pending) >= self._window:
            self._flush()

    def close(self) -> None:
        self._flush()
        self._file.close()

    def _flush(self) -> None:
        self._rng.shuffle(self._pending)
        header = self.spec.header
        if self._csv is not None:
            lines = [[_cell(row.get(column), self._gbk) for column in header] for row in self._pending]
            self._csv.writerows(lines)
        else:
            self._file.writelines(
                json.dumps({key: row.get(key) for key in header}, ensure_ascii=False, separators=(",", ":")) + "\n"
                for row in self._pending
            )
        self.rows += len(self._pending)
        self._pending.clear()


def _cell(value: Any, gbk: bool) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return to_gbk(text) if gbk and not text.isascii() else text


TRUTH_HEADER = ("kind", "source", "source_id", "entity", "note")


class TruthSink:
    """truth.csv: one row per person or company record, in the order they were made."""

    def __init__(self, out: Path) -> None:
        self.path = out / "truth.csv"
        self.rows = 0
        self._file = self.path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(TRUTH_HEADER)

    def write(self, kind: str, source: str, source_id: str, entity: str, note: str = "") -> None:
        self._csv.writerow((kind, source, source_id, entity, note))
        self.rows += 1

    def close(self) -> None:
        self._file.close()
