"""A writer that never pauses keeps the SQLite WAL bounded: it does not grow with the amount written."""

from __future__ import annotations

from pathlib import Path

from graph import GraphBatch, Record, RecordKey, RecordKind
from graph.sqlite import SqliteGraphStore

LIMIT = 256 * 1024


def _batch(n: int) -> GraphBatch:
    return GraphBatch(
        records=tuple(
            Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", f"{n}-{i}"), properties={"note": "x" * 200})
            for i in range(500)
        )
    )


def test_back_to_back_writes_keep_the_wal_near_its_limit(tmp_path: Path) -> None:
    db = tmp_path / "graph.db"
    store = SqliteGraphStore(db, wal_limit_bytes=LIMIT)
    wal = tmp_path / "graph.db-wal"
    largest = 0
    try:
        for n in range(120):  # some 20 MB of pages written in all
            store.write(_batch(n))
            largest = max(largest, wal.stat().st_size)
        assert store.counts()["Customer"] == 60_000
    finally:
        store.close()
    # One batch's pages past the limit at most, never the 20 MB written.
    assert largest < 8 * LIMIT
