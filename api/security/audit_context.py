"""The audit trail of the request being served: entries waiting to be written and whether PII was read.

It lives in a context variable set for the length of one request, so `audit(...)` and the PII check can reach it
from any resolver, DataLoader batch or worker thread of that request (each copies the same trail object).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from graph import AuditEntry


@dataclass
class RequestTrail:
    entries: list[AuditEntry] = field(default_factory=list)
    pii_read: bool = False


_current: ContextVar[RequestTrail | None] = ContextVar("idgraph_request_trail", default=None)


def current_trail() -> RequestTrail | None:
    return _current.get()


@contextmanager
def request_trail() -> Iterator[RequestTrail]:
    """A fresh trail for the request served inside the block."""
    trail = RequestTrail()
    token = _current.set(trail)
    try:
        yield trail
    finally:
        _current.reset(token)


def note_pii_read() -> None:
    """Mark the current request as having served unmasked PII (no-op outside a request)."""
    trail = _current.get()
    if trail is not None:
        trail.pii_read = True
