"""The SQLite store's bulk read of links as integer columns: three scans, one Python object per record and per
identifier, none per link (millions of them in a batch resolve)."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Collection
from typing import cast

from graph.link_columns import LinkColumns
from graph.model import Identifier, IdentifierKind, RecordKey, RecordKind

_IDENTIFIER_KINDS = {kind.value: kind for kind in IdentifierKind}


def _in(column: str, values: Collection[str]) -> str:
    return f"{column} IN ({','.join('?' * len(values))})"


def read_link_columns(
    c: sqlite3.Connection, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None
) -> LinkColumns:
    """Records of `kinds` in key order and their links to identifiers of `identifier_kinds` (None: all), read
    inside the caller's transaction so that the three statements see one snapshot."""
    record_kinds = sorted(k.value for k in kinds)
    held_kinds = sorted(k.value for k in (IdentifierKind if identifier_kinds is None else identifier_kinds))
    if not record_kinds:
        return LinkColumns([], [], array("q"), array("q"))
    # `+kind`: walk the key index and filter, rather than sorting what the kind index gives.
    rows = c.execute(
        f"SELECT id, source, source_id FROM records WHERE {_in('+kind', record_kinds)} ORDER BY source, source_id",
        record_kinds,
    ).fetchall()
    records = [RecordKey(source, source_id) for _, source, source_id in rows]
    position = {row[0]: i for i, row in enumerate(rows)}
    del rows
    if not held_kinds:
        return LinkColumns(records, [], array("q"), array("q"))
    link_rows = c.execute(
        "SELECT ri.record_id, ri.identifier_id FROM record_identifiers ri"
        " JOIN records r ON r.id = ri.record_id JOIN identifiers i ON i.id = ri.identifier_id"
        f" WHERE {_in('r.kind', record_kinds)} AND {_in('i.kind', held_kinds)}",
        [*record_kinds, *held_kinds],
    ).fetchall()
    record = array("q", [position[record_id] for record_id, _ in link_rows])
    del position
    numbers: dict[int, int] = {}
    identifier = array("q", [numbers.setdefault(identifier_id, len(numbers)) for _, identifier_id in link_rows])
    del link_rows
    identifiers: list[Identifier | None] = [None] * len(numbers)
    for identifier_id, kind, value, system in c.execute(
        f"SELECT id, kind, value, system FROM identifiers WHERE {_in('kind', held_kinds)}", held_kinds
    ):
        number = numbers.get(identifier_id)
        if number is not None:
            identifiers[number] = Identifier(_IDENTIFIER_KINDS[kind], value, system)
    # Every number was given to an identifier the join found, so each slot is filled (one snapshot).
    return LinkColumns(records, cast(list[Identifier], identifiers), record, identifier)
