"""The GraphStore bulk link read (`link_columns`): the same links as `iter_links`, as integer columns."""

from __future__ import annotations

from graph import (
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    LinkColumns,
    Record,
    RecordKey,
    RecordKind,
)
from graph.link_columns import link_columns_of

PERSONS = (RecordKind.CUSTOMER, RecordKind.CONTACT)
EMAIL = Identifier(IdentifierKind.EMAIL, "ann@example.com")
PHONE = Identifier(IdentifierKind.PHONE, "+4799999999")
LOYALTY = Identifier(IdentifierKind.ACCOUNT, "L-9", "loyalty")
CRM = Identifier(IdentifierKind.ACCOUNT, "L-9", "crm")  # same value, other system: another identifier
DOMAIN = Identifier(IdentifierKind.DOMAIN, "acme.com")


def record(kind: RecordKind, source: str, source_id: str) -> Record:
    return Record(kind=kind, key=RecordKey(source, source_id), properties={})


def graph() -> GraphBatch:
    records = (
        record(RecordKind.CUSTOMER, "crm", "2"),
        record(RecordKind.CUSTOMER, "crm", "1"),
        record(RecordKind.CONTACT, "b2b", "c1"),
        record(RecordKind.CUSTOMER, "web", "no-links"),
        record(RecordKind.COMPANY, "b2b", "acme"),
    )
    held = [
        (RecordKey("crm", "1"), EMAIL),
        (RecordKey("crm", "1"), PHONE),
        (RecordKey("crm", "1"), LOYALTY),
        (RecordKey("crm", "2"), PHONE),
        (RecordKey("crm", "2"), CRM),
        (RecordKey("b2b", "c1"), EMAIL),
        (RecordKey("b2b", "acme"), DOMAIN),
    ]
    return GraphBatch(records=records, links=tuple(IdentifierLink(record=k, identifier=i) for k, i in held))


def check_columns(columns: LinkColumns) -> None:
    """Numbers index their lists, and each identifier is listed once."""
    assert len(columns.record) == len(columns.identifier) == len(columns)
    assert all(0 <= r < len(columns.records) for r in columns.record)
    assert all(0 <= i < len(columns.identifiers) for i in columns.identifier)
    assert len(set(columns.identifiers)) == len(columns.identifiers)
    assert sorted(set(columns.identifier)) == list(range(len(columns.identifiers)))  # only linked identifiers


def test_link_columns_hold_the_links_of_iter_links(store: GraphStore) -> None:
    store.write(graph())
    columns = store.link_columns(PERSONS)
    check_columns(columns)
    # Every record of the kinds, linked or not, in key order.
    assert columns.records == [
        RecordKey("b2b", "c1"),
        RecordKey("crm", "1"),
        RecordKey("crm", "2"),
        RecordKey("web", "no-links"),
    ]
    assert columns.pairs() == sorted(store.iter_links(PERSONS))
    assert LOYALTY in columns.identifiers and CRM in columns.identifiers
    assert DOMAIN not in columns.identifiers


def test_link_columns_keep_only_the_identifier_kinds_asked(store: GraphStore) -> None:
    store.write(graph())
    columns = store.link_columns(PERSONS, {IdentifierKind.PHONE, IdentifierKind.ACCOUNT})
    check_columns(columns)
    assert columns.pairs() == sorted(
        (k, i) for k, i in store.iter_links(PERSONS) if i.kind in {IdentifierKind.PHONE, IdentifierKind.ACCOUNT}
    )
    assert len(columns.records) == 4  # records stay whether or not a link of those kinds is left
    none = store.link_columns(PERSONS, set())
    assert len(none) == 0 and none.identifiers == [] and len(none.records) == 4


def test_link_columns_of_other_kinds_and_of_an_empty_store(store: GraphStore) -> None:
    assert store.link_columns(PERSONS).records == []
    store.write(graph())
    companies = store.link_columns([RecordKind.COMPANY])
    assert companies.records == [RecordKey("b2b", "acme")]
    assert companies.pairs() == [(RecordKey("b2b", "acme"), DOMAIN)]
    assert store.link_columns([]).records == []


def test_link_columns_follow_rewrites_of_links(store: GraphStore) -> None:
    store.write(graph())
    store.write(
        GraphBatch(
            records=(record(RecordKind.CUSTOMER, "web", "no-links"),),
            links=(IdentifierLink(record=RecordKey("web", "no-links"), identifier=EMAIL),),
        )
    )
    columns = store.link_columns(PERSONS)
    check_columns(columns)
    assert columns.pairs() == sorted(store.iter_links(PERSONS))
    assert (RecordKey("web", "no-links"), EMAIL) in columns.pairs()


def test_link_columns_of_pairs() -> None:
    keys = [RecordKey("a", "1"), RecordKey("a", "2")]
    columns = link_columns_of(keys, [(keys[1], PHONE), (keys[0], PHONE), (keys[0], EMAIL)])
    check_columns(columns)
    assert columns.identifiers == [PHONE, EMAIL]
    assert list(columns.record) == [1, 0, 0] and list(columns.identifier) == [0, 0, 1]
    assert columns.pairs() == sorted([(keys[1], PHONE), (keys[0], PHONE), (keys[0], EMAIL)])
