"""Load a CSV of customers (an id column plus name, email, phone, ...) as Customer records with identifiers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph import (
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Properties,
    Record,
    RecordKey,
    RecordKind,
)
from loaders.errors import LoadError
from loaders.normalise import normalise_email, normalise_phone
from loaders.report import LoadReport, RowProblem

ID_COLUMNS = ("id", "source_id")


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _Pending:
    records: list[Record] = field(default_factory=list)
    links: list[IdentifierLink] = field(default_factory=list)

    def batch(self) -> GraphBatch:
        return GraphBatch(records=tuple(self.records), links=tuple(self.links))


def _read_rows(path: Path) -> Iterator[_Row]:
    """Rows as {column: trimmed value}, with the line each ends on. UTF-8, with or without BOM."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            raise LoadError(f"{path}: the file is empty (no header row)")
        columns = [name.strip().lower() for name in reader.fieldnames]
        if not any(c in columns for c in ID_COLUMNS):
            raise LoadError(
                f"{path}: missing required column 'id' (or 'source_id'); found columns: {', '.join(columns)}"
            )
        reader.fieldnames = columns
        for values in reader:
            yield _Row(reader.line_num, {k: (v or "").strip() for k, v in values.items() if k is not None})


class _RowError(ValueError):
    """One row cannot be loaded because of one column."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _customer(row: _Row, source: str, phone_region: str | None) -> tuple[Record, list[IdentifierLink]]:
    """The row as a Customer with its identifiers; a ValueError naming the column when it cannot be."""
    values = row.values
    source_id = next((values[c] for c in ID_COLUMNS if values.get(c)), "")
    if not source_id:
        raise _RowError("id", "missing record id")
    key = RecordKey(source, source_id)
    properties: Properties = {k: v for k, v in values.items() if v and k not in ID_COLUMNS}
    identifiers: list[Identifier] = []
    if email := values.get("email"):
        try:
            properties["email"] = normalise_email(email)
        except ValueError as exc:
            raise _RowError("email", str(exc)) from None
        identifiers.append(Identifier(IdentifierKind.EMAIL, str(properties["email"])))
    if phone := values.get("phone"):
        try:
            properties["phone"] = normalise_phone(phone, phone_region)
        except ValueError as exc:
            raise _RowError("phone", str(exc)) from None
        identifiers.append(Identifier(IdentifierKind.PHONE, str(properties["phone"])))
    record = Record(kind=RecordKind.CUSTOMER, key=key, properties=properties)
    return record, [IdentifierLink(record=key, identifier=i) for i in identifiers]


def load_customers_csv(
    store: GraphStore,
    path: Path,
    *,
    source: str,
    phone_region: str | None = "US",
    batch_size: int = 1000,
) -> LoadReport:
    """Load every good row of `path`; bad rows are reported (line, column, reason) and skipped.

    Raises LoadError, before writing anything, when the file cannot be loaded at all.
    """
    if not source.strip():
        raise LoadError("--source must name the source system, e.g. --source crm")
    report = LoadReport(file=str(path), source=source)
    pending = _Pending()
    try:
        for row in _read_rows(path):
            report.rows_read += 1
            try:
                record, links = _customer(row, source, phone_region)
            except _RowError as exc:
                report.problems.append(RowProblem(line=row.line, column=exc.column, reason=exc.reason))
                continue
            pending.records.append(record)
            pending.links.extend(links)
            if len(pending.records) >= batch_size:
                store.write(pending.batch())
                report.loaded += len(pending.records)
                pending = _Pending()
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LoadError(f"{path}: cannot read line {report.rows_read + 2}: {exc}") from exc
    if pending.records:
        store.write(pending.batch())
        report.loaded += len(pending.records)
    return report
