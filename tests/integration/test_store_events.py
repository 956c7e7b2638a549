"""Contract tests of GraphStore.events_of: the events performed by records, newest first, filtered and paged."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import GraphBatch, GraphStore, Record, RecordKey, RecordKind, Relation, RelType
from graph.sqlite import SqliteGraphStore
from graph.sqlite.migrations import MIGRATIONS
from tests.integration.conftest import StoreFactory

ANN = RecordKey("crm", "ann")
BOB = RecordKey("shop", "bob")
CAROL = RecordKey("crm", "carol")


def _event(source_id: str, event_type: str, timestamp: str, **extra: float | str) -> Record:
    return Record(
        kind=RecordKind.EVENT,
        key=RecordKey("web", source_id),
        properties={"type": event_type, "timestamp": timestamp, **extra},
    )


EVENTS = {
    ANN: [
        _event("e1", "page_view", "2024-03-01T10:00:00+00:00", channel="web"),
        _event("e2", "purchase", "2024-03-02T09:30:00.250000+00:00", amount=42.5, currency="EUR"),
        _event("e3", "page_view", "2024-03-02T09:30:00.250000+00:00"),  # same instant as e2: key breaks the tie
        _event("e4", "purchase", "2024-03-05T23:59:59+00:00", amount=10.0),
    ],
    BOB: [
        _event("e5", "page_view", "2024-03-03T12:00:00+02:00"),  # 10:00 UTC
        _event("e6", "email_open", "2024-03-04T08:00:00Z"),
    ],
    CAROL: [_event("e7", "purchase", "2024-03-04T08:00:00+00:00", amount=5.0)],
}


def _load(store: GraphStore) -> None:
    people = [Record(kind=RecordKind.CUSTOMER, key=key) for key in EVENTS]
    events = [event for evs in EVENTS.values() for event in evs]
    relations = [
        Relation(type=RelType.PERFORMED, start=actor, end=event.key) for actor, evs in EVENTS.items() for event in evs
    ]
    store.write(GraphBatch(records=(*people, *events)))
    store.write(GraphBatch(relations=tuple(relations)))


def _ids(found: list[tuple[RecordKey, Record]]) -> list[str]:
    return [event.key.source_id for _, event in found]


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    _load(store)
    return store


def test_newest_first_with_actor_and_event(loaded: GraphStore) -> None:
    found = loaded.events_of([ANN, BOB])
    assert _ids(found) == ["e4", "e6", "e5", "e3", "e2", "e1"]
    actors = {event.key.source_id: actor for actor, event in found}
    assert actors["e6"] == BOB and actors["e2"] == ANN
    e2 = next(event for _, event in found if event.key.source_id == "e2")
    assert e2.kind is RecordKind.EVENT
    assert e2.properties["amount"] == 42.5


def test_unknown_and_empty_actors(loaded: GraphStore) -> None:
    assert loaded.events_of([]) == []
    assert loaded.events_of([RecordKey("crm", "nobody")]) == []
    assert loaded.events_of([ANN], limit=0) == []


def test_type_and_time_filters(loaded: GraphStore) -> None:
    assert _ids(loaded.events_of([ANN, BOB, CAROL], types=["purchase"])) == ["e4", "e7", "e2"]
    assert _ids(loaded.events_of([ANN, BOB], types={"page_view", "email_open"})) == ["e6", "e5", "e3", "e1"]
    since = datetime(2024, 3, 2, 9, 30, 0, 250000, tzinfo=UTC)  # inclusive
    until = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)  # exclusive
    assert _ids(loaded.events_of([ANN, BOB], since=since, until=until)) == ["e5", "e3", "e2"]
    # A naive datetime is UTC; a timestamp written with an offset is compared as the same instant.
    assert _ids(loaded.events_of([BOB], until=datetime(2024, 3, 3, 10, 0, 0, 1000))) == ["e5"]
    assert _ids(loaded.events_of([BOB], until=datetime(2024, 3, 3, 10, 0))) == []


def test_keyset_paging_visits_every_event_once(loaded: GraphStore) -> None:
    everyone = [ANN, BOB, CAROL]
    expected = _ids(loaded.events_of(everyone))
    seen: list[str] = []
    before: tuple[str, RecordKey] | None = None
    while True:
        page = loaded.events_of(everyone, limit=2, before=before)
        if not page:
            break
        assert len(page) <= 2
        seen += _ids(page)
        last = page[-1][1]
        before = (str(last.properties["timestamp"]), last.key)
    assert seen == expected and len(seen) == 7


def test_cursor_with_equal_timestamps_breaks_ties_by_key(loaded: GraphStore) -> None:
    # e2 and e3 share a timestamp; after e3 comes e2, and nothing is skipped or repeated.
    before = ("2024-03-02T09:30:00.250+00:00", RecordKey("web", "e3"))
    assert _ids(loaded.events_of([ANN], before=before)) == ["e2", "e1"]
    with pytest.raises(ValueError, match="before"):
        loaded.events_of([ANN], before=("not a time", RecordKey("web", "e3")))


def test_rewritten_event_and_moved_actor_are_followed(store_factory: StoreFactory) -> None:
    store = store_factory()
    _load(store)
    store.write(GraphBatch(records=(_event("e1", "store_visit", "2024-03-09T00:00:00+00:00"),)))
    assert _ids(store.events_of([ANN], limit=1)) == ["e1"]
    assert _ids(store.events_of([ANN], types=["store_visit"])) == ["e1"]
    assert _ids(store.events_of([ANN], types=["page_view"])) == ["e3"]
    # An event recorded later for a new actor, in one batch with its actor.
    dave = RecordKey("pos", "dave")
    store.write(
        GraphBatch(
            records=(Record(kind=RecordKind.CUSTOMER, key=dave), _event("e8", "purchase", "2024-03-10T00:00:00Z")),
            relations=(Relation(type=RelType.PERFORMED, start=dave, end=RecordKey("web", "e8")),),
        )
    )
    assert [(actor, event.key.source_id) for actor, event in store.events_of([dave, CAROL])] == [
        (dave, "e8"),
        (CAROL, "e7"),
    ]


def test_sqlite_index_is_backfilled_for_older_stores(tmp_path: Path) -> None:
    """Events stored before the event index existed are indexed by its migration."""
    path = tmp_path / "old.db"
    store = SqliteGraphStore(path)
    _load(store)
    store.close()
    script = next(m for m in MIGRATIONS if "CREATE TABLE event_facts" in m)
    connection = sqlite3.connect(path)
    connection.executescript(
        # (Migration 9 dropped the per-row triggers that migration 4 created.)
        "DROP TRIGGER IF EXISTS event_facts_on_insert; DROP TRIGGER IF EXISTS event_facts_on_update;"
        " DROP TRIGGER IF EXISTS event_facts_actor_on_insert; DROP TRIGGER event_facts_actor_on_delete;"
        " DROP TABLE event_facts;"
    )
    connection.executescript(script)
    connection.close()
    reopened = SqliteGraphStore(path)
    try:
        assert _ids(reopened.events_of([ANN])) == ["e4", "e3", "e2", "e1"]
    finally:
        reopened.close()
