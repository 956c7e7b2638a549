"""The SQLite store's bulk read of links as integer columns: three scans, one Python object per record and per
identifier, none per link (millions of them in a batch resolve); stored ids become positions with numpy."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from itertools import chain

import numpy as np

from graph.link_columns import LinkColumns, Numbers
from graph.model import Identifier, IdentifierKind, RecordKey, RecordKind

_IDENTIFIER_KINDS = {kind.value: kind for kind in IdentifierKind}


def _in(column: str, values: Collection[str]) -> str:
    return f"{column} IN ({','.join('?' * len(values))})"


def _ids(rows: list[tuple[int, ...]], width: int) -> Numbers:
    """The rows' integer columns as a (rows, width) array."""
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def _where(sorted_ids: Numbers, ids: Numbers) -> Numbers:
    """Position of each of `ids` in `sorted_ids`, -1 where absent."""
    at = np.searchsorted(sorted_ids, ids)
    inside = at < len(sorted_ids)
    found = np.zeros(len(ids), dtype=bool)
    found[inside] = sorted_ids[at[inside]] == ids[inside]
    return np.where(found, at, -1)


def read_link_columns(
    c: sqlite3.Connection, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None
) -> LinkColumns:
    """Records of `kinds` in key order and their links to identifiers of `identifier_kinds` (None: all), read
    inside the caller's transaction so that the three statements see one snapshot."""
    record_kinds = sorted(k.value for k in kinds)
    held_kinds = sorted(k.value for k in (IdentifierKind if identifier_kinds is None else identifier_kinds))
    none = np.zeros(0, dtype=np.int64)
    if not record_kinds:
        return LinkColumns([], [], none, none)
    # `+kind`: walk the key index and filter, rather than sorting what the kind index gives.
    rows = c.execute(
        f"SELECT source, source_id, id FROM records WHERE {_in('+kind', record_kinds)} ORDER BY source, source_id",
        record_kinds,
    ).fetchall()
    records = [RecordKey(source, source_id) for source, source_id, _ in rows]
    record_ids = np.fromiter((row[2] for row in rows), dtype=np.int64, count=len(rows))
    del rows
    if not held_kinds or not records:
        return LinkColumns(records, [], none, none)
    # Every link (a scan in record-id order), then those of other record kinds or identifier kinds left out.
    links = _ids(c.execute("SELECT record_id, identifier_id FROM record_identifiers").fetchall(), 2)
    by_id = np.argsort(record_ids, kind="stable")
    record = _where(record_ids[by_id], links[:, 0])
    keep = record >= 0
    record, linked = by_id[record[keep]], links[keep, 1]
    del links
    identifier_rows = c.execute(
        f"SELECT id, kind, value, system FROM identifiers WHERE {_in('kind', held_kinds)} ORDER BY id", held_kinds
    ).fetchall()
    identifier_ids = np.fromiter((row[0] for row in identifier_rows), dtype=np.int64, count=len(identifier_rows))
    held = _where(identifier_ids, linked)  # position among the identifiers of the kinds asked, -1: another kind
    keep = held >= 0
    record, held = record[keep], held[keep]
    # Number the linked identifiers densely, in id order; only those get an object.
    used = np.zeros(len(identifier_ids), dtype=bool)
    used[held] = True
    number = np.cumsum(used) - 1
    kinds_of = _IDENTIFIER_KINDS
    identifiers = [
        Identifier(kinds_of[kind], value, system)
        for _, kind, value, system in map(identifier_rows.__getitem__, np.flatnonzero(used).tolist())
    ]
    return LinkColumns(records, identifiers, record.astype(np.int64), number[held].astype(np.int64))
