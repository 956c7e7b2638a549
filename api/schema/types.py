"""GraphQL object types of profiles: the profile, its traits, identifiers, source records and history.

Every value that may be personal data (traits, identifier values, record properties) passes through
api/security/masking.py with the caller's `sees_pii`. Reads go through the request's DataLoaders, so a page of
profiles costs one store call per kind of read, not one per profile.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from api.schema.consents import Consent, profile_consents
from api.schema.context import Info
from api.schema.dataloaders import then
from api.schema.errors import InputError
from api.schema.graph_view import MAX_DEPTH, IdentityGraph, identity_graph
from api.schema.pagination import Connection
from api.schema.profile_bundle import Prefetched
from api.schema.profile_events import EventConnection, events_of
from api.security.masking import mask_identifier, mask_properties, mask_trait
from graph import Entity, HistoryAction, HistoryEvent, IdentifierKind, Record, RecordKey, RecordKind
from graph import Identifier as GraphIdentifier

if TYPE_CHECKING:
    from api.schema.organizations import Organization
    from api.schema.segments import SegmentType

# The model's closed sets are the GraphQL enums (member names: EMAIL, PHONE, ...; CUSTOMER, CONTACT, ...).
strawberry.enum(IdentifierKind)
strawberry.enum(RecordKind)
strawberry.enum(HistoryAction)


@strawberry.type(name="RecordKey", description="The natural key of a source record.")
class RecordKeyType:
    source: str
    source_id: str

    @classmethod
    def of(cls, key: RecordKey) -> RecordKeyType:
        return cls(source=key.source, source_id=key.source_id)


@strawberry.input(description="A source record by its key.")
class RecordRef:
    source: str
    source_id: str

    def key(self, argument: str) -> RecordKey:
        """The record key; blank parts are an error naming the argument."""
        if not self.source.strip() or not self.source_id.strip():
            raise InputError(f"argument '{argument}': source and sourceId must be non-empty")
        return RecordKey(self.source, self.source_id)


@strawberry.type(description="A golden-record value and the source record it came from.")
class Trait:
    name: str
    value: JSON
    source: str = strawberry.field(description="the record it came from, as source/sourceId")
    policy: str | None = strawberry.field(description="the survivorship policy that chose it")


@strawberry.type(description="An identifier (email, phone, device, account, domain) held by records.")
class Identifier:
    kind: IdentifierKind
    value: str = strawberry.field(description="normalised; masked without pii:read (emails keep their domain)")
    system: str | None = strawberry.field(description="the issuing system, for ACCOUNT identifiers")

    @classmethod
    def of(cls, identifier: GraphIdentifier, *, sees_pii: bool) -> Identifier:
        return cls(
            kind=identifier.kind,
            value=mask_identifier(identifier.kind, identifier.value, sees_pii=sees_pii),
            system=identifier.system or None,
        )


@strawberry.type(name="Record", description="One row of one source system.")
class SourceRecord:
    record: strawberry.Private[Record]

    @classmethod
    def of(cls, record: Record) -> SourceRecord:
        return cls(record=record)

    @strawberry.field
    def kind(self) -> RecordKind:
        return self.record.kind

    @strawberry.field
    def source(self) -> str:
        return self.record.key.source

    @strawberry.field
    def source_id(self) -> str:
        return self.record.key.source_id

    @strawberry.field(description="the cleaned properties (PII masked without pii:read)")
    def properties(self, info: Info) -> JSON:
        return JSON(mask_properties(self.record.properties, sees_pii=info.context.sees_pii))

    @strawberry.field(description="the identifiers this record holds")
    async def identifiers(self, info: Info) -> list[Identifier]:
        held = await info.context.loaders.identifiers.load(self.record.key)
        return [Identifier.of(i, sees_pii=info.context.sees_pii) for i in held]


@strawberry.type(description="One change of a profile: created, merged (others absorbed), split or retired.")
class HistoryEntry:
    event: strawberry.Private[HistoryEvent]

    @strawberry.field
    def at(self) -> datetime:
        return self.event.at

    @strawberry.field
    def action(self) -> HistoryAction:
        return self.event.action

    @strawberry.field(description="what caused it: a resolve run, an incremental update of one record, ...")
    def cause(self) -> str:
        return self.event.cause

    @strawberry.field(description="the ID it happened to: this profile's or one merged into it")
    def profile_id(self) -> strawberry.ID:
        return strawberry.ID(self.event.entity_id)

    @strawberry.field(description="the records involved (created with, merged in or split off)")
    def records(self) -> list[RecordKeyType]:
        return [RecordKeyType.of(key) for key in self.event.records]

    @strawberry.field(description="merged-away IDs (MERGED) or the IDs split-off records went to (SPLIT)")
    def others(self) -> list[strawberry.ID]:
        return [strawberry.ID(other) for other in self.event.others]


@strawberry.type(description="One person: the unified view of every record resolved to them.")
class Profile:
    entity: strawberry.Private[Entity]
    # Whether the profile is a root field's only one (profileByIdentifier): then nothing can batch with its reads.
    alone: strawberry.Private[bool] = False
    # Parts read with the profile in one store call (profileByIdentifier, see api.schema.profile_bundle).
    prefetched: strawberry.Private[Prefetched | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entity.id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="Golden-record traits, each with the record it came from (PII masked).")
    def traits(
        self,
        info: Info,
        names: Annotated[list[str] | None, strawberry.argument(description="only these traits")] = None,
    ) -> list[Trait]:
        wanted = set(names) if names is not None else None
        traits = []
        sees_pii: bool | None = None  # asked once, and only when a trait is served (asking marks a PII read)
        for name, trait in sorted(self.entity.traits.items()):
            if (wanted is None or name in wanted) and isinstance(trait, dict):
                if sees_pii is None:
                    sees_pii = info.context.sees_pii
                policy = trait.get("policy")
                traits.append(
                    Trait(
                        name=name,
                        value=JSON(mask_trait(name, trait.get("value"), sees_pii=sees_pii)),
                        source=str(trait.get("record", "")),
                        policy=str(policy) if policy is not None else None,
                    )
                )
        return traits

    @strawberry.field(
        description="Every identifier held by the profile's records (values masked without pii:read).",
        graphql_type=list[Identifier],
    )
    def identifiers(
        self,
        info: Info,
        kinds: Annotated[list[IdentifierKind] | None, strawberry.argument(description="only these kinds")] = None,
    ) -> list[Identifier] | Awaitable[list[Identifier]]:
        members = list(self.entity.members)
        loaders = info.context.loaders
        found = self.prefetched.identifiers if self.prefetched is not None else None
        if found is None and self.alone and loaders.inline:
            # A lone profile on SQLite: one inline read, no batch to wait for (a page of profiles batches through
            # the loader).
            found = loaders.store.identifiers_of(members)
        if found is not None:
            loaders.prime("identifiers", found)  # for later fields of the request (a record's identifiers)
            return _identifiers([found.get(key, []) for key in members], kinds, info)
        return then(loaders.identifiers.load_many(members), partial(_identifiers, kinds=kinds, info=info))

    @strawberry.field(description="The source records resolved to this profile.")
    async def records(
        self,
        info: Info,
        kinds: Annotated[list[RecordKind] | None, strawberry.argument(description="only these kinds")] = None,
    ) -> list[SourceRecord]:
        records = await info.context.loaders.record.load_many(list(self.entity.members))
        return [SourceRecord.of(r) for r in records if r is not None and (kinds is None or r.kind in kinds)]

    # events and consents are not coroutines: on SQLite they read inline and return their value, which spares
    # graphql-core a coroutine and a task per field (on other stores they return an awaitable; graphql_type
    # gives the schema the value's type).
    @strawberry.field(
        description="Events performed by the profile's records, newest first.", graphql_type=EventConnection
    )
    def events(
        self,
        info: Info,
        types: Annotated[list[str] | None, strawberry.argument(description="only these event types")] = None,
        since: Annotated[datetime | None, strawberry.argument(description="at or after this time")] = None,
        until: Annotated[datetime | None, strawberry.argument(description="before this time")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> EventConnection | Awaitable[EventConnection]:
        prefetched = self.prefetched
        return events_of(
            info,
            self.entity.members,
            types=types,
            since=since,
            until=until,
            first=first,
            after=after,
            read=(prefetched.events_limit, prefetched.events) if prefetched is not None else None,
        )

    @strawberry.field(
        description="Consent per purpose: the latest explicit change (setConsent), else the records' own consent.",
        graphql_type=list[Consent],
    )
    def consents(self, info: Info) -> list[Consent] | Awaitable[list[Consent]]:
        return profile_consents(info, self.entity, self.prefetched.consent_events if self.prefetched else None)

    @strawberry.field(
        description="Merges, splits and creation of the profile (and of IDs merged into it), oldest first."
    )
    async def history(self, info: Info) -> list[HistoryEntry]:
        return [HistoryEntry(event=e) for e in await info.context.loaders.history.load(self.entity.id)]

    @strawberry.field(
        description="The profile's records, their identifiers and fuzzy links, and records up to `depth` hops"
        f" away through shared identifiers or fuzzy links (0..{MAX_DEPTH}); capped in size, values masked."
    )
    async def identity_graph(self, info: Info, depth: int = 1) -> IdentityGraph:
        if not 0 <= depth <= MAX_DEPTH:
            raise InputError(f"argument 'depth' must be between 0 and {MAX_DEPTH}")
        store, sees_pii = info.context.store, info.context.sees_pii
        return await run_in_threadpool(lambda: identity_graph(store, self.entity, depth=depth, sees_pii=sees_pii))

    @strawberry.field(description="The organizations the person's contact records work at.")
    async def organizations(
        self, info: Info
    ) -> list[Annotated[Organization, strawberry.lazy("api.schema.organizations")]]:
        from api.schema.organizations import organizations_of_profile  # the B2B module imports this one

        return await organizations_of_profile(info, self.entity)

    @strawberry.field(description="The saved segments the profile belongs to.")
    async def segments(self, info: Info) -> list[Annotated[SegmentType, strawberry.lazy("api.schema.segments")]]:
        from api.schema.segments import segments_of_profile

        return await segments_of_profile(info, self.entity.id)


def _identifiers(
    held: Sequence[list[GraphIdentifier]], kinds: list[IdentifierKind] | None, info: Info
) -> list[Identifier]:
    unique = sorted({i for ids in held for i in ids if kinds is None or i.kind in kinds})
    sees_pii = bool(unique) and info.context.sees_pii  # asked only when an identifier is served
    return [Identifier.of(i, sees_pii=sees_pii) for i in unique]


ProfileConnection = Connection[Profile]
