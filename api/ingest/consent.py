"""Consent per purpose: explicit changes stored as events, merged with the consents the source records carry.

A change made through the API is an Event record (source `idgraph-consent`, type `consent_change`, properties
{purpose, granted, source}) PERFORMED by the profile's oldest record. So it belongs to the person, not to the
profile ID: it moves with that record through merges (a merged profile sees the changes of all its records) and,
on a split, stays with the part that keeps the ID (the part holding the oldest record). Erasing the person
deletes it with their other events, and it shows in the profile's event history.

A profile's consent for a purpose is its latest explicit change when there is one, else the golden trait
`<purpose>_consent` merged from the records (granted only if every record that says something grants it).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph import (
    Entity,
    GraphBatch,
    GraphStore,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
)
from resolver.batch import record_age
from resolver.golden import CONSENT_SUFFIX

CONSENT_SOURCE = "idgraph-consent"
CONSENT_EVENT = "consent_change"
MAX_HISTORY = 1000  # changes read per profile
RECORDS_SOURCE = "records"  # the source of a consent that comes from the records' own fields
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,49}")


class ConsentInputError(ValueError):
    """A consent change that cannot be stored; the message names the argument."""


@dataclass(frozen=True)
class ConsentChange:
    granted: bool
    source: str
    at: datetime


@dataclass(frozen=True)
class ConsentState:
    """The consent of a profile for one purpose, with every explicit change (newest first)."""

    purpose: str
    granted: bool
    source: str
    updated_at: datetime | None
    explicit: bool
    history: list[ConsentChange] = field(default_factory=list)


def check_purpose(purpose: str) -> str:
    value = purpose.strip().lower()
    if not _PURPOSE.fullmatch(value):
        raise ConsentInputError(
            "argument 'purpose': a lower-case name of 1 to 50 letters, digits and '_' (email, sms, analytics, ...)"
        )
    return value


def check_source(source: str) -> str:
    value = source.strip()
    if not 1 <= len(value) <= 100:
        raise ConsentInputError("argument 'source': 1 to 100 characters (where the consent was given)")
    return value


def anchor_of(store: GraphStore, entity: Entity) -> RecordKey:
    """The profile's oldest record (the one that keeps the profile's ID on a split)."""
    records = store.get_records(list(entity.members))
    age = record_age(records)
    return min(records, key=lambda key: (age(key), key))


def record_change(store: GraphStore, entity: Entity, purpose: str, granted: bool, source: str) -> RecordKey:
    """Store one explicit change (purpose and source already checked) in one write; the event's key."""
    now = datetime.now(UTC)
    key = RecordKey(CONSENT_SOURCE, f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:12]}")
    event = Record(
        kind=RecordKind.EVENT,
        key=key,
        properties={
            "type": CONSENT_EVENT,
            "timestamp": now.isoformat(),
            "channel": "api",
            "properties": {"purpose": purpose, "granted": granted, "source": source},
        },
    )
    performed = Relation(type=RelType.PERFORMED, start=anchor_of(store, entity), end=key)
    store.write(GraphBatch(records=(event,), relations=(performed,)))
    return key


def _change(record: Record) -> tuple[str, ConsentChange] | None:
    nested = record.properties.get("properties")
    timestamp = record.properties.get("timestamp")
    if not isinstance(nested, dict) or not isinstance(timestamp, str):
        return None
    purpose, granted, source = nested.get("purpose"), nested.get("granted"), nested.get("source")
    if not isinstance(purpose, str) or not isinstance(granted, bool):
        return None
    return purpose, ConsentChange(granted=granted, source=str(source or ""), at=datetime.fromisoformat(timestamp))


def consents_of(store: GraphStore, entity: Entity) -> list[ConsentState]:
    """The profile's consent per purpose, sorted by purpose."""
    return consent_states(entity, store.events_of(list(entity.members), types=[CONSENT_EVENT], limit=MAX_HISTORY))


def consent_states(entity: Entity, events: Sequence[tuple[RecordKey, Record]]) -> list[ConsentState]:
    """`consents_of` from the profile's consent events as read (`events_of(members, types=[CONSENT_EVENT],
    limit=MAX_HISTORY)`, or the same read within GraphStore.entity_bundle)."""
    changes: dict[str, list[ConsentChange]] = {}
    for _, event in events:
        found = _change(event)
        if found is not None:
            changes.setdefault(found[0], []).append(found[1])
    states: dict[str, ConsentState] = {}
    for name, trait in entity.traits.items():
        if name.endswith(CONSENT_SUFFIX) and isinstance(trait, dict) and isinstance(trait.get("value"), bool):
            purpose = name.removesuffix(CONSENT_SUFFIX)
            states[purpose] = ConsentState(
                purpose=purpose, granted=bool(trait["value"]), source=RECORDS_SOURCE, updated_at=None, explicit=False
            )
    for purpose, history in changes.items():
        history.sort(key=lambda change: change.at, reverse=True)
        latest = history[0]
        states[purpose] = ConsentState(
            purpose=purpose,
            granted=latest.granted,
            source=latest.source,
            updated_at=latest.at,
            explicit=True,
            history=history,
        )
    return [states[purpose] for purpose in sorted(states)]
