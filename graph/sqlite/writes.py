"""Batch writes of the SQLite store (`write` and `write_rows`): records, identifier links, relations, event index.

A load writes batches of thousands of rows. Each statement takes a thousand rows at once as a table k (see
`rows_table`) and finds record and identifier ids by joining it inside SQLite: no statement per row and no ids
carried through Python. CROSS JOIN keeps k the outer loop, so each row is one index look-up and rows are written
in batch order (a key given twice: the later row wins, as in a plain upsert).

The event index (`event_facts`, migration 4) is kept here, once per batch, rather than by triggers on each row:
the facts of every event record of the batch come with the batch (or from its JSON) and are turned into index
values by the same SQL functions the triggers used, and its actor (the start of a PERFORMED relation) comes from
the batch, so each event's index row is written once instead of inserted and then updated. Deletes still go
through foreign keys and the one trigger left (a PERFORMED relation deleted: the event's actor is looked up
again).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import TypeVar

import orjson

from graph.errors import RecordKindConflictError, RelationEndpointError, UnknownRecordError
from graph.model import RECORD_RELATIONS, RecordKey, RecordKind, RelType
from graph.row_batch import EventFactRow, LinkRow, RecordRow, RelationRow, RowBatch, dumps, event_fact_row

# Rows per statement: 6 parameters a row stay below SQLite's default limit (32,766) when bound one by one.
WRITE_CHUNK = 1000

T = TypeVar("T")

_RECORD_KINDS = {kind.value: kind for kind in RecordKind}
_REL_TYPES = {rel.value: rel for rel in RelType}
_EVENT = RecordKind.EVENT.value
_PERFORMED = RelType.PERFORMED.value


def _chunks(items: Sequence[T], size: int = WRITE_CHUNK) -> Iterator[Sequence[T]]:
    """Chunks of `size` items, then the rest in pieces whose sizes are powers of two, in order. A statement's text
    depends on its count of rows, and SQLite compiles each text once (the connection caches it): compiling one of
    hundreds of rows costs about as much as running it, so a batch's last chunk should be of a size seen before."""
    start, end = 0, len(items)
    while end - start >= size:
        yield items[start : start + size]
        start += size
    while start < end:
        piece = 1 << ((end - start).bit_length() - 1)
        yield items[start : start + piece]
        start += piece


def keys_cte(columns: str, rows: int) -> str:
    """`WITH k(columns) AS (VALUES (?,?),...)`: joined to a table, SQLite looks each row up by index."""
    row = "(" + ",".join("?" * (columns.count(",") + 1)) + ")"
    return f"WITH k({columns}) AS (VALUES {','.join([row] * rows)}) "


def rows_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    bindable: Callable[[Sequence[object]], Sequence[object]] | None = None,
) -> tuple[str, list[object]]:
    """`WITH k(columns) AS (VALUES ...) ` holding `rows`, and its parameters: every value bound as one (each row
    through `bindable` first, if given). SQLite keeps the compiled statement of a full chunk for the next one;
    binding costs less than passing the rows as one JSON text, which SQLite would parse again for each column."""
    if bindable is not None:
        rows = [bindable(row) for row in rows]
    return keys_cte(", ".join(columns), len(rows)), list(chain.from_iterable(rows))


def describe(keys: Iterable[RecordKey], limit: int = 5) -> str:
    ordered = sorted(set(keys))
    shown = ", ".join(str(k) for k in ordered[:limit])
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def write_rows(c: sqlite3.Connection, batch: RowBatch) -> None:
    """Write a batch inside the caller's transaction: records, links, relations, the event index, the checkpoint."""
    # A record given again in the batch (an event's derived actor, say) is written once, where it came first
    # (its place decides its row id) with its last properties; a link given again is a no-op. Both are common in
    # event batches and cost SQLite a conflicting insert each. (A key given with two kinds stays twice: the
    # second is the kind conflict it is.)
    records = list({row[:3]: row for row in batch.records}.values())
    links = list(dict.fromkeys(batch.links))
    kinds = upsert_records(c, records) if records else {}
    relations = batch.relations
    referenced = {(link[0], link[1]) for link in links}
    referenced |= {(rel[1], rel[2]) for rel in relations}
    referenced |= {(rel[3], rel[4]) for rel in relations}
    if stored := referenced - kinds.keys():
        kinds.update(stored_kinds(c, list(stored)))
    if links:
        insert_links(c, links)
    if batch.relations:
        insert_relations(c, batch.relations, kinds)
    index_events(c, records, batch.relations, batch.event_facts)
    if batch.checkpoint is not None:
        c.execute(
            "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (batch.checkpoint.name, batch.checkpoint.position),
        )


def upsert_records(c: sqlite3.Connection, rows: Sequence[RecordRow]) -> dict[tuple[str, str], RecordKind]:
    """Upsert the records; the kind of each (as the batch gives it, which is the stored one once it is in)."""
    upserted = 0
    for chunk in _chunks(rows):
        table, parameters = rows_table(("source", "source_id", "kind", "properties"), chunk)
        c.execute(
            table + "INSERT INTO records (source, source_id, kind, properties)"
            " SELECT source, source_id, kind, properties FROM k WHERE true"
            " ON CONFLICT (source, source_id) DO UPDATE SET properties = excluded.properties"
            " WHERE records.kind = excluded.kind",
            parameters,
        )
        # (Python's rowcount stays -1 for a statement that starts with WITH.)
        upserted += c.execute("SELECT changes()").fetchone()[0]
    if upserted < len(rows):
        # Some upsert was refused: a key stored under another kind.
        stored = _record_kinds(c, [RecordKey(source, source_id) for source, source_id, *_ in rows])
        conflicts = [RecordKey(s, i) for s, i, kind, _ in rows if stored[RecordKey(s, i)] != kind]
        raise RecordKindConflictError(
            f"record key(s) already stored under another kind: {describe(conflicts)}"
            " (record keys are unique across kinds; give each source its own name)"
        )
    try:
        return {(source, source_id): _RECORD_KINDS[kind] for source, source_id, kind, _ in rows}
    except KeyError as exc:  # (the CHECK constraint refuses an unknown kind before this)
        raise ValueError(f"unknown record kind {exc}") from None


def _record_kinds(c: sqlite3.Connection, keys: Sequence[RecordKey]) -> dict[RecordKey, str]:
    found: dict[RecordKey, str] = {}
    for chunk in _chunks(keys, 500):
        rows = c.execute(
            keys_cte("source, source_id", len(chunk)) + "SELECT r.source, r.source_id, r.kind FROM k"
            " JOIN records r ON r.source = k.source AND r.source_id = k.source_id",
            [part for key in chunk for part in key],
        )
        found.update((RecordKey(source, source_id), kind) for source, source_id, kind in rows)
    return found


def stored_kinds(c: sqlite3.Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], RecordKind]:
    """The stored kind of each of `keys`; UnknownRecordError when one is not stored."""
    kinds: dict[tuple[str, str], RecordKind] = {}
    for chunk in _chunks(keys):
        table, parameters = rows_table(("i", "source", "source_id"), [(i, *key) for i, key in enumerate(chunk)])
        rows = c.execute(
            table + "SELECT k.i, r.kind FROM k"
            " CROSS JOIN records r ON r.source = k.source AND r.source_id = k.source_id",
            parameters,
        )
        kinds.update((chunk[i], _RECORD_KINDS[kind]) for i, kind in rows)
    if len(kinds) < len(keys):
        missing = [RecordKey(*key) for key in keys if key not in kinds]
        raise UnknownRecordError(f"batch refers to unknown record(s): {describe(missing)}")
    return kinds


def insert_links(c: sqlite3.Connection, rows: Sequence[LinkRow]) -> None:
    """Add the identifiers not stored yet, then the links (every record is known to be stored by now)."""
    for chunk in _chunks(rows):
        table, parameters = rows_table(("source", "source_id", "kind", "value", "system"), chunk)
        c.execute(
            table + "INSERT INTO identifiers (kind, value, system)"
            " SELECT kind, value, system FROM k WHERE true ON CONFLICT DO NOTHING",
            parameters,
        )
        c.execute(
            table + "INSERT INTO record_identifiers (record_id, identifier_id)"
            " SELECT r.id, i.id FROM k"
            " CROSS JOIN records r ON r.source = k.source AND r.source_id = k.source_id"
            " CROSS JOIN identifiers i ON i.kind = k.kind AND i.value = k.value AND i.system = k.system"
            " WHERE true ON CONFLICT DO NOTHING",
            parameters,
        )


def insert_relations(
    c: sqlite3.Connection, rows: Sequence[RelationRow], kinds: dict[tuple[str, str], RecordKind]
) -> None:
    """Upsert relations whose ends are stored records of `kinds`, after checking they fit their type."""
    # Checked once per (type, start kind, end kind): a batch has a handful of those.
    shapes = {(rel[0], kinds[(rel[1], rel[2])], kinds[(rel[3], rel[4])]) for rel in rows}
    for shape in shapes:
        rel_type = _REL_TYPES.get(shape[0])
        if rel_type is None or rel_type not in RECORD_RELATIONS:
            raise ValueError(f"{shape[0]} does not join records to records")
        starts, ends = RECORD_RELATIONS[rel_type]
        if shape[1] not in starts or shape[2] not in ends:
            rel, a_source, a_id, b_source, b_id, _ = next(
                r for r in rows if (r[0], kinds[(r[1], r[2])], kinds[(r[3], r[4])]) == shape
            )
            raise RelationEndpointError(
                f"{rel} cannot join {shape[1]} {a_source}/{a_id} to {shape[2]} {b_source}/{b_id}: it joins"
                f" {'/'.join(sorted(starts))} to {'/'.join(sorted(ends))}"
            )
    for chunk in _chunks(rows):
        table, parameters = rows_table(("type", "a_source", "a_id", "b_source", "b_id", "properties"), chunk)
        c.execute(
            table + "INSERT INTO relations (type, start_id, end_id, properties)"
            " SELECT k.type, a.id, b.id, k.properties"
            " FROM k CROSS JOIN records a ON a.source = k.a_source AND a.source_id = k.a_id"
            " CROSS JOIN records b ON b.source = k.b_source AND b.source_id = k.b_id"
            " WHERE true ON CONFLICT (type, start_id, end_id) DO UPDATE SET properties = excluded.properties",
            parameters,
        )


def index_events(
    c: sqlite3.Connection,
    records: Sequence[RecordRow],
    relations: Sequence[RelationRow],
    facts: Sequence[EventFactRow] | None,
) -> None:
    """Bring `event_facts` up to date with the batch (records and relations already written).

    Each event record of the batch gets its facts; its actor is the start of the batch's (last) PERFORMED
    relation to it, else the one it had (none for a new event). A PERFORMED relation to an event stored by an
    earlier batch makes its start that event's actor. The facts are what migration 4's triggers computed
    (json_extract of each property, `at` by strftime): each property's value is bound as json_extract gives it
    (see `_bindable`), and SQLite's strftime and the columns' types do the rest as they did for the triggers.
    """
    actors = {(rel[3], rel[4]): (rel[1], rel[2]) for rel in relations if rel[0] == _PERFORMED}
    # Each event once, with its last version in the batch (the one stored).
    events = {(source, source_id): properties for source, source_id, kind, properties in records if kind == _EVENT}
    if facts is None:
        facts = [event_fact_row(*key, orjson.loads(properties)) for key, properties in events.items()]
    last = {(fact[0], fact[1]): fact for fact in facts if (fact[0], fact[1]) in events}
    rows = [(*fact, *actors.get(key, ("", ""))) for key, fact in last.items()]
    for chunk in _chunks(rows):
        table, parameters = rows_table(
            ("source", "source_id", "type", "timestamp", "amount", "channel", "a_source", "a_id"), chunk, _bindable
        )
        c.execute(
            table + "INSERT INTO event_facts (record_id, actor_id, type, at, amount, channel)"
            " SELECT r.id, a.id, k.type, strftime('%Y-%m-%dT%H:%M:%fZ', k.timestamp), k.amount, k.channel"
            " FROM k CROSS JOIN records r ON r.source = k.source AND r.source_id = k.source_id"
            " LEFT JOIN records a ON a.source = k.a_source AND a.source_id = k.a_id"
            # (Each is stored as an event: upsert_records refused the batch otherwise. No WHERE on r.kind, which
            # would read each record's row besides its key's index entry.)
            " WHERE true"
            " ON CONFLICT (record_id) DO UPDATE SET actor_id = coalesce(excluded.actor_id, event_facts.actor_id),"
            " type = excluded.type, at = excluded.at, amount = excluded.amount, channel = excluded.channel",
            parameters,
        )
    later = [(*actor, *event) for event, actor in actors.items() if event not in events]
    if later:
        c.executemany(
            "UPDATE event_facts SET actor_id = (SELECT id FROM records WHERE source = ? AND source_id = ?)"
            " WHERE record_id = (SELECT id FROM records WHERE source = ? AND source_id = ?)",
            later,
        )


def _bindable(row: Sequence[object]) -> Sequence[object]:
    """A row of event facts with its values as json_extract gives them of the same JSON: an object or array as
    its JSON text, a string cut at a NUL character (where SQLite's JSON functions stop)."""
    for value in row[2:6]:
        kind = type(value)
        if kind is str:
            if "\0" in value:  # type: ignore[operator]
                break
        elif kind is not float and kind is not int and value is not None:
            break  # (a bool binds as 1 or 0, as json_extract gives true and false, but is checked here)
    else:
        return row
    return [
        value
        if i < 2 or i > 5 or value is None or isinstance(value, (int, float))
        else value.split("\0", 1)[0]
        if isinstance(value, str)
        else dumps(value)
        for i, value in enumerate(row)
    ]
