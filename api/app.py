"""The FastAPI application: GraphQL at /graphql (GraphiQL outside production) and /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from api.schema import build_schema
from api.schema.context import Context
from api.security.keys import authenticate
from api.settings import Settings
from graph import GraphStore


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app over `store` (opened from `settings` when not given; then closed at shutdown)."""
    settings = settings or Settings()
    owns_store = store is None
    graph_store = store if store is not None else settings.open_store()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_store:
            graph_store.close()

    production = settings.env == "production"
    app = FastAPI(
        title="idgraph",
        summary="Graph-based identity resolution: unified profiles and account graphs over GraphQL",
        lifespan=lifespan,
        docs_url=None if production else "/docs",
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
    )
    app.state.store = graph_store
    app.state.settings = settings

    def context(authorization: str | None = Header(None)) -> Context:
        """Every GraphQL request needs `Authorization: Bearer <api key>`; without a valid key: 401."""
        scheme, _, token = (authorization or "").partition(" ")
        principal = authenticate(graph_store, token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise HTTPException(
                401, "a valid API key is needed: Authorization: Bearer <key>", {"WWW-Authenticate": "Bearer"}
            )
        return Context(store=graph_store, settings=settings, principal=principal)

    graphql = GraphQLRouter[Context, None](
        build_schema(production=production), context_getter=context, graphql_ide=None if production else "graphiql"
    )
    app.include_router(graphql, prefix="/graphql")

    @app.get("/healthz", tags=["ops"])
    def healthz(request: Request) -> JSONResponse:
        """Liveness and store reachability: 200 when a store read succeeds, 503 otherwise."""
        try:
            request.app.state.store.get_checkpoint("healthz")
        except Exception:  # any failure to read means not ready
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
