"""Load source files into a GraphStore: stream rows, map them, quarantine the bad, write batches resumably.

Each batch is one store transaction that also commits the file's checkpoint (how many rows are done), so a
load killed at any point and run again resumes after the last committed batch and ends with the same graph
as an uninterrupted run. A file's checkpoint is keyed by its path, size and modification time: a changed
file is loaded from the start.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from graph import Checkpoint, GraphBatch, GraphStore, IdentifierLink, Record, RecordKey, RecordKind, Relation
from loaders.config import FileFormat, LoadConfig, SourceConfig
from loaders.errors import LoadError
from loaders.fields import SourceKind
from loaders.mapping import Mapped, Problem, RowMapper
from loaders.quarantine import Quarantine
from loaders.readers import RawRow, read_rows
from loaders.reasons import Reason
from loaders.report import FileReport, LoadReport

DONE = "done"


@dataclass
class LoadOptions:
    """How to load, beyond each source's own settings."""

    base_currency: str = "USD"
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    batch_size: int = 2000
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    quarantine: Quarantine | None = None
    # Whether a row belongs to an erased subject (the suppression list); such rows are counted, not loaded.
    is_suppressed: Callable[[SourceConfig, Mapping[str, Any]], bool] | None = None
    # Called after each committed batch with the rows of the file consumed so far.
    on_progress: Callable[[int], None] | None = None

    @classmethod
    def of(cls, config: LoadConfig, **overrides: Any) -> LoadOptions:
        return cls(base_currency=config.base_currency, rates=config.rates, batch_size=config.batch_size, **overrides)


# Kinds of stored records remembered per file: beyond this many, the memory is cleared (it stays flat).
_REMEMBERED_KINDS = 500_000


def checkpoint_name(source: SourceConfig, path: Path) -> str:
    stat = path.stat()
    identity = f"{path.resolve()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}"
    return f"load:{source.name}:{hashlib.blake2b(identity.encode(), digest_size=10).hexdigest()}"


class _FileLoad:
    """One pass over one file (see `load_file`)."""

    def __init__(self, store: GraphStore, source: SourceConfig, path: Path, options: LoadOptions) -> None:
        self.store = store
        self.source = source
        self.path = path
        self.options = options
        self.mapper = RowMapper(source, base_currency=options.base_currency, rates=options.rates, today=options.today)
        self.report = FileReport(source=source.name, file=str(path))
        self.checkpoint = checkpoint_name(source, path)
        self.format = source.file_format(path)
        self._rejected: list[tuple[RawRow, list[Problem]]] = []
        # Keyed by plain tuples (equal to RecordKeys): the garbage collector stops tracking those, not NamedTuples.
        self._stored_kinds: dict[tuple[str, str], RecordKind] = {}
        # Loaded rows per list of fields filled (and normalised): rows of a file mostly share a few such lists.
        self._filled: Counter[tuple[str, ...]] = Counter()
        self._normalised: Counter[tuple[str, ...]] = Counter()

    def rows(self) -> Iterator[RawRow]:
        return read_rows(self.path, self.format, encoding=self.source.encoding, delimiter=self.source.delimiter)

    def _reject(self, row: RawRow, problems: list[Problem]) -> None:
        self._rejected.append((row, problems))
        self.report.quarantined += 1
        for reason in {p.reason.value for p in problems}:
            self.report.reasons[reason] = self.report.reasons.get(reason, 0) + 1

    def _known_kinds(self, keys: set[RecordKey], batch: dict[RecordKey, RecordKind]) -> dict[RecordKey, RecordKind]:
        """Kinds of the referenced records that exist: in the batch, or stored (remembered for later batches)."""
        stored = self._stored_kinds
        missing = [key for key in keys if key not in batch and key not in stored]
        if missing:
            if len(stored) > _REMEMBERED_KINDS:
                stored.clear()
            found = self.store.get_records(missing)
            stored.update({(key.source, key.source_id): record.kind for key, record in found.items()})
        return {key: kind for key in keys if (kind := batch.get(key) or stored.get(key)) is not None}

    def _commit(self, batch: GraphBatch) -> None:
        """Write the batch; its rejected rows go to the quarantine once it is committed."""
        self.store.write(batch)
        quarantine = self.options.quarantine
        if quarantine is not None:
            for row, problems in self._rejected:
                quarantine.add(self.source.name, str(self.path), row.line, problems, row.values)
            quarantine.flush()
        self._rejected = []

    def _count_fields(self) -> None:
        """Move the counts of fields filled and normalised into the report."""
        for counts, into in ((self._filled, self.report.fields_filled), (self._normalised, self.report.normalisations)):
            for names, rows in counts.items():
                for name in names:
                    into[name] = into.get(name, 0) + rows
            counts.clear()

    def flush(self, pending: list[tuple[RawRow, Mapped]], position: str) -> None:
        """Write the pending rows whose references exist, quarantine the others, and move the checkpoint."""
        batch_kinds = {record.key: record.kind for _, mapped in pending for record in mapped.records}
        kinds = self._known_kinds({key for _, mapped in pending for key in mapped.references}, batch_kinds)
        good_records: list[Record] = []
        links: list[IdentifierLink] = []
        relations: list[Relation] = []
        loaded = 0
        for row, mapped in pending:
            references = mapped.references
            if references and any(kinds.get(key) not in allowed for key, allowed in references.items()):
                problems = [
                    Problem("", Reason.UNKNOWN_REFERENCE, f"no {'/'.join(sorted(allowed))} record {key}")
                    for key, allowed in references.items()
                    if kinds.get(key) not in allowed
                ]
                self._reject(row, problems)
                continue
            loaded += 1
            self._filled[tuple(mapped.filled)] += 1
            if mapped.normalised:
                self._normalised[tuple(mapped.normalised)] += 1
            good_records += mapped.records
            links += mapped.links
            relations += mapped.relations
        self.report.loaded += loaded
        self._count_fields()
        # Later batches refer to these records: remember their kinds rather than reading them back.
        self._stored_kinds.update({(r.key.source, r.key.source_id): r.kind for r in good_records})
        checkpoint = Checkpoint(name=self.checkpoint, position=position)
        # The mapper built every object from checked values: no need to validate the batch's items again.
        batch = GraphBatch.model_construct(
            records=tuple(good_records), links=tuple(links), relations=tuple(relations), checkpoint=checkpoint
        )
        self._commit(batch)
        pending.clear()

    def load_rows(self, start: int, end_position: str) -> None:
        """Pass 1: every row after `start`; the last batch commits `end_position`."""
        options, report, source, mapper = self.options, self.report, self.source, self.mapper
        is_suppressed, batch_size = options.is_suppressed, options.batch_size
        check_duplicates = source.checks.duplicates
        seen: set[int] = set()  # hashes of the rows read (64-bit: a false duplicate is vanishingly rare)
        pending: list[tuple[RawRow, Mapped]] = []
        # Counted in locals, put in the report at each batch: a pydantic attribute write costs a microsecond.
        read = resumed = suppressed = duplicates = 0

        def tally() -> None:
            report.rows_read += read
            report.resumed_after += resumed
            report.suppressed += suppressed
            report.duplicates += duplicates

        index = 0
        for index, row in enumerate(self.rows(), start=1):
            if index == 1 and self.format is FileFormat.CSV and (missing := mapper.missing_columns(list(row.values))):
                raise LoadError(
                    f"{self.path}: missing required column {', '.join(missing)}; found columns: {', '.join(row.values)}"
                )
            if index <= start:
                resumed += 1
                continue
            read += 1
            if row.error is not None:
                self._reject(row, [Problem("", Reason.MALFORMED_ROW, row.error)])
                continue
            if is_suppressed is not None and is_suppressed(source, row.values):
                suppressed += 1
                continue
            if check_duplicates:
                digest = hash(row.text)
                if digest in seen:
                    duplicates += 1
                    continue
                seen.add(digest)
            result = mapper.map(row.values)
            if isinstance(result, list):
                self._reject(row, result)
                continue
            pending.append((row, result))
            if index % batch_size == 0:
                tally()
                read = resumed = suppressed = duplicates = 0
                self.flush(pending, str(index))
                if options.on_progress is not None:
                    options.on_progress(index)
        tally()
        self.flush(pending, end_position)
        if options.on_progress is not None:
            options.on_progress(index)

    def link_parents(self, start: int) -> None:
        """Pass 2 (companies): SUBSIDIARY_OF to parents, which may come later in the file than their children."""
        relations: list[Relation] = []
        index = 0

        def flush(position: str) -> None:
            kinds = self._known_kinds({r.end for r in relations}, {})
            good = [r for r in relations if kinds.get(r.end) is RecordKind.COMPANY]
            if len(good) < len(relations):
                self.report.warnings["unknown_parent"] = self.report.warnings.get("unknown_parent", 0) + (
                    len(relations) - len(good)
                )
            self._commit(
                GraphBatch(relations=tuple(good), checkpoint=Checkpoint(name=self.checkpoint, position=position))
            )
            relations.clear()

        for index, row in enumerate(self.rows(), start=1):
            if index <= start or row.error is not None:
                continue
            result = self.mapper.map(row.values)
            if isinstance(result, list) or not result.deferred:
                continue
            relations += result.deferred
            if len(relations) >= self.options.batch_size:
                flush(f"2:{index}")
        flush(DONE)


def load_file(store: GraphStore, source: SourceConfig, path: Path, options: LoadOptions) -> FileReport:
    """Load one file of one source, resuming an interrupted earlier load of the same file."""
    if not path.is_file():
        raise LoadError(f"source {source.name!r}: no such file {path}")
    started = time.perf_counter()
    load = _FileLoad(store, source, path, options)
    position = store.get_checkpoint(load.checkpoint)
    two_passes = source.kind is SourceKind.COMPANY
    if position is not None and position.startswith("2:"):
        load.report.resumed_after = int(position[2:])
        load.link_parents(int(position[2:]))
    else:
        start = 0 if position is None or position == DONE else int(position)
        load.load_rows(start, "2:0" if two_passes else DONE)
        if two_passes:
            load.link_parents(0)
    load.report.seconds = round(time.perf_counter() - started, 3)
    return load.report


def source_files(config: LoadConfig, source: SourceConfig) -> list[Path]:
    """The files of a source, in name order; an error when none matches."""
    pattern = Path(source.path)
    if not pattern.is_absolute():
        pattern = config.root / pattern
    if any(c in source.path for c in "*?["):
        files = sorted(p for p in pattern.parent.glob(pattern.name) if p.is_file())
    else:
        files = [pattern] if pattern.is_file() else []
    if not files:
        raise LoadError(f"source {source.name!r}: no file matches {pattern}")
    return files


def load_sources(
    store: GraphStore, config: LoadConfig, options: LoadOptions, only: list[str] | None = None
) -> LoadReport:
    """Load every file of the chosen sources (all by default), in the config's order."""
    report = LoadReport()
    sources = config.only(only or [])
    files = [(source, path) for source in sources for path in source_files(config, source)]
    for source, path in files:
        report.files.append(load_file(store, source, path, options))
    return report
