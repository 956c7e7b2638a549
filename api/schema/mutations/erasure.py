"""`forgetProfile`: erasure of a person with suppression of their identifiers; `erasureRequest` reads its trace."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from starlette.concurrency import run_in_threadpool

from api.ingest.erasure import ForgetStatus
from api.ingest.erasure import forget_profile as erase_profile
from api.schema.context import Info
from api.security.audit import audit
from api.security.permissions import requires
from api.security.scopes import Scope
from graph.erasure import ErasureRequest


@strawberry.enum(description="The state of an erasure request.")
class ForgetStatusType(Enum):
    DONE = "done"
    NOT_FOUND = "not_found"
    ALREADY_FORGOTTEN = "already_forgotten"


@strawberry.type(description="What an erasure removed and remembered (counts only).")
class ErasureCountsType:
    records: int
    events: int
    identifiers: int
    entities: int
    aliases: int
    history: int
    history_mentions: int = strawberry.field(description="mentions of its records removed from others' history")
    overrides: int
    suppressed: int = strawberry.field(description="keyed hashes added to the suppression list")


@strawberry.type(name="ForgetResult", description="The outcome of forgetProfile; repeating the request is harmless.")
class ForgetResult:
    status: ForgetStatusType
    profile_id: strawberry.ID | None = strawberry.field(
        description="the erased profile's ID (a given alias maps to it)"
    )
    requested_at: datetime | None
    completed_at: datetime | None
    counts: ErasureCountsType | None = strawberry.field(description="null when nothing was found")

    @classmethod
    def of(cls, status: ForgetStatus, request: ErasureRequest | None) -> ForgetResult:
        if request is None:
            return cls(
                status=ForgetStatusType(status.value),
                profile_id=None,
                requested_at=None,
                completed_at=None,
                counts=None,
            )
        return cls(
            status=ForgetStatusType(status.value),
            profile_id=strawberry.ID(request.entity_id),
            requested_at=request.requested_at,
            completed_at=request.completed_at,
            counts=ErasureCountsType(**request.counts.model_dump()),
        )


@strawberry.type
class ErasureMutation:
    @strawberry.mutation(
        description="Erase a person: their records, the identifiers only they held, their events, consents and"
        " derived data; their identifiers go on a suppression list (keyed hashes) so later loads and events do not"
        " re-create them. Repeating it is harmless (ALREADY_FORGOTTEN). Needs admin.",
        extensions=[requires(Scope.ADMIN)],
    )
    async def forget_profile(self, info: Info, id: strawberry.ID) -> ForgetResult:
        outcome = await run_in_threadpool(erase_profile, info.context.store, info.context.settings, str(id))
        request = outcome.request
        detail = request.counts.model_dump() if request is not None and outcome.status is ForgetStatus.DONE else {}
        audit(info, "profile.forget", request.entity_id if request else str(id), status=outcome.status.value, **detail)
        return ForgetResult.of(outcome.status, request)


@strawberry.type
class ErasureQuery:
    @strawberry.field(
        description="The erasure request stored under a profile ID (or a merged-away ID of it): status, times and"
        " counts, no personal data. Needs admin.",
        extensions=[requires(Scope.ADMIN)],
    )
    def erasure_request(self, info: Info, id: strawberry.ID) -> ForgetResult | None:
        request = info.context.store.erasure_request(str(id))
        return ForgetResult.of(ForgetStatus.DONE, request) if request is not None else None
