"""The reading half of a file load: rows read, checked, mapped and cut into batches ready for the writer.

`prepare_batches` does everything a load does to a file's rows that needs neither the store nor the quarantine
file: read, spot duplicates and suppressed rows, normalise and map. What it yields is plain data (tuples, strings,
counts) so that it may run in another process (loaders.worker) as well as in the writer's own. The writer
(loaders.pipeline) checks each batch's references against the store, writes it with its checkpoint and only then
sends its rejected rows to the quarantine.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import RecordKind
from graph.row_batch import EventFactRow, LinkRow, RecordRow, RelationRow
from loaders.config import FileFormat, SourceConfig
from loaders.errors import LoadError
from loaders.mapping import Mapped, Problem, RowMapper
from loaders.readers import read_rows
from loaders.reasons import Reason

# Rows of the first batch of a pass at most.
FIRST_BATCH = 250

# A rejected row: (line, problems, the row as read).
Rejected = tuple[int, list[Problem], dict[str, Any]]
# A reference of a mapped row: (source, source_id, the kinds the record may have, by value).
Reference = tuple[str, str, frozenset[str]]
# Where a referring row's rows are in the batch's lists: [start, end) of records, links and relations.
Spans = tuple[int, int, int, int, int, int]
# What the writer needs of a referring row only to drop it: (line, the row as read, fields filled, normalised).
Detail = tuple[int, dict[str, Any], tuple[str, ...], tuple[str, ...]]
# The same as kept in a batch: a JSON Lines row as its line's text (one string is cheaper to carry than its dict;
# `json.loads` of it gives the same dict again), any other row as read.
_Detail = tuple[int, dict[str, Any] | str, tuple[str, ...], tuple[str, ...]]

# The mapper's sets of allowed kinds as sets of their values (equal sets, but they pickle as plain strings);
# one object per set, so that a batch's pickle holds each once.
_KIND_NAMES: dict[frozenset[RecordKind], frozenset[str]] = {}


def _names(kinds: frozenset[RecordKind]) -> frozenset[str]:
    names = _KIND_NAMES.get(kinds)
    if names is None:
        names = _KIND_NAMES[kinds] = frozenset(kind.value for kind in kinds)
    return names


@dataclass(slots=True)
class Prepared:
    """One batch of one file, ready to write: its rows in file order and what the report counts of it."""

    position: str  # the file's checkpoint once this batch is in
    consumed: int  # rows of the file consumed so far (for the progress bar)
    read: int = 0
    resumed: int = 0
    suppressed: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)  # rows the mapper refused, in file order
    records: list[RecordRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)
    event_facts: list[EventFactRow] = field(default_factory=list)  # (the store ignores those of dropped rows)
    # The mapped rows that refer to other records: their references, spans and details (one entry each).
    references: list[tuple[Reference, ...]] = field(default_factory=list)
    spans: list[Spans] = field(default_factory=list)
    # Pickled (see `seal`) when the batch crosses to another process: the writer reads them only to drop a row.
    details: list[_Detail] | bytes = field(default_factory=list)
    mapped: int = 0  # rows mapped (loaded unless the writer drops some for their references)
    # Mapped rows per list of fields filled (and normalised): rows of a file mostly share a few such lists.
    filled: Counter[tuple[str, ...]] = field(default_factory=Counter)
    normalised: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def add(self, line: int, values: dict[str, Any], mapped: Mapped, text: str | None = None) -> None:
        """Add a mapped row; `text`: the JSON text of a JSON Lines row (`values` is its `json.loads`)."""
        filled, normalised = tuple(mapped.filled), tuple(mapped.normalised)
        self.mapped += 1
        self.event_facts += mapped.event_facts
        self.filled[filled] += 1
        if normalised:
            self.normalised[normalised] += 1
        if mapped.references:
            starts = (len(self.records), len(self.links), len(self.relations))
            self.records += mapped.records
            self.links += mapped.links
            self.relations += mapped.relations
            self.spans.append(
                (starts[0], len(self.records), starts[1], len(self.links), starts[2], len(self.relations))
            )
            self.references.append(
                tuple((key.source, key.source_id, _names(kinds)) for key, kinds in mapped.references.items())
            )
            assert isinstance(self.details, list)
            self.details.append((line, values if text is None else text, filled, normalised))
        else:
            self.records += mapped.records
            self.links += mapped.links
            self.relations += mapped.relations

    def seal(self) -> None:
        """Pickle the details ahead of the batch: unpickling them all would cost the writer more than the rest."""
        if isinstance(self.details, list):
            self.details = pickle.dumps(self.details, protocol=pickle.HIGHEST_PROTOCOL)

    def detail(self, index: int) -> Detail:
        """The details of the `index`-th referring row."""
        if isinstance(self.details, bytes):
            self.details = pickle.loads(self.details)  # noqa: S301 - made by this load's own worker process
        assert isinstance(self.details, list)
        line, values, filled, normalised = self.details[index]
        return line, json.loads(values) if isinstance(values, str) else values, filled, normalised


@dataclass(frozen=True)
class PrepareSpec:
    """What `prepare_batches` needs of one file load (no store, no quarantine, no progress bar)."""

    source: SourceConfig
    path: Path
    mapper: RowMapper
    batch_size: int
    is_suppressed: Callable[[SourceConfig, Mapping[str, Any]], bool] | None
    start: int  # rows an earlier run committed: skipped
    end_position: str  # the checkpoint of the last batch
    first_batch: int = FIRST_BATCH  # rows of the first batch at most


def prepare_batches(spec: PrepareSpec) -> Iterator[Prepared]:
    """The batches of rows after `spec.start`, in file order; the last one (maybe without rows) ends the file."""
    source, mapper, batch_size, is_suppressed = spec.source, spec.mapper, spec.batch_size, spec.is_suppressed
    fmt = source.file_format(spec.path)
    jsonl = fmt is FileFormat.JSONL
    check_duplicates = source.checks.duplicates
    seen: set[int] = set()  # hashes of the rows read (64-bit: a false duplicate is vanishingly rare)
    batch = Prepared(position="", consumed=0)
    # A short first batch: the writer (waiting for the worker, see loaders.worker) starts on it sooner.
    first = min(batch_size, spec.first_batch)
    index = 0
    rows = read_rows(spec.path, fmt, encoding=source.encoding, delimiter=source.delimiter)
    for index, row in enumerate(rows, start=1):
        if index == 1 and fmt is FileFormat.CSV and (missing := mapper.missing_columns(list(row.values))):
            raise LoadError(
                f"{spec.path}: missing required column {', '.join(missing)}; found columns: {', '.join(row.values)}"
            )
        if index <= spec.start:
            batch.resumed += 1
            continue  # (no batch ends among these rows: its checkpoint would move back)
        batch.read += 1
        if row.error is not None:
            batch.rejected.append((row.line, [Problem("", Reason.MALFORMED_ROW, row.error)], row.values))
        elif is_suppressed is not None and is_suppressed(source, row.values):
            batch.suppressed += 1
        elif check_duplicates and (digest := hash(row.text)) in seen:
            batch.duplicates += 1
        else:
            if check_duplicates:
                seen.add(digest)
            result = mapper.map(row.values)
            if isinstance(result, list):
                batch.rejected.append((row.line, result, row.values))
            else:
                batch.add(row.line, row.values, result, row.text if jsonl else None)
        if index % batch_size == 0 or index - spec.start == first:
            batch.position, batch.consumed = str(index), index
            yield batch
            batch = Prepared(position="", consumed=0)
    batch.position, batch.consumed = spec.end_position, index
    yield batch
