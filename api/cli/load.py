"""`idgraph load`: every source of a config file, or one file of one kind, with progress and a quality report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api.cli.common import StoreOption, err, fail, opened_store, out, settings_for
from api.ingest.suppression import load_check
from loaders import (
    LoadConfig,
    LoadError,
    LoadOptions,
    LoadReport,
    Quarantine,
    SourceConfig,
    SourceKind,
    load_files,
    read_config,
    single_source,
    source_files,
)

# Kinds by name, singular or plural (`idgraph load customers FILE`).
_KINDS = {name: kind for kind in SourceKind for name in (kind.value, kind.value + "s")} | {
    "companies": SourceKind.COMPANY,
    "opportunities": SourceKind.OPPORTUNITY,
}


def source_kind(value: str) -> SourceKind:
    kind = _KINDS.get(value.strip().lower().replace("-", "_"))
    if kind is None:
        raise LoadError(f"unknown kind {value!r}; kinds are: {', '.join(k.value for k in SourceKind)}")
    return kind


class _RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{int(task.completed):,} rows  {rate:,.0f} rows/s")


@contextmanager
def _progress() -> Iterator[Progress]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), _RowsPerSecond(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        yield progress


def _summary(report: LoadReport) -> Table:
    table = Table("source", "file", "read", "loaded", "quarantined", "duplicates", "suppressed", title="load")
    for file in report.files:
        counts = (file.rows_read, file.loaded, file.quarantined, file.duplicates, file.suppressed)
        table.add_row(file.source, Path(file.file).name, *(f"{n:,}" for n in counts))
    return table


def _reasons(report: LoadReport) -> list[str]:
    """One line per file with quarantined rows or warnings: its reasons, most frequent first."""
    lines = []
    for file in report.files:
        counts = sorted({**file.reasons, **file.warnings}.items(), key=lambda item: (-item[1], item[0]))
        if counts:
            lines.append(f"{Path(file.file).name}: " + ", ".join(f"{name} {count:,}" for name, count in counts))
    return lines


def load(
    kind: Annotated[
        str | None, typer.Argument(help="What FILE holds: customer, contact, company, event, opportunity, ...")
    ] = None,
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, help="A CSV or JSONL file.")] = None,
    config: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="A sources TOML file.")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Load only this source of the config (repeatable).")] = None,
    source: Annotated[str | None, typer.Option(help="Name of the source system of FILE, e.g. crm.")] = None,
    date_format: Annotated[str | None, typer.Option(help="Date format of FILE, e.g. MM/DD/YYYY.")] = None,
    timestamp_format: Annotated[str | None, typer.Option(help="ISO, epoch, epoch_ms or e.g. YYYY-MM-DD HH:mm.")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of times without an offset.")] = None,
    phone_region: Annotated[str | None, typer.Option(help="Region of phones without a country code.")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency of amounts when a row names none.")] = None,
    encoding: Annotated[str | None, typer.Option(help="auto (default), utf-8, gbk, ...")] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Rows per transaction.")] = None,
    quarantine: Annotated[Path, typer.Option(help="Where rejected rows go (JSONL, appended).")] = Path(
        "quarantine.jsonl"
    ),
    report: Annotated[Path | None, typer.Option(help="Write the quality report as JSON here.")] = None,
    store: StoreOption = None,
) -> None:
    """Load source files: `--config sources.toml` for every source, or `KIND FILE --source NAME` for one file.

    Rows that cannot be trusted go to the quarantine file with their reasons; the rest load. Loading the same
    file again changes nothing; a load that was killed resumes where it stopped.
    """
    try:
        if config is not None:
            if kind or file:
                raise LoadError("give either --config or KIND FILE, not both")
            load_config = read_config(config)
            files = [(s, p) for s in load_config.only(only or []) for p in source_files(load_config, s)]
        else:
            if kind is None or file is None or not source:
                raise LoadError("give --config sources.toml, or KIND FILE --source NAME")
            settings = {
                "date_format": date_format,
                "timestamp_format": timestamp_format,
                "timezone": timezone,
                "phone_region": phone_region or settings_for(store).phone_region,
                "currency": currency,
                "encoding": encoding,
            }
            one = single_source(source_kind(kind), source, **settings)
            load_config = LoadConfig(sources=[one])
            files = [(one, file)]
    except ValueError as exc:  # pydantic's ValidationError included
        raise fail(str(exc)) from None
    except LoadError as exc:
        raise fail(str(exc)) from None

    sink = Quarantine(quarantine)
    result = LoadReport()
    with opened_store(store) as graph_store, _progress() as progress:
        tasks: list[TaskID] = []

        def next_file(one_source: SourceConfig, path: Path) -> None:
            if tasks:
                progress.remove_task(tasks.pop())
            tasks.append(progress.add_task(f"{one_source.name}: {path.name}", total=None))

        options = LoadOptions.of(
            load_config,
            quarantine=sink,
            on_file=next_file,
            on_progress=lambda n: progress.update(tasks[-1], completed=n),
            # Rows of erased people (the suppression list) are counted as suppressed, not loaded again.
            is_suppressed=load_check(settings_for(store), graph_store),
        )
        if batch_size:
            options.batch_size = batch_size
        try:
            # One reading worker for all the files: the writer never waits at a file boundary.
            result.files.extend(load_files(graph_store, files, options))
        except LoadError as exc:
            raise fail(str(exc)) from None
        finally:
            sink.close()
    out.print(_summary(result))
    for line in _reasons(result):
        out.print(line, highlight=False, soft_wrap=True)
    totals = result.totals
    out.print(
        f"read {totals['rows_read']:,} rows: loaded {totals['loaded']:,}, quarantined {totals['quarantined']:,},"
        f" duplicates {totals['duplicates']:,}, suppressed {totals['suppressed']:,}",
        highlight=False,
    )
    if totals["quarantined"]:
        out.print(f"quarantined rows and their reasons: {quarantine}", highlight=False)
    if report is not None:
        report.write_text(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", "utf-8")
