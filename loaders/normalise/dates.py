"""Calendar dates read in the source's declared format (`MM/DD/YYYY` vs `DD/MM/YYYY`): never guessed."""

from __future__ import annotations

import unicodedata
from datetime import date

from loaders.normalise.formats import compile_date_format
from loaders.reasons import InvalidValue, Reason


def check_date_format(fmt: str) -> None:
    """Raise ValueError naming the format unless it holds YYYY, MM and DD once each (plus literal separators)."""
    compile_date_format(fmt)


def impossible_date(year: int, month: int, day: int) -> InvalidValue:
    """The refusal for numbers that fit the format but name no calendar day (2024-02-30, month 13)."""
    if not 1 <= month <= 12:
        detail = "month out of range"
    elif year < 1:
        detail = "year out of range"
    else:
        detail = "no such day in that month"
    return InvalidValue(Reason.INVALID_DATE, f"impossible date ({detail})")


def parse_date(raw: str, fmt: str) -> date:
    """The date `raw` names in the declared format: `03/04/2024` is 4 March under `MM/DD/YYYY`, 3 April under
    `DD/MM/YYYY`. Where the format separates fields, one-digit days and months are fine (`3/4/2024`); full-width
    digits are read as ASCII.

    Raises InvalidValue(INVALID_DATE): "does not fit the date format ..." or "impossible date (...)".
    Raises ValueError for an invalid format (see check_date_format).
    """
    compiled = compile_date_format(fmt)
    text = raw.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    match = compiled.match(text)
    if match is None:
        raise InvalidValue(Reason.INVALID_DATE, f"does not fit the date format {fmt}")
    year, month, day = int(match["Y"]), int(match["M"]), int(match["D"])
    try:
        return date(year, month, day)
    except ValueError:
        raise impossible_date(year, month, day) from None
