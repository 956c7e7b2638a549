"""Person comparison levels on real oddities: scripts, orders, nicknames, typos, swapped dates, addresses."""

from __future__ import annotations

import numpy as np
import pytest

from graph import RecordKey
from resolver.fuzzy import LEVELS, PersonFeatures, PersonField, PersonTable, compare, parse_name
from resolver.fuzzy.settings import ComparisonSettings


def person(name: str = "", first: str = "", last: str = "", key: str = "a", **values: object) -> PersonFeatures:
    parsed = parse_name(first or None, last or None, name or None)
    return PersonFeatures(key=RecordKey("s", key), given=parsed.given, family=parsed.family, **values)  # type: ignore[arg-type]


def levels(a: PersonFeatures, b: PersonFeatures) -> dict[PersonField, str]:
    table = PersonTable([a, b])
    found = compare(table, np.array([0]), np.array([1]), ComparisonSettings())
    return {field: LEVELS[field][int(codes[0])] for field, codes in found.items()}


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (person("王芳"), person("Wang Fang"), "exact"),  # Chinese and pinyin
        (person("王芳"), person("Fang Wang"), "exact"),  # pinyin in either order
        (person(first="Wei", last="Zhang"), person(first="Zhang", last="Wei"), "exact"),  # transposed fields
        (person("王芳"), person("王方"), "exact"),  # a homophone typed by a pinyin input method
        (person("Bill Smith"), person("William Smith"), "nickname"),
        (person("Liz Taylor"), person("Elizabeth Taylor"), "nickname"),
        (person("Wei Zhang"), person("Wei Cheung"), "nickname"),  # another romanisation of 张
        (person("Jonathan Smith"), person("Jonathon Smith"), "close"),  # a typo
        (person("Cheng Jiang"), person("Chegn Jiang"), "close"),
        (person("Smith Jonathan"), person("Jonathon Smith"), "close"),  # typo and transposition
        (person("J Smith"), person("John Smith"), "initial"),
        (person(last="Smith"), person("John Smith"), "initial"),
        (person("Mary Smith"), person("John Smith"), "partial"),  # a household, not a person
        (person("Kevin Zhang"), person("张伟"), "partial"),
        (person("Mary Jones"), person("John Smith"), "else"),
        (person(last="Smith"), person(last="Smith"), "initial"),  # one part alone is not the whole name
    ],
)
def test_name_levels(a: PersonFeatures, b: PersonFeatures, level: str) -> None:
    assert levels(a, b)[PersonField.NAME] == level
    assert levels(b, a)[PersonField.NAME] == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (19850312, 19850312, "exact"),
        (19850312, 19851203, "close"),  # day and month swapped
        (19850312, 19850313, "close"),  # one digit
        (19850312, 19580312, "close"),  # two digits swapped
        (19850312, 19850620, "year"),
        (19850312, 19700101, "else"),
        (19850312, 0, "null"),
    ],
)
def test_birth_date_levels(a: int, b: int, level: str) -> None:
    assert levels(person("A B", birth_date=a), person("A B", birth_date=b))[PersonField.BIRTH_DATE] == level


def test_address_levels() -> None:
    home = {"street": "12 main st", "postcode": "10001", "city": "newyork"}
    same = levels(person("A B", **home), person("A B", street="12 main st apt 3", postcode="10001"))
    assert same[PersonField.ADDRESS] == "street"
    moved = levels(person("A B", **home), person("A B", street="9 elm st", postcode="10001"))
    assert moved[PersonField.ADDRESS] == "postcode"
    city = levels(person("A B", **home), person("A B", city="newyork", postcode="10002"))
    assert city[PersonField.ADDRESS] == "city"
    other = levels(person("A B", **home), person("A B", street="12 main st", postcode="94105"))
    assert other[PersonField.ADDRESS] == "else"  # the same street in another town
    assert levels(person("A B", **home), person("A B"))[PersonField.ADDRESS] == "null"


def test_email_phone_and_gender_levels() -> None:
    a = person("A B", email="jsmith1984@gmail.com", email_local="jsmith1984", phone="+8613800001234", gender="m")
    b = person("A B", email="jsmith1984@gmial.com", email_local="jsmith1984", phone="+8613800001243", gender="f")
    found = levels(a, b)
    assert found[PersonField.EMAIL] == "local"
    assert found[PersonField.PHONE] == "close"
    assert found[PersonField.GENDER] == "mismatch"
    assert levels(a, a)[PersonField.EMAIL] == "exact"


def test_compare_is_vectorised_over_many_pairs() -> None:
    people = [person(f"Name{i % 7} Family{i % 5}", key=str(i), birth_date=19800101 + i % 3) for i in range(50)]
    table = PersonTable(people)
    a, b = np.triu_indices(50, 1)
    found = compare(table, a.astype(np.int64), b.astype(np.int64), ComparisonSettings())
    assert all(len(codes) == len(a) for codes in found.values())
    one = levels(people[3], people[10])
    k = int(np.flatnonzero((a == 3) & (b == 10))[0])
    assert {f: LEVELS[f][int(found[f][k])] for f in PersonField} == one


def test_names_agree_guards_identifiers_a_household_shares() -> None:
    from resolver.fuzzy import name_level, names_agree

    assert names_agree(person("Bill Smith"), person("William Smith"))
    assert names_agree(person("王芳"), person("Fang Wang"))
    assert not names_agree(person("Mary Smith"), person("John Smith"))  # one family tablet, two people
    assert name_level(person("Mary Smith"), person("John Smith")) == "partial"


def test_public_surface() -> None:
    import resolver.fuzzy as fuzzy

    for name in fuzzy.__all__:
        assert getattr(fuzzy, name) is not None
