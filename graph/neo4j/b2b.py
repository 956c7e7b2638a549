"""Neo4j reads for B2B: batched neighbours, and organisations found by a company name or domain.

Record properties are one JSON string per node, so the name search first narrows Company records to those whose
JSON text contains the search text (a node scan the database does), then checks the name and domains exactly here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import neo4j

from graph.model import Direction, EntityKind, Neighbour, RecordKey, RecordKind, RelType
from graph.neo4j import cypher, rows
from graph.neo4j.transactions import fetch

_COMPANY = cypher.token(RecordKind.COMPANY)
_ORGANIZATION = cypher.token(EntityKind.ORGANIZATION)


def neighbours_query(rel: RelType, direction: Direction) -> str:
    """The records joined to each of $keys by relationships of one type and direction."""
    arrow = f"-[rel:{cypher.token(rel)}]->" if direction is Direction.OUT else f"<-[rel:{cypher.token(rel)}]-"
    return f"""
UNWIND $keys AS k
MATCH (r:{cypher.RECORD} {{source: k.source, source_id: k.source_id}}){arrow}(n:{cypher.RECORD})
RETURN k.source AS this_source, k.source_id AS this_source_id, n.source AS source, n.source_id AS source_id,
       labels(n) AS labels, n.properties AS properties, rel.properties AS relation_properties
"""


def neighbours_of(
    tx: neo4j.ManagedTransaction, keys: Sequence[RecordKey], rel: RelType, direction: Direction
) -> dict[RecordKey, list[Neighbour]]:
    grouped: dict[RecordKey, list[Neighbour]] = defaultdict(list)
    for row in fetch(tx, neighbours_query(rel, direction), keys=[rows.key_row(key) for key in keys]):
        neighbour = Neighbour(record=rows.record_from_row(row), properties=rows.decode_json(row["relation_properties"]))
        grouped[RecordKey(str(row["this_source"]), str(row["this_source_id"]))].append(neighbour)
    return dict(grouped)


# Organisations (after $after) with a Company record whose JSON text contains $needle ('' matches all).
SEARCH_CANDIDATES = f"""
MATCH (c:{_COMPANY})-[:RESOLVES_TO]->(o:{_ORGANIZATION})
WHERE o.id > $after AND toLower(c.properties) CONTAINS $needle
RETURN o.id AS id, c.properties AS properties
ORDER BY o.id
"""


def _searchable(properties: dict[str, Any]) -> list[str]:
    texts = [properties.get("name"), properties.get("domain")]
    domains = properties.get("domains")
    texts += domains if isinstance(domains, list) else [domains]
    return [str(t).casefold() for t in texts if t is not None]


def matching_organization_ids(tx: neo4j.ManagedTransaction, text: str, after: str | None) -> list[str]:
    """The IDs, in order, of organisations with a Company record whose name or a domain contains `text`
    (case-insensitive)."""
    wanted = text.casefold()
    # The JSON text escapes quotes, backslashes and control characters: for such text, let every record through.
    needle = text.lower() if json.dumps(text, ensure_ascii=False)[1:-1] == text else ""
    found: list[str] = []
    for row in fetch(tx, SEARCH_CANDIDATES, after=after or "", needle=needle):
        entity_id = str(row["id"])
        if found and found[-1] == entity_id:
            continue
        if any(wanted in value for value in _searchable(rows.decode_json(row["properties"]))):
            found.append(entity_id)
    return found
