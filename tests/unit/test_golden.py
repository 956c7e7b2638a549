"""Survivorship: each trait by its policy, with the record it came from; consents need every record's yes."""

from __future__ import annotations

from graph import Record, RecordKey, RecordKind
from resolver.golden import golden_traits
from resolver.rules import Survivorship, SurvivorshipPolicy


def record(source: str, n: int, **properties: object) -> Record:
    return Record.model_validate(
        {"kind": RecordKind.CUSTOMER, "key": RecordKey(source, str(n)), "properties": properties}
    )


RECORDS = [
    record("crm", 1, first_name="Bill", city="Oslo", updated_at="2024-01-01T00:00:00+00:00", phone="+4711111111"),
    record("eshop", 2, first_name="William", city="Bergen", updated_at="2025-06-01T00:00:00+00:00"),
    record("pos", 3, first_name="William", city="", full_name="William H. Gates"),
    record("pos", 4, full_name="Bill Gates", email_given="B@X.COM"),
]


def policy(name: str, chosen: SurvivorshipPolicy, **extra: object) -> Survivorship:
    return Survivorship.model_validate({"default": chosen, "traits": {}, **extra})


def value_and_source(traits: dict[str, object], name: str) -> tuple[object, object]:
    trait = traits[name]
    assert isinstance(trait, dict)
    return trait["value"], trait["record"]


def test_most_frequent() -> None:
    traits = golden_traits(RECORDS, policy("first_name", SurvivorshipPolicy.MOST_FREQUENT))
    assert value_and_source(traits, "first_name") == ("William", "eshop/2")


def test_most_recent_uses_the_records_update_time() -> None:
    traits = golden_traits(RECORDS, policy("city", SurvivorshipPolicy.MOST_RECENT))
    assert value_and_source(traits, "city") == ("Bergen", "eshop/2")


def test_longest() -> None:
    traits = golden_traits(RECORDS, policy("full_name", SurvivorshipPolicy.LONGEST))
    assert value_and_source(traits, "full_name") == ("William H. Gates", "pos/3")


def test_first_non_empty_in_record_key_order() -> None:
    traits = golden_traits(RECORDS, policy("city", SurvivorshipPolicy.FIRST_NON_EMPTY))
    assert value_and_source(traits, "city") == ("Oslo", "crm/1")


def test_source_priority() -> None:
    chosen = policy("city", SurvivorshipPolicy.SOURCE_PRIORITY, source_priority=["eshop", "crm"])
    assert value_and_source(golden_traits(RECORDS, chosen), "city") == ("Bergen", "eshop/2")
    assert value_and_source(golden_traits(RECORDS, chosen), "phone") == ("+4711111111", "crm/1")


def test_per_trait_policies_and_record_bookkeeping_is_not_a_trait() -> None:
    survivorship = Survivorship(
        default=SurvivorshipPolicy.FIRST_NON_EMPTY, traits={"first_name": SurvivorshipPolicy.MOST_FREQUENT}
    )
    traits = golden_traits(RECORDS, survivorship)
    assert value_and_source(traits, "first_name") == ("William", "eshop/2")
    assert value_and_source(traits, "city") == ("Oslo", "crm/1")
    assert "email_given" not in traits
    assert "updated_at" not in traits


def test_a_consent_holds_only_when_no_record_says_otherwise() -> None:
    agreeing = [record("crm", 1, email_consent=True), record("eshop", 2, email_consent=True)]
    conflicting = [record("crm", 1, email_consent=True), record("eshop", 2, email_consent=False)]
    assert value_and_source(golden_traits(agreeing), "email_consent") == (True, "crm/1")
    assert value_and_source(golden_traits(conflicting), "email_consent") == (False, "eshop/2")


def test_most_frequent_counts_values_of_different_types_apart() -> None:
    # Text "1" and the number 1 (and True) are different values: the number's two records win.
    records = [record("a", 1, code="1"), record("a", 2, code=1), record("a", 3, code=True), record("a", 4, code=1)]
    traits = golden_traits(records, policy("code", SurvivorshipPolicy.MOST_FREQUENT))
    assert value_and_source(traits, "code") == (1, "a/2")


def test_a_survivorship_change_between_calls_is_followed() -> None:
    # The policies of the last survivorship seen are kept for speed: another one must not get them.
    first = golden_traits(RECORDS, policy("city", SurvivorshipPolicy.MOST_RECENT))
    second = golden_traits(RECORDS, policy("city", SurvivorshipPolicy.LONGEST))
    assert first["city"] == {"value": "Bergen", "record": "eshop/2", "policy": "most_recent"}
    assert second["city"] == {"value": "Bergen", "record": "eshop/2", "policy": "longest"}
    single = golden_traits(RECORDS[:1], policy("city", SurvivorshipPolicy.FIRST_NON_EMPTY))
    assert single["city"] == {"value": "Oslo", "record": "crm/1", "policy": "first_non_empty"}
