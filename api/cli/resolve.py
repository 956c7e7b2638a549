"""`idgraph resolve`, `idgraph explain` and `idgraph export mapping`: resolution from the command line."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli.common import StoreOption, err, fail, opened_store, out
from graph import RESOLVED_KINDS, EntityKind, RecordKey, RecordKind

if TYPE_CHECKING:
    from resolver import Rules

RulesOption = Annotated[Path | None, typer.Option("--rules", exists=True, dir_okay=False, help="A rules TOML file.")]


def _rules(path: Path | None) -> Rules:
    from resolver import RulesError, read_rules

    try:
        return read_rules(path)
    except RulesError as exc:
        raise fail(str(exc)) from None


def resolve(
    full: Annotated[bool, typer.Option(help="Re-estimate the fuzzy-matching model from the data first.")] = False,
    rules: RulesOption = None,
    store: StoreOption = None,
) -> None:
    """Resolve records into profiles (persons) and organizations (companies), with stable IDs."""
    from resolver import resolve as run_resolve

    chosen = _rules(rules)
    with opened_store(store) as graph_store, err.status("resolving"):
        summary = run_resolve(graph_store, chosen, full=full)
    table = Table("", "profiles", "organizations", title="resolve")
    for label, field in (
        ("records", "records"),
        ("entities", "entities"),
        ("new", "created"),
        ("merges", "merges"),
        ("splits", "splits"),
        ("retired", "retired"),
        ("fuzzy links", "fuzzy_links"),
        ("blocked identifiers", "blocked"),
        ("limited identifiers", "limited"),
        ("demoted identifiers", "demoted"),
        ("cut by never_link", "split_by_override"),
        ("review queue", "review"),
    ):
        table.add_row(label, *(f"{getattr(part, field):,}" for part in (summary.profiles, summary.organizations)))
    out.print(table)
    if summary.profiles.review or summary.organizations.review:
        out.print("groups too big to merge are in the review queue (documents resolver.review.*)", highlight=False)


def _record_key(text: str) -> RecordKey:
    source, slash, source_id = text.partition("/")
    if not slash or not source or not source_id:
        raise typer.BadParameter(f"{text!r}: write a record as SOURCE/SOURCE_ID, e.g. crm/1042")
    return RecordKey(source, source_id)


def explain(
    a: Annotated[str, typer.Argument(help="A record as SOURCE/SOURCE_ID.")],
    b: Annotated[str, typer.Argument(help="Another record as SOURCE/SOURCE_ID.")],
    rules: RulesOption = None,
    store: StoreOption = None,
) -> None:
    """Why two records are one profile (the chain of identifiers and fuzzy links), or why they are not."""
    from resolver.explain import explain as run_explain

    first, second = _record_key(a), _record_key(b)
    chosen = _rules(rules)
    with opened_store(store) as graph_store:
        try:
            explanation = run_explain(graph_store, first, second, chosen)
        except KeyError as exc:
            raise fail(str(exc.args[0])) from None
    verdict = "are one entity" if explanation.joined else "are not one entity"
    out.print(f"{a} and {b} {verdict} ({explanation.entity_a or '-'} / {explanation.entity_b or '-'})", highlight=False)
    for step in explanation.path:
        evidence = step.identifier or f"{step.via} {step.score if step.score is not None else ''} {step.rule or ''}"
        out.print(f"  {step.start} -- {evidence.strip()} -- {step.end}", highlight=False)
    for reason in explanation.reasons:
        out.print(f"  because {reason}", highlight=False)
    if explanation.fuzzy_score is not None:
        out.print(f"  fuzzy match probability {explanation.fuzzy_score:.4f}:", highlight=False)
        for line in explanation.fuzzy_evidence:
            out.print(f"    {line}", highlight=False)


export_app = typer.Typer(help="Export resolution results for warehouses downstream.", no_args_is_help=True)


@export_app.command("mapping")
def export_mapping(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    store: StoreOption = None,
) -> None:
    """Every person and company record with its profile_id / organization_id (kind, source, source_id, ...)."""
    page = 5000
    written = 0
    with opened_store(store) as graph_store, out_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "source", "source_id", "profile_id", "organization_id"])
        for entity_kind in (EntityKind.PROFILE, EntityKind.ORGANIZATION):
            records = graph_store.iter_records(RESOLVED_KINDS[entity_kind])
            while chunk := [record for _, record in zip(range(page), records, strict=False)]:
                ids = graph_store.entity_ids_of([r.key for r in chunk])
                for record in chunk:
                    entity_id = ids.get(record.key, "")
                    person = entity_kind is EntityKind.PROFILE
                    writer.writerow(
                        [
                            RecordKind(record.kind).name.lower(),
                            record.key.source,
                            record.key.source_id,
                            entity_id if person else "",
                            "" if person else entity_id,
                        ]
                    )
                written += len(chunk)
    out.print(f"wrote {written:,} records to {out_file}", highlight=False)
