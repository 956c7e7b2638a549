"""Large writes of the SQLite store: what a batch resolve sends, hundreds of thousands of rows in one transaction.

Three things keep them fast. Many keys are found with one scan of a table rather than one look-up each; rows go in
in primary-key order; and an empty table filled with many rows gets its secondary indexes built once at the end
(a sort) instead of updated row by row in random order. A file load (many transactions, GraphStore.bulk_load) does
the same for some indexes when it fills an empty store, and has SQLite skip its foreign-key checks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from graph.sqlite.migrations import MIGRATIONS, _statements

K = TypeVar("K")
V = TypeVar("V")

# At least this many keys, and a fifth of the table or more: one scan beats a look-up per key.
SCAN_FROM = 20_000
# Rows into an empty table from which its indexes are dropped and built again after the inserts.
REBUILD_FROM = 50_000
# Page cache of a large write (KiB): random look-ups and index updates stay in memory.
BULK_CACHE_KIB = 256 * 1024
# Page cache while rows are sorted into a table (KiB): a sort streams, and more memory barely speeds it up.
SORT_CACHE_KIB = 32 * 1024


def scan_or_look_up(
    c: sqlite3.Connection,
    keys: Collection[K],
    table_rows: str,
    scan: str,
    look_up: Callable[[Collection[K]], dict[K, V]],
    row: Callable[[Any], tuple[K, V]],
) -> dict[K, V]:
    """The value of each of `keys` found: by `look_up(keys)`, or, for many keys, by one `scan` query over the
    whole table (its rows turned into (key, value) by `row`) when that is cheaper. `table_rows` is a query
    estimating the table's row count."""
    if len(keys) < SCAN_FROM:
        return look_up(keys)
    rows = int(c.execute(table_rows).fetchone()[0] or 0)
    if len(keys) * 5 < rows:
        return look_up(keys)
    # The caller's key objects are kept, not the equal ones made from each row: with a million keys, that is
    # a million fewer key objects (and their strings) alive for as long as the result is.
    given = {key: key for key in keys}
    found: dict[K, V] = {}
    for fetched in c.execute(scan):
        key, value = row(fetched)
        kept = given.get(key)
        if kept is not None:
            found[kept] = value
    return found


def is_empty(c: sqlite3.Connection, table: str) -> bool:
    return c.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None


@contextmanager
def filling(c: sqlite3.Connection, table: str, rows: int) -> Iterator[None]:
    """Around inserting `rows` rows into `table`: when that is many into an empty table, its secondary indexes
    are dropped first and created again (the same definitions) after; inside the caller's transaction."""
    if rows < REBUILD_FROM or not is_empty(c, table):
        yield
        return
    indexes = c.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).fetchall()
    for name, _ in indexes:
        c.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        c.execute(sql)


@contextmanager
def large_cache(c: sqlite3.Connection, rows: int) -> Iterator[None]:
    """A bigger page cache for the duration of a write of many rows; the connection's own afterwards."""
    if rows < REBUILD_FROM:
        yield
        return
    with cache_of(c, BULK_CACHE_KIB):
        yield


@contextmanager
def cache_of(c: sqlite3.Connection, kib: int) -> Iterator[None]:
    """A page cache (which also bounds the sorter's memory) of `kib` KiB for the block; the one before after."""
    before = int(c.execute("PRAGMA cache_size").fetchone()[0])
    c.execute(f"PRAGMA cache_size = {-kib}")
    try:
        yield
    finally:
        c.execute(f"PRAGMA cache_size = {before}")


def insert_sorted(
    c: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[object, ...]],
    on_conflict: str,
    count: int | None = None,
) -> None:
    """Insert rows into `table` in the order of `columns` (its primary key). Many rows are staged in a temporary
    table as they come and sorted by SQLite on the way in, which costs far less than sorting them in Python.
    `rows` may be a generator when `count` (about how many it makes) is given: it is then consumed once."""
    names, marks = ", ".join(columns), ", ".join("?" * len(columns))
    if (count if count is not None else len(rows)) < REBUILD_FROM:  # type: ignore[arg-type]
        c.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {on_conflict}", sorted(rows))  # type: ignore[type-var,unused-ignore]
        return
    c.execute(f"CREATE TEMP TABLE staged ({names})")
    try:
        c.executemany(f"INSERT INTO temp.staged ({names}) VALUES ({marks})", rows)
        # WHERE true: an upsert's SELECT needs a WHERE clause to be parsed as one.
        c.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM temp.staged WHERE true ORDER BY {names} {on_conflict}"
        )
    finally:
        c.execute("DROP TABLE temp.staged")


# -- a load into an empty store (GraphStore.bulk_load) ---------------------------------------------------------------
# Secondary indexes a first load builds once at its end instead of updating them row by row, at random places (each
# batch would dirty pages all over them). None is named by an INDEXED BY of a query: a reader meanwhile (another
# process, say) gets the same rows, by another plan.
DEFERRED_INDEXES = ("records_by_kind", "record_identifiers_by_identifier", "event_facts_by_type")


def index_definitions(names: Collection[str] = DEFERRED_INDEXES) -> dict[str, str]:
    """The CREATE INDEX statement of each of `names`, as the migrations leave it (which is what sqlite_master keeps)."""
    definitions: dict[str, str] = {}
    for script in MIGRATIONS:
        for statement in _statements(script):
            words = statement.split(None, 3)
            if len(words) > 2 and words[1].upper() == "INDEX" and words[2] in names:
                if words[0].upper() == "CREATE":
                    definitions[words[2]] = statement.rstrip(";").strip()
                elif words[0].upper() == "DROP":
                    definitions.pop(words[2], None)
    return definitions


def _present(c: sqlite3.Connection, names: Collection[str]) -> set[str]:
    marks = ", ".join("?" * len(names))
    rows = c.execute(f"SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ({marks})", list(names))
    return {name for (name,) in rows}


def defer_indexes(c: sqlite3.Connection) -> bool:
    """Inside the caller's write transaction: when the store holds no record yet, drop the deferred indexes (to be
    built by `restore_indexes`); whether it did."""
    if not is_empty(c, "records"):
        return False
    for name in _present(c, DEFERRED_INDEXES):
        c.execute(f'DROP INDEX "{name}"')
    return True


def missing_indexes(c: sqlite3.Connection) -> list[str]:
    """The deferred indexes not in the store (a bulk load is running, or was killed)."""
    present = _present(c, DEFERRED_INDEXES)
    return [name for name in DEFERRED_INDEXES if name not in present]


def restore_indexes(c: sqlite3.Connection) -> None:
    """Inside the caller's write transaction: create the deferred indexes that are missing, as the migrations did."""
    missing = missing_indexes(c)
    if missing:
        definitions = index_definitions(missing)
        for name in missing:
            c.execute(definitions[name])


@contextmanager
def bulk_loading(
    connection: sqlite3.Connection, write: Callable[[str], AbstractContextManager[sqlite3.Connection]]
) -> Iterator[None]:
    """GraphStore.bulk_load on `connection` (this thread's), whose write transactions `write` opens. Foreign keys are
    off for the block: a batch write looks up every record and identifier it refers to itself (the rows it inserts
    are joined to them) and deletes nothing, so SQLite's check of each row would only repeat that; writes other than
    batches have them on (the store sees to it). Switched once for the block: each switch makes SQLite prepare every
    statement again. Into an empty store, the deferred indexes are built at the end; a load killed before that leaves
    them to the store's next opening (`restore_indexes`)."""
    with write("start a bulk load") as c:
        deferred = defer_indexes(c)
    try:
        with foreign_keys(connection, on=False):
            yield
    finally:
        if deferred:
            with write("build the indexes of a bulk load") as c:
                restore_indexes(c)


@contextmanager
def foreign_keys(connection: sqlite3.Connection, *, on: bool) -> Iterator[None]:
    """Foreign-key checks on or off for `connection` while the block runs, then as they were, whatever happens (so
    such blocks nest). Used outside any transaction: there the pragma does nothing. Unchanged when already so: each
    switch makes SQLite prepare every statement again."""
    before = bool(connection.execute("PRAGMA foreign_keys").fetchone()[0])
    if before == on:
        yield
        return
    connection.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    try:
        yield
    finally:
        connection.execute(f"PRAGMA foreign_keys = {'ON' if before else 'OFF'}")
