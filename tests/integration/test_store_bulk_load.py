"""GraphStore.bulk_load: batches written inside it make the same graph, with the same checks; on SQLite, the indexes
a first load builds at its end are there once it ends, or once the store is next opened after a kill."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import GraphBatch, Override, OverrideKind, RecordKey, RecordKind, Relation, RelType, open_store
from graph.errors import UnknownRecordError
from graph.row_batch import RowBatch
from graph.sqlite import bulk

from .conftest import StoreFactory
from .test_store_contract import customers_batch, key, mixed_batch, snapshot


def batches() -> list[GraphBatch]:
    return [mixed_batch(), customers_batch(10, 50), customers_batch(40, 30)]


def indexes(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        return [(name, sql) for name, sql in rows]


def test_batches_in_a_bulk_load_make_the_graph_of_batches_without(store_factory: StoreFactory, tmp_path: Path) -> None:
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    for batch in batches():
        reference.write_rows(RowBatch.of(batch))
    expected = snapshot(reference)
    reference.close()

    store = store_factory()
    with store.bulk_load():
        for batch in batches():
            store.write_rows(RowBatch.of(batch))
    assert snapshot(store) == expected
    with store.bulk_load():  # again, into a store that is not empty: nothing changes
        for batch in batches():
            store.write_rows(RowBatch.of(batch))
    assert snapshot(store) == expected


def test_a_bulk_load_keeps_the_reference_checks(store_factory: StoreFactory) -> None:
    store = store_factory()
    with store.bulk_load():
        store.write_rows(RowBatch.of(mixed_batch()))
        before = snapshot(store)
        nowhere = Relation(type=RelType.PERFORMED, start=key(1), end=RecordKey("b2b", "nowhere"))
        with pytest.raises(UnknownRecordError, match="b2b/nowhere"):
            store.write_rows(RowBatch.of(GraphBatch(records=customers_batch(90, 3).records, relations=(nowhere,))))
        assert snapshot(store) == before
        # Other writes go on as usual inside it.
        at = datetime(2026, 1, 1, tzinfo=UTC)
        store.put_override(
            Override(a=key(1), b=key(2), kind=OverrideKind.NEVER_LINK, reason="test", author="me", created_at=at)
        )
    assert snapshot(store) == before
    assert len(store.overrides()) == 1


def test_a_first_load_builds_the_deferred_indexes_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    store = open_store(f"sqlite:///{path}")
    expected = indexes(path)
    assert {name for name, _ in expected} >= set(bulk.DEFERRED_INDEXES)
    with store.bulk_load():
        store.write_rows(RowBatch.of(mixed_batch()))
        assert not {name for name, _ in indexes(path)} & set(bulk.DEFERRED_INDEXES)
        # Foreign keys: off for the batches of this thread, on for its other writes.
        connection = store._connection()  # type: ignore[attr-defined]
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (0,)
        with store._write("a test") as c:  # type: ignore[attr-defined]
            assert c.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert indexes(path) == expected
    assert store._connection().execute("PRAGMA foreign_keys").fetchone() == (1,)  # type: ignore[attr-defined]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store.close()


def test_an_error_in_a_bulk_load_still_builds_the_indexes(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    store = open_store(f"sqlite:///{path}")
    expected = indexes(path)

    def stopped_load() -> None:
        with store.bulk_load():
            store.write_rows(RowBatch.of(mixed_batch()))
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        stopped_load()
    assert indexes(path) == expected
    store.close()


def test_a_killed_bulk_load_leaves_its_indexes_to_the_next_opening(tmp_path: Path) -> None:
    path, fresh = tmp_path / "graph.db", tmp_path / "fresh.db"
    open_store(f"sqlite:///{fresh}").close()
    expected = indexes(fresh)
    script = f"""
        import os, signal
        from graph import open_store
        from graph.row_batch import RowBatch
        from tests.integration.test_store_contract import mixed_batch
        store = open_store({f"sqlite:///{path}"!r})
        with store.bulk_load():
            store.write_rows(RowBatch.of(mixed_batch()))
            os.kill(os.getpid(), signal.SIGKILL)
    """
    root = Path(__file__).parents[2]
    killed = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=root, capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = indexes(path)
    assert not {name for name, _ in left} & set(bulk.DEFERRED_INDEXES)
    # What a later `idgraph serve` (or the load run again) opens: the store as an uninterrupted load leaves it.
    store = open_store(f"sqlite:///{path}")
    assert indexes(path) == expected
    assert len(list(store.iter_records([RecordKind.CUSTOMER]))) == 2
    store.close()


def test_the_deferred_indexes_are_defined_as_the_migrations_left_them(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    open_store(f"sqlite:///{path}").close()
    stored = dict(indexes(path))
    assert bulk.index_definitions() == {name: stored[name] for name in bulk.DEFERRED_INDEXES}
