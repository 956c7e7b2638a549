"""The SQLite store's batch write (rows passed as one JSON array, or bound one by one) keeps upsert semantics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import (
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    open_store,
)
from graph.errors import RecordKindConflictError
from graph.sqlite.writes import WRITE_CHUNK, _chunks


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    yield store
    store.close()


@pytest.mark.parametrize("text", ["plain", 'quote " back \\ slash', "nul \x00 inside", "émoji 😀 \u2028 line"])
def test_any_string_round_trips_exactly(store: GraphStore, text: str) -> None:
    key, other = RecordKey("crm", f"id {text}"), RecordKey("crm", "id ")
    email = Identifier(IdentifierKind.EMAIL, f"{text}@example.com")
    store.write(
        GraphBatch(
            records=(
                Record(kind=RecordKind.CUSTOMER, key=key, properties={"note": text}),
                Record(kind=RecordKind.CUSTOMER, key=other),
            ),
            links=(IdentifierLink(record=key, identifier=email),),
        )
    )
    assert store.get_records([key])[key].properties == {"note": text}
    assert store.records_with(email) == [key]
    assert store.counts()["Customer"] == 2


def test_a_key_given_twice_in_one_batch_keeps_the_later_row(store: GraphStore) -> None:
    contact, company = RecordKey("b2b", "c1"), RecordKey("b2b", "acme")
    store.write(
        GraphBatch(
            records=(
                Record(kind=RecordKind.CONTACT, key=contact, properties={"n": 1}),
                Record(kind=RecordKind.COMPANY, key=company),
                Record(kind=RecordKind.CONTACT, key=contact, properties={"n": 2}),
            ),
            relations=(
                Relation(type=RelType.WORKS_AT, start=contact, end=company, properties={"title": "first"}),
                Relation(type=RelType.WORKS_AT, start=contact, end=company, properties={"title": "second"}),
            ),
        )
    )
    assert store.get_records([contact])[contact].properties == {"n": 2}
    assert [n.properties for n in store.neighbours(contact, RelType.WORKS_AT)] == [{"title": "second"}]


def test_a_key_given_twice_in_one_batch_with_two_kinds_fails_the_batch(store: GraphStore) -> None:
    key = RecordKey("crm", "1")
    with pytest.raises(RecordKindConflictError, match="crm/1"):
        store.write(
            GraphBatch(records=(Record(kind=RecordKind.CUSTOMER, key=key), Record(kind=RecordKind.CONTACT, key=key)))
        )
    assert store.counts()["Customer"] == 0


def test_batches_larger_than_one_statement(store: GraphStore) -> None:
    records = tuple(Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", str(n))) for n in range(2500))
    links = tuple(
        IdentifierLink(record=r.key, identifier=Identifier(IdentifierKind.PHONE, f"+1555{n % 1200:07d}"))
        for n, r in enumerate(records)
    )
    store.write(GraphBatch(records=records, links=links))
    assert store.counts()["Customer"] == 2500 and store.counts()["Phone"] == 1200
    assert store.counts()["HAS_PHONE"] == 2500


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2970, 3000])
def test_chunks_keep_the_rows_in_order_in_a_few_statement_sizes(count: int) -> None:
    # (Sizes repeat from batch to batch, so each statement text is compiled once per connection.)
    rows = list(range(count))
    chunks = [list(chunk) for chunk in _chunks(rows)]
    assert [row for chunk in chunks for row in chunk] == rows
    assert all(len(chunk) == WRITE_CHUNK or len(chunk).bit_count() == 1 for chunk in chunks)
    assert sum(len(chunk) != WRITE_CHUNK for chunk in chunks) <= (count % WRITE_CHUNK).bit_count()
