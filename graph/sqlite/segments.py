"""SQLite reads of segments: the profiles a prepared segment selects, a page at a time, and how many there are."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from graph.segments.ast import Segment
from graph.segments.sql import compile_sql, count_query, members_query, register_functions

_AMONG = 500  # profile IDs per statement when the caller restricts the candidates
# Segment queries read large parts of event_facts and resolves_to: memory-mapped reads halve their time.
MMAP_BYTES = 1 << 30


def _prepare_connection(c: sqlite3.Connection) -> None:
    register_functions(c)
    c.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


def segment_members(
    c: sqlite3.Connection,
    segment: Segment,
    *,
    after: str | None,
    limit: int,
    among: Sequence[str] | None,
    now: datetime | None,
) -> list[str]:
    """Profile IDs in the segment in ID order after `after` (only those among `among`, when given)."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if limit == 0 or (among is not None and not among):
        return []
    _prepare_connection(c)
    compiled = compile_sql(segment, now=now or datetime.now(UTC), per_profile=among is not None)
    if among is None:
        sql, params = members_query(compiled, after=after, limit=limit)
        return [str(row[0]) for row in c.execute(sql, params)]
    candidates = sorted(set(among))
    found: list[str] = []
    for start in range(0, len(candidates), _AMONG):
        sql, params = members_query(compiled, after=after, limit=limit, among=candidates[start : start + _AMONG])
        found.extend(str(row[0]) for row in c.execute(sql, params))
    return sorted(found)[:limit]


def segment_count(c: sqlite3.Connection, segment: Segment, *, now: datetime | None) -> int:
    """The number of profiles in the segment."""
    _prepare_connection(c)
    sql, params = count_query(compile_sql(segment, now=now or datetime.now(UTC)))
    return int(c.execute(sql, params).fetchone()[0])
