"""PersonFeatures.from_properties: the values from_record takes, in an instance equal to one its __init__ makes."""

from __future__ import annotations

from dataclasses import fields

import pytest
from pydantic import JsonValue

from graph import Record, RecordKey, RecordKind
from resolver.fuzzy import PersonFeatures

KEY = RecordKey("crm", "1")
CASES: list[dict[str, JsonValue]] = [
    {
        "first_name": " Ann ",
        "last_name": "Smith",
        "birth_date": "1980-02-03",
        "gender": "F",
        "email": " Ann.Smith1984+x@Example.com ",
        "phone": " +47 999 99 999 ",
        "postcode": "sw1a 1aa",
        "city": "New York City",
        "street": "1 Main Street",
    },
    {"full_name": "Smith, John", "email": "jsmith@example.com"},  # a local part made of the name: not distinctive
    {"first_name": "Smith", "last_name": "Ann"},  # name key in sorted order
    {"first_name": "Li", "last_name": "Li", "postcode": "12345-6789"},  # equal parts
    {"last_name": "Wang"},
    {"first_name": 7, "last_name": "Smith", "birth_date": 1980, "gender": None, "email": 3, "phone": ["1"]},
    {"first_name": "Ann", "city": {"x": 1}, "postcode": 12, "street": 5},
    {"email": "a@b.com"},  # no name: no features
    {"first_name": "test", "last_name": "unknown"},  # placeholder name: no features
]


def _by_init(f: PersonFeatures) -> PersonFeatures:
    values = {field.name: getattr(f, field.name) for field in fields(PersonFeatures) if field.init}
    return PersonFeatures(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("properties", CASES)
def test_from_properties_makes_what_init_makes(properties: dict[str, JsonValue]) -> None:
    made = PersonFeatures.from_properties(KEY, properties)
    assert made == PersonFeatures.from_record(Record(kind=RecordKind.CUSTOMER, key=KEY, properties=properties))
    if made is None:
        return
    again = _by_init(made)
    assert made == again and hash(made) == hash(again) and repr(made) == repr(again)
    assert made.name_key == again.name_key
    assert all(getattr(made, field.name) == getattr(again, field.name) for field in fields(PersonFeatures))


def test_from_properties_normalises_each_value() -> None:
    made = PersonFeatures.from_properties(KEY, CASES[0])
    assert made is not None
    assert (made.given, made.family, made.name_key) == ("ann", "smith", "ann smith")
    assert (made.birth_date, made.gender) == (19800203, "f")
    assert (made.email, made.email_local) == ("ann.smith1984+x@example.com", "annsmith1984")
    assert (made.phone, made.postcode, made.city, made.street) == ("+4799999999", "SW1A1AA", "newyork", "1 main st")


def test_values_that_are_not_text_count_as_missing() -> None:
    made = PersonFeatures.from_properties(KEY, CASES[5])
    assert made is not None
    assert (made.given, made.family, made.birth_date, made.gender, made.email, made.phone) == (
        "",
        "smith",
        0,
        "",
        "",
        "",
    )


def test_from_properties_is_frozen() -> None:
    made = PersonFeatures.from_properties(KEY, CASES[0])
    with pytest.raises(AttributeError):
        made.given = "x"  # type: ignore[misc, union-attr]
