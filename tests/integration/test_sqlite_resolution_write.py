"""The SQLite store's resolution writes look their references up themselves and leave SQLite's foreign-key checks
off for their own transaction only: on again afterwards, whether the write succeeded or failed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import (
    Entity,
    EntityKind,
    GraphBatch,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
    ResolutionError,
    UnknownRecordError,
)
from graph.sqlite import bulk
from graph.sqlite import resolution as resolution_sql
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


def test_a_large_write_finds_its_records_by_one_scan_with_the_same_result(
    store: SqliteGraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From SCAN_FROM keys, the records of the resolved kinds are read in one scan; keys it does not hold (a NUL in
    # the key, records of another kind, unknown keys) are looked up one by one, with the same checks as ever.
    monkeypatch.setattr(bulk, "SCAN_FROM", 1)
    keys = [RecordKey("crm", "1"), RecordKey("crm", "2\x00x"), RecordKey("crm\x00", "3")]
    event = RecordKey("web", "e1")
    store.write(
        GraphBatch(
            records=(
                *(Record(kind=RecordKind.CUSTOMER, key=k) for k in keys),
                Record(kind=RecordKind.EVENT, key=event, properties={"type": "visit", "timestamp": T0.isoformat()}),
            )
        )
    )
    link = Relation(type=RelType.SAME_AS, start=keys[0], end=keys[1], properties={"score": 0.9})
    entity = Entity(id="p1", kind=EntityKind.PROFILE, members=tuple(keys), created_at=T0)
    store.write_resolution_stream(Resolution(same_as=(link,)), iter([[entity]]))
    assert store.entity_ids_of(keys) == dict.fromkeys(keys, "p1")
    assert [r.end for r in store.iter_relations(RelType.SAME_AS)] == [keys[1]]
    with pytest.raises(ResolutionError, match="cannot resolve"):
        store.write_resolution_stream(
            Resolution(), iter([[Entity(id="p2", kind=EntityKind.PROFILE, members=(event,), created_at=T0)]])
        )
    with pytest.raises(UnknownRecordError):
        store.write_resolution_stream(
            Resolution(), iter([[entity.model_copy(update={"members": (*keys, RecordKey("crm", "404"))})]])
        )
    assert store.entity_ids_of([*keys, event]) == dict.fromkeys(keys, "p1")


def test_chunks_are_made_ahead_and_the_maker_stops_when_the_write_fails(store: SqliteGraphStore) -> None:
    # The producer runs in a thread of its own, one chunk ahead of the write: a failed write stops it without
    # asking it for the rest, and an error of the producer is raised by the write, which writes nothing.
    keys = [RecordKey("crm", str(n)) for n in range(3)]
    store.write(GraphBatch(records=tuple(Record(kind=RecordKind.CUSTOMER, key=k) for k in keys)))
    made: list[int] = []

    def chunks(members: list[RecordKey]) -> Iterator[list[Entity]]:
        for n, key in enumerate(members):
            made.append(n)
            yield [Entity(id=f"p{n}", kind=EntityKind.PROFILE, members=(key,), created_at=T0)]

    with pytest.raises(UnknownRecordError):
        store.write_resolution_stream(Resolution(), chunks([keys[0], RecordKey("crm", "404"), *keys[1:]] * 10))
    assert len(made) <= 3  # the failing chunk, and at most the one made while it was written
    assert not [t for t in threading.enumerate() if t.name == "made-ahead"]

    def failing() -> Iterator[list[Entity]]:
        yield from chunks(keys[:2])
        raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError, match="producer failed"):
        store.write_resolution_stream(Resolution(), failing())
    assert store.entity_ids_of(keys) == {}
    store.write_resolution_stream(Resolution(), chunks(keys))
    assert store.entity_ids_of(keys) == {k: f"p{n}" for n, k in enumerate(keys)}


def test_chunks_prepared_ahead_are_written_and_checked_as_any_other(
    store: SqliteGraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once the write has its records from a scan, the producer's thread works out each chunk's rows (PreparedChunk);
    # a chunk whose members the scan does not all hold is handed over as it is. Either way: the same graph, the same
    # checks.
    monkeypatch.setattr(bulk, "SCAN_FROM", 1)
    keys = [RecordKey("crm", str(n)) for n in range(12)]
    store.write(GraphBatch(records=tuple(Record(kind=RecordKind.CUSTOMER, key=k) for k in keys)))
    entities = [
        Entity(id=f"p{n:02d}", kind=EntityKind.PROFILE, traits={"n": n}, members=(key,), created_at=T0)
        for n, key in enumerate(keys)
    ]
    c = store._connection()
    records = resolution_sql.RecordRows(c, len(keys), 1)
    preparer = resolution_sql.Preparer()
    assert preparer(entities[:2]) == entities[:2]  # not ready: as it is
    preparer.ready(records)
    prepared = preparer(entities[:2])
    assert isinstance(prepared, resolution_sql.PreparedChunk) and len(prepared.members) == 2
    unknown = Entity(id="p99", kind=EntityKind.PROFILE, members=(RecordKey("crm", "404"),), created_at=T0)
    assert preparer([unknown]) == [unknown]

    store.write_resolution_stream(Resolution(), iter([entities[n : n + 2] for n in range(0, 12, 2)]))
    assert store.get_entities([e.id for e in entities]) == {e.id: e for e in entities}
    assert store.entity_ids_of(keys) == {e.members[0]: e.id for e in entities}
    shared = Entity(id="p50", kind=EntityKind.PROFILE, members=(keys[0],), created_at=T0)
    with pytest.raises(ResolutionError, match="more than one entity"):
        store.write_resolution_stream(
            Resolution(), iter([[e.model_copy(update={"id": f"q{e.id}"}) for e in entities[:6]], [shared]] * 3)
        )
    assert store.entity_ids_of(keys) == {e.members[0]: e.id for e in entities}


def test_streamed_members_take_packed_rows_and_name_each_fault(store: SqliteGraphStore) -> None:
    # StreamedMembers reads each member's stored id and kind packed into one integer (as the records' scan holds
    # them): a chunk's members are noted, and a fault inside one chunk is found and named: a record in two of its
    # entities, an entity twice, a member of a kind the entity cannot hold.
    members = resolution_sql.StreamedMembers(retired={"gone"})
    customer = RecordKind.CUSTOMER
    company = RecordKind.COMPANY
    rows = resolution_sql.packed([(1, customer), (2, customer), (3, customer)])
    keys = [RecordKey("crm", str(n)) for n in range(1, 4)]
    placed = [
        _placed("p1", EntityKind.PROFILE, (keys[0], keys[1])),
        _placed("p2", EntityKind.PROFILE, (keys[2],)),
    ]
    members.add(placed, rows)
    assert members.record_entity == {1: "p1", 2: "p1", 3: "p2"} and members.ids == {"p1", "p2"}
    for chunk, found, fault in (
        ([_placed("p3", EntityKind.PROFILE, (keys[0],))], [(1, customer)], "more than one entity"),
        ([_placed("p1", EntityKind.PROFILE, (keys[0],))], [(9, customer)], "appears twice"),
        ([_placed("gone", EntityKind.PROFILE, (keys[0],))], [(9, customer)], "upserted and retired"),
        ([_placed("p4", EntityKind.PROFILE, (keys[0],))], [(9, company)], "cannot resolve"),
        (
            [
                _placed("p5", EntityKind.PROFILE, (keys[0],)),
                _placed("p6", EntityKind.PROFILE, (keys[1],)),
            ],
            [(7, customer), (7, customer)],
            "more than one entity",
        ),
        (
            [
                _placed("p7", EntityKind.PROFILE, (keys[0],)),
                _placed("p7", EntityKind.PROFILE, (keys[1],)),
            ],
            [(7, customer), (8, customer)],
            "appears twice",
        ),
    ):
        with pytest.raises(ResolutionError, match=fault):
            resolution_sql.StreamedMembers(retired={"gone"}, ids={"p1", "p2"}, record_entity={1: "p1"}).add(
                chunk, resolution_sql.packed(found)
            )


def _placed(entity_id: str, kind: EntityKind, members: tuple[RecordKey, ...]) -> Entity:
    return Entity(id=entity_id, kind=kind, members=members, created_at=T0)
