"""Neo4j reads of segments: the profiles a prepared segment selects (compiled Cypher), a page at a time, and count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import neo4j

from graph.model import EntityKind
from graph.neo4j import cypher, rows
from graph.neo4j.transactions import Transactions, execute, fetch
from graph.segments.ast import Segment
from graph.segments.cypher import compile_cypher, count_query, members_query


def segment_members(
    transactions: Transactions,
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
    compiled = compile_cypher(segment, now=now or datetime.now(UTC))
    query, params = members_query(
        compiled, after=after, limit=limit, among=sorted(set(among)) if among is not None else None
    )
    found = transactions.read("reading segment members", lambda tx: fetch(tx, query, **params))
    return [str(row["id"]) for row in found]


def segment_count(transactions: Transactions, segment: Segment, *, now: datetime | None) -> int:
    """The number of profiles in the segment."""
    query, params = count_query(compile_cypher(segment, now=now or datetime.now(UTC)))
    found = transactions.read("counting segment members", lambda tx: fetch(tx, query, **params))
    return int(found[0]["count"])


BACKFILL_ROWS = 2_000


def _entity_page(kind: EntityKind) -> str:
    return f"""
MATCH (e:{cypher.token(kind)})
WHERE e.id > $after
RETURN e.id AS id, e.traits AS traits, e.created_at AS created_at
ORDER BY e.id
LIMIT $limit
"""


def _set_entity_nodes(kind: EntityKind) -> str:
    return f"""
UNWIND $rows AS row
MATCH (e:{cypher.token(kind)} {{id: row.id}})
SET e = row.node
"""


def _fetch(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return fetch(tx, query, **params)


def backfill_entity_traits(transactions: Transactions) -> int:
    """Give entity nodes written before schema version 4 their `trait.<name>` properties; how many were updated."""
    done = 0
    for kind in EntityKind:
        after = ""
        while True:
            query, params = _entity_page(kind), {"after": after, "limit": BACKFILL_ROWS}
            page = transactions.read("reading entities", partial(_fetch, query=query, params=params))
            if not page:
                break
            updates = []
            for row in page:
                node = {"id": row["id"], "traits": row["traits"], "created_at": row["created_at"]}
                traits = rows.entity_node_traits(rows.decode_json(row["traits"]))
                updates.append({"id": row["id"], "node": traits | node})

            def work(tx: neo4j.ManagedTransaction, chunk: list[rows.Row] = updates, k: EntityKind = kind) -> None:
                execute(tx, _set_entity_nodes(k), rows=chunk)

            transactions.write("backfilling entity traits", work)
            done += len(updates)
            after = str(page[-1]["id"])
    return done
