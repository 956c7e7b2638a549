"""Neo4j reads of events (the facts on Event nodes, see graph.events) and the backfill of those facts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import neo4j

from graph.events import time_key
from graph.model import Record, RecordKey, RecordKind, RelType
from graph.neo4j import cypher, rows
from graph.neo4j.transactions import Transactions, execute, fetch

BACKFILL_ROWS = 2_000

_EVENT = cypher.token(RecordKind.EVENT)
_PERFORMED = cypher.token(RelType.PERFORMED)

# The events performed by the records among $actors, newest first by (at, source, source_id).
# $types: [] means all; $since / $until / $before_at may be null.
EVENTS_OF = f"""
UNWIND $actors AS k
MATCH (a:{cypher.RECORD} {{source: k.source, source_id: k.source_id}})-[:{_PERFORMED}]->(e:{_EVENT})
WHERE e.at IS NOT NULL
  AND (size($types) = 0 OR e.type IN $types)
  AND ($since IS NULL OR e.at >= $since)
  AND ($until IS NULL OR e.at < $until)
  AND ($before_at IS NULL OR e.at < $before_at
       OR (e.at = $before_at AND (e.source < $before_source
           OR (e.source = $before_source AND e.source_id < $before_source_id))))
RETURN a.source AS actor_source, a.source_id AS actor_source_id, e.source AS source, e.source_id AS source_id,
       e.properties AS properties, e.at AS at
ORDER BY e.at DESC, e.source DESC, e.source_id DESC
LIMIT $limit
"""

# Event nodes written before schema version 4 carry no facts yet: their keys and properties, a page at a time.
EVENTS_WITHOUT_FACTS = f"""
MATCH (e:{_EVENT})
WHERE e.at IS NULL AND e.type IS NULL AND e.properties IS NOT NULL AND NOT e.source + '|' + e.source_id IN $skip
RETURN e.source AS source, e.source_id AS source_id, e.properties AS properties
LIMIT $limit
"""

SET_EVENT_NODES = f"""
UNWIND $rows AS row
MATCH (e:{_EVENT} {{source: row.source, source_id: row.source_id}})
SET e = row.node
"""


def events_of(
    transactions: Transactions,
    actors: Sequence[RecordKey],
    *,
    types: Collection[str],
    since: datetime | None,
    until: datetime | None,
    limit: int,
    before: tuple[str, RecordKey] | None,
) -> list[tuple[RecordKey, Record]]:
    """See GraphStore.events_of."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if not actors or limit == 0:
        return []
    read = partial(events_in, actors=actors, types=types, since=since, until=until, limit=limit, before=before)
    return transactions.read("reading events", read)


def events_in(
    tx: neo4j.ManagedTransaction,
    *,
    actors: Sequence[RecordKey],
    types: Collection[str],
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    before: tuple[str, RecordKey] | None = None,
) -> list[tuple[RecordKey, Record]]:
    """events_of's read inside `tx` (a caller's transaction)."""
    unique = list(dict.fromkeys(actors))
    if not unique or limit == 0:
        return []
    params: dict[str, Any] = {
        "actors": [rows.key_row(key) for key in unique],
        "types": sorted(set(types)),
        "since": time_key(since) if since is not None else None,
        "until": time_key(until) if until is not None else None,
        "before_at": None,
        "before_source": None,
        "before_source_id": None,
        "limit": limit,
    }
    if before is not None:
        before_at = time_key(before[0])
        if before_at is None:
            raise ValueError("before: the cursor's timestamp is not an ISO-8601 date-time")
        params |= {"before_at": before_at, "before_source": before[1].source, "before_source_id": before[1].source_id}
    return [
        (
            RecordKey(str(row["actor_source"]), str(row["actor_source_id"])),
            Record(kind=RecordKind.EVENT, key=rows.key_of(row), properties=rows.decode_json(row["properties"])),
        )
        for row in fetch(tx, EVENTS_OF, **params)
    ]


def backfill_event_facts(transactions: Transactions) -> int:
    """Give Event nodes written before schema version 4 their facts; returns how many were updated."""
    done = 0
    skip: list[str] = []  # events whose properties yield no type and no time: nothing to set, never re-read
    while True:
        page = transactions.read(
            "reading events without facts",
            lambda tx: fetch(tx, EVENTS_WITHOUT_FACTS, limit=BACKFILL_ROWS, skip=skip),
        )
        if not page:
            return done
        updates: list[rows.Row] = []
        for row in page:
            record = Record(kind=RecordKind.EVENT, key=rows.key_of(row), properties=rows.decode_json(row["properties"]))
            node = rows.record_rows([record])[RecordKind.EVENT][0]["node"]
            if "type" in node or "at" in node:
                updates.append({"source": record.key.source, "source_id": record.key.source_id, "node": node})
            else:
                skip.append(f"{record.key.source}|{record.key.source_id}")

        def work(tx: neo4j.ManagedTransaction, chunk: list[rows.Row] = updates) -> None:
            execute(tx, SET_EVENT_NODES, rows=chunk)

        transactions.write("backfilling event facts", work)
        done += len(updates)
