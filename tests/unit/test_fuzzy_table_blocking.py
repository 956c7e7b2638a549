"""Blocked pairs from a PersonTable's codes: the same pairs and families as from the key strings, or None."""

from __future__ import annotations

import numpy as np
import pytest

from graph import RecordKey
from resolver.fuzzy import PersonFeatures, PersonTable, blocked_pairs, person_blocking_keys
from resolver.fuzzy import table_blocking as tb
from resolver.fuzzy.blocking import BlockedPairs, person_training_keys
from resolver.matching import PrefixedKeys, _person_keys
from tests.unit.test_fuzzy_model import synthetic_people


def _same(found: BlockedPairs | None, expected: BlockedPairs) -> None:
    assert found is not None
    assert found.names == expected.names
    for column in ("a", "b", "families"):
        assert np.array_equal(getattr(found, column), getattr(expected, column)), column


def _person(i: int, **values: object) -> PersonFeatures:
    fields: dict[str, object] = {"given": "ann", "family": "lee", "birth_date": 19800101, **values}
    return PersonFeatures(key=RecordKey("s", f"{i:03d}"), **fields)  # type: ignore[arg-type]


# Records made to share keys of every family, with parts that equal each other across records and within one.
_CRAFTED = [
    _person(0, postcode="100", city="rome", email="anna.lee@x.org", email_local="annalee", phone="+1555"),
    _person(1, postcode="100", city="rome", email="al@x.org", phone="+1555"),
    _person(2, given="lee", family="ann", postcode="100", email="al@x.org", email_local="al"),
    _person(3, given="lee", family="lee", birth_date=19800101, postcode="200", city="rome"),
    _person(4, given="j", family="lee", birth_date=19811231, postcode="200", email_local="annalee"),
    _person(5, given="ann", family="", birth_date=0, postcode="200", city="rome", phone="+1555"),
    _person(6, given="lee", family="jo", birth_date=19800101, email="anna.lee@x.org", email_local="annalee"),
]


@pytest.mark.parametrize("training", [False, True])
def test_same_pairs_as_the_key_strings(training: bool) -> None:
    features, _ = synthetic_people(1500, seed=5)
    keys = person_training_keys if training else person_blocking_keys
    for group in (features, _CRAFTED):
        expected = blocked_pairs([keys(f) for f in group], 100)
        _same(tb.table_blocked_pairs(PersonTable(group), 100, training=training), expected)
        small = blocked_pairs([keys(f) for f in group], 3)  # the size cap applies alike
        _same(tb.table_blocked_pairs(PersonTable(group), 3, training=training), small)


def test_keys_numbered_densely_when_large(monkeypatch: pytest.MonkeyPatch) -> None:
    features, _ = synthetic_people(400, seed=2)
    monkeypatch.setattr(tb, "_NUMBERS_FIT", 1)
    expected = blocked_pairs([person_blocking_keys(f) for f in features], 100)
    _same(tb.table_blocked_pairs(PersonTable(features), 100), expected)


def test_no_keys_no_pairs() -> None:
    lone = [_person(0, birth_date=0, given="a", family=""), _person(1, birth_date=0, given="b", family="")]
    found = tb.table_blocked_pairs(PersonTable(lone), 100)
    _same(found, blocked_pairs([person_blocking_keys(f) for f in lone], 100))


@pytest.mark.parametrize(
    "odd",
    [{"city": "a|b"}, {"postcode": "1|2"}, {"email": "no-at-sign"}, {"email_local": "al@x.org"}, {"birth_date": -1}],
)
def test_values_that_could_make_equal_strings_leave_it_to_the_strings(odd: dict[str, object]) -> None:
    assert tb.table_blocked_pairs(PersonTable([*_CRAFTED, _person(9, **odd)]), 100) is None


def test_person_keys_for_the_index_made_as_read() -> None:
    held: dict[RecordKey, PersonFeatures | None] = {_CRAFTED[0].key: _CRAFTED[0], RecordKey("s", "x"): None}
    prefixed = PrefixedKeys(held, "p|", _person_keys)
    expected = {_CRAFTED[0].key: ["p|" + k for k in person_blocking_keys(_CRAFTED[0])], RecordKey("s", "x"): []}
    assert dict(prefixed.items()) == expected == {k: prefixed[k] for k in prefixed}
    assert len(prefixed) == 2 and list(prefixed) == list(held)
