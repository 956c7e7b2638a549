"""Money: amounts as sources export them, currency symbols and names, and conversion to the base currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.normalise import Money, check_rates, convert_money, normalise_currency, parse_amount, split_amount
from loaders.reasons import InvalidValue, Reason


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("1234.50", Decimal("1234.50"), None),
        ("1,234.50", Decimal("1234.50"), None),
        ("1,234,567", Decimal("1234567"), None),
        ("¥1,234", Decimal("1234"), "CNY"),
        ("￥1,234", Decimal("1234"), "CNY"),  # full-width yen sign
        ("$12.00", Decimal("12.00"), "USD"),
        ("USD 12", Decimal("12"), "USD"),
        ("usd12", Decimal("12"), "USD"),
        ("12 USD", Decimal("12"), "USD"),
        ("12.5 元", Decimal("12.5"), "CNY"),
        ("12.5元", Decimal("12.5"), "CNY"),
        ("RMB 88", Decimal("88"), "CNY"),
        ("(12.00)", Decimal("-12.00"), None),  # accounting negative
        ("($12.00)", Decimal("-12.00"), "USD"),
        ("-3", Decimal("-3"), None),
        ("+7", Decimal("7"), None),
        ("−5", Decimal("-5"), None),  # U+2212 minus sign
        ("-$12", Decimal("-12"), "USD"),
        ("$-12", Decimal("-12"), "USD"),
        ("12.00-", Decimal("-12.00"), None),  # trailing minus (SAP exports)
        ("1.234,50", Decimal("1234.50"), None),  # both marks: the last one is the decimal point
        ("1.234.567", Decimal("1234567"), None),
        (".5", Decimal("0.5"), None),
        ("0", Decimal("0"), None),
        ("HK$1,000", Decimal("1000"), "HKD"),
        ("$12 USD", Decimal("12"), "USD"),
        ("１２.５", Decimal("12.5"), None),  # full-width digits
        ("  42  ", Decimal("42"), None),
    ],
)
def test_amounts_are_read_with_the_currency_written_beside_them(
    raw: str, amount: Decimal, currency: str | None
) -> None:
    assert split_amount(raw) == (amount, currency)
    assert parse_amount(raw) == amount


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("", "empty"),
        ("abc", "no amount"),
        ("NaN", "no amount"),
        ("Infinity", "no amount"),
        ("1e5", "no amount"),
        ("12,50", "comma"),  # a decimal comma or a mistyped thousands group: not guessed
        ("1,23,456", "comma"),
        ("1.2.3", "decimal point"),
        ("12 apples", "unexpected text"),
        ("$12 EUR", "two different currencies"),
        ("--3", "more than one sign"),
        ("€ 3,50", "comma"),
        ("-(3)", "no amount"),
        ("(-3)", "more than one sign"),
        ("-3-", "more than one sign"),
        ("12 34", "no amount"),
    ],
)
def test_what_is_not_an_amount_is_refused(raw: str, detail: str) -> None:
    with pytest.raises(InvalidValue, match="not a number") as caught:
        parse_amount(raw)
    assert caught.value.reason is Reason.INVALID_NUMBER
    assert detail in caught.value.message


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_formatted_amounts_read_back(value: Decimal) -> None:
    assert parse_amount(str(value)) == value
    assert parse_amount(f"{value:,}") == value
    assert parse_amount(f"¥{value:,}") == value
    assert parse_amount(f"({abs(value):,})") == -abs(value)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("CNY", "CNY"),
        ("cny", "CNY"),
        ("¥", "CNY"),
        ("RMB", "CNY"),
        ("rmb", "CNY"),
        ("元", "CNY"),
        ("人民币", "CNY"),
        ("$", "USD"),
        ("US$", "USD"),
        ("€", "EUR"),
        ("£", "GBP"),
        ("HK$", "HKD"),
        ("JPY", "JPY"),
        ("円", "JPY"),
        (" eur ", "EUR"),
    ],
)
def test_currency_symbols_and_names_become_iso_codes(raw: str, code: str) -> None:
    assert normalise_currency(raw) == code


@pytest.mark.parametrize("raw", ["", "XYZ", "dollars", "US", "¤", "BTCX"])
def test_unknown_currencies_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalise_currency(raw)
    assert caught.value.reason is Reason.UNKNOWN_CURRENCY


RATES: dict[str, Decimal | float] = {"CNY": Decimal("0.1385"), "EUR": 1.08, "JPY": Decimal("0.0067")}


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("100"), "CNY", Money(Decimal("100"), "CNY", Decimal("13.85"), "USD")),
        (Decimal("100"), "¥", Money(Decimal("100"), "CNY", Decimal("13.85"), "USD")),
        (Decimal("100"), "RMB", Money(Decimal("100"), "CNY", Decimal("13.85"), "USD")),
        (Decimal("10"), "€", Money(Decimal("10"), "EUR", Decimal("10.80"), "USD")),  # a float rate read as written
        (Decimal("12.5"), "$", Money(Decimal("12.5"), "USD", Decimal("12.50"), "USD")),  # the base is 1
        (Decimal("-3"), "usd", Money(Decimal("-3"), "USD", Decimal("-3.00"), "USD")),
        (Decimal("1000"), "JPY", Money(Decimal("1000"), "JPY", Decimal("6.70"), "USD")),
    ],
)
def test_amounts_are_converted_to_the_base_currency(amount: Decimal, currency: str, expected: Money) -> None:
    assert convert_money(amount, currency, base="USD", rates=RATES) == expected


@pytest.mark.parametrize(("amount", "rounded"), [("0.125", "0.12"), ("0.135", "0.14"), ("0.145", "0.14")])
def test_base_amounts_round_half_to_even(amount: str, rounded: str) -> None:
    money = convert_money(Decimal(amount), "EUR", base="usd", rates={"EUR": Decimal(1)})
    assert money.base_amount == Decimal(rounded)
    assert money.base_currency == "USD"


def test_a_currency_without_a_rate_is_unknown() -> None:
    with pytest.raises(InvalidValue, match="no exchange rate from GBP to USD") as caught:
        convert_money(Decimal(1), "£", base="USD", rates=RATES)
    assert caught.value.reason is Reason.UNKNOWN_CURRENCY


def test_a_made_up_currency_is_unknown_and_not_quoted() -> None:
    with pytest.raises(InvalidValue) as caught:
        convert_money(Decimal(1), "QQQ", base="USD", rates=RATES)
    assert caught.value.reason is Reason.UNKNOWN_CURRENCY
    assert "QQQ" not in caught.value.message


def test_money_is_immutable() -> None:
    money = convert_money(Decimal(1), "USD", base="USD", rates={})
    with pytest.raises(AttributeError):
        money.amount = Decimal(2)  # type: ignore[misc]


def test_rates_tables_are_checked() -> None:
    check_rates(RATES, base="USD")
    with pytest.raises(ValueError, match="'dollars' is not an ISO 4217"):
        check_rates({"dollars": 1.0}, base="USD")
    with pytest.raises(ValueError, match="rate for EUR must be a positive"):
        check_rates({"EUR": 0}, base="USD")
