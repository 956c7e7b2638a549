"""SQLite read of an entity bundle (GraphStore.entity_bundle): the entity holding an identifier, its members'
identifiers and their events, in one transaction, by stored record id once the members are known."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from datetime import datetime

import orjson

from graph.bundle import EntityBundle
from graph.model import Entity, EntityKind, Identifier, RecordKey, RecordKind
from graph.sqlite.events import events_of_ids
from graph.sqlite.holders import entity_ids_holding, identifiers_by_record_id

_IDS_PER_QUERY = 500


def _first_entity(c: sqlite3.Connection, ids: list[str]) -> tuple[str, str, str, str] | None:
    """The entity row with the smallest of `ids` that is an entity's own ID (as entities_holding keeps them)."""
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        row: tuple[str, str, str, str] | None = c.execute(
            "SELECT id, kind, traits, created_at FROM entities"
            f" WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id LIMIT 1",
            chunk,
        ).fetchone()
        if row is not None:
            return row
    return None


def _members(c: sqlite3.Connection, entity_id: str) -> dict[int, RecordKey]:
    """Stored id -> key of the entity's member records, in key order."""
    rows = c.execute(
        "SELECT r.id, r.source, r.source_id FROM resolves_to t JOIN records r ON r.id = t.record_id"
        " WHERE t.entity_id = ?",
        (entity_id,),
    ).fetchall()
    rows.sort(key=lambda row: (row[1], row[2]))
    return {record_id: RecordKey(source, source_id) for record_id, source, source_id in rows}


def _identifiers_of(c: sqlite3.Connection, members: Mapping[int, RecordKey]) -> dict[RecordKey, list[Identifier]]:
    """As identifiers_of: each member's identifiers, sorted; members holding none are absent."""
    return {members[record_id]: held for record_id, held in identifiers_by_record_id(c, list(members)).items()}


def entity_bundle(
    c: sqlite3.Connection,
    identifier: Identifier,
    kinds: Collection[RecordKind],
    *,
    identifiers: bool,
    events: int,
    typed_events: Collection[str],
    typed_limit: int,
) -> EntityBundle | None:
    """See GraphStore.entity_bundle; `c` is in a read transaction (one snapshot for every part)."""
    if events < 0 or typed_limit < 0:
        raise ValueError("events and typed_limit must be >= 0")
    row = _first_entity(c, entity_ids_holding(c, identifier, kinds))
    if row is None:
        return None
    entity_id, kind, traits, created_at = row
    members = _members(c, entity_id)
    entity = Entity.model_construct(
        id=entity_id,
        kind=EntityKind(kind),
        traits=orjson.loads(traits),
        members=tuple(members.values()),
        created_at=datetime.fromisoformat(created_at),
    )
    return EntityBundle(
        entity=entity,
        identifiers=_identifiers_of(c, members) if identifiers else None,
        events=events_of_ids(c, members, types=(), limit=events),
        typed_events=events_of_ids(c, members, types=typed_events, limit=typed_limit) if typed_events else [],
    )
