"""A profile's events as a GraphQL connection: newest first, filtered by type and time, keyset-paged.

The events of a profile are those PERFORMED by its member records. The cursor holds the last event's
(timestamp, source, source_id), the key the store pages by; there is no total count (counting a long event
history for every page would cost more than the page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.schema.context import Info
from api.schema.dataloaders import then
from api.schema.errors import InputError
from api.schema.pagination import PageInfo, decode_cursor, encode_cursor, page_size
from api.security.masking import mask_properties
from graph import Record, RecordKey


@strawberry.type(description="Something a person did (page_view, purchase, email_open, ...), from one source.")
class Event:
    # Plain fields, filled once from the record: graphql-core reads them as attributes, with no resolver call per
    # field. Only `properties`, which may hold PII, is resolved on demand (masking, and marking a PII read).
    source: str
    source_id: str
    type: str
    timestamp: datetime | None = strawberry.field(description="when it happened (UTC)")
    channel: str | None
    amount: float | None = strawberry.field(description="amount in the base currency")
    currency: str | None
    original_amount: float | None
    original_currency: str | None
    quantity: float | None
    performed_by: str = strawberry.field(description="the record that performed it, as source/sourceId")
    record: strawberry.Private[Record]

    @classmethod
    def of(cls, record: Record, actor: RecordKey) -> Event:
        values = record.properties
        return cls(
            source=record.key.source,
            source_id=record.key.source_id,
            type=str(values.get("type", "")),
            timestamp=_timestamp(record),
            channel=_text(values.get("channel")),
            amount=_number(values.get("amount")),
            currency=_text(values.get("currency")),
            original_amount=_number(values.get("original_amount")),
            original_currency=_text(values.get("original_currency")),
            quantity=_number(values.get("quantity")),
            performed_by=str(actor),
            record=record,
        )

    @strawberry.field(description="the event's own properties (PII masked without pii:read)")
    def properties(self, info: Info) -> JSON:
        nested = self.record.properties.get("properties")
        return JSON(mask_properties(nested, sees_pii=info.context.sees_pii) if isinstance(nested, dict) else {})


@strawberry.type
class EventEdge:
    node: Event

    @strawberry.field
    def cursor(self) -> str:  # made when asked for: most reads of a profile's last events never page on
        return _cursor(self.node.record)


@strawberry.type(description="A page of events, newest first.")
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo


def _timestamp(record: Record) -> datetime | None:
    value = record.properties.get("timestamp")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _before(after: str | None) -> tuple[str, RecordKey] | None:
    value = decode_cursor(after)
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(part, str) for part in value)):
        raise InputError("argument 'after' is not a cursor this API returned")
    return value[0], RecordKey(value[1], value[2])


def _cursor(record: Record) -> str:
    return encode_cursor([str(record.properties.get("timestamp", "")), record.key.source, record.key.source_id])


def events_of(
    info: Info,
    members: Sequence[RecordKey],
    *,
    types: list[str] | None,
    since: datetime | None,
    until: datetime | None,
    first: int | None,
    after: str | None,
    read: tuple[int, list[tuple[RecordKey, Record]]] | None = None,
) -> EventConnection | Awaitable[EventConnection]:
    """A page of the events of `members`: the connection itself on SQLite, where the read runs inline, else an
    awaitable of it. Bad arguments raise InputError before any read. `read` = (limit, events): the members' last
    events as already read (events_of(members, limit=limit)), used when the page is exactly those."""
    size = page_size(first)
    before = _before(after)
    if since is not None and until is not None and since > until:
        raise InputError("argument 'since' must not be after 'until'")
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InputError(f"argument '{name}' needs a time zone (e.g. 2024-01-01T00:00:00Z)")
    if size == 0 or not members:
        return EventConnection(edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None))
    if read is not None and read[0] == size + 1 and not types and since is None and until is None and before is None:
        return _connection(size, read[1])
    found = info.context.loaders.read_now(
        info.context.store.events_of,
        list(members),
        types=types or (),
        since=since,
        until=until,
        limit=size + 1,
        before=before,
    )
    return then(found, partial(_connection, size))


def _connection(size: int, found: list[tuple[RecordKey, Record]]) -> EventConnection:
    edges = [EventEdge(node=Event.of(event, actor)) for actor, event in found[:size]]
    return EventConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > size, end_cursor=_cursor(edges[-1].node.record) if edges else None
        ),
    )
