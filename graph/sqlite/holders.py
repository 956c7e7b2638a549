"""SQL of the SQLite store's `entities_holding`: the entities that records of some kinds holding an identifier
resolve to (the look-up behind a profile by email, phone, device or account)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from graph.model import Identifier, RecordKind


def entity_ids_holding(c: sqlite3.Connection, identifier: Identifier, kinds: Collection[RecordKind]) -> list[str]:
    """IDs of the entities the records of `kinds` holding `identifier` resolve to, in ID order."""
    wanted = sorted({kind.value for kind in kinds})
    if not wanted:
        return []
    rows = c.execute(
        "SELECT DISTINCT t.entity_id FROM identifiers i"
        " JOIN record_identifiers ri ON ri.identifier_id = i.id"
        " JOIN records r ON r.id = ri.record_id"
        " JOIN resolves_to t ON t.record_id = r.id"
        f" WHERE i.kind = ? AND i.value = ? AND i.system = ? AND r.kind IN ({','.join('?' * len(wanted))})"
        " ORDER BY t.entity_id",
        (identifier.kind.value, identifier.value, identifier.system, *wanted),
    )
    return [str(entity_id) for (entity_id,) in rows]
