"""`setConsent`: record an explicit consent change for one purpose of a profile (stored as an event)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from api.ingest.consent import ConsentInputError, check_purpose, check_source, record_change
from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.types import Profile
from api.security.audit import audit
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import EntityKind


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(
        description="Grant or withdraw consent for one purpose (email, sms, ...), saying where it was given. The"
        " change is kept with its time and source in the profile's consent history (needs ingest:write).",
        extensions=[requires(Scope.INGEST_WRITE)],
    )
    async def set_consent(
        self,
        info: Info,
        profile_id: strawberry.ID,
        purpose: str,
        granted: bool,
        # Named apart in Python: strawberry's permission extension takes a `source` argument of its own.
        given_at: Annotated[str, strawberry.argument(name="source", description="where it was given")],
    ) -> Profile:
        try:
            purpose, source = check_purpose(purpose), check_source(given_at)
        except ConsentInputError as exc:
            raise InputError(str(exc)) from None
        store = info.context.store
        entity = await run_in_threadpool(store.get_entity, str(profile_id))
        if entity is None or entity.kind is not EntityKind.PROFILE:
            raise InputError("argument 'profileId': no profile with this ID")
        await run_in_threadpool(record_change, store, entity, purpose, granted, source)
        audit(info, "consent.set", entity.id, purpose=purpose, granted=granted, source=source)
        return Profile(entity=entity)
