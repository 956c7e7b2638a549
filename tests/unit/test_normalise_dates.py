"""Dates and timestamps: read in the source's declared format and time zone, never guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.normalise import check_date_format, check_timezone, parse_date, parse_timestamp
from loaders.normalise.formats import compile_date_format
from loaders.normalise.timestamps import check_timestamp_format
from loaders.reasons import InvalidValue, Reason


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("2024-03-04", "YYYY-MM-DD", date(2024, 3, 4)),
        ("03/04/2024", "MM/DD/YYYY", date(2024, 3, 4)),  # US: 4 March
        ("03/04/2024", "DD/MM/YYYY", date(2024, 4, 3)),  # Europe: 3 April
        ("3/4/2024", "MM/DD/YYYY", date(2024, 3, 4)),
        ("12/31/1999", "MM/DD/YYYY", date(1999, 12, 31)),
        ("04.03.2024", "DD.MM.YYYY", date(2024, 3, 4)),
        ("4.3.2024", "DD.MM.YYYY", date(2024, 3, 4)),
        ("20240304", "YYYYMMDD", date(2024, 3, 4)),
        ("2024/03/04", "YYYY/MM/DD", date(2024, 3, 4)),
        ("2024/3/4", "YYYY/MM/DD", date(2024, 3, 4)),
        ("04-03-2024", "DD-MM-YYYY", date(2024, 3, 4)),
        ("03-04-2024", "MM-DD-YYYY", date(2024, 3, 4)),
        ("2024年03月04日", "YYYY年MM月DD日", date(2024, 3, 4)),
        ("2024年3月4日", "YYYY年MM月DD日", date(2024, 3, 4)),
        ("２０２４年３月４日", "YYYY年MM月DD日", date(2024, 3, 4)),  # full-width digits
        ("  2024-03-04 ", "YYYY-MM-DD", date(2024, 3, 4)),
        ("04 03 2024", "DD MM YYYY", date(2024, 3, 4)),
        ("04  03 2024", "DD MM YYYY", date(2024, 3, 4)),  # any run of spaces fits a space
        ("2024-02-29", "YYYY-MM-DD", date(2024, 2, 29)),  # leap year
        ("04/03/2024", "dd/mm/yyyy", date(2024, 3, 4)),  # lower-case tokens in a date format
    ],
)
def test_dates_are_read_in_the_declared_format(raw: str, fmt: str, expected: date) -> None:
    assert parse_date(raw, fmt) == expected


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        ("2024-03-04", "MM/DD/YYYY"),  # another source's format is not guessed
        ("03/04/2024", "YYYY-MM-DD"),
        ("2024034", "YYYYMMDD"),  # fields without separators need both digits
        ("2024-3-4x", "YYYY-MM-DD"),
        ("24-03-04", "YYYY-MM-DD"),  # two-digit year
        ("2024-003-04", "YYYY-MM-DD"),
        ("March 4, 2024", "MM/DD/YYYY"),
        ("2024-03-04 10:00:00", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        ("٢٠٢٤-٠٣-٠٤", "YYYY-MM-DD"),  # Arabic-Indic digits are not read as a date
    ],
)
def test_a_value_that_does_not_fit_the_format_is_refused(raw: str, fmt: str) -> None:
    with pytest.raises(InvalidValue, match=f"does not fit the date format {fmt}") as caught:
        parse_date(raw, fmt)
    assert caught.value.reason is Reason.INVALID_DATE


@pytest.mark.parametrize(
    ("raw", "fmt", "detail"),
    [
        ("2024-02-30", "YYYY-MM-DD", "no such day in that month"),
        ("2023-02-29", "YYYY-MM-DD", "no such day in that month"),  # not a leap year
        ("2024-04-31", "YYYY-MM-DD", "no such day in that month"),
        ("2024-13-01", "YYYY-MM-DD", "month out of range"),
        ("13/01/2024", "MM/DD/YYYY", "month out of range"),  # a European date in a US source
        ("2024-00-10", "YYYY-MM-DD", "month out of range"),
        ("2024-01-00", "YYYY-MM-DD", "no such day in that month"),
        ("0000-01-01", "YYYY-MM-DD", "year out of range"),
    ],
)
def test_an_impossible_date_is_refused(raw: str, fmt: str, detail: str) -> None:
    with pytest.raises(InvalidValue, match="impossible date") as caught:
        parse_date(raw, fmt)
    assert caught.value.reason is Reason.INVALID_DATE
    assert detail in caught.value.message
    assert raw not in caught.value.message


@pytest.mark.parametrize("fmt", ["YYYY-MM-DD", "MM/DD/YYYY", "YYYYMMDD", "YYYY年MM月DD日", "dd.mm.yyyy", "DD MM YYYY"])
def test_valid_date_formats_pass_the_check(fmt: str) -> None:
    check_date_format(fmt)


@pytest.mark.parametrize(
    ("fmt", "problem"),
    [
        ("", "empty"),
        ("MM/DD", "YYYY"),
        ("YYYY-MM", "DD"),
        ("YYYY-MM-DD-DD", "DD exactly once"),
        ("YYYY-MM-DD HH:mm", "time tokens"),
        ("Y-M-D", "YYYY"),
    ],
)
def test_invalid_date_formats_are_named_in_the_error(fmt: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        check_date_format(fmt)
    assert repr(fmt) in str(caught.value) or not fmt


def test_a_format_is_compiled_once() -> None:
    assert compile_date_format("DD/MM/YYYY") is compile_date_format("DD/MM/YYYY")


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_iso_dates_round_trip(day: date) -> None:
    assert parse_date(day.isoformat(), "YYYY-MM-DD") == day


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_us_and_european_formats_read_their_own_writing(day: date) -> None:
    assert parse_date(day.strftime("%m/%d/%Y"), "MM/DD/YYYY") == day
    assert parse_date(day.strftime("%d.%m.%Y"), "DD.MM.YYYY") == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日", "YYYY年MM月DD日") == day


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "fmt", "tz", "expected"),
    [
        ("2024-03-04T13:05:00Z", "ISO", "Asia/Shanghai", _utc(2024, 3, 4, 13, 5)),
        ("2024-03-04T13:05:00+08:00", "ISO", "UTC", _utc(2024, 3, 4, 5, 5)),
        ("2024-03-04 13:05:00", "ISO", "Asia/Shanghai", _utc(2024, 3, 4, 5, 5)),  # naive: the source's zone
        ("2024-03-04 13:05:00", "iso", "UTC", _utc(2024, 3, 4, 13, 5)),
        ("2024-03-04T13:05:00.250-05:00", "ISO", "UTC", datetime(2024, 3, 4, 18, 5, 0, 250000, tzinfo=UTC)),
        ("20240304T130500Z", "ISO", "UTC", _utc(2024, 3, 4, 13, 5)),
        ("2024-03-04", "ISO", "Asia/Shanghai", _utc(2024, 3, 3, 16, 0)),
        ("2024-07-04 12:00:00", "ISO", "America/New_York", _utc(2024, 7, 4, 16, 0)),  # EDT, UTC-4
        ("2024-01-04 12:00:00", "ISO", "America/New_York", _utc(2024, 1, 4, 17, 0)),  # EST, UTC-5
        ("1709557500", "epoch", "Asia/Shanghai", _utc(2024, 3, 4, 13, 5)),  # epoch is UTC whatever the zone
        ("1709557500.5", "epoch", "UTC", datetime(2024, 3, 4, 13, 5, 0, 500000, tzinfo=UTC)),
        ("1709557500123", "epoch_ms", "UTC", datetime(2024, 3, 4, 13, 5, 0, 123000, tzinfo=UTC)),
        ("0", "epoch", "UTC", _utc(1970, 1, 1)),
        ("-86400", "epoch", "UTC", _utc(1969, 12, 31)),
        ("03/04/2024 13:05:07", "MM/DD/YYYY HH:mm:ss", "America/New_York", _utc(2024, 3, 4, 18, 5, 7)),
        ("03/04/2024 13:05:07.5", "MM/DD/YYYY HH:mm:ss", "UTC", datetime(2024, 3, 4, 13, 5, 7, 500000, tzinfo=UTC)),
        ("2024-03-04 13:05", "YYYY-MM-DD HH:mm", "Asia/Shanghai", _utc(2024, 3, 4, 5, 5)),
        ("2024/3/4 9:05", "YYYY/MM/DD HH:mm", "UTC", _utc(2024, 3, 4, 9, 5)),
        ("3/4/2024 1:05 PM", "MM/DD/YYYY hh:mm A", "UTC", _utc(2024, 3, 4, 13, 5)),
        ("3/4/2024 12:05 am", "MM/DD/YYYY hh:mm A", "UTC", _utc(2024, 3, 4, 0, 5)),
        ("3/4/2024 12:05 P.M.", "MM/DD/YYYY hh:mm A", "UTC", _utc(2024, 3, 4, 12, 5)),
        ("2024年3月4日 下午1:05", "YYYY年MM月DD日 Ahh:mm", "Asia/Shanghai", _utc(2024, 3, 4, 5, 5)),
        ("20240304130500", "YYYYMMDDHHmmss", "UTC", _utc(2024, 3, 4, 13, 5)),
        ("2024-03-04T13:05:00", "YYYY-MM-DDTHH:mm:ss", "UTC", _utc(2024, 3, 4, 13, 5)),
        ("11/03/2024 01:30", "MM/DD/YYYY HH:mm", "America/New_York", _utc(2024, 11, 3, 5, 30)),  # repeated hour: first
    ],
)
def test_timestamps_become_aware_utc(raw: str, fmt: str, tz: str, expected: datetime) -> None:
    got = parse_timestamp(raw, fmt, tz)
    assert got == expected
    assert got.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "fmt", "tz", "detail"),
    [
        ("yesterday", "ISO", "UTC", "not an ISO-8601 timestamp"),
        ("2024-02-30T10:00:00", "ISO", "UTC", "not an ISO-8601 timestamp"),
        ("", "ISO", "UTC", "not an ISO-8601 timestamp"),
        ("1709557500123", "epoch", "UTC", "milliseconds given as seconds"),
        ("17095575e2", "epoch", "UTC", "not a number of seconds"),
        ("NaN", "epoch_ms", "UTC", "not a number of milliseconds"),
        ("2024-03-04", "YYYY-MM-DD HH:mm", "UTC", "does not fit the timestamp format YYYY-MM-DD HH:mm"),
        ("2024-03-04 25:00", "YYYY-MM-DD HH:mm", "UTC", "impossible time of day"),
        ("2024-03-04 12:61", "YYYY-MM-DD HH:mm", "UTC", "impossible time of day"),
        ("2024-02-30 12:00", "YYYY-MM-DD HH:mm", "UTC", "impossible date"),
        ("3/4/2024 13:05 PM", "MM/DD/YYYY hh:mm A", "UTC", "12-hour clock"),
        ("03/10/2024 02:30", "MM/DD/YYYY HH:mm", "America/New_York", "does not exist in America/New_York"),
        ("2024-03-10 02:30:00", "ISO", "America/New_York", "does not exist"),
    ],
)
def test_bad_timestamps_are_refused(raw: str, fmt: str, tz: str, detail: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_timestamp(raw, fmt, tz)
    assert caught.value.reason is Reason.INVALID_TIMESTAMP
    assert detail in caught.value.message
    assert not raw or raw not in caught.value.message


@pytest.mark.parametrize("name", ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin"])
def test_iana_zones_pass_the_check(name: str) -> None:
    check_timezone(name)


@pytest.mark.parametrize("name", ["Asia/Shangai", "CST+8", "", "../etc/passwd", "Mars/Olympus"])
def test_unknown_zones_are_named_in_the_error(name: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone") as caught:
        check_timezone(name)
    assert repr(name) in str(caught.value)


def test_an_unknown_zone_is_a_configuration_error_not_a_bad_value() -> None:
    with pytest.raises(ValueError, match="unknown time zone") as caught:
        parse_timestamp("2024-03-04 10:00", "ISO", "Asia/Shangai")
    assert not isinstance(caught.value, InvalidValue)


@pytest.mark.parametrize("fmt", ["ISO", "epoch", "epoch_ms", "MM/DD/YYYY HH:mm:ss", "YYYY-MM-DD", "DD.MM.YYYY hh:mm A"])
def test_valid_timestamp_formats_pass_the_check(fmt: str) -> None:
    check_timestamp_format(fmt)


@pytest.mark.parametrize(
    ("fmt", "problem"),
    [
        ("MM/DD HH:mm", "YYYY"),
        ("YYYY-MM-DD hh:mm", "go together"),
        ("YYYY-MM-DD HH:mm A", "go together"),
        ("YYYY-MM-DD mm:ss", "without an hour"),
        ("YYYY-MM-DD HH:HH", "repeats"),
    ],
)
def test_invalid_timestamp_formats_are_named_in_the_error(fmt: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        check_timestamp_format(fmt)
    assert repr(fmt) in str(caught.value)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_iso_timestamps_round_trip(moment: datetime) -> None:
    assert parse_timestamp(moment.isoformat(), "ISO", "Asia/Shanghai") == moment


@given(st.integers(min_value=-(10**12), max_value=10**13))
def test_epoch_milliseconds_round_trip(millis: int) -> None:
    moment = parse_timestamp(str(millis), "epoch_ms", "UTC")
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    assert delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000 == millis
