"""`upsertRecords`: JSON rows loaded like rows of a file (same mapping, checks and counts), then resolved at once."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from api.ingest.resolving import Resolved, resolve_records, rules_for
from api.ingest.suppression import suppression_hasher
from api.schema.context import Info
from api.schema.errors import InputError
from api.security.audit import audit
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import RecordKind
from loaders import LoadOptions, SourceKind, single_source
from loaders.rows import RowsResult, load_rows
from loaders.suppression import suppression_check_for_rows

MAX_ROWS = 1000


@strawberry.type(description="One problem of one row: no value is repeated, only where and why.")
class RowError:
    index: int = strawberry.field(description="the row's position in `records`, from 0")
    field: str = strawberry.field(description="the field at fault ('' for the row as a whole)")
    reason: str = strawberry.field(description="the quarantine reason code, as in a file load's quality report")
    message: str


@strawberry.type(description="Rows with one quarantine reason.")
class ReasonCount:
    reason: str
    rows: int


@strawberry.type(
    name="LoadReport",
    description="What upsertRecords did: every row is loaded, quarantined, a duplicate or suppressed.",
)
class LoadReportType:
    rows_read: int
    loaded: int
    quarantined: int
    duplicates: int
    suppressed: int = strawberry.field(description="rows of erased people, not loaded again")
    reasons: list[ReasonCount]
    errors: list[RowError]
    resolved: int = strawberry.field(description="person and company records resolved incrementally")
    deferred: int = strawberry.field(description="records too entangled for incremental resolution: run a resolve")

    @classmethod
    def of(cls, result: RowsResult, resolved: Resolved) -> LoadReportType:
        report = result.report
        return cls(
            rows_read=report.rows_read,
            loaded=report.loaded,
            quarantined=report.quarantined,
            duplicates=report.duplicates,
            suppressed=report.suppressed,
            reasons=[ReasonCount(reason=r, rows=n) for r, n in sorted(report.reasons.items())],
            errors=[RowError(index=e.index, field=e.field, reason=e.reason, message=e.message) for e in result.errors],
            resolved=len(resolved.entity_ids),
            deferred=len(resolved.deferred),
        )


def _config_error(exc: ValidationError) -> str:
    """The first problem of the source built from the arguments, naming the argument at fault."""
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    field = str(error["loc"][0]) if error["loc"] else ("references" if "references" in message else "source")
    return f"argument '{'source' if field == 'name' else field}': {message}"


@strawberry.type
class RecordsMutation:
    @strawberry.mutation(
        description=f"Load up to {MAX_ROWS} rows of one kind as JSON objects keyed by field name (source_id, email,"
        " phone, ...; see `idgraph load --help`), cleaned and checked as a file load is; good rows are stored and"
        " resolved at once, bad ones come back as errors (needs ingest:write).",
        extensions=[requires(Scope.INGEST_WRITE)],
    )
    async def upsert_records(
        self,
        info: Info,
        kind: RecordKind,
        records: list[JSON],
        # Named apart in Python: strawberry's permission extension takes a `source` argument of its own.
        source_name: Annotated[str, strawberry.argument(name="source", description="the source system")] = "api",
        references: Annotated[
            JSON | None, strawberry.argument(description="reference role (person, company, ...) -> source name")
        ] = None,
    ) -> LoadReportType:
        if len(records) > MAX_ROWS:
            raise InputError(f"argument 'records': at most {MAX_ROWS} rows per call")
        settings = info.context.settings
        extra: dict[str, Any] = {"phone_region": settings.phone_region}
        if references is not None:
            extra["references"] = references
        try:
            config = single_source(SourceKind(kind.value.lower()), source_name.strip(), **extra)
        except ValidationError as exc:
            raise InputError(_config_error(exc)) from None
        store = info.context.store
        rows: list[object] = list(records)

        def work() -> tuple[RowsResult, Resolved]:
            hasher = suppression_hasher(settings, store)
            options = LoadOptions(
                base_currency=settings.base_currency,
                rates=settings.rates,
                is_suppressed=suppression_check_for_rows(store, hasher, config, rows),
            )
            result = load_rows(store, config, rows, options)
            return result, resolve_records(store, result.touched, rules_for(settings))

        result, resolved = await run_in_threadpool(work)
        report = result.report
        audit(
            info,
            "records.upsert",
            f"{config.name}:{kind.value}",
            rows=report.rows_read,
            loaded=report.loaded,
            quarantined=report.quarantined,
            duplicates=report.duplicates,
            suppressed=report.suppressed,
        )
        return LoadReportType.of(result, resolved)
