"""Batch resolution: every record of a kind, from the store to entities and back, in one transaction per kind."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import partial
from typing import Any

import numpy as np
import orjson
from pydantic import BaseModel, JsonValue

from graph import (
    RESOLVED_KINDS,
    Entity,
    EntityKind,
    GraphStore,
    IdentifierKind,
    LinkColumns,
    OverrideKind,
    Properties,
    Record,
    RecordKey,
    Relation,
    RelationKey,
    RelType,
    Resolution,
)
from resolver.background import Background
from resolver.fuzzy import PersonFeatures
from resolver.golden import golden_traits_of
from resolver.linking import Evidence, FuzzyEdge, LinkTable, Partition, partition
from resolver.matching import Matching, match, match_persons
from resolver.phases import phase
from resolver.rules import Rules
from resolver.stable_ids import ID_PREFIX, Assigned, Assignment, assign_ids
from resolver.trusted import trusted

# Identifier kinds that can link records of each entity kind.
LINKING_KINDS: dict[EntityKind, frozenset[IdentifierKind]] = {
    EntityKind.PROFILE: frozenset(
        {IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE, IdentifierKind.ACCOUNT}
    ),
    EntityKind.ORGANIZATION: frozenset({IdentifierKind.DOMAIN}),
}

REVIEW_DOCUMENT = "resolver.review.{kind}"
# Entities made and written at a time by a batch run (see GraphStore.write_resolution_stream); the SQLite store
# makes the next chunk while it writes one, so two are alive at once.
ENTITY_CHUNK = 25_000


class EntitySummary(BaseModel):
    """What one run did for one entity kind."""

    records: int = 0
    entities: int = 0
    created: int = 0
    merges: int = 0
    splits: int = 0
    retired: int = 0
    fuzzy_links: int = 0
    blocked: int = 0
    limited: int = 0
    demoted: int = 0
    split_by_override: int = 0
    review: int = 0


class ResolveSummary(BaseModel):
    """What one resolve run did, per entity kind."""

    profiles: EntitySummary
    organizations: EntitySummary


def record_age(records: Mapping[RecordKey, Record]) -> Callable[[RecordKey], str]:
    """How old a record is for stable IDs: the source's creation time when it has one."""

    def age(key: RecordKey) -> str:
        record = records.get(key)
        return _age(record.properties if record is not None else None)

    return age


def _ages(packed: Mapping[RecordKey, str]) -> Callable[[RecordKey], str]:
    """`record_age` of records given as their properties by key, packed as JSON."""

    def age(key: RecordKey) -> str:
        properties = packed.get(key)
        return _age(orjson.loads(properties) if properties is not None else None)

    return age


def _age(properties: Properties | None) -> str:
    created = properties.get("created_at") if properties is not None else None
    return str(created) if created else "~"  # records without a date count as the youngest


def changed_entities(
    assignment: Assignment,
    kind: EntityKind,
    records: Mapping[RecordKey, Record],
    previous: Mapping[str, Entity],
    rules: Rules,
) -> list[Entity]:
    """The assigned groups as entities with their golden traits, leaving out those stored unchanged."""
    return _changed(assignment.groups, kind, lambda key: records[key].properties, previous, rules)


def _changed(
    groups: Sequence[Assigned],
    kind: EntityKind,
    properties_of: Callable[[RecordKey], Properties],
    previous: Mapping[str, Entity],
    rules: Rules,
) -> list[Entity]:
    """`changed_entities` of records whose properties `properties_of` gives, asked once per record."""
    entities = []
    survivorship = rules.survivorship
    for group in groups:
        traits = golden_traits_of([(key, properties_of(key)) for key in group.members], survivorship)
        entity = trusted(
            Entity, id=group.id, kind=kind, traits=traits, members=group.members, created_at=group.created_at
        )
        if not previous or previous.get(entity.id) != entity:
            entities.append(entity)
    return entities


def _read(
    store: GraphStore, entity_kind: EntityKind, rules: Rules, full: bool
) -> tuple[dict[RecordKey, str], Matching]:
    """Every record's properties by key, packed as JSON, and the fuzzy evidence among them. Person records are read
    as a stream: their features are taken on the way and the records themselves not kept. Packed (as text: orjson's
    bytes keep a large buffer each), a million records' properties take a fraction of the memory they take as
    dicts; they are unpacked a chunk at a time."""
    kinds = RESOLVED_KINDS[entity_kind]
    if entity_kind is not EntityKind.PROFILE:
        records = list(store.iter_records(kinds))
        matching = match(store, entity_kind, records, rules, reestimate=full)
        return {record.key: orjson.dumps(record.properties).decode() for record in records}, matching
    properties: dict[RecordKey, str] = {}
    features: list[PersonFeatures] = []
    features_of, loads, add = PersonFeatures.from_properties, orjson.loads, features.append
    for page in store.iter_record_pages(kinds):  # (the properties kept as the JSON text read)
        properties.update(page)
        for key, text in page:
            if (feature := features_of(key, loads(text))) is not None:
                add(feature)
    return properties, match_persons(store, list(properties), features, rules, reestimate=full)


def _read_links(store: GraphStore, entity_kind: EntityKind) -> Background[LinkColumns]:
    """The links of the kind's records by identifiers that can join them, read in bulk in the background while the
    records are read and matched (the SQLite store reads a large store's links in a process of its own)."""
    return Background(partial(store.link_columns, RESOLVED_KINDS[entity_kind], LINKING_KINDS[entity_kind]))


def _links(table: LinkColumns, keys: list[RecordKey]) -> tuple[list[RecordKey], LinkTable]:
    """The links read as a LinkTable, and the records `keys` (the table's own list when it is the same, which spares
    the partition a look-up per link)."""
    if table.records == keys:
        keys = table.records
    return keys, LinkTable(table.records, table.identifiers, np.asarray(table.record), np.asarray(table.identifier))


def _same_as_changes(
    store: GraphStore, keys: Collection[RecordKey], edges: Sequence[FuzzyEdge]
) -> tuple[list[Relation], list[RelationKey]]:
    """SAME_AS links to upsert (new or re-scored) and to remove, among links between `keys`."""
    if not keys:  # no records of the kind: no links of theirs to read among all the others
        return [], []
    wanted = {
        ((e.a, e.b) if e.a < e.b else (e.b, e.a)): {"score": round(e.score, 6), "rule": e.rule}
        for e in edges
        if e.a != e.b
    }
    stored = {
        (r.start, r.end): r.properties
        for r in store.iter_relations(RelType.SAME_AS)
        if r.start in keys and r.end in keys
    }
    same_as = RelType.SAME_AS
    added = [
        trusted(Relation, type=same_as, start=a, end=b, properties=properties)
        for (a, b), properties in sorted(wanted.items())
        if not stored or stored.get((a, b)) != properties  # (none stored: a first run, every link is new)
    ]
    removed = [RelationKey(RelType.SAME_AS, a, b) for (a, b) in sorted(stored) if (a, b) not in wanted]
    return added, removed


def resolve_kind(
    store: GraphStore, entity_kind: EntityKind, rules: Rules, *, now: datetime, full: bool = False
) -> tuple[EntitySummary, Partition]:
    """Resolve every record of one entity kind and write what changed."""
    # A write matching leaves going on in the background: waited for before the resolution's write, and always.
    pending: list[Background[Any]] = []
    try:
        return _resolve(store, entity_kind, rules, pending, now=now, full=full)
    except BaseException:
        for write in pending:
            with suppress(BaseException):  # the first error is the one raised
                write.wait()
        raise


def _resolve(
    store: GraphStore,
    entity_kind: EntityKind,
    rules: Rules,
    pending: list[Background[Any]],
    *,
    now: datetime,
    full: bool,
) -> tuple[EntitySummary, Partition]:
    """`resolve_kind`; background work (the link read, and the writes matching starts) is put in `pending`, and
    waited for before the write. The large inputs are held here alone, so that each is freed as soon as it is used."""
    reading = _read_links(store, entity_kind)
    pending.append(reading)
    with phase(f"{entity_kind.value}: read records and match"):
        records, matching = _read(store, entity_kind, rules, full)
    pending.extend(matching.pending)
    matching.pending = []
    with phase(f"{entity_kind.value}: read links"):
        keys, links = _links(reading.wait(), list(records))
    pending.remove(reading)  # (its result, the links, is not kept past the partition)
    del reading
    fuzzy = matching.edges
    overrides = [o for o in store.overrides() if o.a in records and o.b in records]
    evidence = Evidence(
        records=keys,
        links=links,
        fuzzy=fuzzy,
        always=[(o.a, o.b) for o in overrides if o.kind is OverrideKind.ALWAYS_LINK],
        never=[(o.a, o.b) for o in overrides if o.kind is OverrideKind.NEVER_LINK],
        agree=matching.agree,
        conflicts=matching.conflicts,
    )
    with phase(f"{entity_kind.value}: partition"):
        result = partition(evidence, rules)
    if keys and keys[0] is not next(iter(records)) and keys == list(records):
        # The groups hold the link table's key objects (equal to the records' keys, in the same order): keyed by
        # them, the write finds each member's properties by identity instead of comparing two tuples (about half
        # the cost of a look-up, a million times), and the records' own key objects are let go of.
        records = dict(zip(keys, records.values(), strict=True))
    del evidence, keys, links, matching  # the largest inputs, not needed from here on

    with phase(f"{entity_kind.value}: stable ids"):
        previous_entities = {entity.id: entity for entity in store.iter_entities(entity_kind)}
        previous = {key: entity.id for entity in previous_entities.values() for key in entity.members}
        assignment = assign_ids(
            result.groups,
            previous,
            {entity_id: entity.created_at for entity_id, entity in previous_entities.items()},
            prefix=ID_PREFIX[entity_kind],
            now=now,
            age=_ages(records),
            cause="full resolve" if full else "resolve",
        )
    with phase(f"{entity_kind.value}: same_as changes"):
        added, removed = _same_as_changes(store, records.keys(), fuzzy)
    fuzzy_links = len(fuzzy)
    del fuzzy
    record_count = len(records)
    # Entities are made (golden traits) and written chunk by chunk, in ID order, inside the one transaction of
    # the write: a run never holds every entity with its traits at once. Each chunk's records' properties are
    # let go once their traits are made.
    by_id = sorted(assignment.groups, key=lambda group: group.id)

    def chunks() -> Iterator[list[Entity]]:
        for start in range(0, len(by_id), ENTITY_CHUNK):
            part = by_id[start : start + ENTITY_CHUNK]
            # (each record's packed properties are unpacked for its group's traits and let go of)
            yield _changed(part, entity_kind, lambda key: orjson.loads(records.pop(key)), previous_entities, rules)

    if pending:
        with phase(f"{entity_kind.value}: wait for the blocking-key write"):
            for write in pending:
                write.wait()
    with phase(f"{entity_kind.value}: golden traits and write"):
        store.write_resolution_stream(
            Resolution(
                aliases=assignment.aliases,
                retired=tuple(assignment.retired),
                same_as=tuple(added),
                same_as_removed=tuple(removed),
                history=tuple(assignment.history),
            ),
            chunks(),
        )
    review_name = REVIEW_DOCUMENT.format(kind=entity_kind.value.lower())
    review: list[JsonValue] = [
        {"records": item.records, "sample": [str(k) for k in item.sample], "reason": item.reason}
        for item in result.review
    ]
    if (store.get_document(review_name) or {}).get("items", []) != review:
        store.put_document(review_name, {"at": now.isoformat(), "items": review})
    summary = EntitySummary(
        records=record_count,
        entities=len(assignment.groups),
        created=assignment.created,
        merges=assignment.merges,
        splits=assignment.splits,
        retired=len(assignment.retired) - assignment.merges,
        fuzzy_links=fuzzy_links,
        blocked=len(result.blocked),
        limited=len(result.limited),
        demoted=len(result.demoted),
        split_by_override=result.split_by_override,
        review=len(result.review),
    )
    return summary, result


def resolve(store: GraphStore, rules: Rules | None = None, *, full: bool = False) -> ResolveSummary:
    """Resolve every person record into Profiles and every company record into Organizations.

    Records sharing a usable identifier, or matching closely enough, form one entity, within the guards of
    `rules` (defaults when None) and the overrides stored. IDs are stable across runs, and a re-run on an
    unchanged graph writes nothing. `full` re-estimates the fuzzy-matching model from the data.
    """
    rules = rules or Rules()
    now = datetime.now(UTC)
    with _collector_paused():
        return ResolveSummary(
            profiles=resolve_kind(store, EntityKind.PROFILE, rules, now=now, full=full)[0],
            organizations=resolve_kind(store, EntityKind.ORGANIZATION, rules, now=now, full=full)[0],
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a run builds millions of objects that all live until its end: each full
    collection would walk every one of them, again and again as they grow. Reference counting still frees memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
