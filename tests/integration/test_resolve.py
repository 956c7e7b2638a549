"""Batch resolution on a real SQLite store: shared identifiers make one profile, IDs stay stable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import (
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
    HistoryAction,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Override,
    OverrideKind,
    Record,
    RecordKey,
    RecordKind,
    RelType,
    open_store,
)
from resolver import Rules, resolve


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
    assert profile_of(store, 1).traits["name"] == {"value": "N1", "record": "crm/1", "policy": "most_frequent"}
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


def test_a_call_centre_phone_on_a_thousand_records_leaves_a_thousand_profiles(store: GraphStore) -> None:
    call_centre = Identifier(IdentifierKind.PHONE, "+14155550000")
    records = tuple(Record(kind=RecordKind.CUSTOMER, key=k(n)) for n in range(1000))
    links = tuple(IdentifierLink(record=r.key, identifier=call_centre) for r in records)
    store.write(GraphBatch(records=records, links=links))
    summary = resolve(store)
    assert (summary.profiles.entities, summary.profiles.limited) == (1000, 1)


def test_a_blocked_value_joins_nothing(store: GraphStore) -> None:
    add(store, 1, email("test@test.com"))
    add(store, 2, email("test@test.com"))
    summary = resolve(store)
    assert (summary.profiles.entities, summary.profiles.blocked) == (2, 1)


def override(kind: OverrideKind, a: int, b: int) -> Override:
    return Override(kind=kind, a=k(a), b=k(b), reason="checked by hand", author="ops", created_at=datetime.now(UTC))


def test_overrides_win_over_rules_and_survive_re_runs(store: GraphStore) -> None:
    add(store, 1, email("a@x.com"))
    add(store, 2, email("a@x.com"))
    add(store, 3, email("c@x.com"))
    resolve(store)
    store.put_override(override(OverrideKind.NEVER_LINK, 1, 2))
    store.put_override(override(OverrideKind.ALWAYS_LINK, 1, 3))
    for _ in range(2):
        resolve(store)
        assert profile_of(store, 1).members == (k(1), k(3))
        assert profile_of(store, 2).members == (k(2),)
    store.delete_override(k(1), k(2))
    store.delete_override(k(1), k(3))
    resolve(store)
    assert profile_of(store, 1).members == (k(1), k(2))


def test_merges_and_splits_are_recorded_in_the_profile_history(store: GraphStore) -> None:
    add(store, 1, email("a@x.com"))
    add(store, 2, email("b@x.com"))
    resolve(store)
    first, second = profile_of(store, 1).id, profile_of(store, 2).id
    store.put_override(override(OverrideKind.ALWAYS_LINK, 1, 2))
    resolve(store)
    assert profile_of(store, 2).id == first
    merged_history = [(h.action, h.entity_id) for h in store.history(first)]
    # The merged-away ID's own story is part of the survivor's.
    assert merged_history == [
        (HistoryAction.CREATED, first),
        (HistoryAction.CREATED, second),
        (HistoryAction.MERGED, first),
    ]
    merged = store.history(first)[-1]
    assert (merged.others, merged.records) == ((second,), (k(2),))
    store.delete_override(k(1), k(2))
    resolve(store)
    split = store.history(first)[-1]
    assert (split.action, split.records, split.others) == (HistoryAction.SPLIT, (k(2),), (second,))
    # Record 2 gets its old ID back: derived from the same record, and no longer an alias.
    assert profile_of(store, 2).id == second


def test_on_a_split_the_part_with_the_oldest_record_keeps_the_id(store: GraphStore) -> None:
    for n, created in ((1, "2025-01-01T00:00:00+00:00"), (2, "2020-01-01T00:00:00+00:00")):
        store.write(
            GraphBatch(
                records=(Record(kind=RecordKind.CUSTOMER, key=k(n), properties={"created_at": created}),),
                links=(IdentifierLink(record=k(n), identifier=email(f"{n}@x.com")),),
            )
        )
    store.put_override(override(OverrideKind.ALWAYS_LINK, 1, 2))
    resolve(store)
    joint = profile_of(store, 1).id
    store.delete_override(k(1), k(2))
    resolve(store)
    assert profile_of(store, 2).id == joint  # record 2 is the older one
    assert profile_of(store, 1).id != joint


def test_oversized_groups_are_queued_for_review(store: GraphStore) -> None:
    for n in range(8):
        add(store, n, email(f"{n}@x.com"), email(f"{n + 1}@x.com"))
    rules = Rules.model_validate({"max_component_size": 4, "identifiers": {"email": {"max_per_profile": 100}}})
    summary = resolve(store, rules)
    assert summary.profiles.review == 1
    review = store.get_document("resolver.review.profile")
    assert review is not None
    assert review["items"][0]["records"] == 8


def person(store: GraphStore, source: str, n: str, *identifiers: Identifier, **properties: object) -> RecordKey:
    key = RecordKey(source, n)
    store.write(
        GraphBatch(
            records=(Record.model_validate({"kind": RecordKind.CUSTOMER, "key": key, "properties": properties}),),
            links=tuple(IdentifierLink(record=key, identifier=i) for i in identifiers),
        )
    )
    return key


def test_a_household_phone_joins_only_records_whose_names_agree(store: GraphStore) -> None:
    home = Identifier(IdentifierKind.PHONE, "+14155550123")
    ann = person(store, "crm", "1", home, first_name="Ann", last_name="Lee")
    bob = person(store, "crm", "2", home, first_name="Bob", last_name="Lee")
    annie = person(store, "eshop", "7", home, first_name="Ann", last_name="Lee")
    resolve(store)
    ids = store.entity_ids_of([ann, bob, annie])
    assert ids[ann] == ids[annie]
    assert ids[bob] != ids[ann]


def test_fuzzy_matching_joins_records_without_a_shared_identifier_and_explains_it(store: GraphStore) -> None:
    from resolver.explain import explain

    crm = person(store, "crm", "9", first_name="Fang", last_name="Wang", birth_date="1990-01-02", postcode="200000")
    loyalty = person(store, "loyalty", "M9", full_name="王芳", birth_date="1990-01-02", postcode="200000")
    for n in range(30):  # others, so the model has something to learn from
        person(store, "crm", f"x{n}", first_name=f"Name{n}", last_name=f"Family{n % 7}", birth_date=f"19{50 + n}-03-04")
    summary = resolve(store)
    assert summary.profiles.fuzzy_links >= 1
    assert store.entity_ids_of([crm])[crm] == store.entity_ids_of([loyalty])[loyalty]
    [link] = [r for r in store.iter_relations(RelType.SAME_AS) if {r.start, r.end} == {crm, loyalty}]
    assert float(link.properties["score"]) >= 0.995
    assert str(link.properties["rule"]).startswith("fs:")
    explanation = explain(store, crm, loyalty)
    assert explanation.joined
    assert [step.via for step in explanation.path] == ["same_as"]
    assert store.get_document("resolver.model.person") is not None


def company(store: GraphStore, n: str, name: str, domain: str | None = None, city: str | None = None) -> RecordKey:
    key = RecordKey("b2b", n)
    properties: dict[str, object] = {"name": name} | ({"city": city} if city else {})
    links = (IdentifierLink(record=key, identifier=Identifier(IdentifierKind.DOMAIN, domain)),) if domain else ()
    if domain:
        properties["domains"] = [domain]
    store.write(GraphBatch(records=(Record(kind=RecordKind.COMPANY, key=key, properties=properties),), links=links))
    return key


def test_a_name_only_company_record_does_not_join_a_parent_and_its_subsidiary(store: GraphStore) -> None:
    parent = company(store, "1", "Anderson Analytics Inc.", "andersonanalytics.com", "Boston")
    china = company(store, "2", "Anderson Analytics (China) Co., Ltd.", "andersonanalytics.cn", "上海")
    china_again = company(store, "3", "Anderson Analytics(中国)有限公司", "andersonanalytics.cn", "上海")
    webinar = company(store, "4", "Anderson Analytics Incorporated")
    resolve(store)
    ids = store.entity_ids_of([parent, china, china_again, webinar])
    assert ids[china] == ids[china_again]
    assert ids[parent] != ids[china]
