"""Test data left in exports, and values that parse but cannot be true."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from loaders.normalise import (
    TestDataRules,
    check_birth_date,
    check_non_negative,
    is_test_email,
    is_test_name,
    is_test_phone,
)
from loaders.reasons import InvalidValue, Reason

RULES = TestDataRules()


@pytest.mark.parametrize(
    "email",
    [
        "test@test.com",
        "TEST@TEST.COM",
        "test@example.com",  # the address, not the domain
        "test@qq.com",
        "test123@gmail.com",
        "test_01@163.com",
        "test+crm@acme.com",
        "noreply@acme.com",
        "no-reply@acme.cn",
        "asdf@gmail.com",
        "ann@test.com",
        "ann@acme.example",  # reserved TLD
    ],
)
def test_test_emails_are_flagged(email: str) -> None:
    assert is_test_email(email, RULES)


@pytest.mark.parametrize(
    "email",
    [
        "ann.lee@example.com",  # the project's fixtures use example.com for real-looking people
        "wei@qq.com",
        "contest@acme.com",  # contains "test"
        "testa@acme.it",  # Italian surname
        "tester.jones@acme.com",  # a real local part that only starts with a test word
        "ann@testbank.com",
        "attestation@bank.cn",
        "ann@sub.test.cn",  # only the listed domains themselves
    ],
)
def test_real_emails_are_not_flagged(email: str) -> None:
    assert not is_test_email(email, RULES)


@pytest.mark.parametrize(
    "phone",
    [
        "+8613800000000",
        "+8613900000000",
        "+8618888888888",  # tail of one repeated digit
        "+11111111111",  # one digit throughout
        "1234567890",  # a sequence typed on the keypad
        "+8613912345678",  # tail running up
        "+8613987654321",  # tail running down
        "+15555555555",
    ],
)
def test_test_phones_are_flagged(phone: str) -> None:
    assert is_test_phone(phone, RULES)


@pytest.mark.parametrize(
    "phone",
    ["+8613800138000", "+14155550100", "+442079460958", "+861065529988", "+8613911112222", "+8613712345670", ""],
)
def test_real_phones_are_not_flagged(phone: str) -> None:
    assert not is_test_phone(phone, RULES)


@pytest.mark.parametrize(
    "name",
    [
        "test",
        "Test",
        "TEST USER",
        "测试",
        "测试用户",
        "张三test",
        "张三 Test",
        "asdf",
        "xxx",
        "Qwerty",
        "aaaa",
        "John Dummy",
    ],
)
def test_test_names_are_flagged(name: str) -> None:
    assert is_test_name(name, RULES)


@pytest.mark.parametrize(
    "name", ["Ann Lee", "王芳", "张三", "Testa", "Celeste Contestabile", "John Smith III", "Xu Xi", "Li Li", "Ng", ""]
)
def test_real_names_are_not_flagged(name: str) -> None:
    assert not is_test_name(name, RULES)


def test_rules_can_be_replaced_per_source() -> None:
    rules = dataclasses.replace(
        RULES, phones=RULES.phones | {"+8640088888888"}, names=frozenset({"demo"}), phone_repeated_tail=0
    )
    assert is_test_phone("+8640088888888", rules)
    assert not is_test_phone("+8618888888888", rules)  # repeated tails switched off
    assert is_test_name("Demo", rules)
    assert not is_test_name("测试用户x", dataclasses.replace(rules, name_substrings=frozenset()))


def test_rules_are_immutable_and_not_collected_as_tests() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES.names = frozenset()  # type: ignore[misc]
    assert TestDataRules.__test__ is False


TODAY = date(2024, 3, 4)


@pytest.mark.parametrize("born", [date(1990, 5, 1), TODAY, date(1904, 3, 4), date(2024, 3, 3)])
def test_plausible_birth_dates_pass(born: date) -> None:
    check_birth_date(born, TODAY)


@pytest.mark.parametrize(
    ("born", "detail"),
    [
        (date(2024, 3, 5), "in the future"),
        (date(2090, 1, 1), "in the future"),
        (date(1904, 3, 3), "more than 120 years ago"),
        (date(1800, 1, 1), "more than 120 years ago"),
    ],
)
def test_impossible_birth_dates_are_logical_errors(born: date, detail: str) -> None:
    with pytest.raises(InvalidValue, match=detail) as caught:
        check_birth_date(born, TODAY)
    assert caught.value.reason is Reason.LOGICAL_ERROR


def test_the_age_limit_handles_a_leap_day_today() -> None:
    check_birth_date(date(1904, 2, 29), date(2024, 2, 29))
    check_birth_date(date(1903, 2, 28), date(2024, 2, 29), max_age_years=121)  # 1903 has no 29 February
    with pytest.raises(InvalidValue):
        check_birth_date(date(1903, 2, 27), date(2024, 2, 29), max_age_years=121)
    check_birth_date(date(1950, 1, 1), date(2024, 1, 1), max_age_years=74)


@pytest.mark.parametrize("value", [0, 3, 0.5, Decimal("12.00"), Decimal("0")])
def test_non_negative_values_pass(value: Decimal | float) -> None:
    check_non_negative(value, "quantity")


@pytest.mark.parametrize(
    ("value", "detail"),
    [(-1, "quantity is negative"), (Decimal("-0.01"), "quantity is negative"), (float("nan"), "not a number")],
)
def test_negative_values_are_logical_errors_naming_the_field(value: Decimal | float, detail: str) -> None:
    with pytest.raises(InvalidValue, match=detail) as caught:
        check_non_negative(value, "quantity")
    assert caught.value.reason is Reason.LOGICAL_ERROR
