"""POST /graphql: one GraphQL operation per request, JSON in and out, straight to the schema.

strawberry's GraphQLRouter also serves GET queries, batches, multipart uploads, subscriptions and incremental
delivery, none of which this API offers; going around it saves a chain of FastAPI dependencies and a generic
view on every request. What is left: the key (401), the body (413 over the cap, 415 not JSON, 400 a JSON array
or a malformed request), then the schema, whose errors come back with HTTP 200 as GraphQL says.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import strawberry
from fastapi import HTTPException, Request
from fastapi.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.schema.context import Context
from api.security.principal import Principal
from api.settings import Settings
from graph import GraphStore

_OPERATIONS = (OperationType.QUERY, OperationType.MUTATION)


def _dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # a JSON value orjson refuses (an int beyond 64 bits, say)
        return json.dumps(data, separators=(",", ":")).encode()


def _request_data(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    """(query, variables, operation name) of a request body; HTTP 400 naming what is wrong."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPException(400, "Unable to parse request body as JSON") from None
    if isinstance(data, list):
        raise HTTPException(400, "Batching is not enabled: send one operation per request")
    if not isinstance(data, dict):
        raise HTTPException(400, "The request body must be a JSON object with `query`")
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise HTTPException(400, "No GraphQL query found in the request: `query` must be a non-empty string")
    if not isinstance(variables, dict | None):
        raise HTTPException(400, "The GraphQL operation's `variables` must be an object or null, if provided.")
    if not isinstance(name, str | None):
        raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
    return query, variables, name


def graphql_endpoint(
    schema: strawberry.Schema,
    store: GraphStore,
    settings: Settings,
    principal_of: Callable[[str | None], Awaitable[Principal]],
) -> Callable[[Request], Awaitable[Response]]:
    async def graphql_post(request: Request) -> Response:
        """Run one GraphQL query or mutation (POST, `{"query", "variables", "operationName"}`)."""
        principal = await principal_of(request.headers.get("authorization"))
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > settings.max_body_bytes):
            raise HTTPException(413, f"the request body is over {settings.max_body_bytes:,} bytes")
        if "json" not in request.headers.get("content-type", ""):
            raise HTTPException(415, "send the GraphQL request as application/json")
        body = await request.body()
        if len(body) > settings.max_body_bytes:
            raise HTTPException(413, f"the request body is over {settings.max_body_bytes:,} bytes")
        query, variables, operation_name = _request_data(body)
        context = Context(store=store, settings=settings, principal=principal)
        context.request = request
        try:
            result = await schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=_OPERATIONS,
            )
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, "subscriptions are not served: use a query or a mutation") from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        return Response(_dumps(process_result(result)), media_type="application/json")

    return graphql_post
