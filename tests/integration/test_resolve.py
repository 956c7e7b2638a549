"""Batch resolution on a real SQLite store: shared identifiers make one profile, IDs stay stable."""

from __future__ import annotations

from pathlib import Path

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
    open_store,
)
from resolver import resolve


def k(n: int | str, source: str = "crm") -> RecordKey:
    return RecordKey(source, str(n))


def add(store: GraphStore, n: int, *identifiers: Identifier, kind: RecordKind = RecordKind.CUSTOMER) -> None:
    store.write(
        GraphBatch(
            records=(Record(kind=kind, key=k(n), properties={"name": f"N{n}"}),),
            links=tuple(IdentifierLink(record=k(n), identifier=i) for i in identifiers),
        )
    )


def email(v: str) -> Identifier:
    return Identifier(IdentifierKind.EMAIL, v)


@pytest.fixture
def store(tmp_path: Path) -> GraphStore:
    return open_store(f"sqlite:///{tmp_path / 'g.db'}")


def profile_of(store: GraphStore, n: int) -> Entity:
    entity = store.get_entity(store.entity_ids_of([k(n)])[k(n)])
    assert entity is not None
    return entity


def test_records_sharing_identifiers_become_one_profile(store: GraphStore) -> None:
    add(store, 1, email("a@x.com"))
    add(store, 2, email("a@x.com"), Identifier(IdentifierKind.PHONE, "+14155550100"))
    add(store, 3, Identifier(IdentifierKind.PHONE, "+14155550100"))
    add(store, 4, email("b@x.com"))
    add(store, 5)
    summary = resolve(store)
    assert (summary.profiles.records, summary.profiles.entities, summary.profiles.created) == (5, 3, 3)
    assert profile_of(store, 1).members == (k(1), k(2), k(3))
    assert profile_of(store, 1).traits["name"] == {"value": "N1", "record": "crm/1"}
    assert profile_of(store, 5).members == (k(5),)


def test_companies_resolve_to_organizations_on_shared_domains(store: GraphStore) -> None:
    acme = Identifier(IdentifierKind.DOMAIN, "acme.com")
    add(store, 10, acme, kind=RecordKind.COMPANY)
    add(store, 11, acme, kind=RecordKind.COMPANY)
    add(store, 12, acme)  # a person record holding the domain is not an organisation member
    summary = resolve(store)
    assert (summary.organizations.records, summary.organizations.entities) == (2, 1)
    assert profile_of(store, 10).kind is EntityKind.ORGANIZATION
    assert profile_of(store, 12).kind is EntityKind.PROFILE


def test_a_re_run_changes_nothing(store: GraphStore) -> None:
    add(store, 1, email("a@x.com"))
    add(store, 2, email("a@x.com"))
    resolve(store)
    before = (store.counts(), list(store.iter_entities(EntityKind.PROFILE)))
    summary = resolve(store)
    assert (store.counts(), list(store.iter_entities(EntityKind.PROFILE))) == before
    assert (summary.profiles.created, summary.profiles.merges, summary.profiles.splits) == (0, 0, 0)


def test_a_bridging_record_merges_profiles_and_the_old_id_still_resolves(store: GraphStore) -> None:
    add(store, 1, email("a@x.com"))
    resolve(store)
    add(store, 2, email("b@x.com"))
    resolve(store)
    first, second = profile_of(store, 1).id, profile_of(store, 2).id
    add(store, 3, email("a@x.com"), email("b@x.com"))
    summary = resolve(store)
    assert summary.profiles.merges == 1
    merged = profile_of(store, 3)
    assert merged.id == first  # the older profile survives
    assert store.get_entity(second) == merged
    assert merged.members == (k(1), k(2), k(3))


def test_the_same_records_give_the_same_ids_in_a_fresh_store(tmp_path: Path) -> None:
    ids = []
    for name in ("one.db", "two.db"):
        store = open_store(f"sqlite:///{tmp_path / name}")
        add(store, 1, email("a@x.com"))
        add(store, 2, email("a@x.com"))
        resolve(store)
        ids.append(profile_of(store, 1).id)
        store.close()
    assert ids[0] == ids[1]
