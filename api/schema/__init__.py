"""The GraphQL schema (strawberry): one module per type area."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from api.schema.audit_log import AuditQuery
from api.schema.direct_resolvers import install_direct_resolvers
from api.schema.errors import MaskInternalErrors, PrivateErrorsSchema
from api.schema.execution import FastExecutionContext, plan_fields
from api.schema.explain import ExplainQuery
from api.schema.mutations import INGEST_MUTATIONS, INGEST_QUERIES
from api.schema.organizations import OrganizationQuery
from api.schema.query import ProfileQuery
from api.schema.risk import RiskQuery
from api.schema.segments import SegmentMutation, SegmentQuery

if TYPE_CHECKING:
    from api.security.audit import AuditWriter
    from api.security.limits import Limits

# One root type per area module; each area adds its class here.
QUERIES: tuple[type, ...] = (
    ProfileQuery,
    RiskQuery,
    ExplainQuery,
    OrganizationQuery,
    AuditQuery,
    *INGEST_QUERIES,
    SegmentQuery,
)
MUTATIONS: tuple[type, ...] = (*INGEST_MUTATIONS, SegmentMutation)


def build_schema(
    *,
    production: bool = False,
    limits: Limits | None = None,
    audit_writer: AuditWriter | None = None,
    fast: bool = True,
) -> strawberry.Schema:
    """The schema with its request guard (cached validated documents, query limits, the `profiles:read` check)
    and audit trail; in production introspection is off and unexpected errors are masked.

    `fast` (the default) gives fields direct resolvers and plain attributes a direct read (api.schema.execution,
    api.schema.direct_resolvers): the same answers as strawberry's own machinery (fast=False, kept for tests that
    compare the two), at a fraction of its cost per field."""
    # Imported here: the security modules import parts of this package (errors, pagination).
    from api.security.audit import AuditTrail
    from api.security.guard import DocumentCache, RequestGuard
    from api.security.limits import Limits

    cache = DocumentCache(limits or Limits(), production=production)
    # Factories: a fresh extension per request; the document cache is shared by the schema's requests.
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [lambda: RequestGuard(cache)]
    if audit_writer is not None:
        writer = audit_writer
        extensions.append(lambda: AuditTrail(writer))
    if production:
        extensions.append(MaskInternalErrors)
    query = merge_types("Query", QUERIES)
    mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None
    config = StrawberryConfig(disable_field_suggestions=production)  # suggestions would reveal the schema
    if not fast:
        return PrivateErrorsSchema(query=query, mutation=mutation, extensions=extensions, config=config)
    schema = PrivateErrorsSchema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        config=config,
        execution_context_class=FastExecutionContext,
    )
    install_direct_resolvers(schema)
    plan_fields(
        schema._schema,
        default_resolver=config.default_resolver,
        exception_handlers=bool(schema.schema_converter._exception_handler_specs),
    )
    return schema


__all__ = ["build_schema"]
