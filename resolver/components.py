"""Connected components of records joined by shared identifiers, on a sparse bipartite graph (scipy)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

R = TypeVar("R", bound=Hashable)
I = TypeVar("I", bound=Hashable)  # noqa: E741


def components(records: Sequence[R], links: Iterable[tuple[R, I]]) -> list[list[R]]:
    """Records grouped by the identifiers they share (transitively), each group in input order.

    Every record is in exactly one group, records without links alone. Groups are ordered by their first
    record. Identifiers are nodes of the graph, so a shared identifier costs one edge per holder, not a
    clique.
    """
    index = {record: i for i, record in enumerate(records)}
    identifier_index: dict[I, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    n = len(records)
    for record, identifier in links:
        rows.append(index[record])
        cols.append(n + identifier_index.setdefault(identifier, len(identifier_index)))
    size = n + len(identifier_index)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[R]] = {}
    for record, label in zip(records, labels[:n].tolist(), strict=True):
        groups.setdefault(label, []).append(record)
    return list(groups.values())
