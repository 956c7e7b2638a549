"""GraphStore.write_rows: a batch given as rows (graph.row_batch) writes what the same GraphBatch writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph import Checkpoint, GraphBatch, Record, RecordKey, RecordKind, Relation, RelType, open_store
from graph.errors import RecordKindConflictError, RelationEndpointError, UnknownRecordError
from graph.row_batch import RowBatch

from .conftest import StoreFactory
from .test_store_contract import customer, customers_batch, key, mixed_batch, snapshot


def test_rows_write_what_the_graph_batch_writes(tmp_path: Path) -> None:
    snapshots = []
    for name in ("batch", "rows"):
        store = open_store(f"sqlite:///{tmp_path / name}.db")
        for batch in (mixed_batch(), customers_batch(10, 5)):
            store.write(batch) if name == "batch" else store.write_rows(RowBatch.of(batch))
        snapshots.append(snapshot(store))
        store.close()
    assert snapshots[0] == snapshots[1]


def test_the_same_batch_as_rows_changes_nothing(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.write(mixed_batch())
    before = snapshot(store)
    store.write_rows(RowBatch.of(mixed_batch()))
    assert snapshot(store) == before


def test_rows_round_trip_through_the_graph_batch() -> None:
    batch = mixed_batch().model_copy(update={"checkpoint": Checkpoint(name="load:x", position="7")})
    assert RowBatch.of(batch).graph_batch() == batch


def test_a_record_given_twice_in_one_batch_keeps_its_last_properties(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.write_rows(RowBatch.of(GraphBatch(records=(customer(1, first_name="A"), customer(1, first_name="B")))))
    assert store.get_records([key(1)])[key(1)].properties == {"first_name": "B"}


def test_row_batches_keep_the_write_checks(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.write_rows(RowBatch.of(mixed_batch()))
    with pytest.raises(RecordKindConflictError, match="crm/1"):
        store.write_rows(RowBatch.of(GraphBatch(records=(Record(kind=RecordKind.CONTACT, key=key(1)),))))
    works_at = RowBatch.of(
        GraphBatch(relations=(Relation(type=RelType.WORKS_AT, start=key(1), end=key("acme", "b2b")),))
    )
    with pytest.raises(RelationEndpointError, match="WORKS_AT"):
        store.write_rows(works_at)
    nowhere = Relation(type=RelType.PERFORMED, start=key(1), end=RecordKey("b2b", "nowhere"))
    with pytest.raises(UnknownRecordError, match="b2b/nowhere"):
        store.write_rows(RowBatch.of(GraphBatch(relations=(nowhere,))))
    assert store.counts()["Contact"] == 1 and store.counts()["WORKS_AT"] == 1


def test_checkpoint_of_a_row_batch_is_committed_with_it(store_factory: StoreFactory) -> None:
    store = store_factory()
    rows = RowBatch.of(customers_batch(0, 2))
    store.write_rows(
        RowBatch(records=rows.records, links=rows.links, checkpoint=Checkpoint(name="load:r", position="2"))
    )
    assert store.get_checkpoint("load:r") == "2" and store.counts()["Customer"] == 2


def _odd_events() -> GraphBatch:
    """Events with every kind of value in the indexed properties, and their actors."""
    odd: list[dict[str, object]] = [
        {"type": "buy", "timestamp": "2024-03-01T12:00:00.9995+08:00", "amount": 12.5, "channel": "pos"},
        {"type": {"nested": ["x", 1.0]}, "timestamp": "2024-03-01 12:00", "amount": True, "channel": None},
        {"type": 7, "timestamp": 2460000.5, "amount": "12.50", "channel": "we\u0000b"},
        {"type": "visit", "timestamp": "not a time", "amount": [1, 2]},
        {},
    ]
    events = tuple(Record(kind=RecordKind.EVENT, key=key(f"e{i}", "web"), properties=p) for i, p in enumerate(odd))
    performed = tuple(Relation(type=RelType.PERFORMED, start=key(1), end=e.key) for e in events[:3])
    return GraphBatch(records=(customer(1), *events), relations=performed)


def test_the_event_index_is_what_the_triggers_made_of_any_values(tmp_path: Path) -> None:
    from .test_load_worker import _trigger_facts

    tables = []
    for name in ("given", "from_json"):
        path = tmp_path / f"{name}.db"
        store = open_store(f"sqlite:///{path}")
        rows = RowBatch.of(_odd_events())
        store.write_rows(rows if name == "given" else RowBatch(rows.records, rows.links, rows.relations))
        store.close()
        with sqlite3.connect(path) as connection:
            tables.append(sorted(connection.execute("SELECT * FROM event_facts").fetchall()))
        assert tables[-1] == _trigger_facts(path)
    assert tables[0] == tables[1]
    assert len(tables[0]) == 5
