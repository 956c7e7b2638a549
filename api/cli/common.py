"""What every command shares: consoles, settings, opening the store, failing with a clear message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from api.settings import Settings
from graph import GraphStore, GraphStoreError

out = Console()
err = Console(stderr=True, soft_wrap=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: $IDGRAPH_STORE, else sqlite:///./idgraph.db).", show_default=False
    ),
]


def settings_for(store: str | None) -> Settings:
    return Settings(store=store) if store else Settings()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error and return the Exit to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@contextmanager
def opened_store(url: str | None) -> Iterator[GraphStore]:
    """The configured store, closed afterwards; a store error ends the command with its message and exit 2."""
    try:
        store = settings_for(url).open_store()
    except GraphStoreError as exc:
        raise fail(str(exc)) from None
    try:
        yield store
    except GraphStoreError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
