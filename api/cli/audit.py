"""`idgraph audit`: print the most recent entries of the audit log (who did what to which target, when)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import StoreOption, fail, opened_store, out


def audit(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many entries, newest first.")] = 50,
    since: Annotated[
        str | None, typer.Option(help="Only entries at or after this time (ISO-8601, e.g. 2026-01-01T00:00Z).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line instead of a table.")] = False,
    store: StoreOption = None,
) -> None:
    """Print recent audit entries: PII reads, exports, merges and overrides, consent changes, erasures, keys."""
    start = None
    if since is not None:
        try:
            start = datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise fail(f"--since: {since!r} is not an ISO-8601 time") from None
        if start.tzinfo is None:
            raise fail("--since: give a time zone, e.g. 2026-01-01T00:00Z")
    with opened_store(store) as graph_store:
        entries = graph_store.audit_entries(since=start, limit=limit)
    if as_json:
        for entry in entries:
            print(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table("seq", "at (UTC)", "actor", "action", "target", "detail", title="audit log, newest first")
    for entry in entries:
        table.add_row(
            str(entry.seq),
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{entry.actor} {entry.actor_name}".strip(),
            entry.action,
            entry.target,
            json.dumps(entry.detail, ensure_ascii=False),
        )
    out.print(table)
