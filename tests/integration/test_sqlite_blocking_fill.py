"""The SQLite store's first fill of the blocking index in SQL: the rows of the general path, and its fall-backs."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from graph import GraphBatch, Record, RecordKey, RecordKind, UnknownRecordError
from graph.sqlite import blocking_fill, bulk
from graph.sqlite.store import SqliteGraphStore

KEYS: dict[RecordKey, Sequence[str]] = {
    RecordKey("crm", "1"): ["p|ny:ann lee|1980", "p|ph:+4799999999"],
    RecordKey("crm", "2"): ("p|ph:+4799999999",),
    RecordKey("web", "x"): [],
    RecordKey("web", "nul"): ["p|em:a\x00b"],
}


def stored(tmp_path: Path, keys: dict[RecordKey, Sequence[str]], *, bulk_path: bool) -> set[tuple[str, str, str]]:
    path = tmp_path / f"graph-{bulk_path}.db"
    store = SqliteGraphStore(path)
    records = tuple(Record(kind=RecordKind.CUSTOMER, key=key, properties={}) for key in KEYS)
    store.write(GraphBatch(records=records))
    with pytest.MonkeyPatch.context() as patch:
        if bulk_path:
            patch.setattr(bulk, "REBUILD_FROM", 1)
        store.set_blocking_keys(keys)
    store.close()
    c = sqlite3.connect(path)
    rows = set(
        c.execute("SELECT b.key, r.source, r.source_id FROM blocking_keys b JOIN records r ON r.id = b.record_id")
    )
    assert c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'blocking_keys_by_record'").fetchone() == (1,)
    c.close()
    return rows


@pytest.mark.parametrize("with_nul", [True, False])
def test_the_fill_writes_the_rows_of_the_general_path(tmp_path: Path, with_nul: bool) -> None:
    keys = dict(KEYS) if with_nul else {k: v for k, v in KEYS.items() if k.source_id != "nul"}
    assert stored(tmp_path, keys, bulk_path=True) == stored(tmp_path, keys, bulk_path=False)
    assert ("p|ph:+4799999999", "crm", "2") in stored(tmp_path, keys, bulk_path=True)


def test_an_unknown_record_is_refused_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteGraphStore(tmp_path / "graph.db")
    store.write(GraphBatch(records=(Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", "1"), properties={}),)))
    monkeypatch.setattr(bulk, "REBUILD_FROM", 1)
    with pytest.raises(UnknownRecordError):
        store.set_blocking_keys({RecordKey("crm", "1"): ["p|a"], RecordKey("crm", "missing"): ["p|a"]})
    assert store.records_by_blocking_key(["p|a"]) == {}
    store.close()


def test_the_fill_gives_way_on_a_nul(tmp_path: Path) -> None:
    c = sqlite3.connect(tmp_path / "bare.db")
    assert not blocking_fill.fill(c, {RecordKey("crm", "1"): ["p|a\x00"]})  # before touching any table
