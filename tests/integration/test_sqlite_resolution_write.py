"""The SQLite store's resolution writes look their references up themselves and leave SQLite's foreign-key checks
off for their own transaction only: on again afterwards, whether the write succeeded or failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import Entity, EntityKind, GraphBatch, Record, RecordKey, RecordKind, Resolution, UnknownRecordError
from graph.sqlite.store import SqliteGraphStore

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteGraphStore]:
    opened = SqliteGraphStore(tmp_path / "g.db")
    yield opened
    opened.close()


def foreign_keys_on(store: SqliteGraphStore) -> bool:
    return bool(store._connection().execute("PRAGMA foreign_keys").fetchone()[0])


def test_foreign_keys_are_on_again_after_resolution_writes(store: SqliteGraphStore) -> None:
    keys = [RecordKey("crm", str(n)) for n in range(3)]
    store.write(GraphBatch(records=tuple(Record(kind=RecordKind.CUSTOMER, key=k) for k in keys)))
    entity = Entity(id="p1", kind=EntityKind.PROFILE, members=tuple(keys), created_at=T0)
    store.write_resolution_stream(Resolution(), iter([[entity]]))
    assert foreign_keys_on(store)
    store.set_blocking_keys({keys[0]: ["p|a"], keys[1]: ["p|a", "p|b"]})
    assert foreign_keys_on(store)
    unknown = Entity(id="p2", kind=EntityKind.PROFILE, members=(RecordKey("crm", "404"),), created_at=T0)
    with pytest.raises(UnknownRecordError):
        store.write_resolution_stream(Resolution(), iter([[unknown]]))
    assert foreign_keys_on(store)
    # Retiring entities keeps the checks on: the cascades of the deletion need them.
    store.write_resolution(Resolution(entities=(entity.model_copy(update={"id": "p3"}),), retired=("p1",)))
    assert store.get_entity("p1") is None and store.entity_ids_of(keys) == dict.fromkeys(keys, "p3")
    # Deleting a record still cascades to what refers to it (its membership, its blocking keys).
    c = store._connection()
    with c:
        c.execute("DELETE FROM records WHERE source_id = '0'")
    assert store.entity_ids_of(keys[:1]) == {} and store.records_by_blocking_key(["p|a"]) == {"p|a": [keys[1]]}


def test_a_chunk_is_written_whole_or_bound_one_by_one_with_the_same_result(store: SqliteGraphStore) -> None:
    # A chunk's entities, memberships and history go in one statement each, as one JSON text; a NUL character (where
    # SQLite's JSON functions cut a string) sends the chunk through statements binding each value instead.
    keys = [RecordKey("crm", str(n)) for n in range(4)]
    store.write(GraphBatch(records=tuple(Record(kind=RecordKind.CUSTOMER, key=k) for k in keys)))
    entities = [
        Entity(id="p1", kind=EntityKind.PROFILE, traits={"name": "Ann\x00B"}, members=tuple(keys[:2]), created_at=T0),
        Entity(id="p2", kind=EntityKind.PROFILE, traits={"name": "Bo \u00e9"}, members=(keys[2],), created_at=T0),
        Entity(id="p\x003", kind=EntityKind.PROFILE, members=(keys[3],), created_at=T0),
    ]
    store.write_resolution_stream(Resolution(), iter([entities[:2], entities[2:]]))
    assert store.get_entities(["p1", "p2", "p\x003"]) == {e.id: e for e in entities}
    assert store.entity_ids_of(keys) == {keys[0]: "p1", keys[1]: "p1", keys[2]: "p2", keys[3]: "p\x003"}
