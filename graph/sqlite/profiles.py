"""SQL of the SQLite store's profile reads: entities by ID or alias, pages of entities, shared identifiers."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from graph.model import EntityKind, Identifier, IdentifierKind, SharedIdentifier

EntityRow = tuple[str, str, str, str]  # id, kind, traits, created_at


def entity_rows_by_id(c: sqlite3.Connection, ids: Sequence[str]) -> dict[str, EntityRow]:
    """The entity row of each of `ids` (at most 500) that is an entity ID or an alias, keyed by the ID asked for."""
    if not ids:
        return {}
    values = ",".join(["(?)"] * len(ids))
    rows = c.execute(
        f"WITH k(id) AS (VALUES {values})"
        " SELECT k.id, e.id, e.kind, e.traits, e.created_at FROM k JOIN entities e ON e.id = k.id"
        " UNION ALL SELECT k.id, e.id, e.kind, e.traits, e.created_at FROM k"
        " JOIN entity_aliases a ON a.alias = k.id JOIN entities e ON e.id = a.entity_id",
        list(ids),
    )
    return {asked: (entity_id, kind, traits, created_at) for asked, entity_id, kind, traits, created_at in rows}


def entity_page_rows(c: sqlite3.Connection, kind: EntityKind, after: str | None, limit: int) -> list[EntityRow]:
    """Up to `limit` entity rows of one kind with IDs after `after`, in ID order (walks entities_by_kind)."""
    rows: list[EntityRow] = c.execute(
        "SELECT id, kind, traits, created_at FROM entities WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
        (kind.value, after or "", limit),
    ).fetchall()
    return rows


def count_entities(c: sqlite3.Connection, kind: EntityKind) -> int:
    return int(c.execute("SELECT count(*) FROM entities WHERE kind = ?", (kind.value,)).fetchone()[0])


# Identifiers of one kind with the number of distinct entities (of one kind) their records resolve to.
_SHARED = """
SELECT i.id, i.value, i.system, count(DISTINCT t.entity_id) AS n
FROM identifiers i
JOIN record_identifiers ri ON ri.identifier_id = i.id
JOIN resolves_to t ON t.record_id = ri.record_id
JOIN entities e ON e.id = t.entity_id AND e.kind = ?
WHERE i.kind = ?
GROUP BY i.id
HAVING n >= ?
ORDER BY n DESC, i.value, i.system
LIMIT ?
"""

# The first `?` entity IDs (in ID order) of each identifier among the ids of `k`.
_SHARED_ENTITY_IDS = """
SELECT identifier_id, entity_id FROM (
    SELECT d.identifier_id, d.entity_id, row_number() OVER (PARTITION BY d.identifier_id ORDER BY d.entity_id) AS nr
    FROM (
        SELECT DISTINCT ri.identifier_id, t.entity_id
        FROM k JOIN record_identifiers ri ON ri.identifier_id = k.id
        JOIN resolves_to t ON t.record_id = ri.record_id
        JOIN entities e ON e.id = t.entity_id AND e.kind = ?
    ) d
)
WHERE nr <= ?
ORDER BY identifier_id, entity_id
"""


def shared_identifiers(
    c: sqlite3.Connection,
    kind: IdentifierKind,
    *,
    min_entities: int,
    entity_kind: EntityKind,
    limit: int,
    ids_per_identifier: int,
) -> list[SharedIdentifier]:
    found = c.execute(_SHARED, (entity_kind.value, kind.value, min_entities, limit)).fetchall()
    if not found:
        return []
    ids: dict[int, list[str]] = defaultdict(list)
    if ids_per_identifier > 0:
        values = ",".join(["(?)"] * len(found))
        rows = c.execute(
            f"WITH k(id) AS (VALUES {values})" + _SHARED_ENTITY_IDS,
            [row[0] for row in found] + [entity_kind.value, ids_per_identifier],
        )
        for identifier_id, entity_id in rows:
            ids[identifier_id].append(entity_id)
    return [
        SharedIdentifier(Identifier(kind, value, system), int(count), tuple(ids.get(identifier_id, ())))
        for identifier_id, value, system, count in found
    ]
