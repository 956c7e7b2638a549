"""The property-graph model: closed sets of labels and relationship types, natural keys, boundary models.

Every label and relationship type that reaches a store comes from the enums here, never from user input,
so a backend may splice them into a query after this module has vouched for them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator


class RecordKind(StrEnum):
    """Source records: one row of one source system. Values are the node labels."""

    CUSTOMER = "Customer"
    CONTACT = "Contact"
    COMPANY = "Company"
    EVENT = "Event"
    OPPORTUNITY = "Opportunity"


class IdentifierKind(StrEnum):
    """Identifier nodes, shared between records; they are what links records. Values are node labels."""

    EMAIL = "Email"
    PHONE = "Phone"
    DEVICE = "Device"
    ACCOUNT = "Account"
    DOMAIN = "Domain"

    @property
    def relationship(self) -> RelType:
        """The relationship type from a record to an identifier of this kind."""
        return _IDENTIFIER_RELATIONSHIP[self]

    @property
    def key_property(self) -> str:
        """The node property holding the identifier's value (Account also keys on `system`)."""
        return _IDENTIFIER_KEY_PROPERTY[self]


class EntityKind(StrEnum):
    """Resolved entities. Values are node labels."""

    PROFILE = "Profile"
    ORGANIZATION = "Organization"


class RelType(StrEnum):
    """Relationship types of the model."""

    HAS_EMAIL = "HAS_EMAIL"
    HAS_PHONE = "HAS_PHONE"
    USES_DEVICE = "USES_DEVICE"
    HAS_ACCOUNT = "HAS_ACCOUNT"
    HAS_DOMAIN = "HAS_DOMAIN"
    WORKS_AT = "WORKS_AT"
    PERFORMED = "PERFORMED"
    ON_OPPORTUNITY = "ON_OPPORTUNITY"
    FOR = "FOR"
    SUBSIDIARY_OF = "SUBSIDIARY_OF"
    SAME_AS = "SAME_AS"
    RESOLVES_TO = "RESOLVES_TO"


class Direction(StrEnum):
    """Which way to follow a relationship from a record."""

    OUT = "out"
    IN = "in"


_IDENTIFIER_RELATIONSHIP = {
    IdentifierKind.EMAIL: RelType.HAS_EMAIL,
    IdentifierKind.PHONE: RelType.HAS_PHONE,
    IdentifierKind.DEVICE: RelType.USES_DEVICE,
    IdentifierKind.ACCOUNT: RelType.HAS_ACCOUNT,
    IdentifierKind.DOMAIN: RelType.HAS_DOMAIN,
}

_IDENTIFIER_KEY_PROPERTY = {
    IdentifierKind.EMAIL: "value",
    IdentifierKind.PHONE: "e164",
    IdentifierKind.DEVICE: "id",
    IdentifierKind.ACCOUNT: "id",
    IdentifierKind.DOMAIN: "name",
}

PERSON_KINDS: frozenset[RecordKind] = frozenset({RecordKind.CUSTOMER, RecordKind.CONTACT})
ORGANIZATION_KINDS: frozenset[RecordKind] = frozenset({RecordKind.COMPANY})

# The record kinds that resolve to each entity kind.
RESOLVED_KINDS: dict[EntityKind, frozenset[RecordKind]] = {
    EntityKind.PROFILE: PERSON_KINDS,
    EntityKind.ORGANIZATION: ORGANIZATION_KINDS,
}

# Record-to-record relationship types and the kinds allowed at each end.
RECORD_RELATIONS: dict[RelType, tuple[frozenset[RecordKind], frozenset[RecordKind]]] = {
    RelType.WORKS_AT: (frozenset({RecordKind.CONTACT}), ORGANIZATION_KINDS),
    RelType.PERFORMED: (PERSON_KINDS, frozenset({RecordKind.EVENT})),
    RelType.ON_OPPORTUNITY: (frozenset({RecordKind.CONTACT}), frozenset({RecordKind.OPPORTUNITY})),
    RelType.FOR: (frozenset({RecordKind.OPPORTUNITY}), ORGANIZATION_KINDS),
    RelType.SUBSIDIARY_OF: (ORGANIZATION_KINDS, ORGANIZATION_KINDS),
    RelType.SAME_AS: (PERSON_KINDS | ORGANIZATION_KINDS, PERSON_KINDS | ORGANIZATION_KINDS),
}


def entity_kind_of(kind: RecordKind) -> EntityKind | None:
    """The entity a record of this kind resolves to, or None (events, opportunities)."""
    for entity, kinds in RESOLVED_KINDS.items():
        if kind in kinds:
            return entity
    return None


class RecordKey(NamedTuple):
    """Natural key of a source record: unique across all record kinds."""

    source: str
    source_id: str

    def __str__(self) -> str:
        return f"{self.source}/{self.source_id}"


class Identifier(NamedTuple):
    """Natural key of an identifier node. `value` is already normalised; `system` is set for ACCOUNT only."""

    kind: IdentifierKind
    value: str
    system: str = ""


Properties = dict[str, JsonValue]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _check_key(key: RecordKey) -> RecordKey:
    if not key.source.strip() or not key.source_id.strip():
        raise ValueError(f"record key {key!r}: source and source_id must be non-empty")
    return key


def _check_identifier(identifier: Identifier) -> Identifier:
    if not identifier.value:
        raise ValueError(f"{identifier.kind.name} identifier: value must be non-empty")
    if (identifier.kind is IdentifierKind.ACCOUNT) != bool(identifier.system):
        raise ValueError(f"{identifier.kind.name} identifier: system is required for ACCOUNT and only there")
    return identifier


class Record(BaseModel):
    """One row of one source system, with its cleaned properties."""

    model_config = _FROZEN

    kind: RecordKind
    key: RecordKey
    properties: Properties = Field(default_factory=dict)

    _valid_key = field_validator("key")(_check_key)


class IdentifierLink(BaseModel):
    """A record holds an identifier (HAS_EMAIL, HAS_PHONE, ... chosen by the identifier's kind)."""

    model_config = _FROZEN

    record: RecordKey
    identifier: Identifier

    _valid_key = field_validator("record")(_check_key)
    _valid_identifier = field_validator("identifier")(_check_identifier)


class Relation(BaseModel):
    """A relationship between two records, keyed by (type, start, end); its properties are replaced on upsert."""

    model_config = _FROZEN

    type: RelType
    start: RecordKey
    end: RecordKey
    properties: Properties = Field(default_factory=dict)

    _valid_keys = field_validator("start", "end")(_check_key)

    @model_validator(mode="after")
    def _record_relation(self) -> Relation:
        if self.type not in RECORD_RELATIONS:
            raise ValueError(f"{self.type} is not a relationship between records")
        return self


class Checkpoint(BaseModel):
    """How far a named job (e.g. one file of a load) has got; committed with the batch that reached it."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    position: str


class GraphBatch(BaseModel):
    """Everything one store transaction upserts: all of it is written, or none of it."""

    model_config = _FROZEN

    records: tuple[Record, ...] = ()
    links: tuple[IdentifierLink, ...] = ()
    relations: tuple[Relation, ...] = ()
    checkpoint: Checkpoint | None = None


class Neighbour(BaseModel):
    """A record at the other end of a relationship, with the relationship's properties."""

    model_config = _FROZEN

    record: Record
    properties: Properties = Field(default_factory=dict)


class Entity(BaseModel):
    """A resolved entity (a Profile or an Organization): its golden-record traits and member records."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    kind: EntityKind
    traits: Properties = Field(default_factory=dict)
    members: tuple[RecordKey, ...] = ()
    created_at: AwareDatetime


class OverrideKind(StrEnum):
    """A person's decision about two records, which wins over every rule."""

    NEVER_LINK = "never_link"
    ALWAYS_LINK = "always_link"


class Override(BaseModel):
    """never_link / always_link between two records, with who set it and why. Keyed by the unordered pair."""

    model_config = _FROZEN

    kind: OverrideKind
    a: RecordKey
    b: RecordKey
    reason: str = Field(min_length=1)
    author: str = Field(min_length=1)
    created_at: AwareDatetime

    _valid_keys = field_validator("a", "b")(_check_key)

    @model_validator(mode="before")
    @classmethod
    def _ordered_pair(cls, data: object) -> object:
        """The pair is unordered: keep it as (smaller, larger) so each pair has one key."""
        if (
            isinstance(data, dict)
            and isinstance(data.get("a"), (tuple, list))
            and isinstance(data.get("b"), (tuple, list))
        ):
            a, b = RecordKey(*data["a"]), RecordKey(*data["b"])
            if a == b:
                raise ValueError(f"an override needs two different records, got {a} twice")
            data = {**data, "a": min(a, b), "b": max(a, b)}
        return data


class HistoryAction(StrEnum):
    CREATED = "created"
    MERGED = "merged"  # other entities were merged into this one (their IDs are now aliases)
    SPLIT = "split"  # some of this entity's records left it for other entities
    RETIRED = "retired"  # all its records are gone


class HistoryEvent(BaseModel):
    """One change of one entity: when, what, why, and which records and other entities were involved."""

    model_config = _FROZEN

    entity_id: str = Field(min_length=1)
    at: AwareDatetime
    action: HistoryAction
    cause: str
    records: tuple[RecordKey, ...] = ()
    others: tuple[str, ...] = Field((), description="merged-away IDs (merged) or IDs the split-off records went to")


class RelationKey(NamedTuple):
    """Natural key of a record-to-record relationship."""

    type: RelType
    start: RecordKey
    end: RecordKey


class SharedIdentifier(NamedTuple):
    """An identifier held by records of several entities: how many, and the first of their IDs in ID order."""

    identifier: Identifier
    entity_count: int
    entity_ids: tuple[str, ...]


class Resolution(BaseModel):
    """What one resolver run writes, in one transaction.

    `entities` are upserted and their members re-pointed to them (RESOLVES_TO); `aliases` maps a
    merged-away ID to the entity that absorbed it; `retired` entities are deleted (their IDs then live on
    only as aliases, if any). `same_as` links are upserted and `same_as_removed` deleted; `history` is
    appended; `blocking_keys` replace those records' keys in the blocking index.
    """

    model_config = _FROZEN

    entities: tuple[Entity, ...] = ()
    aliases: dict[str, str] = Field(default_factory=dict)
    retired: tuple[str, ...] = ()
    same_as: tuple[Relation, ...] = ()
    same_as_removed: tuple[RelationKey, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    # Records whose fuzzy-matching blocking keys are replaced (see GraphStore.set_blocking_keys).
    blocking_keys: tuple[tuple[RecordKey, tuple[str, ...]], ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Resolution:
        ids: set[str] = set()
        members: set[RecordKey] = set()
        for entity in self.entities:
            if entity.id in ids:
                raise ValueError(f"entity {entity.id} appears twice in one resolution")
            ids.add(entity.id)
            for member in entity.members:
                if member in members:
                    raise ValueError(f"record {member} is a member of more than one entity")
                members.add(member)
        retired = set(self.retired)
        if both := sorted(ids & retired):
            raise ValueError(f"entity {both[0]} is both upserted and retired")
        if not_retired := sorted(self.aliases.keys() - retired):
            raise ValueError(f"aliased entity {not_retired[0]} must be retired too")
        if any(r.type is not RelType.SAME_AS for r in self.same_as) or any(
            r.type is not RelType.SAME_AS for r in self.same_as_removed
        ):
            raise ValueError("a resolution writes SAME_AS links only")
        self.final_aliases()
        return self

    def final_aliases(self) -> dict[str, str]:
        """Each alias mapped to the end of its chain (a -> b and b -> c give a -> c and b -> c)."""
        final: dict[str, str] = {}
        for alias, target in self.aliases.items():
            seen = {alias}
            while target in self.aliases:
                if target in seen:
                    raise ValueError(f"aliases form a cycle through {target!r}")
                seen.add(target)
                target = self.aliases[target]
            final[alias] = target
        return final
