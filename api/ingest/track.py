"""Real-time events (`track`): one event becomes its actor record, links, the event and PERFORMED, then is resolved.

The actor is the derived person record `loaders.actor_key(source, identifiers)` holding the event's identifiers (see
loaders.actors); the resolver joins it to whoever else holds them. Writes of concurrent calls are committed
together (group commit, as the audit log does): with a durable store each commit waits for the disk, so one commit
per event would cap throughput at the disk's sync rate. Per commit: one read of the suppression list, one read of
which actors are already resolved, one write, then an incremental resolution of each actor seen for the first
time. An event of an already resolved actor changes no grouping (events never link records), so it needs none.

Events holding an identifier of an erased person (or coming from an erased actor record) are dropped whole: not
stored, not resolved, reported as suppressed. A device or email that belonged to the erased person most likely
still does, and keeping the rest of the event would start rebuilding the profile the erasure removed.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import JsonValue
from starlette.concurrency import run_in_threadpool

from api.ingest.resolving import resolve_records, rules_for
from api.ingest.suppression import suppression_hasher
from api.settings import Settings
from graph import (
    GraphBatch,
    GraphStore,
    GraphStoreError,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Properties,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
)
from graph.erasure import SuppressionHasher
from loaders import actor_key, convert_money, normalise_identifier
from loaders.actors import ACTOR_PROPERTIES

MAX_IDENTIFIERS = 20
MAX_GROUP = 500  # events per commit
_SOURCE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


class _RandomIds:
    """Random 128-bit ids as 32 hex digits (what uuid4().hex gave), drawn from the OS 4 KiB at a time: a getrandom
    call per event is a system call each, which costs more than the rest of building the event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0
        # A forked child must not hand out the ids its parent still holds.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._pool, self._at = b"", 0

    def next(self) -> str:
        with self._lock:
            if self._at >= len(self._pool):
                self._pool, self._at = os.urandom(4096), 0
            chunk = self._pool[self._at : self._at + 16]
            self._at += 16
        return chunk.hex()


_random_ids = _RandomIds()


class TrackInputError(ValueError):
    """An event that cannot be stored; the message names the field and never repeats a value."""


@dataclass(frozen=True)
class TrackedEvent:
    """A checked event, ready to write."""

    actor: Record
    identifiers: tuple[Identifier, ...]
    event: Record


@dataclass(frozen=True)
class TrackOutcome:
    """What became of one event: stored (with the profile its actor resolves to now) or suppressed."""

    event: RecordKey | None
    entity_id: str | None
    suppressed: bool = False


def _source(value: str | None, field: str) -> str:
    source = (value or "api").strip()
    if not 1 <= len(source) <= 100 or not set(source) <= _SOURCE_CHARS:
        raise TrackInputError(f"{field}: letters, digits, '_', '.' and '-' only, 1 to 100 of them")
    return source


def _identifiers(raw: Sequence[tuple[IdentifierKind, str, str | None]], phone_region: str) -> tuple[Identifier, ...]:
    if not raw:
        raise TrackInputError("event.identifiers: at least one identifier is needed (who did it)")
    if len(raw) > MAX_IDENTIFIERS:
        raise TrackInputError(f"event.identifiers: at most {MAX_IDENTIFIERS}")
    found: dict[Identifier, None] = {}
    for index, (kind, value, system) in enumerate(raw):
        where = f"event.identifiers[{index}]"
        try:
            normalised = normalise_identifier(kind, value, phone_region=phone_region)
        except ValueError as exc:
            raise TrackInputError(f"{where}.value: {exc}") from None
        if kind is IdentifierKind.ACCOUNT:
            if not (system or "").strip():
                raise TrackInputError(f"{where}.system: required for ACCOUNT identifiers")
            found[Identifier(kind, normalised, system.strip())] = None  # type: ignore[union-attr]
        else:
            found[Identifier(kind, normalised)] = None
    return tuple(found)


def _money(amount: float | None, currency: str | None, settings: Settings) -> Properties:
    if amount is None:
        if currency is not None:
            raise TrackInputError("event.currency: given without event.amount")
        return {}
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise TrackInputError("event.amount: not a number") from None
    try:
        money = convert_money(
            value, currency or settings.base_currency, base=settings.base_currency, rates=settings.rates
        )
    except ValueError as exc:
        field = "event.currency" if "rate" in str(exc) or "currency" in str(exc) else "event.amount"
        raise TrackInputError(f"{field}: {exc}") from None
    return {
        "amount": float(money.base_amount),
        "currency": money.base_currency,
        "original_amount": str(money.amount),
        "original_currency": money.currency,
    }


def build_event(
    *,
    event_type: str,
    identifiers: Sequence[tuple[IdentifierKind, str, str | None]],
    settings: Settings,
    timestamp: datetime | None = None,
    channel: str | None = None,
    source: str | None = None,
    event_id: str | None = None,
    properties: Any = None,
    amount: float | None = None,
    currency: str | None = None,
    quantity: int | None = None,
) -> TrackedEvent:
    """Check and normalise one event as the loaders would a row; TrackInputError names the field at fault."""
    event_type = event_type.strip()
    if not 1 <= len(event_type) <= 100:
        raise TrackInputError("event.type: 1 to 100 characters")
    event_source = _source(source, "event.source")
    held = _identifiers(identifiers, settings.phone_region)
    if properties is not None and not isinstance(properties, Mapping):
        raise TrackInputError("event.properties: must be a JSON object")
    if quantity is not None and quantity < 0:
        raise TrackInputError("event.quantity: must not be negative")
    key_id = (event_id or "").strip() or f"evt-{_random_ids.next()}"
    if len(key_id) > 200:
        raise TrackInputError("event.id: at most 200 characters")
    at = timestamp or datetime.now(UTC)
    if at.tzinfo is None:  # a time without an offset is taken as UTC
        at = at.replace(tzinfo=UTC)
    values: Properties = {"type": event_type, "timestamp": at.astimezone(UTC).isoformat()}
    if channel is not None and channel.strip():
        values["channel"] = channel.strip()[:100]
    values.update(_money(amount, currency, settings))
    if quantity is not None:
        values["quantity"] = quantity
    if properties:
        extra: dict[str, JsonValue] = dict(properties)
        values["properties"] = extra
    actor = actor_key(event_source, held)
    return TrackedEvent(
        actor=Record(kind=RecordKind.CUSTOMER, key=actor, properties=dict(ACTOR_PROPERTIES)),
        identifiers=held,
        event=Record(kind=RecordKind.EVENT, key=RecordKey(event_source, key_id), properties=values),
    )


def _suppressible(event: TrackedEvent) -> list[Identifier | RecordKey]:
    return [*event.identifiers, event.actor.key]


def _batch(events: Sequence[TrackedEvent]) -> GraphBatch:
    """Every record, link and PERFORMED of the events, each once (the items were checked when built)."""
    records = {e.actor.key: e.actor for e in events} | {e.event.key: e.event for e in events}
    links = {IdentifierLink.model_construct(record=e.actor.key, identifier=i) for e in events for i in e.identifiers}
    relations = {
        e.event.key: Relation.model_construct(type=RelType.PERFORMED, start=e.actor.key, end=e.event.key, properties={})
        for e in events
    }
    return GraphBatch.model_construct(
        records=tuple(records.values()), links=tuple(links), relations=tuple(relations.values()), checkpoint=None
    )


class TrackWriter:
    """Writes and resolves the events of one store, committing concurrent calls together."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.rules = rules_for(settings)
        self._hasher: SuppressionHasher | None = None
        self._queue: list[tuple[TrackedEvent, asyncio.Future[TrackOutcome]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def track(self, event: TrackedEvent) -> TrackOutcome:
        """Store and resolve the event; returns once both are committed (the profile is current then)."""
        done: asyncio.Future[TrackOutcome] = asyncio.get_running_loop().create_future()
        self._queue.append((event, done))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.ensure_future(self._drain())
        return await done

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            try:
                outcomes = await run_in_threadpool(self.commit, [event for event, _ in group])
            except Exception as exc:  # the store failed: every caller of the group gets the error
                for _, done in group:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_, done), outcome in zip(group, outcomes, strict=True):
                if done.done():
                    continue
                if isinstance(outcome, Exception):
                    done.set_exception(outcome)
                else:
                    done.set_result(outcome)

    def _suppressed(self, events: Sequence[TrackedEvent]) -> set[int]:
        """Indexes of the events holding a suppressed identifier or coming from a suppressed actor record."""
        if self._hasher is None:
            self._hasher = suppression_hasher(self.settings, self.store)
        hasher = self._hasher
        hashes = [[hasher(item) for item in _suppressible(e)] for e in events]
        listed = self.store.suppressed({h for per_event in hashes for h in per_event})
        return {index for index, per_event in enumerate(hashes) if listed.intersection(per_event)}

    def commit(self, events: Sequence[TrackedEvent]) -> list[TrackOutcome | Exception]:
        """Write and resolve a group of events (in a worker thread); an outcome or an error per event."""
        suppressed = self._suppressed(events)
        live = [e for index, e in enumerate(events) if index not in suppressed]
        known = self.store.entity_ids_of(list(dict.fromkeys(e.actor.key for e in live)))
        failed: dict[RecordKey, Exception] = {}
        try:
            self.store.write(_batch(live))
        except GraphStoreError:
            # One bad event (say an id already used by a record of another kind) must not fail the others.
            for event in live:
                try:
                    self.store.write(_batch([event]))
                except GraphStoreError as exc:
                    failed[event.event.key] = exc
        fresh = [e.actor.key for e in live if e.actor.key not in known and e.event.key not in failed]
        entity_ids = {**known, **resolve_records(self.store, fresh, self.rules).entity_ids}
        outcomes: list[TrackOutcome | Exception] = []
        for index, event in enumerate(events):
            if index in suppressed:
                outcomes.append(TrackOutcome(event=None, entity_id=None, suppressed=True))
            elif event.event.key in failed:
                outcomes.append(failed[event.event.key])
            else:
                outcomes.append(TrackOutcome(event=event.event.key, entity_id=entity_ids.get(event.actor.key)))
        return outcomes


_writers: weakref.WeakKeyDictionary[GraphStore, TrackWriter] = weakref.WeakKeyDictionary()


def track_writer(store: GraphStore, settings: Settings) -> TrackWriter:
    """The writer of a store (one per store, so concurrent requests share commits)."""
    writer = _writers.get(store)
    if writer is None:
        writer = _writers[store] = TrackWriter(store, settings)
    return writer
