"""The person record that did an event when the event names no person: derived from the event's identifiers.

Every event has exactly one actor (`PERFORMED` start). A web or app event that carries only a device, cookie, email or
account gets a derived customer record holding those identifiers, keyed by a hash of them (never the values, so no
PII in keys). The resolver then joins that record to whoever else holds the identifiers, under the usual guards: a
shared family tablet over its limit leaves the events on an anonymous profile of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from graph import Identifier, Properties, RecordKey

ANONYMOUS_PREFIX = "anon-"
ACTOR_PROPERTIES: Properties = {"derived_from": "event"}


def actor_key(source: str, identifiers: Iterable[Identifier]) -> RecordKey:
    """The derived actor of an event in `source` identified by `identifiers` (order and repeats do not matter)."""
    text = "\x1f".join(sorted({f"{i.kind}\x1e{i.system}\x1e{i.value}" for i in identifiers}))
    if not text:
        raise ValueError("an event without a person needs at least one identifier")
    return RecordKey(source, ANONYMOUS_PREFIX + hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
