"""Record-identifier links read in bulk as two integer columns, the form a batch resolve consumes them in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from graph.model import Identifier, RecordKey

Numbers = NDArray[np.int64]


@dataclass(frozen=True)
class LinkColumns:
    """Links as numbers: link i joins `records[record[i]]` and `identifiers[identifier[i]]`.

    `records` is every record read, in key order, linked or not; `identifiers` holds each linked identifier once.
    The columns are int64 arrays (no Python object per link). Links come in no particular order.
    """

    records: list[RecordKey]
    identifiers: list[Identifier]
    record: Numbers
    identifier: Numbers

    def __len__(self) -> int:
        return len(self.record)

    def pairs(self) -> list[tuple[RecordKey, Identifier]]:
        """The links as (record, identifier) pairs, sorted: for tests and small reads."""
        return sorted(
            (self.records[r], self.identifiers[i])
            for r, i in zip(self.record.tolist(), self.identifier.tolist(), strict=True)
        )


def link_columns_of(records: Sequence[RecordKey], links: Iterable[tuple[RecordKey, Identifier]]) -> LinkColumns:
    """`LinkColumns` of `records` (sorted, distinct) from (record, identifier) pairs whose records are among them."""
    position = {key: i for i, key in enumerate(records)}
    numbers: dict[Identifier, int] = {}
    record: list[int] = []
    identifier: list[int] = []
    for key, held in links:
        record.append(position[key])
        identifier.append(numbers.setdefault(held, len(numbers)))
    return LinkColumns(
        list(records), list(numbers), np.array(record, dtype=np.int64), np.array(identifier, dtype=np.int64)
    )
