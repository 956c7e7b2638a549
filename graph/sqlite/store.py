"""The embedded SQLite GraphStore: one file, WAL, one transaction per write call, upserts by natural key.

Each thread gets its own connection, so the API can read while a loader writes (WAL readers see the last
committed state). Writes take the write lock up front (BEGIN IMMEDIATE) and wait for it up to a timeout.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson

from graph.audit import AuditEntry
from graph.bundle import EntityBundle
from graph.erasure import ErasureRequest, Suppressor
from graph.errors import (
    GraphStoreError,
    RelationEndpointError,
    UnknownRecordError,
    UnsupportedStoreURLError,
)
from graph.link_columns import LinkColumns
from graph.model import (
    RECORD_RELATIONS,
    Direction,
    Entity,
    EntityKind,
    GraphBatch,
    HistoryEvent,
    Identifier,
    IdentifierKind,
    Neighbour,
    Override,
    OverrideKind,
    Properties,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
    SharedIdentifier,
)
from graph.row_batch import RowBatch
from graph.segments.ast import Segment
from graph.sqlite import audit as sqlite_audit
from graph.sqlite import b2b, blocking_fill, bulk, link_reader, profiles, writes
from graph.sqlite import bundle as sqlite_bundle
from graph.sqlite import erasure as sqlite_erasure
from graph.sqlite import events as sqlite_events
from graph.sqlite import history as sqlite_history
from graph.sqlite import holders as sqlite_holders
from graph.sqlite import resolution as resolution_sql
from graph.sqlite import segments as sqlite_segments
from graph.sqlite.checkpoint import WAL_LIMIT_BYTES, Checkpointer, bound_wal
from graph.sqlite.link_columns import read_link_columns
from graph.sqlite.migrations import migrate
from graph.sqlite.record_objects import stored_record

T = TypeVar("T")

# Rows per IN (...) look-up; 3 parameters a row stays far below SQLite's parameter limit.
_CHUNK = 500
# Records per page when streaming.
_PAGE = 5000
# Page cache of a connection that writes load batches (KiB).
_WRITE_CACHE_KIB = 64 * 1024


def _dumps(value: Properties) -> str:
    return orjson.dumps(value).decode()


def _loads(text: str) -> Properties:
    value: Properties = orjson.loads(text)
    return value


_RECORD_KINDS = {kind.value: kind for kind in RecordKind}


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _keys_cte(columns: str, rows: int) -> str:
    """`WITH k(columns) AS (VALUES (?,?),...)`: joined to a table, SQLite looks each row up by index.

    (A row-value `IN (VALUES ...)` would scan the whole table instead.)
    """
    row = "(" + ",".join("?" * (columns.count(",") + 1)) + ")"
    return f"WITH k({columns}) AS (VALUES {','.join([row] * rows)}) "


def _resolution_rows(records: resolution_sql.RecordRows, keys: Sequence[RecordKey]) -> list[tuple[int, RecordKind]]:
    """Stored id and kind of each of the keys a resolution refers to, in their order; all must exist."""
    found = records.rows(keys)
    if None in found:
        missing = [k for k, row in zip(keys, found, strict=True) if row is None]
        raise UnknownRecordError(f"resolution refers to unknown record(s): {_describe(missing)}")
    return found  # type: ignore[return-value]  # (none is None)


def _describe(keys: Iterable[RecordKey], limit: int = 5) -> str:
    ordered = sorted(set(keys))
    shown = ", ".join(str(k) for k in ordered[:limit])
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


# WAL with synchronous=NORMAL (the default) never corrupts the file and keeps every commit across a crash of the
# process; an OS crash or power loss may lose the last commits (the WAL's fsync waits for a checkpoint). A load's
# checkpoint is in its batch's transaction, so a resumed load still ends with the same graph. `full` fsyncs every
# commit: durable against power loss, at a few milliseconds per commit.
SYNCHRONOUS_MODES = ("normal", "full")


class SqliteGraphStore:
    """GraphStore over one SQLite file."""

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout_s: float = 60.0,
        synchronous: str = "normal",
        wal_limit_bytes: int = WAL_LIMIT_BYTES,
    ) -> None:
        if synchronous not in SYNCHRONOUS_MODES:
            modes = ", ".join(SYNCHRONOUS_MODES)
            raise UnsupportedStoreURLError(f"synchronous must be one of {modes}, got {synchronous!r}")
        self.path = Path(path)
        self._synchronous = synchronous.upper()
        self._busy_timeout_ms = int(busy_timeout_s * 1000)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._wal_path = self.path.with_name(self.path.name + "-wal")
        self._wal_limit = wal_limit_bytes
        self.schema_version = migrate(self._connection())
        # A bulk load killed before its end left indexes to build (see bulk.bulk_loading).
        if bulk.missing_indexes(self._connection()):
            with self._write("build the indexes of an interrupted bulk load") as c:
                bulk.restore_indexes(c)
        # Commits never checkpoint (wal_autocheckpoint = 0): this thread does, off the writers' path.
        self._checkpointer = Checkpointer(self.path)
        weakref.finalize(self, self._checkpointer.stop, wait=False)

    @classmethod
    def from_url(cls, url: str) -> SqliteGraphStore:
        """`sqlite:///relative/path.db`, `sqlite:////absolute/path.db`, optionally `?synchronous=full`."""
        prefix = "sqlite:///"
        if not url.startswith(prefix) or len(url) == len(prefix):
            raise UnsupportedStoreURLError(f"SQLite store URL must look like sqlite:///path/to/file.db, got {url!r}")
        path, _, query = url[len(prefix) :].partition("?")
        if path in {":memory:", ""}:
            raise UnsupportedStoreURLError("the SQLite store needs a file: in-memory databases are per connection")
        options = dict(parse_qsl(query, keep_blank_values=True))
        unknown = set(options) - {"synchronous"}
        if unknown:
            raise UnsupportedStoreURLError(f"unknown SQLite store URL option(s): {', '.join(sorted(unknown))}")
        return cls(path, synchronous=options.get("synchronous", "normal").lower())

    # -- connections and transactions -----------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        if self._closed:
            raise GraphStoreError("the store is closed")
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(f"PRAGMA synchronous = {self._synchronous}")  # one of SYNCHRONOUS_MODES, checked
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten with zeros, not left in free pages: an erasure must really erase.
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute(f"PRAGMA journal_size_limit = {int(self._wal_limit)}")
        self._local.connection = connection
        with self._guard:
            self._connections.append(connection)
        return connection

    @contextmanager
    def _transaction(self, begin: str, purpose: str) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        try:
            connection.execute(begin)
        except sqlite3.Error as exc:
            raise GraphStoreError(f"{purpose}: could not start a transaction: {exc}") from exc
        try:
            yield connection
        except BaseException as exc:
            connection.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise GraphStoreError(f"{purpose} failed and was rolled back: {exc}") from exc
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            connection.execute("ROLLBACK")
            raise GraphStoreError(f"{purpose}: commit failed and was rolled back: {exc}") from exc

    @contextmanager
    def _write(self, purpose: str, *, batch: bool = False) -> Iterator[sqlite3.Connection]:
        # SQLite has one writer at a time. Writers of this process queue on a lock, which hands over the moment
        # a commit ends; left to SQLite's busy handler they would sleep in steps of 1, 2, 5, 10 ms and more.
        with self._write_lock:
            # In this thread's bulk load (foreign keys off), a write other than a batch has them on.
            bulk_load = not batch and getattr(self._local, "bulk_load", False)
            checks = bulk.foreign_keys(self._connection(), on=True) if bulk_load else nullcontext()
            with checks, self._transaction("BEGIN IMMEDIATE", purpose) as connection:
                yield connection
            bound_wal(connection, self._wal_path, self._wal_limit)

    @contextmanager
    def _bulk_load(self) -> Iterator[None]:
        if getattr(self._local, "bulk_load", False):
            yield  # (nested: the outer one decides)
            return
        with bulk.bulk_loading(self._connection(), self._write):
            self._local.bulk_load = True
            try:
                yield
            finally:
                self._local.bulk_load = False

    def bulk_load(self) -> AbstractContextManager[None]:
        return self._bulk_load()

    def _references_checked_here(self) -> AbstractContextManager[None]:
        """Around a write that looks up every record and entity it refers to itself, in its own transaction, and
        deletes nothing other rows refer to: SQLite's foreign-key check of each row (an index search per reference)
        would only repeat that, at a cost of seconds per million rows. Off for this thread's connection while the
        block runs (the pragma cannot change inside a transaction), as before after it whatever happens."""
        return bulk.foreign_keys(self._connection(), on=False)

    def _read(self, purpose: str) -> AbstractContextManager[sqlite3.Connection]:
        # A deferred transaction gives every statement inside it the same snapshot.
        return self._transaction("BEGIN", purpose)

    # -- key look-ups ---------------------------------------------------------------------------------

    @staticmethod
    def _record_rows(c: sqlite3.Connection, keys: Collection[RecordKey]) -> dict[RecordKey, tuple[int, RecordKind]]:
        """Stored id and kind of each of `keys` that exists."""
        found: dict[RecordKey, tuple[int, RecordKind]] = {}
        for chunk in _chunks(list(keys)):
            rows = c.execute(
                _keys_cte("source, source_id", len(chunk)) + "SELECT r.id, r.kind, r.source, r.source_id FROM k"
                " JOIN records r ON r.source = k.source AND r.source_id = k.source_id",
                [part for k in chunk for part in k],
            )
            for record_id, kind, source, source_id in rows:
                found[RecordKey(source, source_id)] = (record_id, _RECORD_KINDS[kind])
        return found

    def _require_records(
        self, c: sqlite3.Connection, keys: Collection[RecordKey], purpose: str
    ) -> dict[RecordKey, tuple[int, RecordKind]]:
        found = self._record_rows(c, keys)
        missing = set(keys) - found.keys()
        if missing:
            raise UnknownRecordError(f"{purpose} refers to unknown record(s): {_describe(missing)}")
        return found

    # -- writes ---------------------------------------------------------------------------------------
    # Batches (a load's, the API's) are written by graph.sqlite.writes, which also keeps the event index.

    def write(self, batch: GraphBatch) -> None:
        self.write_rows(RowBatch.of(batch))

    def write_rows(self, batch: RowBatch) -> None:
        with self._write("write batch", batch=True) as c:
            self._size_write_cache(c)
            writes.write_rows(c, batch)

    def _size_write_cache(self, c: sqlite3.Connection) -> None:
        """A page cache that holds the indexes a load updates at random places (once per connection)."""
        if getattr(self._local, "write_cache", False):
            return
        c.execute(f"PRAGMA cache_size = {-_WRITE_CACHE_KIB}")
        self._local.write_cache = True

    @staticmethod
    def _upsert_relations(
        c: sqlite3.Connection,
        relations: Sequence[Relation],
        rows: dict[RecordKey, tuple[int, RecordKind]],
    ) -> None:
        values: list[tuple[str, int, int, str]] = []  # (every relation is checked before any is written)
        for rel in relations:
            starts, ends = RECORD_RELATIONS[rel.type]
            (start_id, start_kind), (end_id, end_kind) = rows[rel.start], rows[rel.end]
            if start_kind not in starts or end_kind not in ends:
                raise RelationEndpointError(
                    f"{rel.type} cannot join {start_kind} {rel.start} to {end_kind} {rel.end}: it joins"
                    f" {'/'.join(sorted(starts))} to {'/'.join(sorted(ends))}"
                )
            values.append((rel.type.value, start_id, end_id, _dumps(rel.properties)))
        resolution_sql.insert_rows(
            c,
            "INSERT INTO relations (type, start_id, end_id, properties)",
            4,
            values,
            "ON CONFLICT (type, start_id, end_id) DO UPDATE SET properties = excluded.properties",
        )

    def write_resolution(self, resolution: Resolution) -> None:
        self._write_resolution(resolution, ())

    def write_resolution_stream(self, resolution: Resolution, entities: Iterable[Sequence[Entity]]) -> None:
        # A batch run's write. Retiring entities deletes rows that others refer to: their cascades need the
        # foreign keys on. (Small writes keep them on: switching them off and on costs each statement a re-prepare.)
        checked = self._references_checked_here() if not resolution.retired else nullcontext()
        # The producer makes each chunk, and the preparer works out its rows, while this thread writes the chunk
        # before (see made_ahead).
        preparer = resolution_sql.Preparer()
        ahead = resolution_sql.made_ahead(entities, preparer)
        try:
            with checked:
                self._write_resolution(resolution, ahead, preparer)
        finally:
            ahead.close()  # the producer's thread stops, also when the write failed

    def _write_resolution(
        self,
        resolution: Resolution,
        entities: Iterable[Sequence[Entity] | resolution_sql.PreparedChunk],
        preparer: resolution_sql.Preparer | None = None,
    ) -> None:
        with self._write("write resolution") as c:
            linked = [k for rel in resolution.same_as for k in (rel.start, rel.end)]
            linked += [k for rel in resolution.same_as_removed for k in (rel.start, rel.end)]
            linked += [k for k, _ in resolution.blocking_keys]
            chunks = iter(entities)
            given = next(chunks, ())
            first = (*resolution.entities, *(given.chunk if isinstance(given, resolution_sql.PreparedChunk) else given))
            with bulk.large_cache(c, len(first) + len(linked)):
                # (The first chunk tells how large the write is: a batch run's refers to every record.)
                records = resolution_sql.RecordRows(c, len(linked) + sum(len(e.members) for e in first), bulk.SCAN_FROM)
                if preparer is not None:
                    preparer.ready(records)
                rows = self._linked_rows(records, linked)
                # SAME_AS links and history first: their large statements run while the producer makes entities.
                c.executemany(
                    "DELETE FROM relations WHERE type = ? AND start_id = ? AND end_id = ?",
                    [(r.type.value, rows[r.start][0], rows[r.end][0]) for r in resolution.same_as_removed],
                )
                if resolution.same_as:
                    same_as = sorted(resolution.same_as, key=lambda r: (rows[r.start][0], rows[r.end][0]))
                    with bulk.filling(c, "relations", len(same_as)):
                        self._upsert_relations(c, same_as, rows)
                    del same_as
                self._write_history(c, resolution.history)
                if not resolution.blocking_keys:
                    rows.clear()  # (only blocking keys, written last, need them again: not held through the rest)
                # No entity or alias stored yet (a first run): none of these can be stored under another kind, or
                # be an alias, so those look-ups are skipped.
                fresh = bulk.is_empty(c, "entities") and bulk.is_empty(c, "entity_aliases")
                # Entities chunk by chunk, as the producer makes them: each chunk's traits are serialised and
                # written before the next is made, so a batch run never holds all its entities at once.
                members = resolution_sql.StreamedMembers(retired=set(resolution.retired))
                with bulk.filling(c, "entities", len(first)):
                    for chunk in chain((first,), chunks):
                        self._write_entities(c, chunk, members, records, fresh)
                del first, records
                if preparer is not None:
                    preparer.records = None  # (the producer is done: the records' map is let go now)
                self._point_members(c, members.record_entity, members.ids)
                for alias, target in resolution.final_aliases().items():
                    # Aliases that pointed at the merged-away ID follow it to its survivor.
                    c.execute("UPDATE entity_aliases SET entity_id = ? WHERE entity_id = ?", (target, alias))
                    c.execute(
                        "INSERT INTO entity_aliases (alias, entity_id) VALUES (?, ?)"
                        " ON CONFLICT (alias) DO UPDATE SET entity_id = excluded.entity_id",
                        (alias, target),
                    )
                c.executemany("DELETE FROM entities WHERE id = ?", [(i,) for i in resolution.retired])
                if resolution.blocking_keys:
                    self._replace_blocking_keys(c, dict(resolution.blocking_keys), rows)

    @staticmethod
    def _write_history(c: sqlite3.Connection, history: Sequence[HistoryEvent]) -> None:
        with bulk.filling(c, "entity_history", len(history)):
            resolution_sql.insert_rows(
                c,
                "INSERT INTO entity_history (entity_id, at, action, cause, records, others)",
                6,
                resolution_sql.history_rows(history),
            )

    def _records_among(
        self, c: sqlite3.Connection, keys: Collection[RecordKey], purpose: str
    ) -> dict[RecordKey, tuple[int, RecordKind]]:
        """Stored id and kind of each of `keys`, all of which must exist; many keys are found in one scan."""
        if not keys:
            return {}
        wanted = set(keys)
        found = bulk.scan_or_look_up(
            c,
            wanted,
            "SELECT max(id) FROM records",
            "SELECT source, source_id, id, kind FROM records",
            lambda some: self._record_rows(c, some),
            lambda row: (RecordKey(row[0], row[1]), (row[2], _RECORD_KINDS[row[3]])),
        )
        if len(found) < len(wanted):
            missing = wanted - found.keys()
            raise UnknownRecordError(f"{purpose} refers to unknown record(s): {_describe(missing)}")
        return found

    @staticmethod
    def _linked_rows(
        records: resolution_sql.RecordRows, keys: Sequence[RecordKey]
    ) -> dict[RecordKey, tuple[int, RecordKind]]:
        """Stored id and kind of each of `keys`, all of which must exist."""
        wanted = list(dict.fromkeys(keys))
        return dict(zip(wanted, _resolution_rows(records, wanted), strict=True))

    @staticmethod
    def _write_entities(
        c: sqlite3.Connection,
        given: Sequence[Entity] | resolution_sql.PreparedChunk,
        members: resolution_sql.StreamedMembers,
        records: resolution_sql.RecordRows,
        fresh: bool,
    ) -> None:
        """Upsert one chunk of a resolution's entities (prepared or not) and note where their members go. `fresh`:
        no entity or alias was stored before the write."""
        if isinstance(given, resolution_sql.PreparedChunk):
            chunk, rows, entity_rows = given
        else:
            chunk = given
            rows = resolution_sql.packed(_resolution_rows(records, [k for entity in chunk for k in entity.members]))
            entity_rows = resolution_sql.entity_rows(chunk)
        members.add(chunk, rows)
        ids = [e.id for e in chunk]
        if not fresh:
            resolution_sql.check_stored_kinds(chunk, resolution_sql.stored_kinds(c, ids))
        # In ID order, the chunk in one statement (see insert_rows).
        resolution_sql.insert_rows(
            c,
            "INSERT INTO entities (id, kind, traits, created_at)",
            4,
            entity_rows,
            "ON CONFLICT (id) DO UPDATE SET traits = excluded.traits, created_at = excluded.created_at",
        )
        if not fresh:
            # An ID that was an alias and is an entity again (its records split off once more) is no alias.
            c.executemany(
                "DELETE FROM entity_aliases WHERE alias = ?", [(a,) for a in resolution_sql.aliases_among(c, ids)]
            )

    @staticmethod
    def _point_members(c: sqlite3.Connection, wanted: dict[int, str], ids: set[str]) -> None:
        """RESOLVES_TO: every member (by record id) points at its entity (of `ids`), and records that left one of
        those entities no longer do. Only the rows that change are written."""
        current: dict[int, str] = {}
        if len(wanted) >= bulk.SCAN_FROM and not bulk.is_empty(c, "resolves_to"):
            for record_id, entity_id in c.execute("SELECT record_id, entity_id FROM resolves_to"):
                if record_id in wanted or entity_id in ids:
                    current[record_id] = entity_id
        elif len(wanted) < bulk.SCAN_FROM:
            for chunk in _chunks(list(wanted)):
                marks = ",".join("?" * len(chunk))
                current.update(
                    c.execute(f"SELECT record_id, entity_id FROM resolves_to WHERE record_id IN ({marks})", chunk)
                )
            for part in _chunks(list(ids)):
                marks = ",".join("?" * len(part))
                current.update(
                    c.execute(f"SELECT record_id, entity_id FROM resolves_to WHERE entity_id IN ({marks})", part)
                )
        stale = [
            (record_id,) for record_id, entity_id in current.items() if entity_id in ids and record_id not in wanted
        ]
        c.executemany("DELETE FROM resolves_to WHERE record_id = ?", stale)
        # (A first run's: every row, in record-id order, made as they are inserted; sorting the ids alone is the
        # cheaper sort.)
        changed: Iterable[tuple[int, str]]
        if current:
            changed = sorted((r, e) for r, e in wanted.items() if current.get(r) != e)
            count = len(changed)
        else:
            changed, count = ((r, wanted[r]) for r in sorted(wanted)), len(wanted)
        with bulk.filling(c, "resolves_to", count):
            resolution_sql.insert_rows(
                c,
                "INSERT INTO resolves_to (record_id, entity_id)",
                2,
                changed,
                "ON CONFLICT (record_id) DO UPDATE SET entity_id = excluded.entity_id",
            )

    # -- reads ----------------------------------------------------------------------------------------

    def get_records(self, keys: Sequence[RecordKey]) -> dict[RecordKey, Record]:
        found: dict[RecordKey, Record] = {}
        with self._read("get records") as c:
            for chunk in _chunks(list(dict.fromkeys(keys))):
                rows = c.execute(
                    _keys_cte("source, source_id", len(chunk))
                    + "SELECT r.kind, r.source, r.source_id, r.properties FROM k"
                    " JOIN records r ON r.source = k.source AND r.source_id = k.source_id",
                    [part for k in chunk for part in k],
                )
                for row in rows:
                    record = stored_record(*row)
                    found[record.key] = record
        return found

    def _pages(self, kinds: Collection[RecordKind], columns: str) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of records of `kinds` in key order; each page is read in its own short statement."""
        kind_values = sorted(k.value for k in kinds)
        if not kind_values:
            return
        # One kind: walk the (kind, key) index. Several: walk the key index and filter (`+kind` keeps the
        # planner off the kind index, which would sort every remaining row for each page).
        kind_filter = "kind = ?" if len(kind_values) == 1 else f"+kind IN ({','.join('?' * len(kind_values))})"
        after: tuple[str, str] = ("", "")
        while True:
            page = (
                self._connection()
                .execute(
                    f"SELECT source, source_id, {columns} FROM records"
                    f" WHERE (source, source_id) > (?, ?) AND {kind_filter} ORDER BY source, source_id LIMIT ?",
                    (*after, *kind_values, _PAGE),
                )
                .fetchall()
            )
            if not page:
                return
            yield page
            after = (page[-1][0], page[-1][1])

    def iter_records(self, kinds: Collection[RecordKind]) -> Iterator[Record]:
        for page in self._pages(kinds, "kind, properties"):
            for source, source_id, kind, properties in page:
                yield stored_record(kind, source, source_id, properties)

    def iter_record_pages(self, kinds: Collection[RecordKind]) -> Iterator[list[tuple[RecordKey, str]]]:
        # The properties as stored: the JSON text `_dumps` wrote.
        for page in self._pages(kinds, "properties"):
            yield [(RecordKey(source, source_id), properties) for source, source_id, properties in page]

    def iter_links(self, kinds: Collection[RecordKind]) -> Iterator[tuple[RecordKey, Identifier]]:
        for page in self._pages(kinds, "id"):
            links = sqlite_holders.identifiers_by_record_id(self._connection(), [row[2] for row in page])
            for source, source_id, record_id in page:
                key = RecordKey(source, source_id)
                for identifier in links.get(record_id, ()):
                    yield key, identifier

    def link_columns(
        self, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None = None
    ) -> LinkColumns:
        if link_reader.worth_a_child(self._connection(), kinds):  # a large store: read on another core
            return link_reader.read_in_child(self.path, kinds, identifier_kinds)
        with self._read("read link columns") as c:
            return read_link_columns(c, kinds, identifier_kinds)

    def identifiers_of(self, keys: Sequence[RecordKey]) -> dict[RecordKey, list[Identifier]]:
        with self._read("read identifiers") as c:
            rows = self._record_rows(c, keys)
            links = sqlite_holders.identifiers_by_record_id(c, [record_id for record_id, _ in rows.values()])
        return {key: links[record_id] for key, (record_id, _) in rows.items() if record_id in links}

    def records_with(self, identifier: Identifier) -> list[RecordKey]:
        rows = (
            self._connection()
            .execute(
                "SELECT r.source, r.source_id FROM identifiers i"
                " JOIN record_identifiers ri ON ri.identifier_id = i.id JOIN records r ON r.id = ri.record_id"
                " WHERE i.kind = ? AND i.value = ? AND i.system = ? ORDER BY r.source, r.source_id",
                (identifier.kind.value, identifier.value, identifier.system),
            )
            .fetchall()
        )
        return [RecordKey(source, source_id) for source, source_id in rows]

    def neighbours(self, key: RecordKey, rel: RelType, direction: Direction = Direction.OUT) -> list[Neighbour]:
        if rel not in RECORD_RELATIONS:
            raise ValueError(f"{rel} does not join records to records; read identifiers with identifiers_of")
        near, far = ("start_id", "end_id") if direction is Direction.OUT else ("end_id", "start_id")
        # Incoming: walk relations_by_end (end_id, type); left alone, the planner takes the primary key's `type`
        # prefix and scans every relation of the type.
        index = "" if direction is Direction.OUT else " INDEXED BY relations_by_end"
        rows = (
            self._connection()
            .execute(
                "SELECT other.kind, other.source, other.source_id, other.properties, rel.properties"
                f" FROM records this JOIN relations rel{index} ON rel.{near} = this.id AND rel.type = ?"
                f" JOIN records other ON other.id = rel.{far}"
                " WHERE this.source = ? AND this.source_id = ? ORDER BY other.source, other.source_id",
                (rel.value, key.source, key.source_id),
            )
            .fetchall()
        )
        return [
            Neighbour.model_construct(
                record=stored_record(kind, source, source_id, props), properties=_loads(rel_props)
            )
            for kind, source, source_id, props, rel_props in rows
        ]

    def neighbours_of(
        self, keys: Sequence[RecordKey], rel: RelType, direction: Direction = Direction.OUT
    ) -> dict[RecordKey, list[Neighbour]]:
        if rel not in RECORD_RELATIONS:
            raise ValueError(f"{rel} does not join records to records; read identifiers with identifiers_of")
        found: list[tuple[RecordKey, Neighbour]] = []
        with self._read("read neighbours") as c:
            for chunk in _chunks(list(dict.fromkeys(keys))):
                for source, source_id, kind, other_source, other_id, props, rel_props in b2b.neighbour_rows(
                    c, chunk, rel, direction
                ):
                    record = stored_record(kind, other_source, other_id, props)
                    neighbour = Neighbour.model_construct(record=record, properties=_loads(rel_props))
                    found.append((RecordKey(source, source_id), neighbour))
        return b2b.group_neighbours(found)

    def search_organizations(self, text: str, *, after: str | None = None, limit: int = 100) -> list[str]:
        return b2b.search_organization_ids(self._connection(), text, after, limit)

    def count_organizations(self, text: str) -> int:
        return b2b.count_organizations(self._connection(), text)

    def entity_ids_of(self, keys: Sequence[RecordKey]) -> dict[RecordKey, str]:
        found: dict[RecordKey, str] = {}
        with self._read("read entity ids") as c:
            for chunk in _chunks(list(dict.fromkeys(keys))):
                rows = c.execute(
                    _keys_cte("source, source_id", len(chunk)) + "SELECT r.source, r.source_id, t.entity_id FROM k"
                    " JOIN records r ON r.source = k.source AND r.source_id = k.source_id"
                    " JOIN resolves_to t ON t.record_id = r.id",
                    [part for k in chunk for part in k],
                )
                for source, source_id, entity_id in rows:
                    found[RecordKey(source, source_id)] = entity_id
        return found

    @staticmethod
    def _members(c: sqlite3.Connection, entity_ids: Sequence[str]) -> dict[str, list[RecordKey]]:
        """Member record keys of each entity, sorted."""
        members: dict[str, list[RecordKey]] = defaultdict(list)
        for chunk in _chunks(entity_ids):
            rows = c.execute(
                "SELECT t.entity_id, r.source, r.source_id FROM resolves_to t JOIN records r ON r.id = t.record_id"
                f" WHERE t.entity_id IN ({','.join('?' * len(chunk))})",
                list(chunk),
            )
            for entity_id, source, source_id in rows:
                members[entity_id].append(RecordKey(source, source_id))
        for keys in members.values():
            keys.sort()
        return members

    @classmethod
    def _entities(cls, c: sqlite3.Connection, rows: Sequence[tuple[str, str, str, str]]) -> list[Entity]:
        members = cls._members(c, [row[0] for row in rows])
        return [
            Entity.model_construct(
                id=entity_id,
                kind=EntityKind(kind),
                traits=_loads(traits),
                members=tuple(members.get(entity_id, ())),
                created_at=datetime.fromisoformat(created_at),
            )
            for entity_id, kind, traits, created_at in rows
        ]

    def get_entity(self, entity_id: str) -> Entity | None:
        with self._read("read entity") as c:
            row = c.execute(
                "SELECT id, kind, traits, created_at FROM entities WHERE id = ?"
                " UNION ALL SELECT e.id, e.kind, e.traits, e.created_at FROM entity_aliases a"
                " JOIN entities e ON e.id = a.entity_id WHERE a.alias = ? LIMIT 1",
                (entity_id, entity_id),
            ).fetchone()
            return None if row is None else self._entities(c, [row])[0]

    def iter_entities(self, kind: EntityKind) -> Iterator[Entity]:
        after = ""
        while True:
            with self._read("read entities") as c:
                page = c.execute(
                    "SELECT id, kind, traits, created_at FROM entities WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                    (kind.value, after, _PAGE),
                ).fetchall()
                entities = self._entities(c, page)
            if not entities:
                return
            yield from entities
            after = entities[-1].id

    def iter_relations(self, rel: RelType) -> Iterator[Relation]:
        if rel not in RECORD_RELATIONS:
            raise ValueError(f"{rel} does not join records to records")
        rows = (
            self._connection()
            .execute(
                "SELECT a.source, a.source_id, b.source, b.source_id, rel.properties FROM relations rel"
                " JOIN records a ON a.id = rel.start_id JOIN records b ON b.id = rel.end_id WHERE rel.type = ?",
                (rel.value,),
            )
            .fetchall()
        )
        rows.sort(key=lambda row: (row[0], row[1], row[2], row[3]))
        for a_source, a_id, b_source, b_id, properties in rows:
            yield Relation.model_construct(
                type=rel, start=RecordKey(a_source, a_id), end=RecordKey(b_source, b_id), properties=_loads(properties)
            )

    def history(self, entity_id: str) -> list[HistoryEvent]:
        return self.histories([entity_id])[entity_id]

    def histories(self, entity_ids: Sequence[str]) -> dict[str, list[HistoryEvent]]:
        found: dict[str, list[HistoryEvent]] = {}
        with self._read("read histories") as c:
            for chunk in _chunks(list(dict.fromkeys(entity_ids))):
                found.update(sqlite_history.histories(c, chunk))
        return found

    def get_entities(self, ids: Sequence[str]) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        with self._read("read entities") as c:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                rows = profiles.entity_rows_by_id(c, chunk)
                entities = {e.id: e for e in self._entities(c, list(dict.fromkeys(rows.values())))}
                found.update((asked, entities[row[0]]) for asked, row in rows.items())
        return found

    def entities_holding(self, identifier: Identifier, kinds: Collection[RecordKind]) -> list[Entity]:
        with self._read("read entities holding an identifier") as c:
            ids = sqlite_holders.entity_ids_holding(c, identifier, kinds)
            rows = [row for chunk in _chunks(ids) for row in profiles.entity_rows_by_id(c, chunk).values()]
            entities = {e.id: e for e in self._entities(c, rows)}
        return [entities[entity_id] for entity_id in ids if entity_id in entities]

    def entity_bundle(
        self,
        identifier: Identifier,
        kinds: Collection[RecordKind],
        *,
        identifiers: bool = True,
        events: int = 0,
        typed_events: Collection[str] = (),
        typed_limit: int = 0,
    ) -> EntityBundle | None:
        with self._read("read an entity bundle") as c:
            return sqlite_bundle.entity_bundle(
                c,
                identifier,
                kinds,
                identifiers=identifiers,
                events=events,
                typed_events=typed_events,
                typed_limit=typed_limit,
            )

    def entity_page(self, kind: EntityKind, *, after: str | None = None, limit: int = 100) -> list[Entity]:
        with self._read("read a page of entities") as c:
            return self._entities(c, profiles.entity_page_rows(c, kind, after, limit))

    def count_entities(self, kind: EntityKind) -> int:
        return profiles.count_entities(self._connection(), kind)

    def shared_identifiers(
        self,
        kind: IdentifierKind,
        *,
        min_entities: int,
        entity_kind: EntityKind = EntityKind.PROFILE,
        limit: int = 100,
        ids_per_identifier: int = 100,
    ) -> list[SharedIdentifier]:
        with self._read("read shared identifiers") as c:
            return profiles.shared_identifiers(
                c,
                kind,
                min_entities=min_entities,
                entity_kind=entity_kind,
                limit=limit,
                ids_per_identifier=ids_per_identifier,
            )

    def events_of(
        self,
        actors: Sequence[RecordKey],
        *,
        types: Collection[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        before: tuple[str, RecordKey] | None = None,
    ) -> list[tuple[RecordKey, Record]]:
        if sqlite_events.one_statement(actors):  # a single SELECT reads one snapshot: no BEGIN and COMMIT
            try:
                return sqlite_events.events_of(
                    self._connection(), actors, types=types, since=since, until=until, limit=limit, before=before
                )
            except sqlite3.Error as exc:
                raise GraphStoreError(f"read events failed: {exc}") from exc
        with self._read("read events") as c:
            return sqlite_events.events_of(c, actors, types=types, since=since, until=until, limit=limit, before=before)

    def segment_members(
        self,
        segment: Segment,
        *,
        after: str | None = None,
        limit: int = 100,
        among: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        with self._read("read segment members") as c:
            return sqlite_segments.segment_members(c, segment, after=after, limit=limit, among=among, now=now)

    def segment_count(self, segment: Segment, *, now: datetime | None = None) -> int:
        with self._read("count segment members") as c:
            return sqlite_segments.segment_count(c, segment, now=now)

    def put_override(self, override: Override) -> None:
        with self._write("put override") as c:
            c.execute(
                "INSERT INTO overrides (a_source, a_id, b_source, b_id, kind, reason, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (a_source, a_id, b_source, b_id) DO UPDATE SET"
                " kind = excluded.kind, reason = excluded.reason, author = excluded.author,"
                " created_at = excluded.created_at",
                (
                    *override.a,
                    *override.b,
                    override.kind.value,
                    override.reason,
                    override.author,
                    override.created_at.isoformat(),
                ),
            )

    def delete_override(self, a: RecordKey, b: RecordKey) -> bool:
        first, second = sorted((a, b))
        with self._write("delete override") as c:
            deleted = c.execute(
                "DELETE FROM overrides WHERE a_source = ? AND a_id = ? AND b_source = ? AND b_id = ?", (*first, *second)
            ).rowcount
        return bool(deleted)

    def overrides(self) -> list[Override]:
        rows = (
            self._connection()
            .execute(
                "SELECT a_source, a_id, b_source, b_id, kind, reason, author, created_at FROM overrides"
                " ORDER BY a_source, a_id, b_source, b_id"
            )
            .fetchall()
        )
        return [
            Override(
                kind=OverrideKind(kind),
                a=RecordKey(a_source, a_id),
                b=RecordKey(b_source, b_id),
                reason=reason,
                author=author,
                created_at=datetime.fromisoformat(created_at),
            )
            for a_source, a_id, b_source, b_id, kind, reason, author, created_at in rows
        ]

    def get_document(self, name: str) -> Properties | None:
        row = self._connection().execute("SELECT value FROM documents WHERE name = ?", (name,)).fetchone()
        return None if row is None else _loads(row[0])

    def put_document(self, name: str, value: Properties) -> None:
        with self._write("put document") as c:
            c.execute(
                "INSERT INTO documents (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, _dumps(value)),
            )

    def set_blocking_keys(self, keys: Mapping[RecordKey, Sequence[str]]) -> None:
        checked = self._references_checked_here() if len(keys) >= bulk.REBUILD_FROM else nullcontext()
        with checked, self._write("set blocking keys") as c, bulk.large_cache(c, len(keys)):
            if len(keys) >= bulk.REBUILD_FROM and bulk.is_empty(c, "blocking_keys") and blocking_fill.fill(c, keys):
                return  # a first fill, in SQL
            rows = self._records_among(c, list(keys), "blocking keys")
            self._replace_blocking_keys(c, keys, rows)

    @staticmethod
    def _replace_blocking_keys(
        c: sqlite3.Connection,
        keys: Mapping[RecordKey, Sequence[str]],
        rows: dict[RecordKey, tuple[int, RecordKind]],
    ) -> None:
        """Each record's blocking keys become those given; only the (key, record) rows that change are written."""
        if len(keys) >= bulk.REBUILD_FROM and bulk.is_empty(c, "blocking_keys"):
            # A first fill (a first batch run): every row is new, made as SQLite takes it and never all held at once.
            fill = ((block, rows[k][0]) for k, blocks in keys.items() for block in blocks)
            # Sorting the rows in is sequential work: a modest cache (and sorter memory) does, spilling to disk.
            with bulk.cache_of(c, bulk.SORT_CACHE_KIB), bulk.filling(c, "blocking_keys", len(keys)):
                bulk.insert_sorted(c, "blocking_keys", ("key", "record_id"), fill, "ON CONFLICT DO NOTHING", len(keys))
            return
        wanted = {rows[k][0]: blocks for k, blocks in keys.items()}
        stored: dict[int, set[str]] = defaultdict(set)
        if len(wanted) >= bulk.SCAN_FROM:
            if not bulk.is_empty(c, "blocking_keys"):
                for record_id, block in c.execute("SELECT record_id, key FROM blocking_keys"):
                    if record_id in wanted:
                        stored[record_id].add(block)
        else:
            for chunk in _chunks(list(wanted)):
                marks = ",".join("?" * len(chunk))
                for record_id, block in c.execute(
                    f"SELECT record_id, key FROM blocking_keys WHERE record_id IN ({marks})", chunk
                ):
                    stored[record_id].add(block)
        removed = [(b, r) for r, held in stored.items() for b in held.difference(wanted[r])]
        added = [(b, r) for r, blocks in wanted.items() for b in blocks if b not in stored.get(r, ())]
        c.executemany("DELETE FROM blocking_keys WHERE key = ? AND record_id = ?", removed)
        with bulk.filling(c, "blocking_keys", len(added)):
            bulk.insert_sorted(c, "blocking_keys", ("key", "record_id"), added, "ON CONFLICT DO NOTHING")

    def records_by_blocking_key(self, keys: Sequence[str]) -> dict[str, list[RecordKey]]:
        found: dict[str, list[RecordKey]] = defaultdict(list)
        with self._read("read blocking keys") as c:
            for chunk in _chunks(list(dict.fromkeys(keys))):
                rows = c.execute(
                    "SELECT b.key, r.source, r.source_id FROM blocking_keys b JOIN records r ON r.id = b.record_id"
                    f" WHERE b.key IN ({','.join('?' * len(chunk))})",
                    list(chunk),
                )
                for block, source, source_id in rows:
                    found[block].append(RecordKey(source, source_id))
        return {block: sorted(records) for block, records in found.items()}

    def delete_document(self, name: str) -> bool:
        with self._write("delete document") as c:
            return bool(c.execute("DELETE FROM documents WHERE name = ?", (name,)).rowcount)

    def document_names(self, prefix: str) -> list[str]:
        with self._read("list documents") as c:
            return sqlite_audit.document_names(c, prefix)

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        if not entries:
            return []
        with self._write("append to the audit log") as c:
            return sqlite_audit.append(c, entries)

    def size_read_cache(self, kib: int) -> None:
        """A page cache of `kib` KiB for this thread's connection (SQLite's default is 2 MiB). For a server that
        reads on one thread (the API's event loop): the pages its requests touch stay cached, where with the default
        each request read a dozen or more of them again from the OS (a system call and a 4 KiB copy each)."""
        self._connection().execute(f"PRAGMA cache_size = {-int(kib)}")

    def append_audit_now(self, entries: Sequence[AuditEntry]) -> list[int] | None:
        # Inline on the caller's thread (the API's event loop): the write lock is only tried, never waited for.
        # Committing on the thread's own connection also keeps that connection's page cache for its next reads.
        if not entries:
            return []
        if self._synchronous == "FULL" or not self._write_lock.acquire(blocking=False):
            return None  # a commit would wait for the disk, or a writer of this process holds the lock
        try:
            connection = self._connection()
            if connection.in_transaction:
                return None
            try:
                seqs = sqlite_audit.append_now(connection, entries, self._busy_timeout_ms)
            except sqlite3.Error as exc:
                raise GraphStoreError(f"append to the audit log failed and was rolled back: {exc}") from exc
            if seqs is not None:
                bound_wal(connection, self._wal_path, self._wal_limit)
            return seqs
        finally:
            self._write_lock.release()

    def audit_entries(
        self, *, since: datetime | None = None, before: int | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        with self._read("read the audit log") as c:
            return sqlite_audit.entries(c, since=since, before=before, limit=limit)

    def erase_entity(self, entity_id: str, *, suppress: Suppressor, at: datetime) -> ErasureRequest | None:
        with self._write("erase entity") as c:
            request = sqlite_erasure.erase_entity(c, entity_id, suppress, at)
        if request is not None:
            with self._write_lock:
                sqlite_erasure.empty_wal(self._connection())
        return request

    def erasure_request(self, entity_id: str) -> ErasureRequest | None:
        return sqlite_erasure.erasure_request(self._connection(), entity_id)

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        return sqlite_erasure.suppressed(self._connection(), hashes)

    def iter_suppressed(self) -> Iterator[str]:
        with self._read("read suppression list") as c:
            return iter(list(sqlite_erasure.iter_suppressed(c)))

    def get_checkpoint(self, name: str) -> str | None:
        row = self._connection().execute("SELECT position FROM checkpoints WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(
            [*(k.value for k in RecordKind), *(k.value for k in IdentifierKind), *(k.value for k in EntityKind)], 0
        )
        counts.update(dict.fromkeys((t.value for t in RelType), 0))
        queries: list[tuple[str, Callable[[str], str]]] = [
            ("SELECT kind, count(*) FROM records GROUP BY kind", str),
            ("SELECT kind, count(*) FROM identifiers GROUP BY kind", str),
            ("SELECT kind, count(*) FROM entities GROUP BY kind", str),
            ("SELECT type, count(*) FROM relations GROUP BY type", str),
            (
                "SELECT i.kind, count(*) FROM record_identifiers ri JOIN identifiers i ON i.id = ri.identifier_id"
                " GROUP BY i.kind",
                lambda kind: IdentifierKind(kind).relationship.value,
            ),
            ("SELECT 'RESOLVES_TO', count(*) FROM resolves_to", str),
        ]
        with self._read("count") as c:
            for query, name in queries:
                for label, count in c.execute(query):
                    counts[name(label)] = int(count)
        return counts

    def close(self) -> None:
        self._checkpointer.stop()
        with self._guard:
            self._closed = True
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()
