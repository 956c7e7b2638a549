"""Phone normalisation: every way people write a number gives the same E.164 key, or INVALID_PHONE."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.normalise import normalise_phone
from loaders.reasons import InvalidValue, Reason


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("138 0013 8000", "CN", "+8613800138000"),
        ("13800138000", "CN", "+8613800138000"),
        ("138-0013-8000", "cn", "+8613800138000"),  # region in lower case
        ("+86-138-0013-8000", "US", "+8613800138000"),  # a country code wins over the default region
        ("+86 (0)138 0013 8000", "CN", "+8613800138000"),
        ("0086 138 0013 8000", "CN", "+8613800138000"),  # international prefix instead of "+"
        ("8613800138000", "CN", "+8613800138000"),
        ("１３８００１３８０００", "CN", "+8613800138000"),  # full-width digits
        ("13800138000.0", "CN", "+8613800138000"),  # through a spreadsheet as a float
        ("(010) 6552 9988", "CN", "+861065529988"),  # Beijing landline with trunk prefix
        ("(415) 555-0100", "US", "+14155550100"),
        ("415.555.0100", "US", "+14155550100"),
        ("1-415-555-0100", "US", "+14155550100"),
        ("+1 415 555 0100", None, "+14155550100"),
        ("tel:+1-415-555-0100", None, "+14155550100"),
        ("(415) 555-0100 x123", "US", "+14155550100"),  # extension dropped
        ("138 0013 8000 ext. 12", "CN", "+8613800138000"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("  +49 30 901820  ", None, "+4930901820"),
    ],
)
def test_numbers_become_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region", "message"),
    [
        ("", "CN", "not a phone number"),
        ("not-a-phone", "US", "not a phone number"),
        ("12", "US", "not a valid phone number for region US"),
        ("123456789", "CN", "not a valid phone number for region CN"),
        ("415 555 0100", None, "no country code and no default region"),
        ("+86 123", "US", "not a valid phone number"),
        ("+999 1234 5678", None, "not a phone number"),
        ("1.38001E+10", "CN", "phone number"),  # a spreadsheet's scientific notation has lost digits
    ],
)
def test_unusable_numbers_are_refused(raw: str, region: str | None, message: str) -> None:
    with pytest.raises(InvalidValue, match="phone number") as caught:
        normalise_phone(raw, region)
    assert caught.value.reason is Reason.INVALID_PHONE
    assert message in caught.value.message
    assert raw.strip() == "" or raw not in caught.value.message


_cn_mobile = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
_us = st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True)


def _spaced(digits: str, cuts: list[int], sep: str) -> str:
    out, last = [], 0
    for cut in sorted({c % len(digits) for c in cuts} - {0}):
        out.append(digits[last:cut])
        last = cut
    out.append(digits[last:])
    return sep.join(out)


@given(
    st.one_of(st.tuples(_cn_mobile, st.just("CN")), st.tuples(_us, st.just("US"))),
    st.lists(st.integers(min_value=1, max_value=20), max_size=4),
    st.sampled_from([" ", "-", " - ", "  "]),
)
def test_spacing_never_changes_the_number_and_agrees_with_phonenumbers(
    number: tuple[str, str], cuts: list[int], sep: str
) -> None:
    digits, region = number
    written = _spaced(digits, cuts, sep)
    try:
        expected: str | None = phonenumbers.format_number(
            parsed := phonenumbers.parse(written, region), phonenumbers.PhoneNumberFormat.E164
        )
        if not phonenumbers.is_valid_number(parsed):
            expected = None
    except phonenumbers.NumberParseException:
        expected = None
    try:
        got: str | None = normalise_phone(written, region)
    except InvalidValue:
        got = None
    assert got == expected
    if got is not None:
        assert normalise_phone(got, None) == got  # E.164 is a fixed point
