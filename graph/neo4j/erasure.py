"""Neo4j side of erasure: forget an entity in one managed write transaction, and the suppression list.

The backend's own labels: `(:Suppression {hash, added_at})` (keyed hashes only) and `(:ErasureRequest {id,
request})`, one per entity ID and former alias, `request` being the JSON of a graph.erasure.ErasureRequest.
`DETACH DELETE` of a record removes its identifier links, relationships (SAME_AS, PERFORMED, ...), RESOLVES_TO
and IN_BLOCK with it. The transaction function reads what it needs, then deletes and merges by natural keys, so
a retried attempt (after the driver rolled the first one back) does the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

import neo4j

from graph.erasure import ErasureCounts, ErasureRequest, Suppressor, history_needle, without_records
from graph.model import EntityKind, Identifier, IdentifierKind, RecordKey, RelType
from graph.neo4j import cypher, rows
from graph.neo4j.transactions import Transactions, execute, fetch

SUPPRESSION = cypher.token(cypher.Bookkeeping.SUPPRESSION)
ERASURE_REQUEST = cypher.token(cypher.Bookkeeping.ERASURE_REQUEST)
_CHUNK = 2_000

_IDENTIFIER_RELS = "|".join(cypher.token(kind.relationship) for kind in IdentifierKind)
_RECORD_BY_ROW = f"(r:{cypher.RECORD} {{source: row.source, source_id: row.source_id}})"

# The events performed by the records among $rows.
_EVENTS = f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}-[:{cypher.token(RelType.PERFORMED)}]->(e:{cypher.RECORD})
RETURN DISTINCT e.source AS source, e.source_id AS source_id
"""

# The identifiers of the records among $rows, each with how many records outside $doomed ([source, source_id]
# pairs) hold it too.
_IDENTIFIERS = f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}-[:{_IDENTIFIER_RELS}]->(i)
WITH DISTINCT i
OPTIONAL MATCH (i)<-[:{_IDENTIFIER_RELS}]-(other:{cypher.RECORD})
WHERE NOT [other.source, other.source_id] IN $doomed
RETURN labels(i) AS labels, properties(i) AS identifier, count(other) AS others
"""

_DELETE_HISTORY = f"""
UNWIND $ids AS id
MATCH (h:{cypher.HISTORY_EVENT} {{entity_id: id}})
DETACH DELETE h
RETURN count(*) AS deleted
"""

# History events that may name one of the deleted records: their `records` JSON holds one of $needles (see
# graph.erasure.history_needle); the exact pairs are checked in Python.
_HISTORY_NAMING = f"""
MATCH (h:{cypher.HISTORY_EVENT})
WHERE any(needle IN $needles WHERE h.records CONTAINS needle)
RETURN elementId(h) AS id, h.records AS records
"""

_SET_HISTORY_RECORDS = f"""
UNWIND $rows AS row
MATCH (h:{cypher.HISTORY_EVENT})
WHERE elementId(h) = row.id
SET h.records = row.records
"""

# Overrides naming a record among $pairs ([source, source_id]).
_DELETE_OVERRIDES = f"""
MATCH (o:{cypher.OVERRIDE})
WHERE [o.a_source, o.a_id] IN $pairs OR [o.b_source, o.b_id] IN $pairs
DETACH DELETE o
RETURN count(*) AS deleted
"""

_DELETE_RECORDS = f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}
DETACH DELETE r
"""

_ADD_SUPPRESSIONS = f"""
UNWIND $hashes AS h
OPTIONAL MATCH (old:{SUPPRESSION} {{hash: h}})
WITH h, old IS NULL AS fresh
MERGE (s:{SUPPRESSION} {{hash: h}})
ON CREATE SET s.added_at = $at
RETURN sum(CASE WHEN fresh THEN 1 ELSE 0 END) AS added
"""

_PUT_REQUESTS = f"""
UNWIND $ids AS id
MERGE (x:{ERASURE_REQUEST} {{id: id}})
SET x.request = $request
"""

_GET_REQUEST = f"""
MATCH (x:{ERASURE_REQUEST} {{id: $id}})
RETURN x.request AS request
"""

_SUPPRESSED = f"""
UNWIND $hashes AS h
MATCH (s:{SUPPRESSION} {{hash: h}})
RETURN s.hash AS hash
"""

_ALL_SUPPRESSED = f"""
MATCH (s:{SUPPRESSION})
RETURN s.hash AS hash
"""


def _delete_identifiers(kind: IdentifierKind) -> str:
    return f"""
UNWIND $rows AS row
MATCH {cypher.identifier_pattern(kind)}
DETACH DELETE i
"""


def _entity_stored(kind: EntityKind) -> str:
    return f"""
MATCH (e:{cypher.token(kind)} {{id: $id}})
RETURN e.id AS id
"""


def constraint_statements() -> list[str]:
    """The uniqueness constraints of the erasure labels (see graph.neo4j.schema)."""
    return [
        f"CREATE CONSTRAINT idgraph_suppression_hash IF NOT EXISTS FOR (n:{SUPPRESSION}) REQUIRE n.hash IS UNIQUE",
        f"CREATE CONSTRAINT idgraph_erasure_request_id IF NOT EXISTS FOR (n:{ERASURE_REQUEST}) REQUIRE n.id IS UNIQUE",
    ]


def _find_entity(tx: neo4j.ManagedTransaction, entity_id: str) -> tuple[str, EntityKind] | None:
    for kind in EntityKind:
        if fetch(tx, _entity_stored(kind), id=entity_id):
            return entity_id, kind
    for row in fetch(tx, cypher.ALIAS_TARGETS, ids=[entity_id]):
        return str(row["target"]), rows.entity_kind_of_labels(row["labels"])
    return None


def _keys(found: list[dict[str, object]]) -> list[RecordKey]:
    return [rows.key_of(row) for row in found]


def _scrub_history(tx: neo4j.ManagedTransaction, members: list[RecordKey]) -> int:
    """Remove the deleted records from other entities' history (see graph.sqlite.erasure); the count."""
    doomed = set(members)
    removed = 0
    for chunk in rows.chunked(members, _CHUNK):
        needles = sorted({history_needle(key.source_id) for key in chunk})
        changed = []
        for row in fetch(tx, _HISTORY_NAMING, needles=needles):
            before = rows.decode_json_list(row["records"])
            kept = without_records(before, doomed)
            if len(kept) < len(before):
                removed += len(before) - len(kept)
                changed.append({"id": row["id"], "records": rows.encode_json_list(kept)})
        for rows_chunk in rows.chunked(changed, _CHUNK):
            execute(tx, _SET_HISTORY_RECORDS, rows=rows_chunk)
    return removed


def _erase(tx: neo4j.ManagedTransaction, entity_id: str, suppress: Suppressor, at: datetime) -> ErasureRequest | None:
    found = _find_entity(tx, entity_id)
    if found is None:
        return None
    entity, kind = found
    members = sorted(_keys(fetch(tx, cypher.members_of(kind), ids=[entity])))
    member_rows = [rows.key_row(key) for key in members]
    events: set[RecordKey] = set()
    for chunk in rows.chunked(member_rows, _CHUNK):
        events.update(_keys(fetch(tx, _EVENTS, rows=chunk)))
    doomed = sorted(set(members) | events)
    doomed_rows = [rows.key_row(key) for key in doomed]
    doomed_pairs = [list(key) for key in doomed]
    alone: set[Identifier] = set()
    for chunk in rows.chunked(doomed_rows, _CHUNK):
        for row in fetch(tx, _IDENTIFIERS, rows=chunk, doomed=doomed_pairs):
            if int(row["others"]) == 0:
                alone.add(rows.identifier_from_row(row["labels"], row["identifier"]))
    aliases = sorted(str(row["alias"]) for row in fetch(tx, cypher.aliases_pointing_at(kind), ids=[entity]))
    history = int(fetch(tx, _DELETE_HISTORY, ids=[entity, *aliases])[0]["deleted"])
    history_mentions = _scrub_history(tx, members)
    overrides = int(fetch(tx, _DELETE_OVERRIDES, pairs=[list(key) for key in members])[0]["deleted"])
    for chunk in rows.chunked(doomed_rows, _CHUNK):
        execute(tx, _DELETE_RECORDS, rows=chunk)
    for identifier_kind in IdentifierKind:
        params = [rows.identifier_params(i) for i in sorted(alone) if i.kind is identifier_kind]
        for chunk in rows.chunked(params, _CHUNK):
            execute(tx, _delete_identifiers(identifier_kind), rows=chunk)
    execute(tx, cypher.DELETE_ALIASES, ids=aliases)
    execute(tx, cypher.retire_entities(kind), ids=[entity])
    items: list[Identifier | RecordKey] = [*sorted(alone), *members]
    hashes = sorted({suppress(item) for item in items})
    added = 0
    for hash_chunk in rows.chunked(hashes, _CHUNK):
        added += int(fetch(tx, _ADD_SUPPRESSIONS, hashes=hash_chunk, at=at.isoformat())[0]["added"] or 0)
    request = ErasureRequest(
        entity_id=entity,
        requested_at=at,
        completed_at=at,
        counts=ErasureCounts(
            records=len(members),
            events=len(events),
            identifiers=len(alone),
            entities=1,
            aliases=len(aliases),
            history=history,
            history_mentions=history_mentions,
            overrides=overrides,
            suppressed=added,
        ),
    )
    execute(tx, _PUT_REQUESTS, ids=[entity, *aliases], request=request.model_dump_json())
    return request


def erase_entity(
    transactions: Transactions, entity_id: str, suppress: Suppressor, at: datetime
) -> ErasureRequest | None:
    return transactions.write("erasing an entity", lambda tx: _erase(tx, entity_id, suppress, at))


def erasure_request(transactions: Transactions, entity_id: str) -> ErasureRequest | None:
    found = transactions.read("reading an erasure request", lambda tx: fetch(tx, _GET_REQUEST, id=entity_id))
    return ErasureRequest.model_validate_json(found[0]["request"]) if found else None


def suppressed(transactions: Transactions, hashes: Collection[str]) -> set[str]:
    unique = sorted(set(hashes))
    if not unique:
        return set()

    def work(tx: neo4j.ManagedTransaction) -> set[str]:
        found: set[str] = set()
        for chunk in rows.chunked(unique, _CHUNK):
            found.update(str(row["hash"]) for row in fetch(tx, _SUPPRESSED, hashes=chunk))
        return found

    return transactions.read("reading the suppression list", work)


def iter_suppressed(transactions: Transactions) -> Iterator[str]:
    found = transactions.read("reading the suppression list", lambda tx: fetch(tx, _ALL_SUPPRESSED))
    return iter(sorted(str(row["hash"]) for row in found))
