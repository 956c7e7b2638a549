"""Segments in GraphQL: `SegmentInput` (the JSON segment DSL as an input type), the `Segment` type with its count
and members, the queries `segment` / `segments` and the mutations `saveSegment` / `deleteSegment`.

`SegmentInput` mirrors graph/segments/ast.py field for field (camelCase here, snake_case in the JSON definition):
each SegmentInput sets exactly one of its fields. Saved definitions are documents `segment.<name>`.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from api.b2b import CommitteeRole
from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.pagination import Connection, connection, decode_cursor, page_size
from api.security.audit import audit
from api.security.permissions import requires
from api.security.scopes import Scope
from api.segments import saved
from graph import EntityKind, IdentifierKind
from graph.segments import Segment as SegmentAst
from graph.segments import SegmentError, parse_segment
from loaders import normalise_identifier

if TYPE_CHECKING:
    from api.schema.types import Profile


@strawberry.enum(description="How a trait or event field is compared with a value.")
class SegmentOperator(Enum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    CONTAINS = "contains"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    EXISTS = "exists"


@strawberry.input(description="A golden-record trait compared with a value (IN takes a list; EXISTS no value).")
class TraitConditionInput:
    name: str
    op: SegmentOperator = SegmentOperator.EQ
    value: JSON | None = None


@strawberry.input(description="The profile holds an identifier of a kind (with this normalised value, if given).")
class IdentifierConditionInput:
    kind: IdentifierKind
    value: str | None = None
    system: str | None = None


@strawberry.input(description="The profile's consent to a purpose (latest explicit change, else its records').")
class ConsentConditionInput:
    purpose: str
    granted: bool = True


@strawberry.input(description="Local time of day from start (inclusive) to end (exclusive), HH:MM, in a time zone.")
class TimeOfDayInput:
    start: str
    end: str
    timezone: str = "UTC"


@strawberry.input(description="An event field (channel, amount, currency, quantity, properties.<name>) and a value.")
class PropertyFilterInput:
    field: str
    op: SegmentOperator = SegmentOperator.EQ
    value: JSON | None = None


@strawberry.input(description="Exactly one comparison; `field` is what sum adds up or distinct counts.")
class ThresholdInput:
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    eq: float | None = None
    field: str | None = None


@strawberry.input(description="Events the profile performed, with a count (default >= 1), sum or distinct threshold.")
class EventConditionInput:
    types: list[str] | None = None
    window_days: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    time_of_day: TimeOfDayInput | None = None
    where: list[PropertyFilterInput] | None = None
    count: ThresholdInput | None = None
    sum: ThresholdInput | None = None
    distinct: ThresholdInput | None = None


@strawberry.input(description="The profile works at an organisation given by ID, web domain or industry.")
class OrganizationConditionInput:
    id: str | None = None
    domain: str | None = None
    industry: str | None = None


@strawberry.input(description="The profile is on an opportunity in one of these committee (or CRM contact) roles.")
class CommitteeRoleConditionInput:
    roles: list[CommitteeRole] | None = None
    crm_roles: list[str] | None = None


@strawberry.input(description="One segment condition: set exactly one field. all/any/not combine other conditions.")
class SegmentInput:
    all: list[SegmentInput] | None = None
    any: list[SegmentInput] | None = None
    not_: SegmentInput | None = strawberry.field(default=None, name="not")
    trait: TraitConditionInput | None = None
    identifier: IdentifierConditionInput | None = None
    consent: ConsentConditionInput | None = None
    event: EventConditionInput | None = None
    organization: OrganizationConditionInput | None = None
    committee_role: CommitteeRoleConditionInput | None = None
    in_segment: str | None = strawberry.field(default=None, description="a saved segment, by name")


def _plain(value: Any, phone_region: str) -> Any:
    """An input object as the JSON of the segment DSL: snake_case keys, unset fields left out, enums as values,
    identifier values normalised as the loaders do (so `Ann@Example.com` finds `ann@example.com`)."""
    if isinstance(value, IdentifierConditionInput) and value.value is not None:
        normalised = normalise_identifier(value.kind, value.value, phone_region=phone_region)
        value = dataclasses.replace(value, value=normalised)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found = {}
        for item in dataclasses.fields(value):
            inner = getattr(value, item.name)
            if inner is not None:
                found["not" if item.name == "not_" else item.name] = _plain(inner, phone_region)
        return found
    if isinstance(value, list):
        return [_plain(item, phone_region) for item in value]
    if isinstance(value, IdentifierKind):
        return value.name
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def definition_of(segment: SegmentInput, argument: str = "definition", *, phone_region: str = "US") -> SegmentAst:
    """The validated segment of an input (InputError naming the argument and the path of each bad value)."""
    try:
        return parse_segment(_plain(segment, phone_region))
    except SegmentError as error:
        raise InputError(f"argument '{argument}': {error}") from None
    except ValueError as error:  # an identifier value that cannot be normalised
        raise InputError(f"argument '{argument}': identifier value: {error}") from None


def _prepared(info: Info, segment: SegmentAst, *, name: str | None = None) -> SegmentAst:
    try:
        return saved.prepared(info.context.store, info.context.settings, segment, name=name)
    except SegmentError as error:
        raise InputError(f"argument 'definition': {error}") from None


@strawberry.type(name="Segment", description="A saved segment: its definition, how many profiles it holds, and them.")
class SegmentType:
    name: str
    definition: JSON = strawberry.field(description="the JSON definition (the shape of SegmentInput, snake_case)")
    saved_at: datetime | None
    segment: strawberry.Private[SegmentAst]

    @classmethod
    def of(cls, found: saved.SavedSegment) -> SegmentType:
        definition = JSON(found.segment.to_json())
        return cls(name=found.name, definition=definition, saved_at=found.saved_at, segment=found.segment)

    @strawberry.field(description="The number of profiles in the segment now.")
    async def count(self, info: Info) -> int:
        segment = _prepared(info, self.segment)
        return await run_in_threadpool(info.context.store.segment_count, segment)

    @strawberry.field(description="The profiles in the segment, in ID order, a page at a time.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Profile, strawberry.lazy("api.schema.types")]]:
        return await segment_page(info, _prepared(info, self.segment), first=first, after=after)


async def segment_page(info: Info, segment: SegmentAst, *, first: int | None, after: str | None) -> Connection[Profile]:
    """A page of a prepared segment's profiles (a connection with the total count)."""
    from api.schema.types import Profile

    size = page_size(first)
    cursor = decode_cursor(after)
    if cursor is not None and not isinstance(cursor, str):
        raise InputError("argument 'after' is not a cursor this API returned")
    store = info.context.store
    now = datetime.now(UTC)

    def read() -> tuple[list[str], int]:
        ids = store.segment_members(segment, after=cursor, limit=size + 1, now=now) if size else []
        return ids, store.segment_count(segment, now=now)

    ids, total = await run_in_threadpool(read)
    entities = await info.context.loaders.entity.load_many(ids)
    profiles = [Profile(entity=e) for e in entities if e is not None and e.kind is EntityKind.PROFILE]
    return connection(profiles, first=size, total=total, cursor_of=lambda p: p.entity.id, has_more=len(ids) > size)


async def segments_of_profile(info: Info, profile_id: str) -> list[SegmentType]:
    """The saved segments a profile belongs to, by name."""
    store, settings = info.context.store, info.context.settings

    def read() -> list[SegmentType]:
        found = []
        for name in saved.names(store):
            segment = saved.load(store, name)
            if segment is None:
                continue
            try:
                ready = saved.prepared(store, settings, segment.segment)
            except SegmentError:  # a saved segment that no longer prepares (a reference removed meanwhile)
                continue
            if store.segment_members(ready, among=[profile_id], limit=1):
                found.append(SegmentType.of(segment))
        return found

    return await run_in_threadpool(read)


@strawberry.type
class SegmentQuery:
    @strawberry.field(description="A saved segment by name.", extensions=[requires(Scope.PROFILES_READ)])
    async def segment(self, info: Info, name: str) -> SegmentType | None:
        found = await run_in_threadpool(saved.load, info.context.store, name)
        return SegmentType.of(found) if found is not None else None

    @strawberry.field(description="Every saved segment, by name.", extensions=[requires(Scope.PROFILES_READ)])
    async def segments(self, info: Info) -> list[SegmentType]:
        store = info.context.store

        def read() -> list[SegmentType]:
            found = (saved.load(store, name) for name in saved.names(store))
            return [SegmentType.of(s) for s in found if s is not None]

        return await run_in_threadpool(read)


@strawberry.type
class SegmentMutation:
    @strawberry.mutation(
        description="Save (or replace) a named segment (needs segments:write).",
        extensions=[requires(Scope.SEGMENTS_WRITE)],
    )
    async def save_segment(self, info: Info, name: str, definition: SegmentInput) -> SegmentType:
        segment = definition_of(definition, phone_region=info.context.settings.phone_region)
        store, settings, principal = info.context.store, info.context.settings, info.context.principal
        try:
            saved.check_name(name)
        except SegmentError as error:
            raise InputError(f"argument 'name': {error}") from None
        try:
            stored = await run_in_threadpool(saved.save, store, settings, name, segment, by=principal.name)
        except SegmentError as error:
            raise InputError(f"argument 'definition': {error}") from None
        audit(info, "segment.save", name)
        return SegmentType.of(stored)

    @strawberry.mutation(
        description="Delete a saved segment; refused while other saved segments use it (needs segments:write).",
        extensions=[requires(Scope.SEGMENTS_WRITE)],
    )
    async def delete_segment(self, info: Info, name: str) -> bool:
        try:
            deleted = await run_in_threadpool(saved.delete, info.context.store, name)
        except SegmentError as error:
            raise InputError(f"argument 'name': {error}") from None
        if deleted:
            audit(info, "segment.delete", name)
        return deleted
