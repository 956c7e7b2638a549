"""The `idgraph` command line: load, resolve, serve, demo data, keys, audit, quarantine."""

from __future__ import annotations

import typer

from api.cli.audit import audit
from api.cli.demo import demo_data
from api.cli.keys import keys_app
from api.cli.load import load
from api.cli.quarantine import quarantine_app
from api.cli.resolve import explain, export_app, resolve
from api.cli.serve import serve

app = typer.Typer(
    name="idgraph",
    help="Graph-based identity resolution: load source records, resolve them into profiles, serve them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold PII
)
app.command()(load)
app.command()(resolve)
app.command()(explain)
app.add_typer(export_app, name="export")
app.command()(serve)
app.command(name="demo-data")(demo_data)
app.add_typer(keys_app, name="keys")
app.add_typer(quarantine_app, name="quarantine")
app.command()(audit)

__all__ = ["app"]
