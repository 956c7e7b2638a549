"""Erasure of a person (GDPR, PIPL): the request record a store keeps, and the keyed hashes of the suppression list.

Forgetting an entity deletes its records and what hangs off them, and adds keyed hashes (HMAC-SHA256) of the
identifiers and record keys it alone held to a suppression list, so a later load of the same rows can recognise
them without the store keeping the values. The request record keeps counts and times, never a value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Collection
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from graph.model import Identifier, RecordKey

# Turns an identifier or a record key into its suppression-list entry (see SuppressionHasher).
Suppressor = Callable[[Identifier | RecordKey], str]

MIN_KEY_BYTES = 16


class ErasureStatus(StrEnum):
    DONE = "done"


class ErasureCounts(BaseModel):
    """What one erasure removed and remembered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    records: int = Field(0, description="person records deleted")
    events: int = Field(0, description="events they performed, deleted")
    identifiers: int = Field(0, description="identifiers no other record held, deleted")
    entities: int = Field(0, description="entities deleted")
    aliases: int = Field(0, description="merged-away IDs of the entity, deleted")
    history: int = Field(0, description="history events of the entity, deleted")
    history_mentions: int = Field(0, description="mentions of a deleted record removed from other entities' history")
    overrides: int = Field(0, description="overrides naming a deleted record, deleted")
    suppressed: int = Field(0, description="entries added to the suppression list")


class ErasureRequest(BaseModel):
    """The stored trace of one erasure: which entity ID (its aliases find it too), when, what was removed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: str = Field(min_length=1)
    status: ErasureStatus = ErasureStatus.DONE
    requested_at: AwareDatetime
    completed_at: AwareDatetime
    counts: ErasureCounts = ErasureCounts()


def history_needle(source_id: str) -> str:
    """Text that any JSON encoding of `source_id` contains: its longest run of characters no encoder escapes.

    That is printable ASCII less `"`, `\\` and `/` (non-ASCII may be written as \\u escapes). Stores find the
    history events that may name a record by this substring (cheap), then check the pairs exactly; an ID with
    no such character gives "", which every event contains.
    """
    runs = re.split(r'[^\x20-\x7e]|["\\/]', source_id)
    return max(runs, key=len)


def without_records(pairs: list[Any], doomed: Collection[RecordKey]) -> list[Any]:
    """A stored history event's `[source, source_id]` pairs less those of the deleted records (see erase_entity)."""
    return [pair for pair in pairs if RecordKey(str(pair[0]), str(pair[1])) not in doomed]


def suppression_text(item: Identifier | RecordKey) -> str:
    """The canonical text of an identifier (normalised value) or a record key, as hashed for the list."""
    if isinstance(item, Identifier):
        return f"identifier\x1f{item.kind.value}\x1f{item.system}\x1f{item.value}"
    return f"record\x1f{item.source}\x1f{item.source_id}"


class SuppressionHasher:
    """HMAC-SHA256 of an identifier or record key under a secret key: the suppression list's entries.

    Without the key, an entry cannot be tested against guessed emails or phones.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the suppression key must have at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def __call__(self, item: Identifier | RecordKey) -> str:
        return hmac.new(self._key, suppression_text(item).encode(), hashlib.sha256).hexdigest()
