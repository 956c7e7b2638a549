"""The SQLite store's bulk read of links as integer columns: three scans, one Python object per record and per
identifier, none per link (millions of them in a batch resolve); stored ids become positions with numpy."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from itertools import chain

import numpy as np
from numpy.typing import NDArray

from graph.link_columns import LinkColumns, Numbers
from graph.model import Identifier, IdentifierKind, RecordKey, RecordKind

_KINDS = tuple(IdentifierKind)


def _in(column: str, values: Collection[str]) -> str:
    return f"{column} IN ({','.join('?' * len(values))})"


@dataclass(frozen=True)
class RawLinkColumns:
    """`LinkColumns` before any key object is made: the records' and identifiers' parts as columns of strings (and
    each identifier's kind as its index in `IdentifierKind`). Cheap to pickle, for the read in a child process."""

    sources: list[str]
    source_ids: list[str]
    kinds: NDArray[np.int8]
    values: list[str]
    systems: list[str]
    record: Numbers
    identifier: Numbers

    def columns(self) -> LinkColumns:
        records = list(map(RecordKey._make, zip(self.sources, self.source_ids, strict=True)))
        kinds = map(_KINDS.__getitem__, self.kinds.tolist())
        identifiers = list(map(Identifier._make, zip(kinds, self.values, self.systems, strict=True)))
        return LinkColumns(records, identifiers, self.record, self.identifier)


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
    return read_raw_link_columns(c, kinds, identifier_kinds).columns()


def read_raw_link_columns(
    c: sqlite3.Connection, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None
) -> RawLinkColumns:
    """`read_link_columns` as columns: rows are taken apart as they come, none is kept whole."""
    record_kinds = sorted(k.value for k in kinds)
    held_kinds = sorted(k.value for k in (IdentifierKind if identifier_kinds is None else identifier_kinds))
    none = np.zeros(0, dtype=np.int64)
    sources: list[str] = []
    source_ids: list[str] = []
    if not record_kinds:
        return RawLinkColumns(sources, source_ids, np.zeros(0, np.int8), [], [], none, none)
    # `+kind`: walk the key index and filter, rather than sorting what the kind index gives.
    rows = c.execute(
        f"SELECT source, source_id, id FROM records WHERE {_in('+kind', record_kinds)} ORDER BY source, source_id",
        record_kinds,
    )
    # (`append` gives None: each row's strings are kept on the way, and its id goes to the array)
    add_source, add_source_id = sources.append, source_ids.append
    record_ids = np.fromiter(
        (record_id for source, source_id, record_id in rows if add_source(source) or not add_source_id(source_id)),
        dtype=np.int64,
    )
    if not held_kinds or not sources:
        return RawLinkColumns(sources, source_ids, np.zeros(0, np.int8), [], [], none, none)
    # Every link (a scan in record-id order), then those of other record kinds or identifier kinds left out.
    links = np.fromiter(
        chain.from_iterable(c.execute("SELECT record_id, identifier_id FROM record_identifiers")), dtype=np.int64
    ).reshape(-1, 2)
    by_id = np.argsort(record_ids, kind="stable")
    record = _where(record_ids[by_id], links[:, 0])
    keep = record >= 0
    record, linked = by_id[record[keep]], links[keep, 1]
    del links
    kind_number = {kind.value: number for number, kind in enumerate(_KINDS)}
    all_kinds: list[int] = []
    all_values: list[str] = []
    all_systems: list[str] = []
    add_kind, add_value, add_system = all_kinds.append, all_values.append, all_systems.append
    identifier_ids = np.fromiter(
        (
            identifier_id
            for identifier_id, kind, value, system in c.execute(
                f"SELECT id, kind, value, system FROM identifiers WHERE {_in('kind', held_kinds)} ORDER BY id",
                held_kinds,
            )
            if add_kind(kind_number[kind]) or add_value(value) or not add_system(system)
        ),
        dtype=np.int64,
    )
    held = _where(identifier_ids, linked)  # position among the identifiers of the kinds asked, -1: another kind
    keep = held >= 0
    record, held = record[keep], held[keep]
    # Number the linked identifiers densely, in id order; only those are kept.
    used = np.zeros(len(identifier_ids), dtype=bool)
    used[held] = True
    number = np.cumsum(used) - 1
    chosen = np.flatnonzero(used).tolist()
    return RawLinkColumns(
        sources,
        source_ids,
        np.array(all_kinds, dtype=np.int8)[used],
        list(map(all_values.__getitem__, chosen)),
        list(map(all_systems.__getitem__, chosen)),
        record.astype(np.int64),
        number[held].astype(np.int64),
    )
