"""Load source files into a GraphStore: stream rows, map them, quarantine the bad, write batches resumably.

Each batch is one store transaction that also commits the file's checkpoint (how many rows are done), so a
load killed at any point and run again resumes after the last committed batch and ends with the same graph
as an uninterrupted run. A file's checkpoint is keyed by its path, size and modification time: a changed
file is loaded from the start.

Reading and mapping rows (loaders.prepare) and writing them (here) are two halves: for big enough files the
first runs in forked worker processes (loaders.worker) that hand over ready batches, in file order, so the
cores share the work. Two workers read every other file of a load each, so the next file is being read while the
writer writes one: the writer does not wait at file boundaries, and where reading costs more than writing (the
person files) two cores read while the writer has time to spare. Only the transport differs: the batches, the
graph, the quarantine file and the report are the same either way.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from graph import Checkpoint, GraphStore, RecordKey, RecordKind
from graph.row_batch import LinkRow, RecordRow, RelationRow, RowBatch
from loaders.config import LoadConfig, SourceConfig
from loaders.errors import LoadError
from loaders.fields import SourceKind
from loaders.mapping import Problem, RowMapper
from loaders.prepare import FIRST_BATCH, Prepared, PrepareSpec, Rejected, Spans, prepare_batches
from loaders.quarantine import Quarantine
from loaders.readers import RawRow, read_rows
from loaders.reasons import Reason
from loaders.report import FileReport, LoadReport
from loaders.worker import Reader, can_fork, worker_count

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
    # Called when the writer starts on a file (a load of several files goes through them in order).
    on_file: Callable[[SourceConfig, Path], None] | None = None
    # Read and map the files' rows in a worker process while this one writes: None decides by the files' size.
    parallel: bool | None = None

    @classmethod
    def of(cls, config: LoadConfig, **overrides: Any) -> LoadOptions:
        return cls(base_currency=config.base_currency, rates=config.rates, batch_size=config.batch_size, **overrides)


# Kinds of stored records remembered per file: beyond this many, the memory is cleared (it stays flat).
_REMEMBERED_KINDS = 500_000
_EVENT = RecordKind.EVENT.value
# Files of this size in all are read in a worker process (when `parallel` is None): a fork costs milliseconds.
PARALLEL_FROM_BYTES = 256 * 1024


def checkpoint_name(source: SourceConfig, path: Path) -> str:
    stat = path.stat()
    identity = f"{path.resolve()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}"
    return f"load:{source.name}:{hashlib.blake2b(identity.encode(), digest_size=10).hexdigest()}"


class _FileLoad:
    """One pass over one file (see `load_file`): the writing half; loaders.prepare makes the batches."""

    def __init__(
        self,
        store: GraphStore,
        source: SourceConfig,
        path: Path,
        options: LoadOptions,
        stored_kinds: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.path = path
        self.options = options
        self.mapper = RowMapper(source, base_currency=options.base_currency, rates=options.rates, today=options.today)
        self.report = FileReport(source=source.name, file=str(path))
        self.checkpoint = checkpoint_name(source, path)
        self.format = source.file_format(path)
        self._rejected: list[Rejected] = []
        # Kinds (their values) of the records stored or found by this load, by key: later batches (and files, when
        # shared by the files of a load: events refer to the people of earlier files) refer to them. (A kind never
        # changes; a record erased meanwhile makes the write fail rather than quarantine the row, as it would.)
        self._stored_kinds: dict[tuple[str, str], str] = {} if stored_kinds is None else stored_kinds

    def rows(self) -> Iterator[RawRow]:
        return read_rows(self.path, self.format, encoding=self.source.encoding, delimiter=self.source.delimiter)

    def _reject(self, rejected: Rejected) -> None:
        self._rejected.append(rejected)
        self.report.quarantined += 1
        for reason in {p.reason.value for p in rejected[1]}:
            self.report.reasons[reason] = self.report.reasons.get(reason, 0) + 1

    def _known_kinds(
        self, keys: set[tuple[str, str]], batch: Mapping[tuple[str, str], str]
    ) -> dict[tuple[str, str], str]:
        """Kinds of the referenced records that exist: in the batch, or stored (remembered for later batches)."""
        stored = self._stored_kinds
        missing = [RecordKey(*key) for key in keys if key not in batch and key not in stored]
        found: dict[tuple[str, str], str] = {}
        if missing:
            found = {(key.source, key.source_id): r.kind.value for key, r in self.store.get_records(missing).items()}
        kinds = {key: kind for key in keys if (kind := batch.get(key) or stored.get(key) or found.get(key))}
        if found:
            if len(stored) > _REMEMBERED_KINDS:
                stored.clear()
            stored.update(found)
        return kinds

    def _commit(self, batch: RowBatch) -> None:
        """Write the batch; its rejected rows go to the quarantine once it is committed."""
        self.store.write_rows(batch)
        quarantine = self.options.quarantine
        if quarantine is not None:
            for line, problems, values in self._rejected:
                quarantine.add(self.source.name, str(self.path), line, problems, values)
            quarantine.flush()
        self._rejected = []

    def _count_fields(self, filled: Counter[tuple[str, ...]], normalised: Counter[tuple[str, ...]]) -> None:
        """Add the counts of fields filled and normalised to the report."""
        for counts, into in ((filled, self.report.fields_filled), (normalised, self.report.normalisations)):
            for names, rows in counts.items():
                if rows:
                    for name in names:
                        into[name] = into.get(name, 0) + rows

    def _unknown_references(self, batch: Prepared) -> tuple[list[int], dict[tuple[str, str], str]]:
        """Which of the batch's referring rows refer to a record that does not exist (among the kinds allowed),
        and the kinds found."""
        # Each distinct reference is checked once (a batch's events mostly refer to a few hundred people); the
        # rows are scanned only when one fails.
        distinct = set(chain.from_iterable(batch.references))
        if not distinct:
            return [], {}
        referenced = {(source, source_id) for source, source_id, _ in distinct}
        in_batch: dict[tuple[str, str], str] = {}
        if any(key not in self._stored_kinds for key in referenced):
            in_batch = {(source, source_id): kind for source, source_id, kind, _ in batch.records}
        kinds = self._known_kinds(referenced, in_batch)
        failed = {ref for ref in distinct if kinds.get((ref[0], ref[1])) not in ref[2]}
        if not failed:
            return [], kinds
        dropped = [index for index, row in enumerate(batch.references) if not failed.isdisjoint(row)]
        return dropped, kinds

    def write(self, batch: Prepared) -> None:
        """Write one prepared batch: rows whose references exist, with the checkpoint; quarantine the others."""
        report = self.report
        report.rows_read += batch.read
        report.resumed_after += batch.resumed
        report.suppressed += batch.suppressed
        report.duplicates += batch.duplicates
        for rejected in batch.rejected:
            self._reject(rejected)
        records, links, relations = batch.records, batch.links, batch.relations
        dropped, kinds = self._unknown_references(batch)
        if dropped:
            records, links, relations = _without(batch, [batch.spans[index] for index in dropped])
            for index in dropped:
                line, values, filled, normalised = batch.detail(index)
                problems = [
                    Problem("", Reason.UNKNOWN_REFERENCE, f"no {'/'.join(sorted(allowed))} record {source}/{source_id}")
                    for source, source_id, allowed in batch.references[index]
                    if kinds.get((source, source_id)) not in allowed
                ]
                self._reject((line, problems, values))
                batch.filled[filled] -= 1
                if normalised:
                    batch.normalised[normalised] -= 1
        report.loaded += batch.mapped - len(dropped)
        self._count_fields(batch.filled, batch.normalised)
        # Later batches refer to these records: remember their kinds rather than reading them back (but for
        # events, the bulk of a load, which nothing refers to). The memory stays flat: past a bound it starts afresh.
        if len(self._stored_kinds) > _REMEMBERED_KINDS:
            self._stored_kinds.clear()
        self._stored_kinds.update(
            {(source, source_id): kind for source, source_id, kind, _ in records if kind != _EVENT}
        )
        checkpoint = Checkpoint.model_construct(name=self.checkpoint, position=batch.position)
        self._commit(
            RowBatch(
                records=records,
                links=links,
                relations=relations,
                checkpoint=checkpoint,
                event_facts=batch.event_facts,
            )
        )
        if self.options.on_progress is not None:
            self.options.on_progress(batch.consumed)

    def spec(self, start: int, end_position: str) -> PrepareSpec:
        """What pass 1 (every row after `start`; the last batch commits `end_position`) needs to make its batches."""
        return PrepareSpec(
            source=self.source,
            path=self.path,
            mapper=self.mapper,
            batch_size=self.options.batch_size,
            is_suppressed=self.options.is_suppressed,
            start=start,
            end_position=end_position,
            first_batch=self.options.batch_size,
        )

    def link_parents(self, start: int) -> None:
        """Pass 2 (companies): SUBSIDIARY_OF to parents, which may come later in the file than their children."""
        relations: list[RelationRow] = []
        index = 0

        def flush(position: str) -> None:
            kinds = self._known_kinds({(rel[3], rel[4]) for rel in relations}, {})
            good = [rel for rel in relations if kinds.get((rel[3], rel[4])) == RecordKind.COMPANY]
            if len(good) < len(relations):
                self.report.warnings["unknown_parent"] = self.report.warnings.get("unknown_parent", 0) + (
                    len(relations) - len(good)
                )
            self._commit(RowBatch(relations=good, checkpoint=Checkpoint(name=self.checkpoint, position=position)))
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


def _without(batch: Prepared, dropped: list[Spans]) -> tuple[list[RecordRow], list[LinkRow], list[RelationRow]]:
    """The batch's rows less those of the dropped rows."""
    records: list[RecordRow] = []
    links: list[LinkRow] = []
    relations: list[RelationRow] = []
    at = (0, 0, 0)
    for r0, r1, l0, l1, x0, x1 in dropped:
        records += batch.records[at[0] : r0]
        links += batch.links[at[1] : l0]
        relations += batch.relations[at[2] : x0]
        at = (r1, l1, x1)
    records += batch.records[at[0] :]
    links += batch.links[at[1] :]
    relations += batch.relations[at[2] :]
    return records, links, relations


def _use_worker(paths: list[Path], parallel: bool | None) -> bool:
    """Whether to read the files in a worker process: when asked to, or (by default) for files big enough that
    the overlap saves more than starting the process costs."""
    if parallel is False or not can_fork() or not paths:
        return False
    return parallel is True or sum(path.stat().st_size for path in paths) >= PARALLEL_FROM_BYTES


def _all_batches(specs: list[PrepareSpec]) -> Generator[Prepared, None, None]:
    for spec in specs:
        yield from prepare_batches(spec)


def _in_workers(specs: list[PrepareSpec]) -> Generator[Prepared, None, None]:
    """The batches of the files, in order, made by worker processes that read every other file each: while the
    writer writes one file's batches, the next file's are made already (on two cores, the small person files,
    which cost more to read and map than to write, keep both cores busy that way)."""
    count = worker_count(len(specs))
    readers: list[Reader] = []
    try:
        for k in range(count):
            readers.append(Reader(partial(_all_batches, specs[k::count])))
        streams = [reader.batches() for reader in readers]
        for index, spec in enumerate(specs):
            for batch in streams[index % count]:
                yield batch
                if batch.position == spec.end_position:
                    break  # (the file's last batch; mid-file ones hold a row number)
            else:
                return  # (the writer finds the file unfinished)
        for stream in streams:  # each worker ends having sent all (any batch more is the writer's error)
            yield from stream
    finally:
        for reader in readers:
            reader.stop()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Around a file load: the garbage collector leaves the objects that existed before it alone, and runs
    less often (a load makes millions of short-lived tuples and no cycles); as it was afterwards."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 20_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass
class _Plan:
    """What a load does to one file: pass 1 from a row (None: done already), pass 2 from a row (None: none)."""

    load: _FileLoad
    spec: PrepareSpec | None
    parents_from: int | None


def _plan(
    store: GraphStore,
    source: SourceConfig,
    path: Path,
    options: LoadOptions,
    stored_kinds: dict[tuple[str, str], str],
) -> _Plan:
    """Where the file's load resumes, from its checkpoint (written by no other file's load)."""
    load = _FileLoad(store, source, path, options, stored_kinds)
    position = store.get_checkpoint(load.checkpoint)
    two_passes = source.kind is SourceKind.COMPANY
    if position is not None and position.startswith("2:"):
        load.report.resumed_after = int(position[2:])
        return _Plan(load, None, int(position[2:]))
    start = 0 if position is None or position == DONE else int(position)
    spec = load.spec(start, "2:0" if two_passes else DONE)
    return _Plan(load, spec, 0 if two_passes else None)


def _load_files(
    store: GraphStore, files: list[tuple[SourceConfig, Path]], options: LoadOptions
) -> Iterator[FileReport]:
    """Load the files in order, each file's report once it is done. One stream of batches for all of them, made
    by worker processes (or in this one): the next file is being read while this one writes the last batches of
    the previous one, so the writer does not wait at a file boundary."""
    plans: list[_Plan] = []
    stored_kinds: dict[tuple[str, str], str] = {}
    for source, path in files:
        plans.append(_plan(store, source, path, options, stored_kinds))
    specs = [plan.spec for plan in plans if plan.spec is not None]
    parallel = _use_worker([spec.path for spec in specs], options.parallel)
    # (A short first batch lets the writer start sooner: each worker's first file needs one, as the writer waits
    # for it; the others are made while the writer writes the files before.)
    leading = worker_count(len(specs)) if parallel else 1
    specs = [replace(spec, first_batch=FIRST_BATCH) if i < leading else spec for i, spec in enumerate(specs)]
    stream = _in_workers(specs) if parallel else _all_batches(specs)
    # (The bulk load outlasts the stream: its end, building indexes, comes after the workers have stopped.)
    with store.bulk_load(), closing(stream):  # closing: stops the workers when a file fails (or Ctrl-C)
        for plan in plans:
            started = time.perf_counter()
            load = plan.load
            if options.on_file is not None:
                options.on_file(load.source, load.path)
            with _fewer_collections():
                if plan.spec is not None:
                    for batch in stream:
                        load.write(batch)
                        if batch.position == plan.spec.end_position:
                            break  # (the file's last batch; mid-file ones hold a row number)
                    else:
                        raise LoadError(f"the load's reader ended before the end of {plan.spec.path}")
                if plan.parents_from is not None:
                    load.link_parents(plan.parents_from)
            load.report.seconds = round(time.perf_counter() - started, 3)
            yield load.report
        if next(stream, None) is not None:  # (and a worker ends as it should, having sent all)
            raise LoadError("the load's reader made more batches than its files have")


def load_files(store: GraphStore, files: list[tuple[SourceConfig, Path]], options: LoadOptions) -> Iterator[FileReport]:
    """Load (source, file) pairs in order, yielding each file's report once it is committed: one reading worker
    for all of them, which is what makes several files faster than one `load_file` call each."""
    for source, path in files:
        if not path.is_file():
            raise LoadError(f"source {source.name!r}: no such file {path}")
    return _load_files(store, files, options)


def load_file(store: GraphStore, source: SourceConfig, path: Path, options: LoadOptions) -> FileReport:
    """Load one file of one source, resuming an interrupted earlier load of the same file."""
    (report,) = load_files(store, [(source, path)], options)
    return report


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
    report.files.extend(_load_files(store, files, options))
    return report
