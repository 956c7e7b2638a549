"""Contract of GraphStore.entity_bundle: the first entity holding an identifier with its members' identifiers and
events, equal to what entities_holding, identifiers_of and events_of return separately."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph import (
    PERSON_KINDS,
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
)
from graph.bundle import EntityBundle

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SHARED = Identifier(IdentifierKind.EMAIL, "shared@example.com")
OWN = Identifier(IdentifierKind.PHONE, "+14155550101")
QUIET = Identifier(IdentifierKind.DEVICE, "quiet-device")
NOBODY = Identifier(IdentifierKind.EMAIL, "nobody@example.com")


def key(n: int) -> RecordKey:
    return RecordKey("src", f"r{n}")


def _event(n: int, event_type: str, timestamp: str | None) -> Record:
    properties: dict[str, object] = {"type": event_type, "amount": float(n)}
    if timestamp is not None:
        properties["timestamp"] = timestamp
    return Record(kind=RecordKind.EVENT, key=RecordKey("web", f"e{n:02d}"), properties=properties)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    """p1 = {r2}, p2 = {r1, r3}: both hold SHARED (p1 has the smaller ID); r3 also holds OWN; r5 (p3) holds QUIET and
    nothing else happens to it. r1 and r3 performed events of three types (one without a timestamp, two at the same
    instant), r2 one; r4 (unresolved) holds SHARED and performed one."""
    records = [Record(kind=RecordKind.CUSTOMER, key=key(n), properties={"n": n}) for n in (1, 2, 4, 5)]
    records.append(Record(kind=RecordKind.CONTACT, key=key(3)))
    events: list[tuple[RecordKey, Record]] = []
    for n in range(1, 15):
        actor = key(1) if n % 2 else key(3)
        kind = ("page_view", "purchase", "consent_change")[n % 3]
        events.append((actor, _event(n, kind, f"2024-03-{n:02d}T10:00:00+00:00")))
    events.append((key(3), _event(15, "purchase", "2024-03-14T10:00:00+00:00")))  # same instant as e14
    events.append((key(1), _event(16, "page_view", None)))  # no timestamp: never returned
    events.append((key(2), _event(17, "consent_change", "2024-02-01T00:00:00Z")))
    events.append((key(4), _event(18, "page_view", "2024-05-01T00:00:00Z")))
    links = [IdentifierLink(record=key(n), identifier=SHARED) for n in (1, 2, 3, 4)]
    links += [IdentifierLink(record=key(3), identifier=OWN), IdentifierLink(record=key(5), identifier=QUIET)]
    store.write(GraphBatch(records=(*records, *(event for _, event in events)), links=tuple(links)))
    store.write(
        GraphBatch(
            relations=tuple(Relation(type=RelType.PERFORMED, start=actor, end=event.key) for actor, event in events)
        )
    )
    entities = (
        Entity(id="p1", kind=EntityKind.PROFILE, traits={"name": "one"}, members=(key(2),), created_at=T0),
        Entity(id="p2", kind=EntityKind.PROFILE, members=(key(1), key(3)), created_at=T0),
        Entity(id="p3", kind=EntityKind.PROFILE, members=(key(5),), created_at=T0),
    )
    store.write_resolution(Resolution(entities=entities))
    return store


def _separately(
    store: GraphStore, identifier: Identifier, *, identifiers: bool, events: int, types: list[str], typed_limit: int
) -> EntityBundle | None:
    holders = store.entities_holding(identifier, PERSON_KINDS)
    if not holders:
        return None
    members = list(holders[0].members)
    return EntityBundle(
        entity=holders[0],
        identifiers=store.identifiers_of(members) if identifiers else None,
        events=store.events_of(members, limit=events),
        typed_events=store.events_of(members, types=types, limit=typed_limit) if types else [],
    )


@pytest.mark.parametrize("identifier", [SHARED, OWN, QUIET, NOBODY])
@pytest.mark.parametrize(
    ("identifiers", "events", "types", "typed_limit"),
    [
        (True, 11, ["consent_change"], 1000),
        (True, 3, ["purchase", "consent_change"], 2),
        (False, 0, [], 0),
        (True, 100, [], 0),
        (False, 1, ["consent_change"], 0),
    ],
)
def test_the_bundle_is_what_the_separate_reads_return(
    graph: GraphStore, identifier: Identifier, identifiers: bool, events: int, types: list[str], typed_limit: int
) -> None:
    bundle = graph.entity_bundle(
        identifier,
        PERSON_KINDS,
        identifiers=identifiers,
        events=events,
        typed_events=types,
        typed_limit=typed_limit,
    )
    assert bundle == _separately(
        graph, identifier, identifiers=identifiers, events=events, types=types, typed_limit=typed_limit
    )


def test_the_parts_of_a_bundle(graph: GraphStore) -> None:
    bundle = graph.entity_bundle(SHARED, PERSON_KINDS, events=3, typed_events=["consent_change"], typed_limit=10)
    assert bundle is not None
    assert bundle.entity.id == "p1" and bundle.entity.traits == {"name": "one"}  # the smallest ID of p1, p2
    assert bundle.identifiers == {key(2): [SHARED]}
    assert [event.key.source_id for _, event in bundle.events] == ["e17"]
    assert [(actor, event.key.source_id) for actor, event in bundle.typed_events] == [(key(2), "e17")]

    by_phone = graph.entity_bundle(OWN, PERSON_KINDS, events=3, typed_events=["purchase"], typed_limit=2)
    assert by_phone is not None and by_phone.entity.id == "p2" and by_phone.entity.members == (key(1), key(3))
    assert by_phone.identifiers == {key(1): [SHARED], key(3): sorted([SHARED, OWN])}
    assert [event.key.source_id for _, event in by_phone.events] == ["e15", "e14", "e13"]  # ties by key, newest first
    assert [event.key.source_id for _, event in by_phone.typed_events] == ["e15", "e13"]
    assert by_phone.events[0][0] == key(3)

    quiet = graph.entity_bundle(QUIET, PERSON_KINDS, identifiers=False, events=10)
    assert quiet is not None and quiet.entity.id == "p3"
    assert quiet.identifiers is None and quiet.events == [] and quiet.typed_events == []
    assert graph.entity_bundle(NOBODY, PERSON_KINDS, events=10) is None
    assert graph.entity_bundle(SHARED, frozenset({RecordKind.COMPANY}), events=10) is None


def test_negative_limits_are_refused(graph: GraphStore) -> None:
    with pytest.raises(ValueError, match="must be >= 0"):
        graph.entity_bundle(SHARED, PERSON_KINDS, events=-1)
