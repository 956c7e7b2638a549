"""GraphQL object types of profiles: the profile, its traits, identifiers and source records."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.schema.context import Info
from graph import Entity, IdentifierKind, RecordKind
from graph import Identifier as GraphIdentifier

# The model's closed sets are the GraphQL enums (member names: EMAIL, PHONE, ...; CUSTOMER, CONTACT, ...).
strawberry.enum(IdentifierKind)
strawberry.enum(RecordKind)


@strawberry.type(description="A golden-record value and the source record it came from.")
class Trait:
    name: str
    value: JSON
    source: str = strawberry.field(description="the record it came from, as source/sourceId")


@strawberry.type(description="An identifier (email, phone, device, account, domain) held by records.")
class Identifier:
    kind: IdentifierKind
    value: str
    system: str | None = strawberry.field(description="the issuing system, for ACCOUNT identifiers")

    @classmethod
    def of(cls, identifier: GraphIdentifier) -> Identifier:
        return cls(kind=identifier.kind, value=identifier.value, system=identifier.system or None)


@strawberry.type(name="Record", description="One row of one source system.")
class SourceRecord:
    kind: RecordKind
    source: str
    source_id: str
    properties: JSON


@strawberry.type(description="One person: the unified view of every record resolved to them.")
class Profile:
    entity: strawberry.Private[Entity]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entity.id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="Golden-record traits, each with the record it came from.")
    def traits(self) -> list[Trait]:
        traits = []
        for name, trait in sorted(self.entity.traits.items()):
            if isinstance(trait, dict):
                traits.append(Trait(name=name, value=JSON(trait.get("value")), source=str(trait.get("record", ""))))
        return traits

    @strawberry.field(description="Every identifier held by the profile's records.")
    def identifiers(self, info: Info) -> list[Identifier]:
        held = info.context.store.identifiers_of(list(self.entity.members))
        return [Identifier.of(i) for i in sorted({i for ids in held.values() for i in ids})]

    @strawberry.field(description="The source records resolved to this profile.")
    def records(self, info: Info) -> list[SourceRecord]:
        records = info.context.store.get_records(list(self.entity.members))
        return [
            SourceRecord(kind=r.kind, source=r.key.source, source_id=r.key.source_id, properties=JSON(r.properties))
            for r in (records[k] for k in self.entity.members if k in records)
        ]
