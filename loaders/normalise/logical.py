"""Logical checks on values that parsed fine but cannot be true: a birth date in the future, a negative quantity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from loaders.reasons import InvalidValue, Reason

MAX_AGE_YEARS = 120


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def check_birth_date(d: date, today: date, *, max_age_years: int = MAX_AGE_YEARS) -> None:
    """Raise InvalidValue(LOGICAL_ERROR) for a birth date after `today` or more than `max_age_years` before it."""
    if d > today:
        raise InvalidValue(Reason.LOGICAL_ERROR, "birth date is in the future")
    if d < _years_before(today, max_age_years):
        raise InvalidValue(Reason.LOGICAL_ERROR, f"birth date is more than {max_age_years} years ago")


def check_non_negative(x: Decimal | float, field: str) -> None:
    """Raise InvalidValue(LOGICAL_ERROR) naming `field` when `x` is negative (or not a number at all)."""
    if x != x:  # NaN
        raise InvalidValue(Reason.LOGICAL_ERROR, f"{field} is not a number")
    if x < 0:
        raise InvalidValue(Reason.LOGICAL_ERROR, f"{field} is negative")
