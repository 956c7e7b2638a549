"""EntityBundle: what the API shows of one looked-up profile, read by GraphStore.entity_bundle in one call."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.model import Entity, Identifier, Record, RecordKey


@dataclass(frozen=True)
class EntityBundle:
    """An entity found by identifier with what its member records hold, all read from one snapshot.

    Each part equals what the separate reads return: `identifiers` is `identifiers_of(members)`, `events` is
    `events_of(members, limit=events)` and `typed_events` is `events_of(members, types=..., limit=...)`
    (empty when not asked for).
    """

    entity: Entity
    identifiers: dict[RecordKey, list[Identifier]] | None = None  # None: not asked for
    events: list[tuple[RecordKey, Record]] = field(default_factory=list)
    typed_events: list[tuple[RecordKey, Record]] = field(default_factory=list)
