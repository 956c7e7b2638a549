"""The demo generator's parts: unique numbers without memory, phone styles, damage that is (or is not) repairable."""

from __future__ import annotations

import importlib
import pkgutil
import random

import ftfy
import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

import loaders.demo
from loaders.demo.messiness import garble, mojibake, to_gbk, typo
from loaders.demo.name_data import ACCENTED_FEMALE, ACCENTED_LAST, ACCENTED_MALE, GIVEN_PINYIN, HOMOPHONES
from loaders.demo.numbering import IdSequence, Permutation, is_prime, prime_at_least, prime_at_most
from loaders.demo.people import PeopleFactory
from loaders.demo.phones import CALL_CENTRE_CN, CALL_CENTRE_US, STORE_LANDLINE_CN, Country, Phone, write_phone


@given(st.integers(min_value=0, max_value=2**32))
def test_primes_are_found_on_both_sides(n: int) -> None:
    above, below = prime_at_least(n), prime_at_most(max(n, 2))
    assert is_prime(above) and above >= n
    assert is_prime(below) and below <= max(n, 2)


@given(st.integers(min_value=0, max_value=1000))
def test_a_permutation_is_a_bijection(seed: int) -> None:
    permutation = Permutation.random(random.Random(seed), 1009)
    assert sorted(permutation(i) for i in range(1009)) == list(range(1009))


def test_id_sequences_are_unique_fixed_width_and_refuse_to_overflow() -> None:
    ids = IdSequence(random.Random(1), "CUS", 10)
    drawn = [ids.next() for _ in range(1009)]  # capacity is rounded up to a prime of at least 1000
    assert len(set(drawn)) == len(drawn)
    assert len({len(i) for i in drawn}) == 1
    with pytest.raises(ValueError, match="outside"):
        ids.next()


def test_people_never_share_an_email_or_a_phone_by_accident() -> None:
    factory = PeopleFactory(5, 3000)
    emails: list[str] = []
    phones: list[str] = []
    for household in factory.households():
        for person in household:
            emails += person.emails
            phones += [p.e164 for p in person.phones]
    assert len(set(emails)) == len(emails)
    assert len(set(phones)) == len(phones)
    assert "+8613800000000" not in phones


REGIONS: list[Country] = ["CN", "US"]
PHONES = [
    Phone("CN", "13800138000"),
    Phone("CN", "18912345678"),
    Phone("US", "4155550100"),
    Phone("CN", "1062188888", landline_area="10"),
    Phone("CN", "75522259697", landline_area="755"),
    CALL_CENTRE_CN,
    STORE_LANDLINE_CN,
    CALL_CENTRE_US,
]


@pytest.mark.parametrize("phone", PHONES, ids=lambda p: p.e164)
@pytest.mark.parametrize("region", REGIONS)
def test_every_written_form_of_a_phone_parses_back_to_it_in_the_sources_region(phone: Phone, region: Country) -> None:
    rng = random.Random(0)
    forms = {write_phone(phone, rng, region) for _ in range(200)}
    assert len(forms) >= 2
    for form in forms:
        number = phonenumbers.parse(form, region)
        assert phonenumbers.is_valid_number(number), form
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone.e164, form


@pytest.mark.parametrize("name", [*ACCENTED_MALE, *ACCENTED_FEMALE, *ACCENTED_LAST, "José García"])
def test_mojibake_of_accented_names_is_repairable(name: str) -> None:
    broken = mojibake(name)
    assert broken != name
    assert ftfy.fix_text(broken) == name


@pytest.mark.parametrize("name", ["张伟", "欧阳娜娜", "José García", "Smith", "Zoë"])
def test_garbled_text_stays_garbled(name: str) -> None:
    broken = garble(name, random.Random(3))
    fixed = ftfy.fix_text(broken)
    assert "\ufffd" in fixed or "锟斤拷" in fixed


def test_typos_change_one_thing() -> None:
    rng = random.Random(2)
    for word in ["Elizabeth", "Johnson", "Alexander"]:
        changed = [typo(word, rng) for _ in range(50)]
        assert all(abs(len(c) - len(word)) <= 1 for c in changed)
        assert any(c != word for c in changed)
    assert typo("张伟", rng) == "张" + HOMOPHONES["伟"]


def test_text_for_gbk_files_is_encodable() -> None:
    for text in ["Zoë Núñez", "Björk", "张伟", "José"]:
        to_gbk(text).encode("gbk")
    assert to_gbk("张伟") == "张伟"


def test_the_pinyin_table_covers_fakers_given_names() -> None:
    from faker.providers.person.zh_CN import Provider

    assert set("".join(Provider.first_names)) <= GIVEN_PINYIN.keys()


def test_every_module_says_what_it_is_for() -> None:
    for info in pkgutil.iter_modules(loaders.demo.__path__):
        module = importlib.import_module(f"loaders.demo.{info.name}")
        assert module.__doc__ and module.__doc__.strip(), info.name
