"""Forgetting a person: erase their profile in one store transaction, then re-resolve the people they shared with.

What is deleted and what is suppressed is the store's `erase_entity` (see graph.erasure). Identifiers the person
shared with others stay; with one holder fewer, an identifier that was over its sharing limit may link its other
holders again, so one remaining holder of each such identifier is resolved afterwards (as a batch run would).
Repeating a request is harmless: the profile is gone, the stored request answers ALREADY_FORGOTTEN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from api.ingest.resolving import resolve_records, rules_for
from api.ingest.suppression import suppression_hasher
from api.settings import Settings
from graph import EntityKind, GraphStore, RecordKey
from graph.erasure import ErasureRequest


class ForgetStatus(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no profile and no erasure request under this ID
    ALREADY_FORGOTTEN = "already_forgotten"  # erased earlier (the request is kept)


@dataclass(frozen=True)
class ForgetOutcome:
    status: ForgetStatus
    request: ErasureRequest | None = None
    resolved_after: int = 0  # records of other people resolved again afterwards


def _remaining_holders(store: GraphStore, members: list[RecordKey]) -> list[RecordKey]:
    """One record outside `members` per identifier the members share with others."""
    inside = set(members)
    held = store.identifiers_of(members)
    chosen: dict[RecordKey, None] = {}
    for identifier in sorted({i for ids in held.values() for i in ids}):
        other = next((k for k in store.records_with(identifier) if k not in inside), None)
        if other is not None:
            chosen[other] = None
    return list(chosen)


def forget_profile(store: GraphStore, settings: Settings, profile_id: str) -> ForgetOutcome:
    """Erase the profile with this ID (or a merged-away ID of it); NOT_FOUND for an ID that is not a profile's."""
    entity = store.get_entity(profile_id)
    if entity is None or entity.kind is not EntityKind.PROFILE:
        request = store.erasure_request(profile_id) if entity is None else None
        return ForgetOutcome(ForgetStatus.ALREADY_FORGOTTEN if request else ForgetStatus.NOT_FOUND, request)
    others = _remaining_holders(store, list(entity.members))
    request = store.erase_entity(entity.id, suppress=suppression_hasher(settings, store), at=datetime.now(UTC))
    if request is None:  # erased by a concurrent request meanwhile
        return ForgetOutcome(ForgetStatus.ALREADY_FORGOTTEN, store.erasure_request(entity.id))
    resolved = resolve_records(store, others, rules_for(settings))
    return ForgetOutcome(ForgetStatus.DONE, request, len(resolved.entity_ids))
