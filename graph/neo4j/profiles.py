"""Cypher and transaction steps of the Neo4j store's profile reads: entities by ID or alias, pages, shared identifiers.

Labels and relationship types are spliced in only through `cypher.token` (model enums); every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence

import neo4j

from graph.model import Entity, EntityKind, IdentifierKind, SharedIdentifier
from graph.neo4j import cypher, rows
from graph.neo4j.transactions import fetch

Tx = neo4j.ManagedTransaction
READ_IDS = 2_000


def entity_page(kind: EntityKind) -> str:
    """Up to $limit entities of one kind with IDs after $after, in ID order, with their members."""
    return f"""
MATCH (e:{cypher.token(kind)})
WHERE e.id > $after
WITH e ORDER BY e.id LIMIT $limit
RETURN e.id AS id, e.traits AS traits, e.created_at AS created_at,
       [(e)<-[:RESOLVES_TO]-(r:{cypher.RECORD}) | [r.source, r.source_id]] AS members
"""


def count_entities(kind: EntityKind) -> str:
    """The number of entities of one kind (answered from the count store)."""
    return f"MATCH (e:{cypher.token(kind)}) RETURN count(e) AS count"


def shared_identifiers(kind: IdentifierKind, entity_kind: EntityKind) -> str:
    """Identifiers of one kind whose records resolve to at least $min_entities entities of one kind: the $limit most
    shared, each with its count and its first $per entity IDs in ID order."""
    identifier = f"(i:{cypher.token(kind)})<-[:{cypher.token(kind.relationship)}]-(:{cypher.RECORD})"
    entity = f"(e:{cypher.token(entity_kind)})"
    return f"""
MATCH {identifier}-[:RESOLVES_TO]->{entity}
WITH i, count(DISTINCT e) AS n
WHERE n >= $min_entities
WITH i, n ORDER BY n DESC, i.{kind.key_property}, i.system LIMIT $limit
MATCH {identifier}-[:RESOLVES_TO]->{entity}
WITH i, n, e.id AS id ORDER BY id
WITH i, n, collect(DISTINCT id) AS ids
RETURN labels(i) AS labels, properties(i) AS identifier, n AS count, ids[..$per] AS ids
"""


def entities_by_id(tx: Tx, ids: Sequence[str]) -> dict[str, Entity]:
    """Entities among `ids` by ID, then the rest by alias; keyed by the ID asked for."""
    found: dict[str, Entity] = {}
    for kind in EntityKind:
        for chunk in rows.chunked(ids, READ_IDS):
            for row in fetch(tx, cypher.get_entities(kind), ids=chunk):
                entity = rows.entity_from_row(kind, row)
                found[entity.id] = entity
    rest = [entity_id for entity_id in ids if entity_id not in found]
    targets: dict[EntityKind, dict[str, list[str]]] = {kind: {} for kind in EntityKind}
    for chunk in rows.chunked(rest, READ_IDS):
        for row in fetch(tx, cypher.ALIAS_TARGETS, ids=chunk):
            kind = rows.entity_kind_of_labels(row["labels"])
            targets[kind].setdefault(str(row["target"]), []).append(str(row["alias"]))
    for kind, aliases in targets.items():
        for chunk in rows.chunked(list(aliases), READ_IDS):
            for row in fetch(tx, cypher.get_entities(kind), ids=chunk):
                entity = rows.entity_from_row(kind, row)
                found.update((alias, entity) for alias in aliases[entity.id])
    return found


def entity_page_of(tx: Tx, kind: EntityKind, after: str | None, limit: int) -> list[Entity]:
    found = fetch(tx, entity_page(kind), after=after or "", limit=limit)
    return sorted((rows.entity_from_row(kind, row) for row in found), key=lambda entity: entity.id)


def shared_identifiers_of(
    tx: Tx,
    kind: IdentifierKind,
    *,
    min_entities: int,
    entity_kind: EntityKind,
    limit: int,
    ids_per_identifier: int,
) -> list[SharedIdentifier]:
    found = fetch(
        tx,
        shared_identifiers(kind, entity_kind),
        min_entities=min_entities,
        limit=limit,
        per=ids_per_identifier,
    )
    shared = [
        SharedIdentifier(
            rows.identifier_from_row(row["labels"], row["identifier"]),
            int(row["count"]),
            tuple(sorted(str(entity_id) for entity_id in row["ids"])),
        )
        for row in found
    ]
    return sorted(shared, key=lambda s: (-s.entity_count, s.identifier.value, s.identifier.system))
