"""Erasure on the SQLite store leaves no trace of the erased values in its files, WAL included."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from graph import GraphBatch, Identifier, IdentifierKind, IdentifierLink, Record, RecordKey, RecordKind
from graph.erasure import SuppressionHasher
from graph.sqlite import SqliteGraphStore
from resolver import resolve

SECRET = RecordKey("crm", "secret-1")
TRACES = (b"Zebulonius", b"Quixotetrap", b"zebulonius.quixotetrap@example.org")


def _files_text(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def test_erased_values_are_gone_from_the_database_file_and_its_wal_while_the_store_stays_open(
    tmp_path: Path,
) -> None:
    db = tmp_path / "graph.db"
    store = SqliteGraphStore(db)
    records = [
        Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", str(i)), properties={"first_name": f"Name{i}"})
        for i in range(2000)
    ]
    records.append(
        Record(
            kind=RecordKind.CUSTOMER, key=SECRET, properties={"first_name": "Zebulonius", "last_name": "Quixotetrap"}
        )
    )
    links = [
        IdentifierLink(record=r.key, identifier=Identifier(IdentifierKind.EMAIL, f"p{i}@example.com"))
        for i, r in enumerate(records[:-1])
    ]
    links.append(IdentifierLink(record=SECRET, identifier=Identifier(IdentifierKind.EMAIL, TRACES[2].decode())))
    try:
        store.write(GraphBatch(records=tuple(records), links=tuple(links)))
        resolve(store)
        assert all(trace in _files_text(db) for trace in TRACES)

        entity = store.entity_ids_of([SECRET])[SECRET]
        assert store.erase_entity(entity, suppress=SuppressionHasher(b"k" * 32), at=datetime.now(UTC)) is not None

        left = _files_text(db)
        assert [trace for trace in TRACES if trace in left] == []
        assert store.get_records([RecordKey("crm", "7")])  # the others are still there
    finally:
        store.close()
