"""Neo4j read of an entity bundle (GraphStore.entity_bundle): the parts after the entity look-up, run in the same
read transaction with the same Cypher as identifiers_of and events_of."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import neo4j

from graph.bundle import EntityBundle
from graph.model import Entity, Identifier, RecordKey
from graph.neo4j.events import events_in

Tx = neo4j.ManagedTransaction


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
        events=events_in(tx, actors=members, types=(), limit=events),
        typed_events=events_in(tx, actors=members, types=typed_events, limit=typed_limit) if typed_events else [],
    )
