"""`idgraph resolve`: records sharing identifiers become profiles and organisations."""

from __future__ import annotations

from rich.table import Table

from api.cli.common import StoreOption, opened_store, out


def resolve(store: StoreOption = None) -> None:
    """Resolve records sharing identifiers into profiles (persons) and organizations (companies)."""
    from resolver import resolve as run_resolve

    with opened_store(store) as graph_store:
        summary = run_resolve(graph_store)
    table = Table("", "records", "entities", "new", "merges", "splits", "retired", title="resolve")
    for name, part in (("profiles", summary.profiles), ("organizations", summary.organizations)):
        counts = (part.records, part.entities, part.created, part.merges, part.splits, part.retired)
        table.add_row(name, *(str(v) for v in counts))
    out.print(table)
