"""Contract of GraphStore.entities_holding: the entities that records of some kinds holding an identifier resolve
to, in ID order; the same answer as records_with + get_records + entity_ids_of + get_entities."""

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
    Resolution,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SHARED = Identifier(IdentifierKind.EMAIL, "shared@example.com")
ACCOUNT = Identifier(IdentifierKind.ACCOUNT, "U1", "eshop")
OTHER_SYSTEM = Identifier(IdentifierKind.ACCOUNT, "U1", "crm")


def key(n: int) -> RecordKey:
    return RecordKey("src", f"r{n}")


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    """r1 (p2) and r2 (p1) are customers, r3 a contact (p2), r4 an unresolved customer, r9 a company (o1); all hold
    SHARED. r1 also holds the eshop account U1, r2 the crm account U1."""
    records = [
        Record(kind=RecordKind.CUSTOMER, key=key(1), properties={"n": 1}),
        Record(kind=RecordKind.CUSTOMER, key=key(2)),
        Record(kind=RecordKind.CONTACT, key=key(3)),
        Record(kind=RecordKind.CUSTOMER, key=key(4)),
        Record(kind=RecordKind.COMPANY, key=key(9)),
    ]
    links = [IdentifierLink(record=key(n), identifier=SHARED) for n in (1, 2, 3, 4, 9)]
    links += [IdentifierLink(record=key(1), identifier=ACCOUNT), IdentifierLink(record=key(2), identifier=OTHER_SYSTEM)]
    store.write(GraphBatch(records=tuple(records), links=tuple(links)))
    entities = (
        Entity(id="p1", kind=EntityKind.PROFILE, traits={"name": "one"}, members=(key(2),), created_at=T0),
        Entity(id="p2", kind=EntityKind.PROFILE, members=(key(1), key(3)), created_at=T0),
        Entity(id="o1", kind=EntityKind.ORGANIZATION, members=(key(9),), created_at=T0),
    )
    store.write_resolution(Resolution(entities=entities))
    return store


def _composed(store: GraphStore, identifier: Identifier, kinds: frozenset[RecordKind]) -> list[Entity]:
    """The same answer from the four older reads."""
    holders = store.records_with(identifier)
    records = store.get_records(holders)
    held = [k for k in holders if k in records and records[k].kind in kinds]
    ids = sorted(set(store.entity_ids_of(held).values()))
    found = store.get_entities(ids)
    return [found[i] for i in ids if i in found]


def test_the_entities_of_the_holders_of_the_kinds_asked_for_in_id_order(graph: GraphStore) -> None:
    people = graph.entities_holding(SHARED, PERSON_KINDS)
    assert [e.id for e in people] == ["p1", "p2"]  # each once, though p2 has two holders; r4 is not resolved
    assert people[0].traits == {"name": "one"} and people[0].members == (key(2),)
    assert people[1].members == (key(1), key(3))
    assert [e.id for e in graph.entities_holding(SHARED, {RecordKind.COMPANY})] == ["o1"]
    assert [e.id for e in graph.entities_holding(SHARED, {RecordKind.CONTACT})] == ["p2"]
    for kinds in (PERSON_KINDS, frozenset({RecordKind.COMPANY}), frozenset(RecordKind)):
        assert graph.entities_holding(SHARED, kinds) == _composed(graph, SHARED, kinds)


def test_accounts_match_on_their_system_and_unknown_identifiers_hold_nothing(graph: GraphStore) -> None:
    assert [e.id for e in graph.entities_holding(ACCOUNT, PERSON_KINDS)] == ["p2"]
    assert [e.id for e in graph.entities_holding(OTHER_SYSTEM, PERSON_KINDS)] == ["p1"]
    assert graph.entities_holding(Identifier(IdentifierKind.EMAIL, "nobody@example.com"), PERSON_KINDS) == []
    assert graph.entities_holding(SHARED, ()) == []


def test_a_merge_moves_the_holders_to_the_survivor(graph: GraphStore) -> None:
    merged = Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1), key(2), key(3)), created_at=T0)
    graph.write_resolution(Resolution(entities=(merged,), aliases={"p2": "p1"}, retired=("p2",)))
    assert [e.id for e in graph.entities_holding(SHARED, PERSON_KINDS)] == ["p1"]
    assert graph.entities_holding(SHARED, PERSON_KINDS) == _composed(graph, SHARED, PERSON_KINDS)
