"""A resolution's entities written chunk by chunk: the look-ups of one chunk, and what is kept of those written."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from queue import Empty, Queue
from typing import Any, NamedTuple, TypeVar

import orjson

from graph.errors import ResolutionError
from graph.model import RESOLVED_KINDS, Entity, HistoryAction, HistoryEvent, RecordKey, RecordKind

T = TypeVar("T")

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


def iso_texts() -> Callable[[datetime], str]:
    """`datetime.isoformat`, made again only when another time object comes: a batch run stamps every new entity
    and history event with the same one."""
    last: datetime | None = None
    text = ""

    def iso(at: datetime) -> str:
        nonlocal last, text
        if at is not last:
            last, text = at, at.isoformat()
        return text

    return iso


_ACTION_TEXT = {action: action.value for action in HistoryAction}


def history_rows(history: Iterable[HistoryEvent]) -> Iterator[tuple[str, str, str, str, str, str]]:
    """The entity_history table's rows of `history`, in order (one per event: a batch run has a million)."""
    iso, dumps, action_text = iso_texts(), orjson.dumps, _ACTION_TEXT
    for h in history:
        # (orjson writes plain tuples, not NamedTuples: `tuple` turns each record key into one, a JSON array)
        records = dumps(h.records, default=tuple).decode()
        others = dumps(h.others).decode() if h.others else "[]"
        yield h.entity_id, iso(h.at), action_text[h.action], h.cause, records, others


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


# Records of these kinds are what entities hold and SAME_AS joins: what a large write's scan reads.
_RESOLVED = sorted({kind.value for kinds in RESOLVED_KINDS.values() for kind in kinds})
_KIND_LIST = tuple(RecordKind)
# `packed` of a scanned record: its id shifted left by these bits, its kind's position in `_KIND_LIST` in them.
_KIND_BITS = 3
_KIND_MASK = (1 << _KIND_BITS) - 1
_EMPTY: dict[str, int] = {}


class RecordRows:
    """Stored id and kind of records by key, for one write. When the write refers to many records (a batch
    resolve: every record of the resolved kinds), one scan of those records' index entries finds them all, kept by
    source and source_id (about 130 MB a million): far cheaper than a B-tree search per key. Otherwise, and for
    keys the scan did not find (records of other kinds, unknown keys), the keys are looked up by `record_rows`."""

    def __init__(self, c: sqlite3.Connection, expected: int, scan_from: int) -> None:
        """`expected`: about how many keys the write will look up; the scan is made when that is at least
        `scan_from` and a fifth of the records of the resolved kinds."""
        self._c = c
        self._by_source: dict[str, dict[str, int]] | None = None
        if expected < scan_from:
            return
        kinds = ",".join("?" * len(_RESOLVED))
        (stored,) = c.execute(f"SELECT count(*) FROM records WHERE kind IN ({kinds})", _RESOLVED).fetchone()
        if expected * 5 < stored:
            return
        code = " ".join(f"WHEN '{kind.value}' THEN {n}" for n, kind in enumerate(_KIND_LIST))
        by_source: dict[str, dict[str, int]] = {}
        # (The kind index holds every column read: the scan never touches the records' properties.)
        for source, source_id, packed in c.execute(
            f"SELECT source, source_id, id << {_KIND_BITS} | CASE kind {code} END FROM records WHERE kind IN ({kinds})",
            _RESOLVED,
        ):
            if (ids := by_source.get(source)) is None:
                ids = by_source[source] = {}
            ids[source_id] = packed
        self._by_source = by_source

    @property
    def scanned(self) -> bool:
        return self._by_source is not None

    def scanned_packed(self, keys: Sequence[RecordKey]) -> list[int] | None:
        """`rows` of `keys` when the scan found them all, packed as the scan holds them (see `packed`), else None;
        never uses the connection (safe to call from another thread)."""
        found = self._packed(keys)
        if found is None or None in found:
            return None
        return found  # type: ignore[return-value]  # (none is None)

    def rows(self, keys: Sequence[RecordKey]) -> list[tuple[int, RecordKind] | None]:
        """`record_rows` of `keys`."""
        packed = self._packed(keys)
        if packed is None:
            return record_rows(self._c, keys)
        kinds, bits, mask = _KIND_LIST, _KIND_BITS, _KIND_MASK
        # (each packed row unpacked inline: a function call a key would cost more than the unpacking)
        found = [None if p is None else (p >> bits, kinds[p & mask]) for p in packed]
        if missing := [n for n, p in enumerate(packed) if p is None]:
            for n, row in zip(missing, record_rows(self._c, [keys[n] for n in missing]), strict=True):
                found[n] = row
        return found

    def _packed(self, keys: Sequence[RecordKey]) -> list[int | None] | None:
        """The scan's packed id and kind of each of `keys` (None where it has none); None when there was no scan."""
        if self._by_source is None:
            return None
        of_source = self._by_source.get
        return [of_source(source, _EMPTY).get(source_id) for source, source_id in keys]


_KIND_CODE = {kind: n for n, kind in enumerate(_KIND_LIST)}
# The kinds (their positions in `_KIND_LIST`) of the records each kind of entity holds.
_ALLOWED_CODES = {entity: frozenset(map(_KIND_CODE.__getitem__, kinds)) for entity, kinds in RESOLVED_KINDS.items()}


def packed(rows: Sequence[tuple[int, RecordKind]]) -> list[int]:
    """Stored ids and kinds packed into one integer each, as a `RecordRows` scan holds them."""
    return [record_id << _KIND_BITS | _KIND_CODE[kind] for record_id, kind in rows]


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

    def add(self, chunk: Sequence[Entity], rows: Sequence[int]) -> None:
        """Note a chunk's entities; `rows` holds the stored id and kind of each member, in order, `packed`."""
        found = iter(rows)
        ids, retired, record_entity = self.ids, self.retired, self.record_entity
        for entity in chunk:
            entity_id = entity.id
            if entity_id in ids:
                raise ResolutionError(f"entity {entity_id} appears twice in one resolution")
            if entity_id in retired:
                raise ResolutionError(f"entity {entity_id} is both upserted and retired")
            ids.add(entity_id)
            allowed = _ALLOWED_CODES[entity.kind]
            for member in entity.members:
                row = next(found)
                if row & _KIND_MASK not in allowed:
                    kind = _KIND_LIST[row & _KIND_MASK]
                    raise ResolutionError(f"record {member} is a {kind} and cannot resolve to a {entity.kind}")
                if (record_id := row >> _KIND_BITS) in record_entity:
                    raise ResolutionError(f"record {member} is a member of more than one entity")
                record_entity[record_id] = entity_id


# How often a thread waiting on the other side of `made_ahead` checks whether it should give up (seconds).
_POLL = 0.05


def made_ahead(items: Iterable[T], prepare: Callable[[T], Any] | None = None) -> Generator[Any, None, None]:
    """`items`, each made in a thread of its own while the caller works on the one before: a batch run's producer
    makes a chunk's golden traits (Python) while the caller's large SQLite statements (which run without the GIL)
    write the chunk before. At most two items are alive at once, the one being used and the one being made. An
    exception from `items` is raised here, in its place; when the caller stops early, the thread stops after the
    item it is making. `prepare`, when given, is applied to each item in that thread too, and its result handed
    over instead."""
    handed: Queue[tuple[bool, Any]] = Queue(maxsize=1)  # (True, item), (False, exception) or (False, None): the end
    taken = threading.Semaphore(0)
    stop = threading.Event()

    def hand(entry: tuple[bool, Any]) -> bool:
        """Put `entry` and wait until the caller has taken it; False when the caller gave up first."""
        handed.put(entry)
        while not taken.acquire(timeout=_POLL):
            if stop.is_set():
                return False
        return True

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set() or not hand((True, item if prepare is None else prepare(item))):
                    return
        except BaseException as exc:  # (handed to the caller, which raises it)
            hand((False, exc))
            return
        hand((False, None))

    thread = threading.Thread(target=produce, name="made-ahead", daemon=True)
    thread.start()
    try:
        while True:
            try:
                made, value = handed.get(timeout=_POLL)
            except Empty:
                if not thread.is_alive() and handed.empty():
                    raise RuntimeError("the producer thread ended without a result") from None
                continue
            taken.release()
            if not made:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


class PreparedChunk(NamedTuple):
    """A chunk of entities with what its write needs worked out: its members' stored ids and kinds, in order and
    `packed`, and its entity rows, in ID order."""

    chunk: Sequence[Entity]
    members: list[int]
    rows: list[tuple[str, str, str, str]]


def entity_rows(chunk: Sequence[Entity]) -> list[tuple[str, str, str, str]]:
    """The entities table's rows of `chunk`, in ID order."""
    iso = iso_texts()
    return [
        (e.id, e.kind.value, orjson.dumps(e.traits).decode(), iso(e.created_at)) for e in sorted(chunk, key=_entity_id)
    ]


def _entity_id(entity: Entity) -> str:
    return entity.id


class Preparer:
    """Prepares chunks of entities in `made_ahead`'s thread, which must not use the connection: only once the write
    has its records from a scan (`ready`), and only chunks whose members the scan holds; any other chunk is handed
    over as it is, for the write's own thread to look up (and report what it does not find)."""

    def __init__(self) -> None:
        self.records: RecordRows | None = None

    def ready(self, records: RecordRows) -> None:
        if records.scanned:
            self.records = records

    def __call__(self, chunk: Sequence[Entity]) -> Sequence[Entity] | PreparedChunk:
        records = self.records
        if records is None:
            return chunk
        found = records.scanned_packed([k for entity in chunk for k in entity.members])
        if found is None:
            return chunk
        return PreparedChunk(chunk, found, entity_rows(chunk))
