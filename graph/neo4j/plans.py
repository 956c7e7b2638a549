"""Pure decisions of the Neo4j store's writes: which errors a batch or resolution raises, and how aliases move.

The store reads what it needs inside its write transaction, hands it to these functions and writes what
they decide, so the rules are tested without a server.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from graph.errors import (
    GraphStoreError,
    RecordKindConflictError,
    RelationEndpointError,
    ResolutionError,
    UnknownRecordError,
)
from graph.model import (
    RECORD_RELATIONS,
    RESOLVED_KINDS,
    EntityKind,
    GraphBatch,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
)

# -- GraphStore.write ----------------------------------------------------------------------------------------


def referenced_keys(batch: GraphBatch) -> list[RecordKey]:
    """Every record key the batch writes or refers to, each once, in first-seen order."""
    keys = [record.key for record in batch.records]
    keys += [link.record for link in batch.links]
    for relation in batch.relations:
        keys += [relation.start, relation.end]
    return list(dict.fromkeys(keys))


def check_batch(batch: GraphBatch, stored: Mapping[RecordKey, RecordKind]) -> None:
    """Raise unless the batch fits the stored kinds of the keys it refers to.

    Raises RecordKindConflictError (a key given two kinds), UnknownRecordError (a link or relation from or
    to a record neither stored nor in the batch) or RelationEndpointError (kinds the type does not allow).
    """
    kinds: dict[RecordKey, RecordKind] = {}
    for record in batch.records:
        earlier = kinds.setdefault(record.key, record.kind)
        if earlier is not record.kind:
            raise RecordKindConflictError(f"record {record.key} appears in the batch as {earlier} and {record.kind}")
        before = stored.get(record.key)
        if before is not None and before is not record.kind:
            raise RecordKindConflictError(
                f"record {record.key} is stored as {before}, cannot be written as {record.kind}"
            )
    known = {**stored, **kinds}
    for link in batch.links:
        if link.record not in known:
            raise UnknownRecordError(f"{link.identifier.kind} link from unknown record {link.record}")
    for relation in batch.relations:
        _check_relation(relation, known)


def _check_relation(relation: Relation, known: Mapping[RecordKey, RecordKind]) -> None:
    """Raise UnknownRecordError for an end that is not known, RelationEndpointError for kinds the type does not
    allow."""
    _check_ends_known(relation.type, relation.start, relation.end, known)
    starts, ends = RECORD_RELATIONS[relation.type]
    start_kind, end_kind = known[relation.start], known[relation.end]
    if start_kind not in starts or end_kind not in ends:
        raise RelationEndpointError(
            f"{relation.type} cannot join {start_kind} {relation.start} to {end_kind} {relation.end}: "
            f"it joins {_names(starts)} to {_names(ends)}"
        )


def _check_ends_known(rel: RelType, start: RecordKey, end: RecordKey, known: Mapping[RecordKey, RecordKind]) -> None:
    for key in (start, end):
        if key not in known:
            raise UnknownRecordError(f"{rel} relation refers to unknown record {key}")


def _names(kinds: Collection[RecordKind]) -> str:
    return "/".join(sorted(kinds))


def check_stored(keys: Collection[RecordKey], stored: Collection[RecordKey], purpose: str, limit: int = 5) -> None:
    """Raise UnknownRecordError naming (the first `limit` of) the keys that are not stored."""
    missing = sorted(set(keys) - set(stored))
    if missing:
        shown = ", ".join(str(key) for key in missing[:limit])
        more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
        raise UnknownRecordError(f"{purpose} refer to unknown record(s): {shown}{more}")


# -- GraphStore.write_resolution -----------------------------------------------------------------------------


def member_keys(resolution: Resolution) -> list[RecordKey]:
    """Every member record of the resolution's entities, each once."""
    return list(dict.fromkeys(member for entity in resolution.entities for member in entity.members))


def check_members(resolution: Resolution, stored: Mapping[RecordKey, RecordKind]) -> None:
    """Raise UnknownRecordError for a member record that is not stored, ResolutionError for one whose kind does
    not resolve to its entity's kind."""
    for entity in resolution.entities:
        allowed = RESOLVED_KINDS[entity.kind]
        for member in entity.members:
            kind = stored.get(member)
            if kind is None:
                raise UnknownRecordError(f"entity {entity.id} has unknown member record {member}")
            if kind not in allowed:
                raise ResolutionError(f"record {member} is a {kind} and cannot resolve to a {entity.kind}")


def linked_keys(resolution: Resolution) -> list[RecordKey]:
    """Every record at an end of a SAME_AS link the resolution upserts or deletes, each once."""
    keys = [key for relation in resolution.same_as for key in (relation.start, relation.end)]
    keys += [key for relation in resolution.same_as_removed for key in (relation.start, relation.end)]
    return list(dict.fromkeys(keys))


def check_same_as(resolution: Resolution, stored: Mapping[RecordKey, RecordKind]) -> None:
    """Raise UnknownRecordError for a SAME_AS link (upserted or deleted) with an end that is not stored, and
    RelationEndpointError for an upserted one joining kinds that SAME_AS does not allow."""
    for relation in resolution.same_as:
        _check_relation(relation, stored)
    for removed in resolution.same_as_removed:
        _check_ends_known(removed.type, removed.start, removed.end, stored)


def blocking_keys(resolution: Resolution) -> dict[RecordKey, tuple[str, ...]]:
    """The blocking keys each record of the resolution gets (a record given twice keeps its last keys)."""
    return dict(resolution.blocking_keys)


def check_blocking_keys(resolution: Resolution, stored: Collection[RecordKey]) -> None:
    """Raise UnknownRecordError naming the records given blocking keys that are not stored."""
    check_stored([record for record, _ in resolution.blocking_keys], stored, "blocking keys")


def check_entity_kinds(resolution: Resolution, stored: Mapping[str, EntityKind]) -> None:
    """Raise ResolutionError if an upserted entity ID is stored under another entity kind."""
    for entity in resolution.entities:
        before = stored.get(entity.id)
        if before is not None and before is not entity.kind:
            raise ResolutionError(f"entity {entity.id} is stored as {before}, cannot be written as {entity.kind}")


def stale_members(
    resolution: Resolution, current: Mapping[str, Collection[RecordKey]]
) -> dict[EntityKind, list[tuple[RecordKey, str]]]:
    """(record, entity) memberships to remove: records resolving to an upserted entity but not among its members."""
    stale: dict[EntityKind, list[tuple[RecordKey, str]]] = {}
    for entity in resolution.entities:
        keep = set(entity.members)
        gone = sorted(key for key in current.get(entity.id, ()) if key not in keep)
        if gone:
            stale.setdefault(entity.kind, []).extend((key, entity.id) for key in gone)
    return stale


@dataclass(frozen=True)
class AliasPlan:
    """Aliases to point at a live entity (alias ID -> (entity ID, entity kind)) and aliases to delete."""

    upserts: dict[str, tuple[str, EntityKind]]
    deletes: frozenset[str]


def plan_aliases(
    resolution: Resolution,
    stored_entities: Mapping[str, EntityKind],
    stored_aliases: Mapping[str, tuple[str, EntityKind]],
    aliases_of: Mapping[str, Collection[str]],
) -> AliasPlan:
    """Where every alias touched by the resolution must point afterwards.

    `stored_entities`: stored entity kinds of (at least) the upserted, retired, aliased and target IDs.
    `stored_aliases`: stored aliases among the alias targets, with the entity each points at.
    `aliases_of`: the stored aliases pointing at each retired or aliased (merged-away) entity.

    A new alias follows chains to a live entity: first through the resolution's own aliases (p2 -> p3
    with p3 -> p1 gives p2 -> p1), then through stored aliases. Stored aliases of a merged-away entity
    move to where it went (so chains never form in the store); those of an entity retired without an
    alias are deleted, since they would point at nothing. Raises GraphStoreError for a cycle or a target
    that is neither a live entity nor an alias of one.
    """
    upserted = {entity.id: entity.kind for entity in resolution.entities}
    retired = set(resolution.retired)

    def live(entity_id: str) -> tuple[str, EntityKind] | None:
        if entity_id in upserted:
            return entity_id, upserted[entity_id]
        if entity_id not in retired and entity_id in stored_entities:
            return entity_id, stored_entities[entity_id]
        return None

    def resolve(alias: str, target: str) -> tuple[str, EntityKind]:
        path = [alias]
        current = target
        while True:
            if current not in resolution.aliases and (found := live(current)) is not None:
                return found
            if current in path:
                raise GraphStoreError(f"alias {alias}: the aliases form a cycle through {current}")
            path.append(current)
            if current in resolution.aliases:
                current = resolution.aliases[current]
            elif current in stored_aliases:
                current, kind = stored_aliases[current]
                if current not in retired and current not in resolution.aliases and current not in upserted:
                    return current, kind  # a stored alias points at a stored entity
            else:
                raise GraphStoreError(f"alias {alias}: {current} is neither a live entity nor an alias of one")

    upserts = {alias: resolve(alias, target) for alias, target in resolution.aliases.items()}
    deletes: set[str] = set()
    for entity_id in sorted(retired | set(resolution.aliases)):
        for alias in aliases_of.get(entity_id, ()):
            if alias in upserts or alias in upserted:
                continue  # declared again by this resolution, or its ID comes back as an entity
            if entity_id in resolution.aliases:
                upserts[alias] = upserts[entity_id]
            else:
                deletes.add(alias)
    return AliasPlan(upserts=upserts, deletes=frozenset(deletes))
