"""A resolution's entities written chunk by chunk: the look-ups of one chunk, and what is kept of those written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import orjson

from graph.errors import ResolutionError
from graph.model import RESOLVED_KINDS, Entity, RecordKey, RecordKind

_RECORD_KINDS = {kind.value: kind for kind in RecordKind}
# Rows bound one value each (the fallback when a value holds a NUL character) per statement.
_BOUND = 500
# Rows per statement of `insert_rows`: one JSON text of a few megabytes at most.
_INSERTED = 50_000


def _joined(
    c: sqlite3.Connection, columns: Sequence[str], rows: Sequence[Sequence[object]], select: str, order: str = ""
) -> Iterator[Any]:
    """The rows of `select`, which joins a table `k(columns)` holding `rows`: one statement reading the rows as one
    JSON parameter (parsed in C, any number of rows), or, when a value holds a NUL (which SQLite's JSON functions
    would cut short), statements binding each value. With `order` (a list of k's columns), SQLite sorts k by it
    first: look-ups in index order read each page of a large table once instead of at random."""
    if not rows:
        return
    text = orjson.dumps(rows).decode()
    if "\\u0000" not in text:
        values = ", ".join(f"value ->> {i}" for i in range(len(columns)))
        table = (
            f"MATERIALIZED (SELECT {values} FROM json_each(?) ORDER BY {order})"
            if order
            else f"(SELECT {values} FROM json_each(?))"
        )
        yield from c.execute(f"WITH k({', '.join(columns)}) AS {table} {select}", [text])
        return
    row = "(" + ",".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), _BOUND):
        part = rows[start : start + _BOUND]
        cte = f"WITH k({', '.join(columns)}) AS (VALUES {','.join([row] * len(part))}) "
        yield from c.execute(cte + select, [value for r in part for value in r])


def insert_rows(
    c: sqlite3.Connection, insert: str, columns: int, rows: Iterable[Sequence[object]], tail: str = ""
) -> None:
    """`insert` (`INSERT INTO t (columns)`, then `tail`, an ON CONFLICT clause) of `rows` of strings and integers, in
    their order: up to `_INSERTED` rows in one statement reading them as one JSON parameter, which SQLite runs
    whole without the GIL (a statement a row holds it between rows); when a value holds a NUL (which SQLite's JSON
    functions would cut short), the rows bound one by one. `rows` may be a generator: it is taken a statement's
    rows at a time."""
    values = ", ".join(f"value ->> {i}" for i in range(columns))
    rows = iter(rows)
    while part := list(islice(rows, _INSERTED)):
        text = orjson.dumps(part).decode()
        if "\\u0000" in text:
            c.executemany(f"{insert} VALUES ({','.join('?' * columns)}) {tail}", part)
        else:  # WHERE true: an upsert's SELECT needs a WHERE clause to be parsed as one.
            c.execute(f"{insert} SELECT {values} FROM json_each(?) WHERE true {tail}", [text])


def record_rows(c: sqlite3.Connection, keys: Sequence[RecordKey]) -> list[tuple[int, RecordKind] | None]:
    """Stored id and kind of each of `keys`, in their order (None where there is no such record), found by the
    (source, source_id) index."""
    found: list[tuple[int, RecordKind] | None] = [None] * len(keys)
    # The rows come back as one JSON text per statement: SQLite finds them all in one step, without the GIL (a
    # step per row would take it back after each), and orjson reads them faster than rows fetched one by one.
    parts = _joined(
        c,
        ("i", "source", "source_id"),
        [(i, key.source, key.source_id) for i, key in enumerate(keys)],
        "SELECT json_group_array(json_array(k.i, r.id, r.kind))"
        " FROM k JOIN records r ON r.source = k.source AND r.source_id = k.source_id",
        order="2, 3",
    )
    kinds = _RECORD_KINDS
    for (part,) in list(parts):
        for i, record_id, kind in orjson.loads(part):
            found[i] = (record_id, kinds[kind])
    return found


def stored_kinds(c: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """The stored kind of each of the entity IDs that is stored."""
    found = _joined(c, ("id",), [(i,) for i in ids], "SELECT e.id, e.kind FROM k JOIN entities e ON e.id = k.id")
    return dict(found)


def aliases_among(c: sqlite3.Connection, ids: Sequence[str]) -> list[str]:
    """The IDs among `ids` that are stored as aliases, sorted."""
    found = _joined(c, ("id",), [(i,) for i in ids], "SELECT a.alias FROM k JOIN entity_aliases a ON a.alias = k.id")
    return sorted(alias for (alias,) in found)


def check_stored_kinds(chunk: Sequence[Entity], stored: dict[str, str]) -> None:
    """Entities keep their kind."""
    if not stored:  # none of them is stored yet (every entity of a first run)
        return
    for entity in chunk:
        if stored.get(entity.id, entity.kind.value) != entity.kind.value:
            raise ResolutionError(
                f"entity {entity.id} is stored as {stored[entity.id]}, cannot be written as {entity.kind}"
            )


@dataclass
class StreamedMembers:
    """The entity IDs written so far and the entity of each member record (by record id), with the checks that
    `Resolution` makes of its own entities: no entity twice, none both upserted and retired, no record in two."""

    retired: set[str]
    ids: set[str] = field(default_factory=set)
    record_entity: dict[int, str] = field(default_factory=dict)

    def add(self, chunk: Sequence[Entity], rows: Sequence[tuple[int, RecordKind]]) -> None:
        """Note a chunk's entities; `rows` holds the stored id and kind of each member, in order."""
        members = iter(rows)
        ids, retired, record_entity = self.ids, self.retired, self.record_entity
        for entity in chunk:
            entity_id = entity.id
            if entity_id in ids:
                raise ResolutionError(f"entity {entity_id} appears twice in one resolution")
            if entity_id in retired:
                raise ResolutionError(f"entity {entity_id} is both upserted and retired")
            ids.add(entity_id)
            allowed = RESOLVED_KINDS[entity.kind]
            for member in entity.members:
                record_id, kind = next(members)
                if kind not in allowed:
                    raise ResolutionError(f"record {member} is a {kind} and cannot resolve to a {entity.kind}")
                if record_id in record_entity:
                    raise ResolutionError(f"record {member} is a member of more than one entity")
                record_entity[record_id] = entity_id
