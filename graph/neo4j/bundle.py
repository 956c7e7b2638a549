"""Neo4j read of an entity bundle (GraphStore.entity_bundle): the parts after the entity look-up, run in the same
read transaction with the same Cypher as identifiers_of and events_of."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import neo4j

from graph.bundle import EntityBundle
from graph.model import Entity, Identifier, Record, RecordKey, RecordKind
from graph.neo4j import rows
from graph.neo4j.events import EVENTS_OF
from graph.neo4j.transactions import fetch

Tx = neo4j.ManagedTransaction


def _events(tx: Tx, actors: Sequence[RecordKey], types: Collection[str], limit: int) -> list[tuple[RecordKey, Record]]:
    """events_of(actors, types=types, limit=limit) inside `tx` (no time filter, no cursor)."""
    unique = list(dict.fromkeys(actors))
    if not unique or limit == 0:
        return []
    params: dict[str, Any] = {
        "actors": [rows.key_row(key) for key in unique],
        "types": sorted(set(types)),
        "since": None,
        "until": None,
        "before_at": None,
        "before_source": None,
        "before_source_id": None,
        "limit": limit,
    }
    return [
        (
            RecordKey(str(row["actor_source"]), str(row["actor_source_id"])),
            Record(kind=RecordKind.EVENT, key=rows.key_of(row), properties=rows.decode_json(row["properties"])),
        )
        for row in fetch(tx, EVENTS_OF, **params)
    ]


def entity_bundle(
    tx: Tx,
    holders: list[Entity],
    identifiers_of: Callable[[Tx, Sequence[RecordKey]], dict[RecordKey, list[Identifier]]] | None,
    *,
    events: int,
    typed_events: Collection[str],
    typed_limit: int,
) -> EntityBundle | None:
    """The bundle of the first of `holders` (entities_holding's result, read in `tx`); `identifiers_of` reads the
    members' identifiers in `tx` (None: not asked for)."""
    if not holders:
        return None
    entity = holders[0]
    members = list(entity.members)
    return EntityBundle(
        entity=entity,
        identifiers=None if identifiers_of is None else (identifiers_of(tx, members) if members else {}),
        events=_events(tx, members, (), events),
        typed_events=_events(tx, members, typed_events, typed_limit) if typed_events else [],
    )
