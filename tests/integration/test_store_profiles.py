"""Contract of the GraphStore profile reads: entities by ID or alias, entity pages and counts, shared identifiers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph import (
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
    Resolution,
    SharedIdentifier,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DEVICE = IdentifierKind.DEVICE


def key(n: int) -> RecordKey:
    return RecordKey("app", f"r{n:02d}")


def device(value: str) -> Identifier:
    return Identifier(DEVICE, value)


def profile(entity_id: str, *members: int) -> Entity:
    return Entity(
        id=entity_id,
        kind=EntityKind.PROFILE,
        traits={"n": entity_id},
        members=tuple(key(m) for m in members),
        created_at=T0,
    )


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    """Six customers in five profiles (p1 holds r01 and r02) and one company; devices shared in various ways.

    tablet: r01, r02 (p1 only), r03 (p2), r04 (p3)  -> 3 profiles
    kiosk:  r03 (p2), r05 (p4), the company         -> 2 profiles (the company is no profile)
    phone-a: r06 (p5)                               -> 1 profile
    """
    records = [Record(kind=RecordKind.CUSTOMER, key=key(n)) for n in range(1, 7)]
    records.append(Record(kind=RecordKind.COMPANY, key=key(99)))
    held = {"tablet": [1, 2, 3, 4], "kiosk": [3, 5, 99], "phone-a": [6]}
    links = [IdentifierLink(record=key(n), identifier=device(value)) for value, ns in held.items() for n in ns]
    links.append(IdentifierLink(record=key(1), identifier=Identifier(IdentifierKind.EMAIL, "a@example.com")))
    store.write(GraphBatch(records=tuple(records), links=tuple(links)))
    entities = (
        profile("p1", 1, 2),
        profile("p2", 3),
        profile("p3", 4),
        profile("p4", 5),
        profile("p5", 6),
        Entity(id="o1", kind=EntityKind.ORGANIZATION, members=(key(99),), created_at=T0),
        profile("p6"),  # an entity without members
    )
    store.write_resolution(Resolution(entities=entities))
    return store


def test_entity_pages_walk_one_kind_in_id_order(graph: GraphStore) -> None:
    first = graph.entity_page(EntityKind.PROFILE, limit=4)
    assert [e.id for e in first] == ["p1", "p2", "p3", "p4"]
    assert first[0].members == (key(1), key(2)) and first[0].traits == {"n": "p1"}
    rest = graph.entity_page(EntityKind.PROFILE, after="p4", limit=4)
    assert [e.id for e in rest] == ["p5", "p6"]
    assert rest[1].members == ()
    assert graph.entity_page(EntityKind.PROFILE, after="p6") == []
    assert [e.id for e in graph.entity_page(EntityKind.ORGANIZATION)] == ["o1"]
    assert graph.count_entities(EntityKind.PROFILE) == 6
    assert graph.count_entities(EntityKind.ORGANIZATION) == 1


def test_get_entities_by_id_and_by_alias(graph: GraphStore) -> None:
    # p2 absorbs p3: p3 becomes an alias of p2.
    graph.write_resolution(Resolution(entities=(profile("p2", 3, 4),), retired=("p3",), aliases={"p3": "p2"}))
    found = graph.get_entities(["p1", "p3", "nope", "o1", "p1"])
    assert set(found) == {"p1", "p3", "o1"}
    assert found["p3"].id == "p2" and found["p3"].members == (key(3), key(4))
    assert found["o1"].kind is EntityKind.ORGANIZATION
    assert found["p1"] == graph.get_entity("p1")
    assert graph.get_entities([]) == {}


def test_shared_identifiers_count_distinct_entities_of_one_kind(graph: GraphStore) -> None:
    shared = graph.shared_identifiers(DEVICE, min_entities=2)
    assert shared == [
        SharedIdentifier(device("tablet"), 3, ("p1", "p2", "p3")),
        SharedIdentifier(device("kiosk"), 2, ("p2", "p4")),
    ]
    assert graph.shared_identifiers(DEVICE, min_entities=3) == [shared[0]]
    assert graph.shared_identifiers(DEVICE, min_entities=4) == []
    assert graph.shared_identifiers(IdentifierKind.EMAIL, min_entities=1) == [
        SharedIdentifier(Identifier(IdentifierKind.EMAIL, "a@example.com"), 1, ("p1",))
    ]
    organisations = graph.shared_identifiers(DEVICE, min_entities=1, entity_kind=EntityKind.ORGANIZATION)
    assert organisations == [SharedIdentifier(device("kiosk"), 1, ("o1",))]


def test_shared_identifiers_cap_identifiers_and_ids(graph: GraphStore) -> None:
    capped = graph.shared_identifiers(DEVICE, min_entities=1, limit=2, ids_per_identifier=2)
    assert capped == [
        SharedIdentifier(device("tablet"), 3, ("p1", "p2")),
        SharedIdentifier(device("kiosk"), 2, ("p2", "p4")),
    ]
    counted_only = graph.shared_identifiers(DEVICE, min_entities=1, ids_per_identifier=0)
    assert [(s.identifier.value, s.entity_count, s.entity_ids) for s in counted_only] == [
        ("tablet", 3, ()),
        ("kiosk", 2, ()),
        ("phone-a", 1, ()),
    ]
