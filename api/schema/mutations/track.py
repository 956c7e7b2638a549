"""`track(event)`: store one real-time event and resolve its actor; the profile is current when the call returns."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from api.ingest.track import TrackInputError, TrackOutcome, build_event, track_writer
from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.types import Profile, RecordKeyType
from api.security.audit import audit
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import EntityKind, IdentifierKind, RecordKindConflictError


@strawberry.input(description="An identifier given with an event: normalised as the loaders do.")
class IdentifierInput:
    kind: IdentifierKind
    value: str
    system: str | None = strawberry.field(default=None, description="the issuing system, required for ACCOUNT")


@strawberry.input(description="Something a person did, identified by whatever identifiers came with it.")
class EventInput:
    type: str = strawberry.field(description="page_view, purchase, email_open, ...")
    identifiers: list[IdentifierInput] = strawberry.field(description="who did it: device, email, account, ...")
    timestamp: datetime | None = strawberry.field(default=None, description="default: now; no offset means UTC")
    channel: str | None = None
    source: str | None = strawberry.field(default="api", description="the system it came from (default api)")
    id: str | None = strawberry.field(
        default=None, description="the event's id in its source: a retry with the same id stores it once"
    )
    properties: JSON | None = strawberry.field(default=None, description="a JSON object of event properties")
    amount: float | None = strawberry.field(default=None, description="converted to the base currency")
    currency: str | None = strawberry.field(default=None, description="ISO code or symbol; default: the base")
    quantity: int | None = None


@strawberry.enum(description="What became of a tracked event.")
class TrackStatus(Enum):
    STORED = "stored"
    SUPPRESSED = "suppressed"  # it holds an identifier of an erased person: dropped whole, nothing stored


@strawberry.type(description="The outcome of track: the event's key and its actor's profile, current.")
class TrackResult:
    status: TrackStatus
    event: RecordKeyType | None = strawberry.field(description="the stored event (null when suppressed)")
    outcome: strawberry.Private[TrackOutcome]

    @strawberry.field(description="the profile the event's actor resolves to now (null when suppressed)")
    def profile(self, info: Info) -> Profile | None:
        if self.outcome.entity_id is None:
            return None
        entity = info.context.store.get_entity(self.outcome.entity_id)
        return Profile(entity=entity) if entity is not None and entity.kind is EntityKind.PROFILE else None


@strawberry.type
class TrackMutation:
    @strawberry.mutation(
        description="Store an event and resolve its actor incrementally (needs ingest:write). Events holding an"
        " identifier of an erased person are dropped whole and reported as SUPPRESSED.",
        extensions=[requires(Scope.INGEST_WRITE)],
    )
    async def track(self, info: Info, event: EventInput) -> TrackResult:
        settings = info.context.settings
        try:
            tracked = build_event(
                event_type=event.type,
                identifiers=[(i.kind, i.value, i.system) for i in event.identifiers],
                settings=settings,
                timestamp=event.timestamp,
                channel=event.channel,
                source=event.source,
                event_id=event.id,
                properties=event.properties,
                amount=event.amount,
                currency=event.currency,
                quantity=event.quantity,
            )
        except TrackInputError as exc:
            raise InputError(f"argument {exc}") from None
        try:
            outcome = await track_writer(info.context.store, settings).track(tracked)
        except RecordKindConflictError:
            raise InputError("argument event.id: already the key of a record that is not an event") from None
        if outcome.suppressed:
            audit(info, "event.track", "suppressed", status="suppressed")
            return TrackResult(status=TrackStatus.SUPPRESSED, event=None, outcome=outcome)
        assert outcome.event is not None
        audit(info, "event.track", str(outcome.event), profile=outcome.entity_id, status="stored")
        return TrackResult(status=TrackStatus.STORED, event=RecordKeyType.of(outcome.event), outcome=outcome)
