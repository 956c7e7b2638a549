"""Root queries of profiles: one by ID or by any identifier, and pages of all profiles."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from api.schema.context import Info
from api.schema.dataloaders import Loaders, then
from api.schema.errors import InputError
from api.schema.pagination import connection, decode_cursor, page_size
from api.schema.profile_bundle import BundlePlan, Prefetched, plan_of
from api.schema.segments import SegmentInput, definition_of, segment_page
from api.schema.types import Profile, ProfileConnection
from api.security.permissions import requires
from api.security.scopes import Scope
from api.segments import saved
from graph import EntityKind, Identifier, IdentifierKind
from graph.bundle import EntityBundle
from graph.segments import Segment, SegmentError
from loaders import normalise_identifier


def _after_id(after: str | None) -> str | None:
    value = decode_cursor(after)
    if value is not None and not isinstance(value, str):
        raise InputError("argument 'after' is not a cursor this API returned")
    return value


async def _prepared_segment(info: Info, segment: SegmentInput) -> Segment:
    """The validated segment with its saved segments inlined; bad definitions are errors naming `segment`."""
    definition = definition_of(segment, "segment", phone_region=info.context.settings.phone_region)
    store, settings = info.context.store, info.context.settings
    try:
        return await run_in_threadpool(lambda: saved.prepared(store, settings, definition))
    except SegmentError as error:
        raise InputError(f"argument 'segment': {error}") from None


def _profile(loaders: Loaders, plan: BundlePlan, bundle: EntityBundle | None) -> Profile | None:
    if bundle is None:
        return None
    entity = bundle.entity
    loaders.prime("entity", {entity.id: entity})  # later fields of the same request (profile(id: ...)) reuse it
    return Profile(entity=entity, alone=True, prefetched=Prefetched.of(plan, bundle))


@strawberry.type
class ProfileQuery:
    @strawberry.field(
        description="A profile by its ID; the ID of a merged-away profile gives its survivor.",
        extensions=[requires(Scope.PROFILES_READ)],
    )
    async def profile(self, info: Info, id: strawberry.ID) -> Profile | None:
        entity = await info.context.loaders.entity.load(str(id))
        if entity is None or entity.kind is not EntityKind.PROFILE:
            return None
        return Profile(entity=entity)

    # Not a coroutine: on SQLite the look-up runs inline and the profile is returned as is, so graphql-core goes
    # on to its fields at once (elsewhere it returns an awaitable; graphql_type gives the schema the value's type).
    @strawberry.field(
        description="The profile holding an identifier. The value is normalised as the loaders do (emails"
        " lower-cased, phones to E.164). When the identifier is shared by several profiles (it did not link"
        " them), the one with the smallest ID is returned.",
        extensions=[requires(Scope.PROFILES_READ)],
        graphql_type=Profile | None,
    )
    def profile_by_identifier(
        self,
        info: Info,
        kind: IdentifierKind,
        value: str,
        system: Annotated[str | None, strawberry.argument(description="issuing system, for ACCOUNT")] = None,
    ) -> Profile | Awaitable[Profile | None] | None:
        try:
            normalised = normalise_identifier(kind, value, phone_region=info.context.settings.phone_region)
        except ValueError as exc:
            raise InputError(f"argument 'value': {exc}") from None
        if kind is IdentifierKind.ACCOUNT and not system:
            raise InputError("argument 'system' is required for ACCOUNT identifiers")
        identifier = Identifier(kind, normalised, (system or "") if kind is IdentifierKind.ACCOUNT else "")
        loaders = info.context.loaders
        # One store call (inline on SQLite) for the profile and the parts of it the query asks for.
        plan = plan_of(info)
        return then(loaders.read_now(plan.read, info.context.store, identifier), partial(_profile, loaders, plan))

    @strawberry.field(
        description="Profiles in ID order, a page at a time (cursor-based), with the total count: all of them, or"
        " those a segment selects.",
        extensions=[requires(Scope.PROFILES_READ)],
    )
    async def profiles(
        self,
        info: Info,
        segment: Annotated[
            SegmentInput | None, strawberry.argument(description="only the profiles this definition selects")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ProfileConnection:
        if segment is not None:
            return await segment_page(info, await _prepared_segment(info, segment), first=first, after=after)
        size = page_size(first)
        after_id = _after_id(after)
        store = info.context.store

        def read() -> tuple[list[Profile], int]:
            page = store.entity_page(EntityKind.PROFILE, after=after_id, limit=size + 1) if size else []
            return [Profile(entity=e) for e in page], store.count_entities(EntityKind.PROFILE)

        profiles, total = await run_in_threadpool(read)
        for profile in profiles:  # later fields of the same request (profile(id: ...)) reuse them
            info.context.loaders.entity.prime(profile.entity.id, profile.entity)
        return connection(profiles, first=size, total=total, cursor_of=lambda p: p.entity.id)
