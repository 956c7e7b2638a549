"""GraphQL types of consent: a profile's consent per purpose, with where it came from and its history."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime

import strawberry

from api.ingest.consent import ConsentState, consent_states, consents_of
from api.schema.context import Info
from api.schema.dataloaders import then
from graph import Entity, Record, RecordKey


@strawberry.type(description="One explicit consent change.")
class ConsentChange:
    granted: bool
    source: str = strawberry.field(description="where it was given or withdrawn (web form, call centre, ...)")
    at: datetime


@strawberry.type(
    description="Consent for one purpose: the latest explicit change (setConsent) where there is one, else the"
    " consent the profile's records carry (granted only if every record that says something grants it)."
)
class Consent:
    purpose: str
    granted: bool
    source: str = strawberry.field(description="the latest change's source, or 'records' when none was made")
    updated_at: datetime | None = strawberry.field(description="when it last changed explicitly")
    explicit: bool = strawberry.field(description="whether it comes from an explicit change")
    history: list[ConsentChange] = strawberry.field(description="every explicit change, newest first")

    @classmethod
    def of(cls, state: ConsentState) -> Consent:
        return cls(
            purpose=state.purpose,
            granted=state.granted,
            source=state.source,
            updated_at=state.updated_at,
            explicit=state.explicit,
            history=[ConsentChange(granted=c.granted, source=c.source, at=c.at) for c in state.history],
        )


def profile_consents(
    info: Info, entity: Entity, read: Sequence[tuple[RecordKey, Record]] | None = None
) -> list[Consent] | Awaitable[list[Consent]]:
    """The consents of a profile (one indexed read of its consent events): the list itself on SQLite, where the
    read runs inline, else an awaitable of it. `read`: its consent events as already read (see consent_states)."""
    if read is not None:
        return [Consent.of(state) for state in consent_states(entity, read)]
    states = info.context.loaders.read_now(consents_of, info.context.store, entity)
    return then(states, lambda found: [Consent.of(state) for state in found])
