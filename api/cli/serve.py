"""`idgraph serve`: the GraphQL API and health endpoint over HTTP."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import StoreOption, fail, settings_for
from graph import GraphStoreError


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: StoreOption = None,
) -> None:
    """Serve the GraphQL API (/graphql, with GraphiQL outside production), the web UI (/ui) and /healthz."""
    import uvicorn

    from api.app import create_app

    try:
        application = create_app(settings_for(store))
    except GraphStoreError as exc:
        raise fail(str(exc)) from None
    address = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    typer.echo(f"idgraph: web UI at {address}/ui, GraphQL at {address}/graphql")
    uvicorn.run(application, host=host, port=port, log_level="info")
