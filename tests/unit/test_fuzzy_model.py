"""The Fellegi-Sunter model on synthetic people with known matches: EM estimates, term frequencies, JSON round trip,
order independence, and the links it makes."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import pytest

from graph import Record, RecordKey, RecordKind
from resolver.fuzzy import (
    FSModel,
    FuzzySettings,
    PersonFeatures,
    PersonField,
    estimate_model,
    explain_pair,
    fuzzy_links,
    score_pair,
)

_FIRST = [
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david", "barbara", "richard",
    "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen", "daniel", "nancy", "matthew", "lisa",
    "anthony", "betty", "mark", "sandra", "steven", "ashley", "paul", "donna", "andrew", "emily", "joshua", "carol",
]  # fmt: skip
_NICK = {"james": "jim", "robert": "bob", "michael": "mike", "richard": "rick", "joseph": "joe", "thomas": "tom"}
_SYLLABLES = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "hu"]
_HAN_FAMILY = "王李张刘陈杨黄赵吴周徐孙马胡"
_HAN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def synthetic_people(entities: int, seed: int = 1) -> tuple[list[PersonFeatures], list[str]]:
    """Person records of `entities` people (1-3 records each) with the usual damage, and each record's person."""
    rng = random.Random(seed)
    families = [_word(rng, 3) for _ in range(max(50, entities // 3))]
    records: list[PersonFeatures] = []
    truth: list[str] = []
    for e in range(entities):
        chinese = rng.random() < 0.4
        if chinese:
            family_han, given_han = rng.choice(_HAN_FAMILY), "".join(rng.choices(_HAN_GIVEN, k=rng.choice((1, 2))))
        first, last = rng.choice(_FIRST + [_word(rng, 2) for _ in range(3)]), rng.choice(families)
        dob = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        postcode, street = f"{rng.randint(10000, 99999)}", f"{rng.randint(1, 999)} {_word(rng, 3)} st"
        email_local, phone = f"{_word(rng, 3)}{rng.randint(10, 9999)}", f"+1{rng.randint(2000000000, 9999999999)}"
        for r in range(rng.choice((1, 1, 2, 2, 3))):
            props: dict[str, object] = {}
            if chinese:
                from pypinyin import lazy_pinyin

                if rng.random() < 0.5:
                    props["full_name"] = family_han + given_han
                else:
                    given, family = "".join(lazy_pinyin(given_han)).capitalize(), lazy_pinyin(family_han)[0].title()
                    props["full_name"] = f"{given} {family}" if rng.random() < 0.7 else f"{family} {given}"
            else:
                given = _NICK.get(first, first) if rng.random() < 0.15 else first
                given = _typo(given, rng) if rng.random() < 0.05 else given
                props["first_name"], props["last_name"] = given, last
            if rng.random() < 0.7:
                props["birth_date"] = dob
            if rng.random() < 0.6:
                props["postcode"], props["street"] = postcode, street
            if rng.random() < 0.5:
                props["email"] = f"{email_local}@{rng.choice(('gmail.com', 'qq.com', 'yahoo.com'))}"
            if rng.random() < 0.5:
                props["phone"] = phone
            record = Record(kind=RecordKind.CUSTOMER, key=RecordKey("src", f"{e}-{r}"), properties=props)
            features = PersonFeatures.from_record(record)
            assert features is not None
            records.append(features)
            truth.append(f"P{e}")
    return records, truth


@pytest.fixture(scope="module")
def people() -> tuple[list[PersonFeatures], list[str]]:
    return synthetic_people(2500)


@pytest.fixture(scope="module")
def model(people: tuple[list[PersonFeatures], list[str]]) -> FSModel:
    return estimate_model(people[0])


def _level(model: FSModel, field: PersonField, name: str) -> tuple[float, float]:
    found = model.field(field)
    assert found is not None
    level = found.level(name)
    return level.m, level.u


def test_em_learns_that_agreement_is_common_among_matches_and_rare_among_others(model: FSModel) -> None:
    m, u = _level(model, PersonField.NAME, "exact")
    assert m > 0.6
    assert u < 0.01
    m, u = _level(model, PersonField.BIRTH_DATE, "exact")
    assert m > 0.8
    assert u < 0.001
    m, u = _level(model, PersonField.BIRTH_DATE, "else")
    assert m < 0.1
    assert u > 0.9
    assert 0 < model.prior < 0.01
    assert {s.family for s in model.sessions} >= {"em", "ph", "nm"}


def _pairwise(links: Sequence[tuple[int, int]], truth: list[str]) -> tuple[float, float]:
    found = {(min(a, b), max(a, b)) for a, b in links}
    right = sum(truth[a] == truth[b] for a, b in found)
    by_entity: dict[str, int] = {}
    for entity in truth:
        by_entity[entity] = by_entity.get(entity, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_entity.values())
    return right / max(len(found), 1), right / true_pairs


def test_links_are_precise(people: tuple[list[PersonFeatures], list[str]], model: FSModel) -> None:
    features, truth = people
    links = fuzzy_links(features, model)
    precision, recall = _pairwise([(link.index_a, link.index_b) for link in links], truth)
    assert precision >= 0.99
    assert recall >= 0.5
    assert all(link.score >= FuzzySettings().threshold for link in links)
    assert all(link.key_a < link.key_b and link.rule.startswith("fs:name=") for link in links)


def test_model_round_trips_through_json(people: tuple[list[PersonFeatures], list[str]], model: FSModel) -> None:
    stored = FSModel.model_validate_json(model.model_dump_json())
    assert stored == model
    features = people[0]
    assert fuzzy_links(features, stored) == fuzzy_links(features, model)


def test_results_do_not_depend_on_input_order(people: tuple[list[PersonFeatures], list[str]], model: FSModel) -> None:
    features = people[0][:1500]
    shuffled = features[:]
    random.Random(5).shuffle(shuffled)
    assert estimate_model(shuffled).model_dump_json() == estimate_model(features).model_dump_json()

    def as_keys(items: Sequence[PersonFeatures]) -> list[tuple[RecordKey, RecordKey, float, str]]:
        return [(link.key_a, link.key_b, link.score, link.rule) for link in fuzzy_links(items, model)]

    assert as_keys(shuffled) == as_keys(features)


def test_score_pair_agrees_with_fuzzy_links(people: tuple[list[PersonFeatures], list[str]], model: FSModel) -> None:
    features = people[0]
    for link in fuzzy_links(features, model)[:20]:
        score = score_pair(features[link.index_a], features[link.index_b], model)
        assert score.probability == pytest.approx(link.score)
        assert score.rule == link.rule
        evidence = explain_pair(features[link.index_a], features[link.index_b], model)
        assert sum(e.weight for e in evidence) + score.prior_weight == pytest.approx(score.weight)
        assert [e.field for e in evidence] == list(PersonField)


def _twins(name: str, count: int, key: str) -> list[PersonFeatures]:
    given, family = name.split()
    return [
        PersonFeatures(key=RecordKey("s", f"{key}{i}"), given=given, family=family, birth_date=19800101 + i)
        for i in range(count)
    ]


def test_common_names_weigh_less_than_rare_ones() -> None:
    features, _ = synthetic_people(1500, seed=3)
    features += _twins("wei wang", 60, "w")  # sixty different people called Wang Wei
    features += _twins("xiaoqi ouyang", 2, "o")
    model = estimate_model(features)
    common_a = PersonFeatures(key=RecordKey("x", "1"), given="wei", family="wang", birth_date=19900505)
    common_b = PersonFeatures(key=RecordKey("x", "2"), given="wei", family="wang", birth_date=19900505)
    rare_a = PersonFeatures(key=RecordKey("x", "3"), given="xiaoqi", family="ouyang", birth_date=19900505)
    rare_b = PersonFeatures(key=RecordKey("x", "4"), given="xiaoqi", family="ouyang", birth_date=19900505)
    common = score_pair(common_a, common_b, model)
    rare = score_pair(rare_a, rare_b, model)
    assert common.fields[0].level == rare.fields[0].level == "exact"
    assert common.fields[0].weight < rare.fields[0].weight - 3
    assert common.probability < rare.probability


def test_fixed_weights_are_kept() -> None:
    features, _ = synthetic_people(300, seed=4)
    settings = FuzzySettings.model_validate({"fixed": {"gender": {"mismatch": {"m": 0.01, "u": 0.5}}}})
    model = estimate_model(features, settings)
    assert _level(model, PersonField.GENDER, "mismatch") == (0.01, 0.5)


def test_settings_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match="extra"):
        FuzzySettings.model_validate({"treshold": 0.9})
    with pytest.raises(ValueError, match="name"):
        FuzzySettings(fields=(PersonField.BIRTH_DATE,))


def test_no_links_when_disabled_or_alone(people: tuple[list[PersonFeatures], list[str]], model: FSModel) -> None:
    assert fuzzy_links(people[0], model, FuzzySettings(enabled=False)) == []
    assert fuzzy_links(people[0][:1], model) == []
    assert list(itertools.islice(fuzzy_links(people[0][:50], model), 0)) == []
