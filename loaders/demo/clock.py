"""Random moments in the data set's past, and the ways the sources write dates and times."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from loaders.demo.people import EXPORT_DAY

_EXPORT_MOMENT = datetime(EXPORT_DAY.year, EXPORT_DAY.month, EXPORT_DAY.day, tzinfo=UTC)
EVENTS_SINCE = datetime(2024, 1, 1, tzinfo=UTC)
RECORDS_SINCE = datetime(2016, 1, 1, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def moment(rng: random.Random, since: datetime = RECORDS_SINCE, until: datetime = _EXPORT_MOMENT) -> datetime:
    """A UTC moment, to the second, in [since, until)."""
    span = int((until - since).total_seconds())
    return since + timedelta(seconds=rng.randrange(max(span, 1)))


def later(rng: random.Random, start: datetime, *, max_days: int = 900) -> datetime:
    """A moment after `start`, not after the export."""
    return min(start + timedelta(seconds=rng.randrange(1, max_days * 86_400)), _EXPORT_MOMENT)


def local(when: datetime, utc_offset_hours: int) -> datetime:
    return when.astimezone(timezone(timedelta(hours=utc_offset_hours)))


# Dates as each source writes them (each source always in its own declared format).


def us_date(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def chinese_date(day: date) -> str:
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日"


def iso_date(day: date) -> str:
    return day.isoformat()


# Times. Sources that write local times without an offset declare their time zone (converting from UTC never
# lands in a daylight-saving gap, so every local time written exists).


def us_12h(when: datetime) -> str:
    """`03/04/2024 02:15 PM` in New York time (CRM)."""
    t = when.astimezone(NEW_YORK)
    hour = t.hour % 12 or 12
    return f"{t.month:02d}/{t.day:02d}/{t.year} {hour:02d}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def us_24h(when: datetime) -> str:
    """`03/04/2024 14:15` in New York time (webinar platform)."""
    t = when.astimezone(NEW_YORK)
    return f"{t.month:02d}/{t.day:02d}/{t.year} {t.hour:02d}:{t.minute:02d}"


def shanghai_seconds(when: datetime) -> str:
    """`2024-03-04 14:15:09` in Shanghai time (loyalty system)."""
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def shanghai_day_first(when: datetime) -> str:
    """`04/03/2024 14:15` in Shanghai time (POS)."""
    return when.astimezone(SHANGHAI).strftime("%d/%m/%Y %H:%M")


def utc_seconds(when: datetime) -> str:
    """`2024-03-04 06:15:09` in UTC (marketing automation)."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_z(when: datetime, *, millis: bool = False) -> str:
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{when.microsecond // 1000:03d}Z" if millis else f"{text}Z"


def iso_offset(when: datetime, utc_offset_hours: int) -> str:
    return local(when, utc_offset_hours).isoformat()


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)
