"""Points in time as aware UTC datetimes: ISO-8601, epoch seconds or milliseconds, or a declared token format."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loaders.normalise.dates import impossible_date
from loaders.normalise.formats import compile_timestamp_format
from loaders.reasons import InvalidValue, Reason

ISO = "ISO"
EPOCH = "epoch"
EPOCH_MS = "epoch_ms"
_NAMED_FORMATS = {"ISO": ISO, "EPOCH": EPOCH, "EPOCH_S": EPOCH, "EPOCH_MS": EPOCH_MS}
_EPOCH_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)
_EPOCH_START = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS_PER_MICROSECOND = {EPOCH: Decimal(1_000_000), EPOCH_MS: Decimal(1_000)}
_PM = ("P", "p", "下")


def _invalid(detail: str) -> InvalidValue:
    return InvalidValue(Reason.INVALID_TIMESTAMP, detail)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Asia/Shanghai' or 'UTC'") from None


def check_timezone(name: str) -> None:
    """Raise ValueError naming the zone unless it is an IANA time zone (`Asia/Shanghai`, `America/New_York`, `UTC`)."""
    _zone(name)


def check_timestamp_format(fmt: str) -> None:
    """Raise ValueError naming the format unless it is ISO, epoch, epoch_ms or a valid token format."""
    if fmt.upper() not in _NAMED_FORMATS:
        compile_timestamp_format(fmt)


def _from_epoch(text: str, unit: str) -> datetime:
    if _EPOCH_NUMBER.fullmatch(text) is None:
        raise _invalid(f"not a number of {'seconds' if unit == EPOCH else 'milliseconds'} since 1970 ({unit})")
    microseconds = int((Decimal(text) * _UNITS_PER_MICROSECOND[unit]).to_integral_value(ROUND_HALF_EVEN))
    try:
        return _EPOCH_START + timedelta(microseconds=microseconds)
    except OverflowError:
        hint = " (milliseconds given as seconds?)" if unit == EPOCH else ""
        raise _invalid(f"{unit} value out of the supported range of years 1-9999{hint}") from None


def _from_iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _invalid("not an ISO-8601 timestamp (or an impossible date or time)") from None


def _from_tokens(text: str, fmt: str) -> datetime:
    compiled = compile_timestamp_format(fmt)
    match = compiled.match(text)
    if match is None:
        raise _invalid(f"does not fit the timestamp format {fmt}")
    groups = match.groupdict()
    year, month, day = int(match["Y"]), int(match["M"]), int(match["D"])
    if groups.get("h") is not None:
        hour = int(match["h"])
        if not 1 <= hour <= 12:
            raise _invalid("impossible time (hour out of range for a 12-hour clock)")
        hour = hour % 12 + (12 if match["A"].startswith(_PM) else 0)
    else:
        hour = int(groups.get("H") or 0)
    minute, second = int(groups.get("m") or 0), int(groups.get("s") or 0)
    fraction = groups.get("f")
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0
    try:
        return datetime(year, month, day, hour, minute, second, microsecond)
    except ValueError:
        if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
            raise _invalid("impossible time of day") from None
        raise _invalid(impossible_date(year, month, day).message) from None


def _localise(naive: datetime, tz: str) -> datetime:
    """A wall-clock time in zone `tz` as an aware datetime; a time skipped by a DST change is refused."""
    zone = _zone(tz)
    aware = naive.replace(tzinfo=zone)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != naive:
        raise _invalid(f"local time that does not exist in {tz} (skipped when the clocks moved forward)")
    return as_utc


def parse_timestamp(raw: str, fmt: str, tz: str) -> datetime:
    """The instant `raw` names, as an aware datetime in UTC.

    `fmt` is "ISO" (`2024-03-04T13:05:00+08:00`, `2024-03-04 13:05:00`, `...Z`), "epoch" (seconds, fractions allowed),
    "epoch_ms", or a token format such as `MM/DD/YYYY HH:mm:ss`, `YYYY-MM-DD HH:mm` or `MM/DD/YYYY hh:mm A`
    (tokens YYYY MM DD HH hh mm ss A; ss takes an optional fraction). Times without an offset are wall-clock times
    in the source's IANA time zone `tz` (DST-correct; ambiguous times in the repeated hour take the first one).

    Raises InvalidValue(INVALID_TIMESTAMP). Raises ValueError for an unknown zone or an invalid format.
    """
    text = raw.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    named = _NAMED_FORMATS.get(fmt.upper())
    if named is not None and named != ISO:
        return _from_epoch(text, named)
    moment = _from_iso(text) if named == ISO else _from_tokens(text, fmt)
    if moment.tzinfo is None:
        return _localise(moment, tz)
    return moment.astimezone(UTC)
