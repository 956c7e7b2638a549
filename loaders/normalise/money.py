"""Money: amounts as exported (`¥1,234`, `(12.00)`, `12.5 元`) read as Decimal, and converted to the base currency."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from loaders.normalise.currencies import currency_code, normalise_currency
from loaders.reasons import InvalidValue, Reason

_CENT = Decimal("0.01")
_ONE = Decimal(1)
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
# [sign] [currency] [sign] number [sign] [currency]; the currency is any run of non-number text, checked afterwards.
_UNIT = r"[^\d\s+\-.,()]+"
_AMOUNT = re.compile(
    rf"(?P<sign1>[-+])?\s*(?:(?P<pre>{_UNIT})\s*)?(?P<sign2>[-+])?\s*"
    rf"(?P<number>\d[\d,.]*|[.,]\d+)"
    rf"\s*(?P<sign3>-)?\s*(?:(?P<post>{_UNIT}))?",
    re.ASCII,
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
_THOUSANDS_EUROPEAN = re.compile(r"\d{1,3}(?:\.\d{3})+,\d*", re.ASCII)
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in its own currency and in the base currency (rounded to cents, half to even)."""

    amount: Decimal
    currency: str
    base_amount: Decimal
    base_currency: str


def _invalid(detail: str) -> InvalidValue:
    return InvalidValue(Reason.INVALID_NUMBER, f"not a number: {detail}")


def _digits(number: str) -> str:
    """The number with grouping removed and a '.' decimal point. Commas group thousands (US / Chinese style); when
    both ',' and '.' occur, the last one is the decimal mark (`1.234,50`). A lone decimal comma is ambiguous."""
    if "," not in number:
        if number.count(".") <= 1:
            return number
        if _DOT_GROUPS.fullmatch(number):  # 1.234.567
            return number.replace(".", "")
        raise _invalid("more than one decimal point")
    if _THOUSANDS.fullmatch(number):
        return number.replace(",", "")
    if _THOUSANDS_EUROPEAN.fullmatch(number):
        return number.replace(".", "").replace(",", ".")
    raise _invalid("a comma that does not separate thousands (decimal commas are not read, to avoid guessing)")


def split_amount(raw: str) -> tuple[Decimal, str | None]:
    """The amount and the ISO code of a currency written beside it (`¥1,234` -> (1234, "CNY"); `-3` -> (-3, None)).

    Accepts thousands separators, currency symbols, codes and names before or after the number, a sign before or
    after it, accounting negatives in brackets `(12.00)`, full-width characters and U+2212 minus.
    Raises InvalidValue(INVALID_NUMBER).
    """
    text = raw.strip()
    if _PLAIN.fullmatch(text):
        return Decimal(text), None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _invalid("no amount found" if text else "empty")
    signs = [s for s in (match["sign1"], match["sign2"], match["sign3"]) if s]
    if len(signs) > 1 or (negative and signs):
        raise _invalid("more than one sign")
    negative = negative or signs == ["-"]
    codes = {part: currency_code(part) for part in (match["pre"], match["post"]) if part}
    if None in codes.values():
        raise _invalid("unexpected text beside the number")
    if len(set(codes.values())) > 1:
        raise _invalid("two different currencies")
    try:
        value = Decimal(_digits(match["number"]))
    except InvalidOperation:
        raise _invalid("malformed digits") from None
    return (-value if negative else value), next(iter(codes.values()), None)


def parse_amount(raw: str) -> Decimal:
    """A money amount as Decimal: "1,234.50", "¥1,234", "$12.00", "USD 12", "12.5 元", "(12.00)" -> -12.00, "-3".

    The currency written beside the number is ignored (see split_amount). Raises InvalidValue(INVALID_NUMBER).
    """
    return split_amount(raw)[0]


def check_rates(rates: Mapping[str, Decimal | float], *, base: str) -> None:
    """Raise ValueError naming the currency unless every key is a currency and every rate positive."""
    normalise_currency(base)
    for currency, rate in rates.items():
        if currency_code(currency) != currency.strip().upper():
            raise ValueError(f"rates: {currency!r} is not an ISO 4217 currency code (write e.g. 'USD', 'CNY')")
        if not Decimal(str(rate)) > 0:
            raise ValueError(f"rates: the rate for {currency} must be a positive number")


def convert_money(amount: Decimal, currency: str, *, base: str, rates: Mapping[str, Decimal | float]) -> Money:
    """`amount` in `currency` together with its value in the `base` currency.

    `rates` maps ISO codes to the value of one unit in the base currency (the base itself is 1 implicitly); symbols
    and names are normalised first (`¥` / `RMB` / `元` -> CNY, `$` -> USD, `€` -> EUR). The base amount is rounded to
    two places, half to even. Raises InvalidValue(UNKNOWN_CURRENCY) for an unknown currency or one without a rate,
    InvalidValue(INVALID_NUMBER) for an amount that is not finite or too large.
    """
    code = normalise_currency(currency)
    base_code = normalise_currency(base)
    if code == base_code:
        rate: Decimal | float = _ONE
    else:
        found = rates.get(code)
        if found is None:
            raise InvalidValue(Reason.UNKNOWN_CURRENCY, f"no exchange rate from {code} to {base_code}")
        rate = found
    if not amount.is_finite():
        raise _invalid("not a finite amount")
    factor = rate if isinstance(rate, Decimal) else Decimal(str(rate))
    try:
        base_amount = (amount * factor).quantize(_CENT, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise _invalid("amount too large") from None
    return Money(amount=amount, currency=code, base_amount=base_amount, base_currency=base_code)
