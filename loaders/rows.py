"""Load rows given in memory (the API's upsertRecords): the file loader's mapping, checks and counts, one batch.

Each row goes through the source's RowMapper exactly as a row of a file would: the same normalisation, the same
quarantine reasons, duplicates and suppressed rows counted the same way. Instead of a quarantine file, the caller
gets one error per problem, naming the row's index and the field, never the value. The good rows are written in
one store transaction; the records whose grouping may have changed come back for incremental resolution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import orjson

from graph import ORGANIZATION_KINDS, PERSON_KINDS, GraphStore, RecordKey, RecordKind, entity_kind_of
from graph.row_batch import LinkRow, RecordRow, RelationRow, RowBatch
from loaders.config import SourceConfig
from loaders.mapping import Mapped, Problem, RowMapper
from loaders.pipeline import LoadOptions
from loaders.reasons import Reason
from loaders.report import FileReport

# The field a reference comes from, by the kinds it may have (see RowMapper's references).
_REFERENCE_FIELDS: dict[frozenset[RecordKind], str] = {
    PERSON_KINDS: "person_id",
    ORGANIZATION_KINDS: "company_id",
    frozenset({RecordKind.CONTACT}): "contact_id",
    frozenset({RecordKind.OPPORTUNITY}): "opportunity_id",
}


@dataclass(frozen=True)
class RowError:
    """One problem of one row: its index in the input (0-based), the field, the reason code and a message."""

    index: int
    field: str
    reason: str
    message: str


@dataclass
class RowsResult:
    """What loading the rows did: the counts (as for a file), the errors, and the records to resolve."""

    report: FileReport
    errors: list[RowError] = field(default_factory=list)
    # Person and company records written or given new identifiers: their grouping may have changed.
    touched: list[RecordKey] = field(default_factory=list)


class _Rows:
    def __init__(self, store: GraphStore, source: SourceConfig, options: LoadOptions) -> None:
        self.store = store
        self.source = source
        self.options = options
        self.mapper = RowMapper(source, base_currency=options.base_currency, rates=options.rates, today=options.today)
        self.result = RowsResult(report=FileReport(source=source.name, file="-"))

    def reject(self, index: int, problems: Sequence[Problem]) -> None:
        report = self.result.report
        report.quarantined += 1
        for reason in {p.reason.value for p in problems}:
            report.reasons[reason] = report.reasons.get(reason, 0) + 1
        self.result.errors += [RowError(index, p.field, p.reason.value, p.message) for p in problems]

    def map_all(self, rows: Sequence[object]) -> list[tuple[int, Mapped]]:
        """Map every row; the good ones with their index."""
        report, options = self.result.report, self.options
        seen: set[bytes] = set()
        good: list[tuple[int, Mapped]] = []
        for index, row in enumerate(rows):
            report.rows_read += 1
            if not isinstance(row, Mapping) or not all(isinstance(k, str) for k in row):
                self.reject(index, [Problem("", Reason.MALFORMED_ROW, "a row must be a JSON object")])
                continue
            if options.is_suppressed is not None and options.is_suppressed(self.source, row):
                report.suppressed += 1
                continue
            if self.source.checks.duplicates:
                digest = orjson.dumps(row, option=orjson.OPT_SORT_KEYS, default=str)
                if digest in seen:
                    report.duplicates += 1
                    continue
                seen.add(digest)
            mapped = self.mapper.map(dict(row))
            if isinstance(mapped, list):
                self.reject(index, mapped)
                continue
            good.append((index, mapped))
        return good

    def known_kinds(self, keys: set[RecordKey], batch: Sequence[RecordRow]) -> dict[RecordKey, RecordKind]:
        kinds = {RecordKey(source, source_id): RecordKind(kind) for source, source_id, kind, _ in batch}
        missing = [key for key in keys if key not in kinds]
        if missing:
            kinds.update({key: record.kind for key, record in self.store.get_records(missing).items()})
        return kinds

    def write(self, good: list[tuple[int, Mapped]]) -> None:
        """Write the rows whose references exist in one transaction; reject the others."""
        report = self.result.report
        references = {key for _, mapped in good for key in mapped.references}
        parents = {RecordKey(rel[3], rel[4]) for _, mapped in good for rel in mapped.deferred}
        kinds = self.known_kinds(references | parents, [r for _, mapped in good for r in mapped.records])
        records: list[RecordRow] = []
        links: list[LinkRow] = []
        relations: list[RelationRow] = []
        for index, mapped in good:
            problems = [
                Problem(
                    _REFERENCE_FIELDS.get(allowed, ""),
                    Reason.UNKNOWN_REFERENCE,
                    f"no {'/'.join(sorted(allowed))} record {key}",
                )
                for key, allowed in mapped.references.items()
                if kinds.get(key) not in allowed
            ]
            if problems:
                self.reject(index, problems)
                continue
            report.loaded += 1
            for name in mapped.normalised:
                report.normalisations[name] = report.normalisations.get(name, 0) + 1
            records += mapped.records
            links += mapped.links
            relations += mapped.relations
            for parent in mapped.deferred:
                if kinds.get(RecordKey(parent[3], parent[4])) is RecordKind.COMPANY:
                    relations.append(parent)
                else:
                    report.warnings["unknown_parent"] = report.warnings.get("unknown_parent", 0) + 1
        if not (records or links or relations):
            return
        # The mapper made every row from checked values (as in the file pipeline).
        self.store.write_rows(RowBatch(records=records, links=links, relations=relations))
        kinds.update({RecordKey(source, source_id): RecordKind(kind) for source, source_id, kind, _ in records})
        touched = [RecordKey(s, i) for s, i, kind, _ in records if entity_kind_of(RecordKind(kind)) is not None]
        touched += [
            key
            for source, source_id, *_ in links
            if (k := kinds.get(key := RecordKey(source, source_id))) and entity_kind_of(k) is not None
        ]
        self.result.touched = list(dict.fromkeys(touched))


def load_rows(store: GraphStore, source: SourceConfig, rows: Sequence[object], options: LoadOptions) -> RowsResult:
    """Map, check and write `rows` (JSON objects keyed by the source's columns) as rows of `source`.

    Every row read is loaded, quarantined (with its errors), a duplicate or suppressed, as in a file load.
    `options.quarantine`, `batch_size` and `on_progress` are not used: the rows are written in one batch.
    """
    load = _Rows(store, source, options)
    load.write(load.map_all(rows))
    return load.result
