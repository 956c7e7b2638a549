"""`idgraph quarantine scrub`: remove the entries of erased people from the quarantine files of earlier loads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import StoreOption, fail, opened_store, out, settings_for
from api.cli.load import source_kind
from api.ingest.suppression import load_check
from api.security.audit import audit_cli
from loaders import LoadError, SourceConfig, read_config, single_source
from loaders.quarantine_scrub import ScrubResult, scrub_quarantine

quarantine_app = typer.Typer(help="Quarantine files written by loads.", no_args_is_help=True)


def _sources(
    config: Path | None, kind: str | None, source: str | None, phone_region: str | None
) -> dict[str, SourceConfig]:
    sources: dict[str, SourceConfig] = {}
    if config is not None:
        sources.update((s.name, s) for s in read_config(config).sources)
    if kind is not None or source is not None:
        if kind is None or not source:
            raise LoadError("give --kind and --source together (the options the file was loaded with)")
        sources[source] = single_source(source_kind(kind), source, phone_region=phone_region)
    if not sources:
        raise LoadError("give --config sources.toml, or --kind KIND --source NAME for a file loaded alone")
    return sources


@quarantine_app.command()
def scrub(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Quarantine JSONL files.")],
    config: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="The sources TOML loaded.")] = None,
    kind: Annotated[str | None, typer.Option(help="For a file loaded alone: its kind, e.g. customer.")] = None,
    source: Annotated[str | None, typer.Option(help="For a file loaded alone: its source name.")] = None,
    phone_region: Annotated[str | None, typer.Option(help="For a file loaded alone: its phone region.")] = None,
    store: StoreOption = None,
) -> None:
    """Remove from quarantine files the rejected rows of people erased since (run after forgetProfile).

    Each row is checked as a reload would check it: by its source's columns (`--config`, or `--kind` and
    `--source` for a file loaded alone) against the store's suppression list. Rows of other sources are kept
    and counted as unchecked. Each file is rewritten beside itself and swapped in whole.
    """
    try:
        sources = _sources(config, kind, source, phone_region or settings_for(store).phone_region)
    except (ValueError, LoadError) as exc:  # pydantic's ValidationError included
        raise fail(str(exc)) from None
    results: list[ScrubResult] = []
    with opened_store(store) as graph_store:
        check = load_check(settings_for(store), graph_store)
        try:
            for path in files:
                results.append(scrub_quarantine(path, sources, check))
        except (LoadError, OSError) as exc:
            raise fail(str(exc)) from None
        finally:
            removed = sum(r.removed for r in results)
            if removed:
                audit_cli(graph_store, "quarantine.scrub", ",".join(str(r.path) for r in results), removed=removed)
    table = Table("file", "kept", "removed", "unchecked", title="quarantine scrub")
    for result in results:
        table.add_row(str(result.path), *(f"{n:,}" for n in (result.kept, result.removed, result.unchecked)))
    out.print(table)
    unchecked = sum(r.unchecked for r in results)
    if unchecked:
        out.print(f"{unchecked:,} rows of sources not given were kept unchecked", highlight=False)
