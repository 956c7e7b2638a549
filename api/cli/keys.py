"""`idgraph keys`: API keys for the GraphQL API."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import StoreOption, err, fail, opened_store
from api.security.keys import create_key
from api.security.scopes import Scope, parse_scopes

keys_app = typer.Typer(help="Create API keys; a key is shown once and stored only as a hash.", no_args_is_help=True)


@keys_app.command()
def create(
    scopes: Annotated[
        str,
        typer.Option(help=f"Comma-separated scopes: {', '.join(s.value for s in Scope)} (admin implies all)."),
    ],
    name: Annotated[str, typer.Option(help="What the key is for, e.g. the calling service.")] = "",
    store: StoreOption = None,
) -> None:
    """Create a key with the given scopes and print it (the only time it is shown)."""
    try:
        parsed = parse_scopes(scopes)
    except ValueError as exc:
        raise fail(f"--scopes: {exc}") from None
    if not parsed:
        raise fail("--scopes: give at least one scope")
    with opened_store(store) as graph_store:
        token = create_key(graph_store, name, parsed)
    err.print(f"created key {name!r} with scopes {', '.join(sorted(parsed))}; it is not shown again", highlight=False)
    print(token)
