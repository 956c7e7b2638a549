"""The GraphStore bulk record read (`iter_record_pages`): `iter_records` as pages of keys and JSON text."""

from __future__ import annotations

from itertools import chain

import orjson
import pytest

from graph import GraphBatch, GraphStore, Record, RecordKey, RecordKind
from graph.sqlite import store as sqlite_store
from tests.integration.conftest import StoreFactory

PERSONS = (RecordKind.CUSTOMER, RecordKind.CONTACT)


def records() -> tuple[Record, ...]:
    people = tuple(
        Record(
            kind=RecordKind.CUSTOMER if n % 2 else RecordKind.CONTACT,
            key=RecordKey("crm" if n % 3 else "web", f"{n:03}"),
            properties={"first_name": f"Ann {n}", "n": n, "score": n / 7, "tags": ["a", "ü"], "empty": None},
        )
        for n in range(12, 0, -1)  # written out of key order
    )
    return (*people, Record(kind=RecordKind.COMPANY, key=RecordKey("b2b", "acme"), properties={"name": "Acme"}))


def flat(store: GraphStore, kinds: tuple[RecordKind, ...]) -> list[tuple[RecordKey, str]]:
    return list(chain.from_iterable(store.iter_record_pages(kinds)))


def test_record_pages_hold_what_iter_records_reads(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.write(GraphBatch(records=records()))
    read = flat(store, PERSONS)
    assert [key for key, _ in read] == [r.key for r in store.iter_records(PERSONS)]
    assert [key for key, _ in read] == sorted(key for key, _ in read) and len(read) == 12
    assert [orjson.loads(text) for _, text in read] == [r.properties for r in store.iter_records(PERSONS)]
    assert all(isinstance(text, str) for _, text in read)
    assert [key for key, _ in flat(store, (RecordKind.COMPANY,))] == [RecordKey("b2b", "acme")]
    assert flat(store, ()) == []


def test_record_pages_of_an_empty_store(store_factory: StoreFactory) -> None:
    assert flat(store_factory(), PERSONS) == []


def test_sqlite_record_pages_are_pages(store_factory: StoreFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_factory()
    if not isinstance(store, sqlite_store.SqliteGraphStore):
        pytest.skip("SQLite paging")
    monkeypatch.setattr(sqlite_store, "_PAGE", 5)
    store.write(GraphBatch(records=records()))
    pages = list(store.iter_record_pages(PERSONS))
    assert [len(page) for page in pages] == [5, 5, 2]
    assert list(chain.from_iterable(pages)) == [
        (r.key, orjson.dumps(r.properties).decode())
        for r in sorted((r for r in records() if r.kind in PERSONS), key=lambda r: r.key)
    ]
