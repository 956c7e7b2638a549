"""SQL of who holds what in the SQLite store: the entities that records of some kinds holding an identifier resolve
to (the look-up behind a profile by email, phone, device or account), and the identifiers records hold."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Sequence

from graph.model import Identifier, IdentifierKind, RecordKind

_IDS_PER_QUERY = 500


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


def identifiers_by_record_id(c: sqlite3.Connection, record_ids: Sequence[int]) -> dict[int, list[Identifier]]:
    """The identifiers each of the records with `record_ids` (stored ids) holds, sorted; records holding none are
    absent."""
    links: dict[int, list[Identifier]] = defaultdict(list)
    for start in range(0, len(record_ids), _IDS_PER_QUERY):
        chunk = list(record_ids[start : start + _IDS_PER_QUERY])
        rows = c.execute(
            "SELECT ri.record_id, i.kind, i.value, i.system FROM record_identifiers ri"
            " JOIN identifiers i ON i.id = ri.identifier_id"
            f" WHERE ri.record_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        for record_id, kind, value, system in rows:
            links[record_id].append(Identifier(IdentifierKind(kind), value, system))
    for identifiers in links.values():
        identifiers.sort()
    return links
