"""Contract tests of the store's B2B reads: batched neighbours, and organisations found by company name or domain."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import (
    Direction,
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
)
from graph.sqlite import SqliteGraphStore
from graph.sqlite.migrations import MIGRATIONS, _statements

NOW = datetime(2025, 1, 1, tzinfo=UTC)
ACME = RecordKey("crm", "acme")
ACME_LEAD = RecordKey("ma", "company:acme.io")
HUAXIN = RecordKey("crm", "huaxin")
GLOBEX = RecordKey("crm", "globex")
LOOSE = RecordKey("crm", "loose")  # a company record not resolved to any organisation
ANN = RecordKey("crm", "ann")
BOB = RecordKey("crm", "bob")
DEAL = RecordKey("crm", "deal-1")

COMPANIES = {
    ACME: {"name": "Acme Analytics Inc.", "domains": ["acme.io", "acme-corp.com"]},
    ACME_LEAD: {"domain": "acme.io", "derived_from": "contact"},
    HUAXIN: {"name": "上海华欣信息技术有限公司", "domains": ["huaxin.com.cn"]},
    GLOBEX: {"name": "Globex Corporation", "domains": ["globex.com"]},
    LOOSE: {"name": "Acme Loose Ends LLC"},
}
ORGS = {"o-1": (ACME, ACME_LEAD), "o-2": (HUAXIN,), "o-3": (GLOBEX,)}


def _load(store: GraphStore) -> None:
    records = [Record(kind=RecordKind.COMPANY, key=key, properties=props) for key, props in COMPANIES.items()]
    records += [Record(kind=RecordKind.CONTACT, key=k, properties={"first_name": k.source_id}) for k in (ANN, BOB)]
    records.append(Record(kind=RecordKind.OPPORTUNITY, key=DEAL, properties={"name": "Acme - Pilot"}))
    relations = (
        Relation(type=RelType.WORKS_AT, start=ANN, end=ACME, properties={"title": "CFO"}),
        Relation(type=RelType.WORKS_AT, start=BOB, end=ACME, properties={"title": "Engineer"}),
        Relation(type=RelType.WORKS_AT, start=BOB, end=GLOBEX, properties={}),
        Relation(type=RelType.FOR, start=DEAL, end=ACME),
        Relation(type=RelType.ON_OPPORTUNITY, start=ANN, end=DEAL, properties={"role": "Economic Buyer"}),
        Relation(type=RelType.SUBSIDIARY_OF, start=HUAXIN, end=ACME),
    )
    store.write(GraphBatch(records=tuple(records), relations=relations))
    entities = tuple(
        Entity(id=entity_id, kind=EntityKind.ORGANIZATION, members=members, created_at=NOW)
        for entity_id, members in ORGS.items()
    )
    store.write_resolution(Resolution(entities=entities))


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    _load(store)
    return store


# neighbours_of


def test_neighbours_of_many_records_equals_neighbours_of_each(loaded: GraphStore) -> None:
    keys = [ACME, GLOBEX, HUAXIN, LOOSE, RecordKey("crm", "nobody")]
    for rel, direction in [(RelType.WORKS_AT, Direction.IN), (RelType.SUBSIDIARY_OF, Direction.OUT)]:
        batched = loaded.neighbours_of(keys, rel, direction)
        one_by_one = {key: loaded.neighbours(key, rel, direction) for key in keys}
        assert batched == {key: found for key, found in one_by_one.items() if found}


def test_neighbours_of_carries_records_and_relation_properties(loaded: GraphStore) -> None:
    contacts = loaded.neighbours_of([ACME, ACME], RelType.WORKS_AT, Direction.IN)
    assert list(contacts) == [ACME]
    assert [(n.record.key, n.record.kind, n.properties) for n in contacts[ACME]] == [
        (ANN, RecordKind.CONTACT, {"title": "CFO"}),
        (BOB, RecordKind.CONTACT, {"title": "Engineer"}),
    ]
    roles = loaded.neighbours_of([DEAL], RelType.ON_OPPORTUNITY, Direction.IN)
    assert [(n.record.key, n.properties) for n in roles[DEAL]] == [(ANN, {"role": "Economic Buyer"})]
    assert loaded.neighbours_of([BOB], RelType.WORKS_AT) == {
        BOB: loaded.neighbours(BOB, RelType.WORKS_AT),
    }
    assert loaded.neighbours_of([], RelType.FOR, Direction.IN) == {}


def test_neighbours_of_refuses_identifier_relationships(loaded: GraphStore) -> None:
    with pytest.raises(ValueError, match="HAS_EMAIL"):
        loaded.neighbours_of([ANN], RelType.HAS_EMAIL)


# search_organizations / count_organizations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme", ["o-1"]),  # a name, case-insensitively (the unresolved Acme record is not an organisation)
        ("ANALYTICS INC", ["o-1"]),
        ("acme-corp.com", ["o-1"]),  # a domain
        ("RP", ["o-1", "o-3"]),  # short text: acme-corp.com, Globex Corporation
        ("华欣", ["o-2"]),  # a two-character Chinese brand
        ("华欣信息技术", ["o-2"]),
        (".com", ["o-1", "o-2", "o-3"]),
        ('"', []),
        ("%", []),
        ("nothing like it", []),
    ],
)
def test_search_finds_organisations_by_name_or_domain(loaded: GraphStore, text: str, expected: list[str]) -> None:
    assert loaded.search_organizations(text) == expected
    assert loaded.count_organizations(text) == len(expected)


def test_search_pages_in_id_order(loaded: GraphStore) -> None:
    assert loaded.search_organizations(".com", limit=2) == ["o-1", "o-2"]
    assert loaded.search_organizations(".com", after="o-2", limit=2) == ["o-3"]
    assert loaded.search_organizations(".com", after="o-3") == []
    assert loaded.search_organizations(".com", limit=0) == []


def test_search_follows_renames_and_new_records(loaded: GraphStore) -> None:
    renamed = Record(kind=RecordKind.COMPANY, key=GLOBEX, properties={"name": "Initech LLC", "domains": ["initech.io"]})
    loaded.write(GraphBatch(records=(renamed,)))
    assert loaded.search_organizations("globex") == []
    assert loaded.search_organizations("initech") == ["o-3"]
    extra = RecordKey("erp", "hx-2")
    loaded.write(GraphBatch(records=(Record(kind=RecordKind.COMPANY, key=extra, properties={"name": "Huaxin Group"}),)))
    members = (HUAXIN, extra)
    loaded.write_resolution(
        Resolution(entities=(Entity(id="o-2", kind=EntityKind.ORGANIZATION, members=members, created_at=NOW),))
    )
    assert loaded.search_organizations("huaxin group") == ["o-2"]
    assert loaded.count_organizations("huaxin") == 1  # two records, one organisation


def test_people_are_not_organisations(loaded: GraphStore) -> None:
    person = Record(kind=RecordKind.CUSTOMER, key=RecordKey("shop", "p1"), properties={"name": "Acme Fan"})
    loaded.write(GraphBatch(records=(person,)))
    entity = Entity(id="p-1", kind=EntityKind.PROFILE, members=(person.key,), created_at=NOW)
    loaded.write_resolution(Resolution(entities=(entity,)))
    assert loaded.search_organizations("acme fan") == []


def test_sqlite_migration_indexes_companies_already_stored(tmp_path: Path) -> None:
    """A store written before the search index existed gets its companies indexed when it is opened."""
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:6]:
        for statement in _statements(script):
            connection.execute(statement)
    connection.execute("PRAGMA user_version = 6")
    connection.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("graph.sqlite.migrations.MIGRATIONS", MIGRATIONS[:6])
        old = SqliteGraphStore(path)
        _load(old)
        old.close()
    store = SqliteGraphStore(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert store.search_organizations("acme") == ["o-1"]
        assert store.search_organizations("华欣") == ["o-2"]
    finally:
        store.close()
