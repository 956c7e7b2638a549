"""A plain REST read of a profile, `GET /profiles/by-identifier?kind=&value=&system=`: traits, identifiers,
consents and the last 10 events through pydantic response models.

It does what the GraphQL `profileByIdentifier` query of a typical frontend does, with the same key check
(`profiles:read`), PII masking and audit, and no GraphQL: `bench/api.py` measures GraphQL against it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel, JsonValue
from starlette.concurrency import run_in_threadpool

from api.ingest.consent import consent_states
from api.schema.dataloaders import reads_inline
from api.schema.profile_bundle import BundlePlan
from api.security.audit import PII_READ, audit
from api.security.audit_context import request_trail
from api.security.masking import mask_identifier, mask_trait
from api.security.principal import Principal
from api.security.scopes import Scope
from api.settings import Settings
from graph import GraphStore, Identifier, IdentifierKind
from loaders import normalise_identifier

EVENTS = 10
_KINDS = {kind.name: kind for kind in IdentifierKind}  # by GraphQL enum name: EMAIL, PHONE, ...


class TraitOut(BaseModel):
    name: str
    value: JsonValue
    source: str


class IdentifierOut(BaseModel):
    kind: str  # the GraphQL enum name: EMAIL, PHONE, ...
    value: str
    system: str | None


class EventOut(BaseModel):
    type: str
    timestamp: str | None
    channel: str | None
    amount: float | None


class ConsentOut(BaseModel):
    purpose: str
    granted: bool
    source: str
    updated_at: datetime | None


class ProfileOut(BaseModel):
    id: str
    created_at: datetime
    traits: list[TraitOut]
    identifiers: list[IdentifierOut]
    consents: list[ConsentOut]
    events: list[EventOut]


class _Context:
    """Just enough of the GraphQL context for `audit`."""

    def __init__(self, store: GraphStore, principal: Principal) -> None:
        self.store, self.principal = store, principal


# As GraphQL's profileByIdentifier reads these fields (api.schema.profile_bundle): the profile holding the
# identifier (the smallest ID when several do), its identifiers, last events and consent events in one store call.
_PLAN = BundlePlan(identifiers=True, events=EVENTS, consents=True)


def _read(store: GraphStore, identifier: Identifier, sees_pii: bool) -> ProfileOut | None:
    bundle = _PLAN.read(store, identifier)
    if bundle is None:
        return None
    entity, held = bundle.entity, bundle.identifiers or {}
    traits = [
        TraitOut(name=name, value=mask_trait(name, t.get("value"), sees_pii=sees_pii), source=str(t.get("record", "")))
        for name, t in sorted(entity.traits.items())
        if isinstance(t, dict)
    ]
    identifiers = [
        IdentifierOut(
            kind=i.kind.name, value=mask_identifier(i.kind, i.value, sees_pii=sees_pii), system=i.system or None
        )
        for i in sorted({i for ids in held.values() for i in ids})
    ]
    return ProfileOut(
        id=entity.id,
        created_at=entity.created_at,
        traits=traits,
        identifiers=identifiers,
        consents=[
            ConsentOut(purpose=c.purpose, granted=c.granted, source=c.source, updated_at=c.updated_at)
            for c in consent_states(entity, bundle.typed_events)
        ],
        events=[_event(record.properties) for _, record in bundle.events],
    )


def _event(properties: dict[str, Any]) -> EventOut:
    amount = properties.get("amount")
    channel = properties.get("channel")
    timestamp = properties.get("timestamp")
    return EventOut(
        type=str(properties.get("type", "")),
        timestamp=str(timestamp) if timestamp is not None else None,
        channel=str(channel) if channel is not None else None,
        amount=float(amount) if isinstance(amount, int | float) and not isinstance(amount, bool) else None,
    )


async def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The key's principal, checked as for /graphql (401 without a valid key), before any parameter is read."""
    principal: Principal = await request.app.state.principal_of(authorization)
    return principal


def rest_router(app: FastAPI) -> APIRouter:
    router = APIRouter(tags=["profiles"])
    store: GraphStore = app.state.store
    settings: Settings = app.state.settings
    inline = reads_inline(store)

    @router.get("/profiles/by-identifier", response_model=ProfileOut)
    async def profile_by_identifier(
        principal: Annotated[Principal, Depends(_caller)],
        kind: Annotated[str, Query(description="EMAIL, PHONE, DEVICE, ACCOUNT, ...")],
        value: Annotated[str, Query(min_length=1, max_length=512)],
        system: Annotated[str | None, Query(description="issuing system, for ACCOUNT")] = None,
    ) -> ProfileOut:
        """The profile holding an identifier (as the GraphQL `profileByIdentifier`), with its last 10 events."""
        if not principal.allows(Scope.PROFILES_READ):
            raise HTTPException(403, "this needs the 'profiles:read' scope")
        identifier_kind = _KINDS.get(kind.upper())
        if identifier_kind is None:
            raise HTTPException(422, f"kind: one of {', '.join(_KINDS)}")
        try:
            normalised = normalise_identifier(identifier_kind, value, phone_region=settings.phone_region)
        except ValueError as exc:
            raise HTTPException(422, f"value: {exc}") from None
        if identifier_kind is IdentifierKind.ACCOUNT and not system:
            raise HTTPException(422, "system: required for ACCOUNT identifiers")
        identifier = Identifier(
            identifier_kind, normalised, (system or "") if identifier_kind is IdentifierKind.ACCOUNT else ""
        )
        with request_trail() as trail:
            sees_pii = principal.sees_pii
            # As GraphQL's reads (api.schema.dataloaders): inline on the embedded SQLite store, where these few
            # indexed reads cost less than the hop to a worker thread; in a worker thread on a networked store.
            if inline:
                profile = _read(store, identifier, sees_pii)
            else:
                profile = await run_in_threadpool(_read, store, identifier, sees_pii)
            if profile is None:
                raise HTTPException(404, "no profile holds this identifier")
            if trail.pii_read:
                audit(_Context(store, principal), PII_READ, "GET /profiles/by-identifier", profiles=[profile.id])
            await app.state.audit_writer.write(trail.entries)
        return profile

    return router
