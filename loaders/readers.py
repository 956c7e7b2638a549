"""Stream rows out of source files (CSV, JSONL, Parquet), each with the line it came from."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.config import FileFormat
from loaders.encoding import open_text
from loaders.errors import LoadError

# CSV fields of a few MB appear in real exports (long notes, embedded JSON).
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as read: `values` by column name (strings for CSV), or `error` when it could not be parsed."""

    line: int  # where the row starts; the header is line 1 of a CSV
    values: dict[str, Any]
    error: str | None = None
    text: str = ""  # the row as written (its cells joined, for CSV), to spot exact duplicates


def _clean_header(names: list[str]) -> list[str]:
    return [name.strip().lstrip("\ufeff").strip() for name in names]


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[RawRow]:
    with open_text(path, encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise LoadError(f"{path}: cannot read the header: {exc}") from None
        if header is None:
            raise LoadError(f"{path}: the file is empty (no header row)")
        columns = _clean_header(header)
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRow(line, {}, f"not valid CSV: {exc}")
                line = reader.line_num + 1
                continue
            if not cells:  # a blank line
                line = reader.line_num + 1
                continue
            values = dict(zip(columns, cells, strict=False))
            text = "\x1f".join(cells)
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                yield RawRow(line, values, f"{len(cells)} cells for {len(columns)} columns", text)
            else:
                yield RawRow(line, values, text=text)
            line = reader.line_num + 1


def _jsonl_rows(path: Path, encoding: str) -> Iterator[RawRow]:
    with open_text(path, encoding) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRow(number, {"_line": text.rstrip("\r\n")}, f"not valid JSON: {exc.msg}")
                continue
            if not isinstance(value, dict):
                yield RawRow(number, {"_line": text.rstrip("\r\n")}, "not a JSON object")
                continue
            yield RawRow(number, value, text=text.strip())


def _parquet_rows(path: Path) -> Iterator[RawRow]:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise LoadError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)") from None
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
        for values in batch.to_pylist():
            number += 1
            yield RawRow(number, values, text=repr(values))


def read_rows(path: Path, fmt: FileFormat, *, encoding: str = "auto", delimiter: str = ",") -> Iterator[RawRow]:
    """Rows of one file, streamed. Raises LoadError when the file cannot be read at all."""
    try:
        if fmt is FileFormat.CSV:
            yield from _csv_rows(path, encoding, delimiter)
        elif fmt is FileFormat.JSONL:
            yield from _jsonl_rows(path, encoding)
        else:
            yield from _parquet_rows(path)
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: not readable as {encoding} (byte {exc.start}); set the source's encoding") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read: {exc.strerror}") from None
