"""Phone numbers in E.164 (`+8613800138000`) via phonenumbers, read in the source's default region."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from loaders.reasons import InvalidValue, Reason

# A number that went through a spreadsheet as a float: "13800138000.0".
_SPREADSHEET_FLOAT = re.compile(r"\+?\d{6,}\.0")
# Digits with only spaces and dashes between them: phonenumbers reads them as the bare digits, so they are removed
# first; the same number written with other spacing then shares a cache entry.
_SPACED_DIGITS = re.compile(r"\+?\d[\d \-]*\d")
_SPACING = str.maketrans("", "", " -")


@lru_cache(maxsize=4096)
def _e164(text: str, region_code: str | None) -> str:
    """phonenumbers' reading of a number: the costly part (~20 us), so a number that recurs (a shared line, the same
    person in neighbouring rows, repeated API lookups) is read once. Refusals are raised, and not cached."""
    try:
        number = phonenumbers.parse(text, region_code)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            detail = "no known country code" if region_code else "no country code and no default region"
            raise InvalidValue(Reason.INVALID_PHONE, f"not a phone number: {detail}") from None
        raise InvalidValue(Reason.INVALID_PHONE, "not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        where = f" for region {region_code}" if region_code and not text.startswith(("+", "00")) else ""
        raise InvalidValue(Reason.INVALID_PHONE, f"not a valid phone number{where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(raw: str, region: str | None = None) -> str:
    """E.164 (`+14155550100`); numbers without a country code are read in `region` (ISO 3166 alpha-2, e.g. "CN").

    Accepts the usual ways of writing a number: spaces, dashes, brackets, `+86`/`0086` prefixes, `tel:` URIs,
    full-width digits, a trailing spreadsheet `.0`. Extensions are dropped. Raises InvalidValue(INVALID_PHONE).
    """
    text = raw.strip()
    if _SPREADSHEET_FLOAT.fullmatch(text):
        text = text[:-2]
    elif _SPACED_DIGITS.fullmatch(text):
        text = text.translate(_SPACING)
    return _e164(text, region.upper() if region else None)
