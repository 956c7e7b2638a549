"""SQLite reads of the event index (`event_facts`, migration 4): the events performed by records, newest first."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from graph.events import time_key
from graph.model import Record, RecordKey, RecordKind
from graph.sqlite.record_objects import stored_record

_EVENT = RecordKind.EVENT.value
# Actors per statement: one actor takes 2 parameters.
_ACTORS_PER_QUERY = 400


def one_statement(actors: Sequence[RecordKey]) -> bool:
    """Whether `events_of` reads these actors' events in one statement (then its own snapshot: no transaction)."""
    return len(actors) <= _ACTORS_PER_QUERY or len(set(actors)) <= _ACTORS_PER_QUERY


def _cursor_key(before: tuple[str, RecordKey]) -> tuple[str, str, str]:
    at = time_key(before[0])
    if at is None:
        raise ValueError("before: the cursor's timestamp is not an ISO-8601 date-time")
    return at, before[1].source, before[1].source_id


def _filters(
    types: Collection[str],
    since: datetime | None,
    until: datetime | None,
    before: tuple[str, RecordKey] | None,
) -> tuple[str, list[object], str]:
    """The WHERE terms (joined), their parameters and the event_facts index to walk."""
    filters: list[str] = ["f.at IS NOT NULL"]
    params: list[object] = []
    type_list = sorted(set(types))
    # Per actor, by (actor, time); with types, by (type, actor, time), which holds only those events (a consent
    # read seeks its few consent changes instead of reading the type of every event of the actor).
    index = "event_facts_by_actor"
    if type_list:
        filters.append(f"f.type IN ({','.join('?' * len(type_list))})")
        params += type_list
        index = "event_facts_by_type_actor"
    if since is not None:
        filters.append("f.at >= ?")
        params.append(time_key(since))
    if until is not None:
        filters.append("f.at < ?")
        params.append(time_key(until))
    if before is not None:
        filters.append("(f.at, e.source, e.source_id) < (?, ?, ?)")
        params += _cursor_key(before)
    return " AND ".join(filters), params, index


_Found = tuple[str, str, str, RecordKey, Record]  # at, event source, event source_id, actor, event


def _newest(found: list[_Found], limit: int, statements: int) -> list[tuple[RecordKey, Record]]:
    # One statement's rows are in order already (SQLite's BINARY order of text is Python's order of str).
    if statements > 1:
        found.sort(key=lambda row: (row[0], row[1], row[2]), reverse=True)
    return [(actor, event) for _, _, _, actor, event in found[:limit]]


def events_of(
    c: sqlite3.Connection,
    actors: Sequence[RecordKey],
    *,
    types: Collection[str],
    since: datetime | None,
    until: datetime | None,
    limit: int,
    before: tuple[str, RecordKey] | None,
) -> list[tuple[RecordKey, Record]]:
    """(actor, event) pairs for the events PERFORMED by `actors`, newest first by (at, event key).

    `since` is inclusive, `until` and `before` exclusive; events without a readable timestamp are left out.
    """
    if limit < 0:
        raise ValueError("limit must be >= 0")
    unique = list(dict.fromkeys(actors))
    if not unique or limit == 0:
        return []
    where, params, index = _filters(types, since, until, before)
    found: list[_Found] = []
    for start in range(0, len(unique), _ACTORS_PER_QUERY):
        chunk = unique[start : start + _ACTORS_PER_QUERY]
        values = ",".join(["(?, ?)"] * len(chunk))
        rows = c.execute(
            f"WITH k(source, source_id) AS (VALUES {values})"
            " SELECT a.source, a.source_id, e.source, e.source_id, e.properties, f.at FROM k"
            " JOIN records a ON a.source = k.source AND a.source_id = k.source_id"
            f" JOIN event_facts f INDEXED BY {index} ON f.actor_id = a.id"
            " JOIN records e ON e.id = f.record_id"
            f" WHERE {where}"
            " ORDER BY f.at DESC, e.source DESC, e.source_id DESC LIMIT ?",
            [part for key in chunk for part in key] + params + [limit],
        ).fetchall()
        for actor_source, actor_id, source, source_id, properties, at in rows:
            event = stored_record(_EVENT, source, source_id, properties)
            found.append((at, source, source_id, RecordKey(actor_source, actor_id), event))
    return _newest(found, limit, -(-len(unique) // _ACTORS_PER_QUERY))


def events_of_ids(
    c: sqlite3.Connection, actors: Mapping[int, RecordKey], *, types: Collection[str], limit: int
) -> list[tuple[RecordKey, Record]]:
    """`events_of` (no time filter, no cursor) for actors given by stored record id, with their keys: what a
    bundle read (graph.sqlite.bundle) asks once it has its members' ids, with no look-up by key."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if not actors or limit == 0:
        return []
    where, params, index = _filters(types, None, None, None)
    ids = list(actors)
    found: list[_Found] = []
    for start in range(0, len(ids), _ACTORS_PER_QUERY * 2):
        chunk = ids[start : start + _ACTORS_PER_QUERY * 2]
        rows = c.execute(
            "SELECT f.actor_id, e.source, e.source_id, e.properties, f.at"
            f" FROM event_facts f INDEXED BY {index} JOIN records e ON e.id = f.record_id"
            f" WHERE f.actor_id IN ({','.join('?' * len(chunk))}) AND {where}"
            " ORDER BY f.at DESC, e.source DESC, e.source_id DESC LIMIT ?",
            chunk + params + [limit],
        ).fetchall()
        for actor_id, source, source_id, properties, at in rows:
            found.append(
                (at, source, source_id, actors[actor_id], stored_record(_EVENT, source, source_id, properties))
            )
    return _newest(found, limit, -(-len(ids) // (_ACTORS_PER_QUERY * 2)))
