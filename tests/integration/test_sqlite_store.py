"""SQLite-only guarantees: durability settings, schema versioning, store URLs, multi-process reads."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from graph import GraphBatch, Record, RecordKey, RecordKind, SchemaVersionError, UnsupportedStoreURLError, open_store
from graph.sqlite import SqliteGraphStore
from graph.sqlite.migrations import MIGRATIONS


@pytest.mark.parametrize(("url_suffix", "synchronous"), [("", 1), ("?synchronous=normal", 1), ("?synchronous=FULL", 2)])
def test_pragmas_make_it_safe_and_concurrent(tmp_path: Path, url_suffix: str, synchronous: int) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}{url_suffix}")
    assert isinstance(store, SqliteGraphStore)
    connection = store._connection()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == synchronous  # 1 NORMAL, 2 FULL
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


@pytest.mark.parametrize(("url_suffix", "message"), [("?synchronous=off", "synchronous"), ("?cache=big", "cache")])
def test_bad_store_url_options_are_named(tmp_path: Path, url_suffix: str, message: str) -> None:
    with pytest.raises(UnsupportedStoreURLError, match=message):
        open_store(f"sqlite:///{tmp_path / 'g.db'}{url_suffix}")


def test_schema_is_versioned_and_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    SqliteGraphStore(path).close()
    store = SqliteGraphStore(path)
    assert store.schema_version == len(MIGRATIONS)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store.close()


def test_a_store_from_a_newer_idgraph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(SchemaVersionError, match="newer"):
        SqliteGraphStore(path)


def test_store_urls(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/nested/dir/g.db")
    assert isinstance(store, SqliteGraphStore) and store.path == tmp_path / "nested/dir/g.db"
    store.close()
    with pytest.raises(UnsupportedStoreURLError, match="file"):
        open_store("sqlite:///:memory:")


def test_another_process_reads_what_was_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    store = open_store(url)
    store.write(GraphBatch(records=(Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", "1")),)))
    script = f"from graph import open_store; print(open_store({url!r}).counts()['Customer'])"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"
    store.close()
