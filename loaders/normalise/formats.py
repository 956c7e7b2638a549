"""Declared date and time formats (`MM/DD/YYYY`, `YYYY年MM月DD日`, `DD.MM.YYYY HH:mm`) compiled once into regexes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Tokens. Month is MM and minutes are mm; year and day may be written in lower case, and so may the month in a
# date format (`dd/mm/yyyy`), which has no minutes.
_TOKEN = re.compile(r"YYYY|yyyy|MM|DD|dd|HH|hh|mm|ss|A")
_GROUP = {"YYYY": "Y", "yyyy": "Y", "MM": "M", "DD": "D", "dd": "D", "HH": "H", "hh": "h", "mm": "m", "ss": "s"}
_DATE_GROUP = {**_GROUP, "mm": "M"}
_DATE_GROUPS = ("Y", "M", "D")
_TIME_GROUPS = ("H", "h", "m", "s", "A")
_MERIDIEM = r"(?P<A>[AaPp]\.?[Mm]\.?|上午|下午)"
_FRACTION = r"(?:[.,](?P<f>\d{1,9}))?"


@dataclass(frozen=True, slots=True)
class CompiledFormat:
    """A declared format as a regex with named groups Y M D, and H (24 h) or h + A (12 h), m, s, f (fraction)."""

    text: str
    pattern: re.Pattern[str]
    groups: frozenset[str]

    def match(self, value: str) -> re.Match[str] | None:
        return self.pattern.fullmatch(value)


def _pieces(fmt: str) -> list[tuple[bool, str]]:
    """The format as (is_token, text) pieces."""
    pieces: list[tuple[bool, str]] = []
    at = 0
    for match in _TOKEN.finditer(fmt):
        if match.start() > at:
            pieces.append((False, fmt[at : match.start()]))
        pieces.append((True, match.group()))
        at = match.end()
    if at < len(fmt):
        pieces.append((False, fmt[at:]))
    return pieces


def _literal(text: str) -> str:
    """A literal part of the format; any run of whitespace in it matches any run of whitespace."""
    return r"\s+".join(re.escape(part) for part in re.split(r"\s+", text)) if text.strip() else r"\s+"


def _compile(fmt: str, *, allow_time: bool) -> CompiledFormat:
    kind = "timestamp" if allow_time else "date"
    if not fmt.strip():
        raise ValueError(f"empty {kind} format")
    pieces = _pieces(fmt)
    groups = _GROUP if allow_time else _DATE_GROUP
    names = [groups.get(text, "A") for is_token, text in pieces if is_token]
    time_groups = [n for n in names if n in _TIME_GROUPS]
    if time_groups and not allow_time:
        raise ValueError(f"date format {fmt!r} must not contain time tokens (HH, hh, ss, A)")
    for group, token in zip(_DATE_GROUPS, ("YYYY", "MM", "DD"), strict=True):
        if names.count(group) != 1:
            raise ValueError(f"{kind} format {fmt!r} must contain {token} exactly once")
    if len(time_groups) != len(set(time_groups)) or ("H" in names and "h" in names):
        raise ValueError(f"{kind} format {fmt!r} repeats a time token")
    if ("h" in names) != ("A" in names):
        raise ValueError(f"{kind} format {fmt!r}: hh (12-hour clock) and A (AM/PM) go together; use HH for 24 hours")
    if ("m" in names or "s" in names) and not ("H" in names or "h" in names):
        raise ValueError(f"{kind} format {fmt!r} has minutes or seconds without an hour token")
    parts: list[str] = []
    for index, (is_token, text) in enumerate(pieces):
        if not is_token:
            parts.append(_literal(text))
            continue
        group = groups.get(text, "A")
        if group == "A":
            parts.append(_MERIDIEM)
            continue
        if group == "Y":
            parts.append(r"(?P<Y>\d{4})")
            continue
        # Between separators a field may have one digit (3/4/2024); next to another number field it has a fixed width.
        glued = any(0 <= i < len(pieces) and pieces[i][0] and pieces[i][1] != "A" for i in (index - 1, index + 1))
        width = r"\d{2}" if glued else r"\d{1,2}"
        parts.append(f"(?P<{group}>{width}){_FRACTION if group == 's' else ''}")
    pattern = re.compile("".join(parts), re.ASCII)
    return CompiledFormat(fmt, pattern, frozenset(names))


@lru_cache(maxsize=256)
def compile_date_format(fmt: str) -> CompiledFormat:
    """A date format (YYYY, MM, DD once each, literal separators) compiled; ValueError naming the format if invalid."""
    return _compile(fmt, allow_time=False)


@lru_cache(maxsize=256)
def compile_timestamp_format(fmt: str) -> CompiledFormat:
    """A date-time format (date tokens plus HH or hh+A, mm, ss) compiled; ValueError naming the format if invalid."""
    return _compile(fmt, allow_time=True)
