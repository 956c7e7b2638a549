"""The GraphQL schema (strawberry): one module per type area."""

from collections.abc import Callable

import strawberry
from strawberry.extensions import DisableIntrospection, MaskErrors, ParserCache, SchemaExtension, ValidationCache
from strawberry.tools import merge_types

from api.schema.errors import is_internal
from api.schema.query import ProfileQuery

# One root type per area module; each area adds its class here.
QUERIES: tuple[type, ...] = (ProfileQuery,)
MUTATIONS: tuple[type, ...] = ()


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema; in production introspection is off and unexpected errors are masked."""
    # Factories: a fresh extension per request; the parse and validation caches are shared at module level.
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
    ]
    if production:
        extensions += [DisableIntrospection, lambda: MaskErrors(should_mask_error=is_internal)]
    query = merge_types("Query", QUERIES)
    mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None
    return strawberry.Schema(query=query, mutation=mutation, extensions=extensions)


__all__ = ["build_schema"]
