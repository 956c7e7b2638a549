"""The FastAPI application: GraphQL at /graphql (POST only; GraphiQL outside production), /healthz, and the plain
REST read of a profile (`GET /profiles/by-identifier`, the baseline the GraphQL benchmark compares with).

Every request but /healthz, the GraphiQL page and the static web UI (/ui) needs `Authorization: Bearer <api key>`:
without a valid key, 401. Bodies are capped (`max_body_bytes`), a JSON array body (batching) is refused with 400,
and GET on /graphql never runs a query.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html

from api.graphql_http import graphql_endpoint
from api.schema import build_schema
from api.schema.dataloaders import reads_inline
from api.security.audit import AuditWriter
from api.security.keys import KeyCache, authenticate
from api.security.limits import Limits
from api.security.principal import Principal
from api.settings import Settings
from api.ui import mount_ui
from graph import GraphStore
from graph.sqlite import SqliteGraphStore

_UNAUTHORIZED = "a valid API key is needed: Authorization: Bearer <key>"
_READ_CACHE_KIB = 64 * 1024  # SQLite's page cache for the requests' reads (its default, 2 MiB, held too few pages)
_GRAPHIQL_HEADERS = '{"Authorization": "Bearer <your API key: see README, API keys>"}'


def _graphiql_html() -> str:
    """strawberry's GraphiQL page with the Authorization header ready to fill in (the headers tab is open)."""
    html = get_graphql_ide_html("graphiql")
    marker = "React.useState(parameters.headers)"
    return html.replace(marker, f"React.useState(parameters.headers || {orjson.dumps(_GRAPHIQL_HEADERS).decode()})")


class IdgraphAPI(FastAPI):
    """The FastAPI app, handing POST /graphql straight to its endpoint (api.graphql_http).

    Every request to a FastAPI route passes half a dozen middleware layers (error pages, telemetry, body limit,
    exception handlers, an exit stack) and the router; the GraphQL endpoint handles all of that itself, and on a
    busy server those layers cost about as much as a small query. With middleware added to the app (none is
    today), every request takes the full path, so the middleware sees it.
    """

    graphql: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = _sent_next_turn(send)
        if (
            self.graphql is not None
            and scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == scope.get("root_path", "") + "/graphql"
            and not self.user_middleware
        ):
            scope["app"] = self
            await self.graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _sent_next_turn(send: Send) -> Send:
    """`send`, starting the response at the event loop's next turn, with those of every request that ran in this one.

    The loop reads new requests only between turns. A response sent late in a turn left its client too little time
    to send the next request before that read, and in the read after it the request came last: it waited out a
    whole turn more (at 32 busy clients, about 2% of requests took twice the median). Started together at the
    beginning of a turn, responses give every client the turn to answer, and requests are served in the order
    they came. (Inside a turn the loop runs callbacks in order, so this costs a request no more than the turn.)
    """

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(0)
        await send(message)

    return sending


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app over `store` (opened from `settings` when not given; then closed at shutdown)."""
    settings = settings or Settings()
    owns_store = store is None
    graph_store = store if store is not None else settings.open_store()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The modules, schema and settings loaded by now live as long as the server: moved out of the collector's
        # reach, each later collection walks only what requests allocate (a full one over ~350,000 startup objects
        # cost about as much CPU as the requests it interrupted).
        gc.collect()
        gc.freeze()
        # A request frees what it allocates by reference counting (api.schema.execution breaks graphql-core's one
        # cycle), so the collector finds next to nothing; at the default threshold (700 allocations) it still ran
        # about every fourth request, walking the objects of the 30-odd requests in flight: 5-10% of the CPU of a
        # profile read. At 10,000 it runs rarely, and a few thousand stray objects are all it can leave waiting.
        thresholds = gc.get_threshold()
        gc.set_threshold(max(thresholds[0], 10_000), *thresholds[1:])
        if isinstance(graph_store, SqliteGraphStore):
            # Requests read on this thread (the event loop's): a page cache that holds the pages they touch.
            graph_store.size_read_cache(_READ_CACHE_KIB)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
        if owns_store:
            graph_store.close()

    production = settings.env == "production"
    app = IdgraphAPI(
        title="idgraph",
        summary="Graph-based identity resolution: unified profiles and account graphs over GraphQL",
        lifespan=lifespan,
        docs_url=None if production else "/docs",
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
    )
    app.state.store = graph_store
    app.state.settings = settings
    app.state.audit_writer = audit_writer = AuditWriter(graph_store)
    keys = KeyCache(settings.key_cache_seconds)
    # On SQLite the key's document is read inline, as the API's other short reads (api.schema.dataloaders): when a
    # cached key expires, the first request to miss puts it back before any other request runs, where a read in a
    # worker thread let every request in flight miss too and queue its own read (a burst every few seconds).
    inline = reads_inline(graph_store)

    async def principal_of(authorization: str | None) -> Principal:
        """The caller of a request; 401 without a valid key."""
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        principal = keys.get(token) if scheme.lower() == "bearer" and token else None
        if principal is None and scheme.lower() == "bearer" and token:
            if inline:
                principal = authenticate(graph_store, token)
            else:
                principal = await run_in_threadpool(authenticate, graph_store, token)
            if principal is not None:
                keys.put(token, principal)
        if principal is None:
            raise HTTPException(401, _UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})
        return principal

    app.state.principal_of = principal_of

    limits = Limits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_cost,
        max_tokens=settings.max_tokens,
    )
    schema = build_schema(production=production, limits=limits, audit_writer=audit_writer)
    app.state.schema = schema
    graphiql = None if production else _graphiql_html()

    @app.get("/graphql", include_in_schema=False)
    async def graphql_get(request: Request) -> Response:
        """GraphiQL outside production; queries only by POST."""
        if graphiql is not None and "query" not in request.query_params:
            return HTMLResponse(graphiql)
        return JSONResponse(
            {"detail": "GraphQL queries are accepted only by POST"}, status_code=405, headers={"Allow": "POST"}
        )

    # Routed as well, so the route table is complete; requests normally reach it through IdgraphAPI.__call__.
    app.graphql = endpoint = graphql_endpoint(schema, graph_store, settings, principal_of)
    app.router.routes.append(Route("/graphql", endpoint, methods=["POST"], include_in_schema=False))

    from api.rest import rest_router

    app.include_router(rest_router(app))

    from api.segments.export import export_router

    app.include_router(export_router(app))

    @app.get("/healthz", tags=["ops"])
    def healthz(request: Request) -> JSONResponse:
        """Liveness and store reachability: 200 when a store read succeeds, 503 otherwise."""
        try:
            request.app.state.store.get_checkpoint("healthz")
        except Exception:  # any failure to read means not ready
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    mount_ui(app)  # the static web UI at /ui: no data in it, so no key
    return app
