"""The GraphQL schema (strawberry): one module per type area."""

from collections.abc import Callable

import strawberry
from strawberry.extensions import DisableIntrospection, MaskErrors, ParserCache, SchemaExtension, ValidationCache

from api.schema.errors import is_internal
from api.schema.query import Query


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema; in production introspection is off and unexpected errors are masked."""
    # Factories: a fresh extension per request; the parse and validation caches are shared at module level.
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
    ]
    if production:
        extensions += [DisableIntrospection, lambda: MaskErrors(should_mask_error=is_internal)]
    return strawberry.Schema(query=Query, extensions=extensions)


__all__ = ["build_schema"]
