"""`idgraph demo-data`: a realistic multi-source data set with ground truth, optionally loaded and resolved."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOption, fail, opened_store, out, settings_for
from api.ingest.suppression import load_check
from api.security.audit import audit_cli
from api.security.keys import create_key, write_key_file
from api.security.scopes import Scope
from graph import RecordKind
from loaders import LoadError, LoadOptions, Quarantine, load_sources, read_config

ADMIN_KEY_FILE = "admin.key"  # in the demo-data folder, mode 0600


def demo_data(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write the files, sources.toml and truth.csv to.")
    ] = Path("demo-data"),
    people: Annotated[int, typer.Option(min=1, help="True persons behind the B2C records.")] = 2000,
    companies: Annotated[int, typer.Option(min=1, help="True companies behind the B2B records.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same files.")] = 7,
    load_if_empty: Annotated[
        bool, typer.Option(help="Then, if the store holds no records, load the data set and resolve it.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Write a demo data set (CRM, e-shop, POS, web and app events, loyalty, B2B CRM, leads, webinars)."""
    from loaders.demo import generate_demo_data

    if (out_dir / "sources.toml").exists() and load_if_empty:
        out.print(f"using the demo data in {out_dir}", highlight=False)
    else:
        summary = generate_demo_data(out_dir, people=people, companies=companies, seed=seed)
        out.print(f"wrote {summary.total_rows:,} rows in {len(summary.files)} files to {out_dir}", highlight=False)
    if not load_if_empty:
        return
    with opened_store(store) as graph_store:
        if any(graph_store.counts()[kind.value] for kind in RecordKind):
            out.print("the store already holds records: not loading the demo data", highlight=False)
            if (out_dir / ADMIN_KEY_FILE).exists():
                out.print(f"the demo admin API key is in {out_dir / ADMIN_KEY_FILE}", highlight=False)
            return
        from resolver import resolve

        try:
            config = read_config(out_dir / "sources.toml")
            quarantine = Quarantine(out_dir / "quarantine.jsonl")
            suppressed = load_check(settings_for(store), graph_store)  # erased people stay erased
            options = LoadOptions.of(config, quarantine=quarantine, is_suppressed=suppressed)
            report = load_sources(graph_store, config, options)
            quarantine.close()
        except LoadError as exc:
            raise fail(str(exc)) from None
        totals = report.totals
        out.print(
            f"loaded {totals['loaded']:,} of {totals['rows_read']:,} demo rows"
            f" ({totals['quarantined']:,} quarantined, see {out_dir / 'quarantine.jsonl'})",
            highlight=False,
        )
        summary_profiles = resolve(graph_store)
        out.print(
            f"resolved {summary_profiles.profiles.records:,} person records into {summary_profiles.profiles.entities:,}"
            f" profiles and {summary_profiles.organizations.records:,} company records into"
            f" {summary_profiles.organizations.entities:,} organizations",
            highlight=False,
        )
        # A new user needs a key to call the API: the first start makes an admin key and keeps it for them.
        token = create_key(graph_store, "demo admin (idgraph demo-data)", frozenset({Scope.ADMIN}))
        write_key_file(out_dir / ADMIN_KEY_FILE, token)
        audit_cli(graph_store, "key.create", token.split("_")[1], scopes=[Scope.ADMIN.value])
        out.print(
            f"created an admin API key, saved in {out_dir / ADMIN_KEY_FILE} (readable by you only); send it as:",
            highlight=False,
        )
        print(f"  Authorization: Bearer {token}", flush=True)  # plain print: a wrapped key could not be copied
