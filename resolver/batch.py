"""Batch resolution: every record of a kind, from the store to entities and back."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from graph import (
    RESOLVED_KINDS,
    Entity,
    EntityKind,
    GraphStore,
    IdentifierKind,
    Resolution,
)
from resolver.components import components
from resolver.golden import golden_traits
from resolver.stable_ids import assign_ids

# Identifier kinds that link records of each entity kind.
LINKING_KINDS: dict[EntityKind, frozenset[IdentifierKind]] = {
    EntityKind.PROFILE: frozenset(
        {IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE, IdentifierKind.ACCOUNT}
    ),
    EntityKind.ORGANIZATION: frozenset({IdentifierKind.DOMAIN}),
}

ID_PREFIX = {EntityKind.PROFILE: "p-", EntityKind.ORGANIZATION: "o-"}


class EntitySummary(BaseModel):
    """What one run did for one entity kind."""

    records: int = 0
    entities: int = 0
    created: int = 0
    merges: int = 0
    splits: int = 0
    retired: int = 0


class ResolveSummary(BaseModel):
    """What one resolve run did, per entity kind."""

    profiles: EntitySummary
    organizations: EntitySummary


def _resolve_kind(store: GraphStore, entity_kind: EntityKind, now: datetime) -> EntitySummary:
    record_kinds = RESOLVED_KINDS[entity_kind]
    records = {record.key: record for record in store.iter_records(record_kinds)}
    keys = list(records)
    linking = LINKING_KINDS[entity_kind]
    links = ((key, identifier) for key, identifier in store.iter_links(record_kinds) if identifier.kind in linking)
    groups = components(keys, links)
    previous = store.entity_ids_of(keys)
    created_at = {entity.id: entity.created_at for entity in store.iter_entities(entity_kind)}
    assignment = assign_ids(groups, previous, created_at, prefix=ID_PREFIX[entity_kind], now=now)
    entities = tuple(
        Entity(
            id=group.id,
            kind=entity_kind,
            traits=golden_traits(records[key] for key in group.members),
            members=group.members,
            created_at=group.created_at,
        )
        for group in assignment.groups
    )
    store.write_resolution(Resolution(entities=entities, aliases=assignment.aliases, retired=tuple(assignment.retired)))
    return EntitySummary(
        records=len(keys),
        entities=len(entities),
        created=assignment.created,
        merges=assignment.merges,
        splits=assignment.splits,
        retired=len(assignment.retired) - assignment.merges,
    )


def resolve(store: GraphStore) -> ResolveSummary:
    """Resolve every person record into Profiles and every company record into Organizations.

    Records sharing a linking identifier (transitively) form one entity. IDs are stable across runs (see
    `stable_ids`), and a re-run on an unchanged graph changes nothing.
    """
    now = datetime.now(UTC)
    return ResolveSummary(
        profiles=_resolve_kind(store, EntityKind.PROFILE, now),
        organizations=_resolve_kind(store, EntityKind.ORGANIZATION, now),
    )
