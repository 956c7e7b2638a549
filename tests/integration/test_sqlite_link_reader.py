"""The SQLite store's link read in a child process (large stores): the same columns as the read in process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graph import GraphStoreError, IdentifierKind, RecordKind
from graph.sqlite import link_reader
from graph.sqlite.store import SqliteGraphStore

from .test_store_bulk_reads import PERSONS, check_columns, graph


def test_the_child_reads_what_the_store_reads_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteGraphStore(tmp_path / "graph.db")
    store.write(graph())
    for kinds, held in ((PERSONS, None), (PERSONS, {IdentifierKind.PHONE, IdentifierKind.ACCOUNT}), ((), None)):
        in_process = store.link_columns(kinds, held)
        monkeypatch.setattr(link_reader, "CHILD_FROM", 1)
        assert link_reader.worth_a_child(store._connection(), kinds) == bool(kinds)
        in_child = store.link_columns(kinds, held)
        monkeypatch.setattr(link_reader, "CHILD_FROM", 100_000)
        check_columns(in_child)
        assert in_child.records == in_process.records
        assert in_child.identifiers == in_process.identifiers
        assert all(type(i.kind) is IdentifierKind for i in in_child.identifiers)
        assert np.array_equal(in_child.record, in_process.record)
        assert np.array_equal(in_child.identifier, in_process.identifier)
        assert in_child.pairs() == in_process.pairs()
    store.close()


def test_a_small_store_is_read_in_process(tmp_path: Path) -> None:
    store = SqliteGraphStore(tmp_path / "graph.db")
    store.write(graph())
    assert not link_reader.worth_a_child(store._connection(), PERSONS)
    store.close()


def test_a_failing_child_is_an_error_of_the_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"  # no tables: the child's read fails
    with pytest.raises(GraphStoreError, match="reader process failed"):
        link_reader.read_in_child(empty, [RecordKind.CUSTOMER], None)
