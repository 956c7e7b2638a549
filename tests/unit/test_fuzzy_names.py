"""Person names and features for fuzzy matching: scripts, orders, nicknames, romanisations, placeholders."""

from __future__ import annotations

import pytest

from graph import Record, RecordKey, RecordKind
from resolver.fuzzy import PersonFeatures, parse_name
from resolver.fuzzy.nicknames import pair_count, same_given_name
from resolver.fuzzy.person import birth_date_number, distinctive_local_part, email_local_part, normalise_city
from resolver.fuzzy.surnames import same_family_name
from resolver.fuzzy.text import fold, romanise


def _record(**properties: object) -> Record:
    return Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", "1"), properties=properties)


@pytest.mark.parametrize(
    ("first", "last", "full", "key"),
    [
        ("John", "Smith", None, "john smith"),
        (None, None, "王芳", "fang wang"),
        (None, None, "Wang Fang", "fang wang"),
        (None, None, "Fang Wang", "fang wang"),
        ("芳", "王", None, "fang wang"),
        (None, None, "欧阳娜娜", "nana ouyang"),
        (None, None, "Zhang Ling Ying", "lingying zhang"),
        ("Ling-Ying", "Zhang", None, "lingying zhang"),
        (None, None, "Mary Ann Smith", "mary smith"),
        (None, None, "Smith, John", "john smith"),
        (None, None, "Dr. José García Jr.", "garcia jose"),
        ("JOHN", "O'BRIEN", None, "john obrien"),
        ("雄信", "单", None, "shan xiongxin"),  # 单 as a surname is Shan
        (None, None, "吕小明", "lu xiaoming"),
    ],
)
def test_names_parse_to_comparable_parts(first: str | None, last: str | None, full: str | None, key: str) -> None:
    assert parse_name(first, last, full).key == key


def test_placeholder_names_are_no_names() -> None:
    assert parse_name("Unknown", "N/A", None).key == ""
    assert PersonFeatures.from_record(_record(first_name="test", email="a@b.com")) is None


def test_folding_removes_case_accents_and_punctuation() -> None:
    assert fold("  Núñez-O'Brien ") == "nunez obrien"
    assert fold("ØRSTED Łukasz") == "orsted lukasz"
    assert romanise("王芳") == "wangfang"


def test_nickname_table_is_large_and_symmetric() -> None:
    assert pair_count() >= 150
    for a, b in [("bill", "william"), ("liz", "elizabeth"), ("kate", "katherine"), ("jim", "james"), ("bob", "robert")]:
        assert same_given_name(a, b)
        assert same_given_name(b, a)
    assert same_given_name("bill", "will")  # both William
    assert not same_given_name("jim", "john")


def test_surname_romanisations() -> None:
    assert same_family_name("zhang", "cheung")
    assert same_family_name("wong", "wang")
    assert same_family_name("wong", "huang")
    assert not same_family_name("wang", "huang")  # both Wong in Cantonese, but two families


def test_features_from_a_record() -> None:
    record = _record(
        first_name="Matt",
        last_name="Gilbert",
        gender="M",
        birth_date="1988-12-01",
        email="Matthew.Gilbert3699@gmail.com",
        phone="+14042716324",
        street="2355 Alvarado Street Suite 233",
        city="Danielhaven",
        postcode="58140-1234",
    )
    features = PersonFeatures.from_record(record)
    assert features is not None
    assert (features.given, features.family, features.gender) == ("matt", "gilbert", "m")
    assert features.birth_date == 19881201
    assert features.email_local == "matthewgilbert3699"
    assert features.postcode == "58140"
    assert features.street == "2355 alvarado st ste 233"
    assert PersonFeatures.from_record(_record(email="x@y.com")) is None


def test_birth_date_placeholders_and_garbage_are_missing() -> None:
    assert birth_date_number("1900-01-01") == 0
    assert birth_date_number("not a date") == 0
    assert birth_date_number(None) == 0
    assert birth_date_number("1985-03-12") == 19850312


def test_email_local_parts() -> None:
    assert email_local_part("j.smith+news@gmail.com") == "jsmith"
    assert email_local_part("info@acme.com") == ""
    name = parse_name("Michael", "Johnson", None)
    # A work address made of the name says nothing beyond the name.
    assert distinctive_local_part("johnsonmichael", parse_name("Mike", "Johnson", None)) == ""
    assert distinctive_local_part("mjohnson", name) == ""
    assert distinctive_local_part("mjohnson1984", name) == "mjohnson1984"
    assert distinctive_local_part("122603", name) == "122603"


def test_cities_compare_across_scripts() -> None:
    assert normalise_city("上海市") == normalise_city("Shanghai") == "shanghai"
