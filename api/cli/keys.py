"""`idgraph keys`: create, list and revoke API keys for the GraphQL API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import StoreOption, err, fail, opened_store, out
from api.security.audit import audit_cli
from api.security.keys import create_key, list_keys, revoke_key
from api.security.scopes import Scope, parse_scopes

keys_app = typer.Typer(
    help="Create, list and revoke API keys; a key is shown once and stored only as a hash.", no_args_is_help=True
)


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
        key_id = token.split("_")[1]
        audit_cli(graph_store, "key.create", key_id, scopes=sorted(parsed))
    err.print(
        f"created key {key_id} {name!r} with scopes {', '.join(sorted(parsed))}; it is not shown again",
        highlight=False,
    )
    print(token)


def _minute(iso: str) -> str:
    return iso[:16].replace("T", " ")


@keys_app.command("list")
def list_(
    all_keys: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
    store: StoreOption = None,
) -> None:
    """List keys: ID, name, scopes, creation time (never the secret)."""
    with opened_store(store) as graph_store:
        keys = list_keys(graph_store)
    shown = [key for key in keys if all_keys or key.revoked_at is None]
    table = Table(title="API keys")
    table.add_column("id", no_wrap=True)  # copied into `keys revoke`: never cut
    for column in ("name", "scopes", "created (UTC)", "revoked (UTC)"):
        table.add_column(column, overflow="fold")
    for key in shown:
        created, revoked = _minute(key.created_at), _minute(key.revoked_at or "")
        table.add_row(key.key_id, key.name, " ".join(key.scopes), created, revoked)
    out.print(table)
    hidden = len(keys) - len(shown)
    if hidden:
        out.print(f"{hidden} revoked key(s) not shown (--all shows them)", highlight=False)


@keys_app.command()
def revoke(
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's ID (from `idgraph keys list`).")],
    store: StoreOption = None,
) -> None:
    """Revoke a key: refused from then on (a running server may accept it for `key_cache_seconds` more)."""
    with opened_store(store) as graph_store:
        if not revoke_key(graph_store, key_id):
            raise fail(f"ID: no active key {key_id!r} (see `idgraph keys list --all`)")
        audit_cli(graph_store, "key.revoke", key_id)
    out.print(f"revoked key {key_id}", highlight=False)
