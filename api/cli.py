"""The `idgraph` command line: load, resolve and serve."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.settings import Settings
from graph import GraphStore, GraphStoreError

app = typer.Typer(
    name="idgraph",
    help="Graph-based identity resolution: load source records, resolve them into profiles, serve them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold PII
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: IDGRAPH_STORE, else sqlite:///./idgraph.db).", show_default=False
    ),
]


def _settings(store: str | None) -> Settings:
    return Settings(store=store) if store else Settings()


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def _opened_store(url: str | None) -> Iterator[GraphStore]:
    """The configured store, closed afterwards; a store error ends the command with its message and exit 2."""
    try:
        store = _settings(url).open_store()
    except GraphStoreError as exc:
        raise _fail(str(exc)) from None
    try:
        yield store
    except GraphStoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()


class LoadKind(StrEnum):
    """Record kinds `idgraph load KIND FILE` knows."""

    customers = "customers"


@app.command()
def load(
    kind: Annotated[LoadKind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file.")],
    source: Annotated[str, typer.Option("--source", help="Name of the source system, e.g. crm.")],
    phone_region: Annotated[
        str, typer.Option(help="Region of phone numbers written without a country code (ISO 3166 alpha-2).")
    ] = "US",
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 1000,
    store: StoreOption = None,
) -> None:
    """Load a CSV of customers: an id column plus name, email, phone and any other columns."""
    from loaders import LoadError, load_customers_csv

    with _opened_store(store) as graph_store:
        try:
            report = load_customers_csv(
                graph_store, file, source=source, phone_region=phone_region, batch_size=batch_size
            )
        except LoadError as exc:
            raise _fail(str(exc)) from None
    out.print(
        f"{file.name}: read {report.rows_read} rows, loaded {report.loaded}, rejected {report.rejected}"
        f" (source {report.source})",
        highlight=False,
    )
    for problem in report.problems:
        err.print(f"[yellow]rejected[/] {file.name} {problem}", highlight=False)


@app.command()
def resolve(store: StoreOption = None) -> None:
    """Resolve records sharing identifiers into profiles (persons) and organizations (companies)."""
    from resolver import resolve as run_resolve

    with _opened_store(store) as graph_store:
        summary = run_resolve(graph_store)
    table = Table("", "records", "entities", "new", "merges", "splits", "retired", title="resolve")
    for name, part in (("profiles", summary.profiles), ("organizations", summary.organizations)):
        table.add_row(
            name, *(str(v) for v in (part.records, part.entities, part.created, part.merges, part.splits, part.retired))
        )
    out.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: StoreOption = None,
) -> None:
    """Serve the GraphQL API (/graphql, with GraphiQL outside production) and /healthz."""
    import uvicorn

    from api.app import create_app

    try:
        application = create_app(_settings(store))
    except GraphStoreError as exc:
        raise _fail(str(exc)) from None
    uvicorn.run(application, host=host, port=port, log_level="info")


if __name__ == "__main__":
    app()
