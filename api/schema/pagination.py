"""Relay-style connections: `edges { node cursor }`, `pageInfo`, `totalCount`, with opaque cursors and capped pages.

A cursor is the base64 of a JSON value the resolver chose (an offset, an ID, a (time, key) pair); clients treat it
as opaque. Page sizes are capped: asking for more than `MAX_PAGE_SIZE` is an error naming `first`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import orjson
import strawberry

from api.schema.errors import InputError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int


def page_size(first: int | None) -> int:
    """The number of items to return for `first`: the default when absent, an error outside 0..MAX_PAGE_SIZE."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise InputError(f"argument 'first' must be between 0 and {MAX_PAGE_SIZE}")
    return first


def encode_cursor(value: Any) -> str:
    # orjson: a page of events makes a cursor per edge, and json.dumps with separators builds an encoder per call.
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode()


def decode_cursor(cursor: str | None) -> Any:
    """The value inside a cursor (None for None); a cursor this API did not make is an error naming `after`."""
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InputError("argument 'after' is not a cursor this API returned") from None


def connection(
    items: Sequence[T], *, first: int, total: int, cursor_of: Callable[[T], Any], has_more: bool | None = None
) -> Connection[T]:
    """A page from `items` (fetch first + 1 to learn whether more follow; the extra one is dropped)."""
    page = list(items[:first])
    edges = [Edge(node=item, cursor=encode_cursor(cursor_of(item))) for item in page]
    more = len(items) > first if has_more is None else has_more
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
