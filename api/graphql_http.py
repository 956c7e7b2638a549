"""POST /graphql: one GraphQL operation per request, JSON in and out, straight to the schema.

strawberry's GraphQLRouter also serves GET queries, batches, multipart uploads, subscriptions and incremental
delivery, none of which this API offers. This endpoint is a plain ASGI application: no FastAPI request handling or
dependency injection, and the app (api.app) hands it POST /graphql before its middleware stack, which this
endpoint needs none of. What is left: the key (401), the body (413 over the cap, 415 not JSON, 400 a JSON array or
a malformed request), then the schema, whose errors come back with HTTP 200 as GraphQL says. Refusals have the
same body FastAPI gives an HTTPException (`{"detail": ...}`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import strawberry
from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.schema.context import Context
from api.security.principal import Principal
from api.settings import Settings
from graph import GraphStore

_OPERATIONS = (OperationType.QUERY, OperationType.MUTATION)
_JSON_HEADERS = [(b"content-type", b"application/json")]


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


class _Disconnected(Exception):
    """The client went away before its request body arrived."""


async def _body(receive: Receive, limit: int) -> bytes:
    """The whole request body; 413 as soon as it grows over `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"the request body is over {limit:,} bytes")
            chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The request headers this endpoint reads (lower-case names; the first of repeated ones)."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in (b"authorization", b"content-type", b"content-length") and name not in found:
            found[name] = value
    return found


class GraphQLEndpoint:
    """The ASGI application serving POST /graphql."""

    def __init__(
        self,
        schema: strawberry.Schema,
        store: GraphStore,
        settings: Settings,
        principal_of: Callable[[str | None], Awaitable[Principal]],
    ) -> None:
        self.schema = schema
        self.store = store
        self.settings = settings
        self.principal_of = principal_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await self._respond(scope, receive)
        except HTTPException as exc:
            response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
            await response(scope, receive, send)
            return
        except _Disconnected:
            return
        except Exception:  # as Starlette's ServerErrorMiddleware: a bare 500, the error to the server's log
            await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_JSON_HEADERS, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _respond(self, scope: Scope, receive: Receive) -> bytes:
        """The response body of one request; HTTPException for a refusal."""
        headers = _headers(scope)
        authorization = headers.get(b"authorization")
        principal = await self.principal_of(authorization.decode("latin-1") if authorization is not None else None)
        limit = self.settings.max_body_bytes
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            raise HTTPException(413, f"the request body is over {limit:,} bytes")
        if b"json" not in headers.get(b"content-type", b""):
            raise HTTPException(415, "send the GraphQL request as application/json")
        query, variables, operation_name = _request_data(await _body(receive, limit))
        context = Context(store=self.store, settings=self.settings, principal=principal)
        context.request = Request(scope)
        try:
            result = await self.schema.execute(
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
        return _dumps(process_result(result))


def graphql_endpoint(
    schema: strawberry.Schema,
    store: GraphStore,
    settings: Settings,
    principal_of: Callable[[str | None], Awaitable[Principal]],
) -> GraphQLEndpoint:
    return GraphQLEndpoint(schema, store, settings, principal_of)
