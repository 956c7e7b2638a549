"""Incremental resolution: one new or changed record resolved against the stored graph in milliseconds.

The records that can be affected are gathered around it: everything linked to it by usable evidence, the
entities they belong to now (so a merge or a split shows), and all holders of its identifiers (so an
identifier crossing its sharing limit unlinks the records it was joining). The same partition function as
the batch run groups them, with the store's holder counts, so the outcome is the batch run's outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph import (
    RESOLVED_KINDS,
    Direction,
    Entity,
    EntityKind,
    GraphStore,
    HistoryEvent,
    Identifier,
    OverrideKind,
    Record,
    RecordKey,
    Relation,
    RelationKey,
    RelType,
    Resolution,
    entity_kind_of,
)
from resolver.batch import LINKING_KINDS, changed_entities, record_age
from resolver.fuzzy import CompanyFeatures
from resolver.linking import Evidence, FuzzyEdge, partition
from resolver.matching import (
    company_conflicts,
    fuzzy_update,
    matcher,
    name_agreement,
    person_features,
    same_as_of,
    stored_model,
)
from resolver.rules import Rules
from resolver.stable_ids import ID_PREFIX, assign_ids, derived_id

# A neighbourhood bigger than this is beyond one incremental step: run a batch resolve instead.
MAX_NEIGHBOURHOOD = 20_000


@dataclass
class RecordResolution:
    """What resolving one record did."""

    record: RecordKey
    entity_id: str | None
    entity_kind: EntityKind | None
    records_considered: int = 0
    merges: int = 0
    splits: int = 0
    created: int = 0
    changed_entities: list[str] = field(default_factory=list)


class NeighbourhoodTooLarge(RuntimeError):
    """The record touches more of the graph than one incremental step should; run `idgraph resolve`."""


@dataclass
class _Neighbourhood:
    records: set[RecordKey] = field(default_factory=set)
    links: dict[RecordKey, list[Identifier]] = field(default_factory=dict)
    holders: dict[Identifier, int] = field(default_factory=dict)
    same_as: dict[tuple[RecordKey, RecordKey], FuzzyEdge] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    found: dict[RecordKey, Record] = field(default_factory=dict)  # the records themselves


def _still_joining(store: GraphStore, holders: list[RecordKey], limit: int) -> bool:
    """Whether an identifier the changed record took over its sharing limit may still join other holders.

    Just over the limit (one more holder than allowed), it joined them until now. A little further over (when
    several records were written before this one is resolved), it did if two holders share an entity. Far over,
    it has linked nobody for long.
    """
    if len(holders) == limit + 1:
        return True
    if len(holders) > 4 * limit:
        return False
    entities = list(store.entity_ids_of(holders).values())
    return len(set(entities)) < len(entities)


def _gather(
    store: GraphStore, start: RecordKey, kind: EntityKind, rules: Rules, seeds: set[RecordKey]
) -> _Neighbourhood:
    """The records whose grouping may change when `start` changes (and `seeds`, whose links it changed), with
    the evidence among them."""
    linking = LINKING_KINDS[kind]
    hood = _Neighbourhood()
    # always_link pairs join records as evidence does, so the partner of a record belongs in its neighbourhood.
    partners: dict[RecordKey, set[RecordKey]] = {}
    for override in store.overrides():
        if override.kind is OverrideKind.ALWAYS_LINK:
            partners.setdefault(override.a, set()).add(override.b)
            partners.setdefault(override.b, set()).add(override.a)
    frontier = sorted({start} | seeds)
    first = True
    while frontier:
        hood.records.update(frontier)
        if len(hood.records) > MAX_NEIGHBOURHOOD:
            raise NeighbourhoodTooLarge(f"record {start} reaches more than {MAX_NEIGHBOURHOOD} records")
        following: set[RecordKey] = set()
        held = store.identifiers_of(frontier)
        for key in frontier:
            own = [i for i in held.get(key, ()) if i.kind in linking]
            hood.links[key] = own
            for identifier in own:
                if identifier in hood.holders:
                    continue
                holders = store.records_with(identifier)
                hood.holders[identifier] = len(holders)
                kind_rule = rules.rule(identifier.kind)
                if not kind_rule.link or rules.blocked.blocks(identifier) is not None:
                    continue
                if len(holders) <= kind_rule.max_records or (
                    first and key == start and _still_joining(store, holders, kind_rule.max_records)
                ):
                    following.update(holders)
            for pair, edge in same_as_of(store, key).items():
                hood.same_as[pair] = edge
                following.update(pair)
            following.update(partners.get(key, ()))
        entity_ids = store.entity_ids_of(frontier)
        for entity_id in set(entity_ids.values()) - hood.entities.keys():
            entity = store.get_entity(entity_id)
            if entity is not None:
                hood.entities[entity_id] = entity
                following.update(entity.members)
        first = False
        frontier = sorted(following - hood.records)
    allowed = RESOLVED_KINDS[kind]
    hood.found = {k: r for k, r in store.get_records(sorted(hood.records)).items() if r.kind in allowed}
    hood.records = set(hood.found)
    return hood


Pairs = list[tuple[RecordKey, RecordKey]]


def _overrides(store: GraphStore, records: Iterable[RecordKey]) -> tuple[Pairs, Pairs]:
    """always_link and never_link pairs among `records`."""
    inside = set(records)
    always: Pairs = []
    never: Pairs = []
    for override in store.overrides():
        if override.a in inside and override.b in inside:
            (always if override.kind is OverrideKind.ALWAYS_LINK else never).append((override.a, override.b))
    return always, never


def resolve_record(store: GraphStore, key: RecordKey, rules: Rules | None = None) -> RecordResolution:
    """Resolve one new or changed record (person or company) against the stored graph and write the changes.

    After any sequence of such calls, the records are grouped exactly as a batch `resolve` would group them.
    Records of other kinds (events, opportunities) resolve to nothing.
    """
    rules = rules or Rules()
    found = store.get_records([key])
    if key not in found:
        raise KeyError(f"no record {key}")
    kind = entity_kind_of(found[key].kind)
    if kind is None:
        return RecordResolution(record=key, entity_id=None, entity_kind=None)
    now = datetime.now(UTC)
    update = fuzzy_update(store, found[key], kind, rules)
    hood = _gather(store, key, kind, rules, update.touched)
    for pair in update.removed:
        hood.same_as.pop(pair, None)
    hood.same_as.update({(e.a, e.b): e for e in update.added})
    always, never = _overrides(store, hood.records)
    records = {key: hood.found[key] for key in sorted(hood.records)}
    members = list(records.values())
    evidence = Evidence(
        records=sorted(hood.records),
        links=[(k, i) for k in sorted(hood.records) for i in hood.links.get(k, ())],
        fuzzy=[e for e in hood.same_as.values() if e.a in hood.records and e.b in hood.records],
        always=always,
        never=never,
        holders=hood.holders,
        agree=name_agreement(person_features(members), rules) if kind is EntityKind.PROFILE else None,
        conflicts=company_conflicts([f for r in members if (f := CompanyFeatures.from_record(r)) is not None], rules)
        if kind is EntityKind.ORGANIZATION
        else None,
    )
    result = partition(evidence, rules)
    previous = {member: entity.id for entity in hood.entities.values() for member in entity.members}

    def taken(entity_id: str) -> bool:
        return store.get_entity(entity_id) is not None

    assignment = assign_ids(
        result.groups,
        previous,
        {entity.id: entity.created_at for entity in hood.entities.values()},
        prefix=ID_PREFIX[kind],
        now=now,
        age=record_age(records),
        cause=f"record {key}",
        taken=taken,
    )
    changed = changed_entities(assignment, kind, records, hood.entities, rules)
    # Everything in one transaction: one commit (one fsync) per record.
    store.write_resolution(
        Resolution(
            entities=tuple(changed),
            aliases=assignment.aliases,
            retired=tuple(assignment.retired),
            history=tuple(assignment.history),
            same_as=tuple(
                Relation(
                    type=RelType.SAME_AS, start=e.a, end=e.b, properties={"score": round(e.score, 6), "rule": e.rule}
                )
                for e in update.added
            ),
            same_as_removed=tuple(RelationKey(RelType.SAME_AS, a, b) for a, b in sorted(update.removed)),
            blocking_keys=tuple(update.blocking_keys.items()),
        )
    )
    entity_id = next(g.id for g in assignment.groups if key in g.members)
    return RecordResolution(
        record=key,
        entity_id=entity_id,
        entity_kind=kind,
        records_considered=len(hood.records),
        merges=assignment.merges,
        splits=assignment.splits,
        created=assignment.created,
        changed_entities=[e.id for e in changed],
    )


def _fuzzy_enabled(kind: EntityKind, rules: Rules) -> bool:
    return rules.company_fuzzy.enabled if kind is EntityKind.ORGANIZATION else rules.fuzzy.enabled


def isolated_records(store: GraphStore, found: dict[RecordKey, Record], rules: Rules) -> dict[RecordKey, EntityKind]:
    """The records among `found` that nothing can join: in no entity, named by no override, with no SAME_AS link,
    no fuzzy blocking key, and every linking identifier held by them alone. `resolve_record` would gather just
    the record itself for each, so each becomes a new singleton entity."""
    kinds = {key: kind for key, record in found.items() if (kind := entity_kind_of(record.kind)) is not None}
    candidates = set(kinds) - store.entity_ids_of(sorted(kinds)).keys()
    for override in store.overrides() if candidates else ():
        candidates -= {override.a, override.b}
    for direction in (Direction.OUT, Direction.IN):
        candidates -= store.neighbours_of(sorted(candidates), RelType.SAME_AS, direction).keys()
    matchers = {
        kind: matcher(kind, rules, stored_model(store) if kind is EntityKind.PROFILE else None)
        for kind in {kinds[key] for key in candidates}
        if _fuzzy_enabled(kind, rules)
    }
    held = store.identifiers_of(sorted(candidates))
    isolated: dict[RecordKey, EntityKind] = {}
    for key in sorted(candidates):
        kind = kinds[key]
        chosen = matchers.get(kind)
        if chosen is not None and chosen.index_keys(chosen.features(found[key])):
            continue
        linking = LINKING_KINDS[kind]
        if all(store.records_with(i) == [key] for i in held.get(key, ()) if i.kind in linking):
            isolated[key] = kind
    return isolated


def resolve_records(
    store: GraphStore, keys: Iterable[RecordKey], rules: Rules | None = None
) -> dict[RecordKey, RecordResolution | KeyError | NeighbourhoodTooLarge]:
    """`resolve_record` of each record in turn (each once), with the records nothing can join (say the derived
    actor of an event from a new device) made new singleton entities together, in one write at the end.

    The result is what the calls one by one would give: same partition, IDs, traits, history (times included:
    each is taken in its turn) and blocking keys; the singletons are out of the other records' reach. A record
    that is missing or too entangled for one step gets the error `resolve_record` raised.
    """
    rules = rules or Rules()
    wanted = list(dict.fromkeys(keys))
    found = store.get_records(wanted)
    isolated = isolated_records(store, found, rules)
    # New IDs already held by an entity (or an alias), read at once; a salted one (rare) is asked singly. An ID
    # created meanwhile by a record resolved below is one derived from another key: no clash short of a hash
    # collision.
    first = {derived_id(ID_PREFIX[kind], [key]) for key, kind in isolated.items()}
    stored = store.get_entities(sorted(first)).keys() if first else set()
    given: set[str] = set()

    def taken(entity_id: str) -> bool:
        if entity_id in given or entity_id in stored:
            return True
        return entity_id not in first and store.get_entity(entity_id) is not None

    outcomes: dict[RecordKey, RecordResolution | KeyError | NeighbourhoodTooLarge] = {}
    entities: list[Entity] = []
    history: list[HistoryEvent] = []
    blocking: list[tuple[RecordKey, tuple[str, ...]]] = []
    for key in wanted:
        kind = isolated.get(key)
        if kind is None:
            try:
                outcomes[key] = resolve_record(store, key, rules)
            except (KeyError, NeighbourhoodTooLarge) as exc:
                outcomes[key] = exc
            continue
        records = {key: found[key]}
        assignment = assign_ids(
            [[key]],
            {},
            {},
            prefix=ID_PREFIX[kind],
            now=datetime.now(UTC),
            age=record_age(records),
            cause=f"record {key}",
            taken=taken,
        )
        changed = changed_entities(assignment, kind, records, {}, rules)
        entity_id = assignment.groups[0].id
        given.add(entity_id)
        entities += changed
        history += assignment.history
        if _fuzzy_enabled(kind, rules):  # as fuzzy_update's: the record has no blocking key
            blocking.append((key, ()))
        outcomes[key] = RecordResolution(
            record=key,
            entity_id=entity_id,
            entity_kind=kind,
            records_considered=1,
            created=assignment.created,
            changed_entities=[e.id for e in changed],
        )
    if entities:
        store.write_resolution(
            Resolution(entities=tuple(entities), history=tuple(history), blocking_keys=tuple(blocking))
        )
    return outcomes
