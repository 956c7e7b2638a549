"""loaders.rows: rows given in memory load like rows of a file, with per-row errors instead of a quarantine file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from graph import GraphStore, Identifier, IdentifierKind, RecordKey, RecordKind, RelType, open_store
from graph.erasure import SuppressionHasher
from loaders import LoadOptions, SourceKind, single_source
from loaders.rows import RowError, load_rows
from loaders.suppression import SuppressionCheck, suppression_check

HASH = SuppressionHasher(b"s" * 32)
OPTIONS = LoadOptions(today=date(2025, 1, 1), rates={"CNY": Decimal("0.14")})


@pytest.fixture
def store(tmp_path: Path) -> GraphStore:
    opened = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    yield opened  # type: ignore[misc]
    opened.close()


CUSTOMERS = single_source(SourceKind.CUSTOMER, "shop", phone_region="US")
EVENTS = single_source(SourceKind.EVENT, "web", references={"person": "shop"})


def test_good_rows_load_and_come_back_to_be_resolved(store: GraphStore) -> None:
    rows = [
        {"source_id": "1", "first_name": "ann", "email": " Ann@Example.COM ", "phone": "(202) 555-0100"},
        {"id": "2", "full_name": "Bob Stone", "email": "bob@example.com"},
    ]
    result = load_rows(store, CUSTOMERS, rows, OPTIONS)
    report = result.report
    assert (report.rows_read, report.loaded, report.quarantined, report.duplicates, report.suppressed) == (
        2,
        2,
        0,
        0,
        0,
    )
    assert result.errors == []
    assert result.touched == [RecordKey("shop", "1"), RecordKey("shop", "2")]
    assert store.identifiers_of([RecordKey("shop", "1")])[RecordKey("shop", "1")] == [
        Identifier(IdentifierKind.EMAIL, "ann@example.com"),
        Identifier(IdentifierKind.PHONE, "+12025550100"),
    ]
    assert store.get_records([RecordKey("shop", "1")])[RecordKey("shop", "1")].properties["first_name"] == "Ann"


def test_bad_rows_are_counted_with_errors_naming_row_and_field_but_no_value(store: GraphStore) -> None:
    rows: list[object] = [
        {"source_id": "1", "email": "not-an-email", "birth_date": "2000-13-45"},
        {"email": "ann@example.com"},
        "not an object",
        {"source_id": "4", "email": "ok@example.com"},
        {"source_id": "4", "email": "ok@example.com"},
    ]
    result = load_rows(store, CUSTOMERS, rows, OPTIONS)
    report = result.report
    assert (report.rows_read, report.loaded, report.quarantined, report.duplicates) == (5, 1, 3, 1)
    assert report.reasons == {"invalid_email": 1, "invalid_date": 1, "missing_required": 1, "malformed_row": 1}
    assert {(e.index, e.field, e.reason) for e in result.errors} == {
        (0, "email", "invalid_email"),
        (0, "birth_date", "invalid_date"),
        (1, "source_id", "missing_required"),
        (2, "", "malformed_row"),
    }
    assert all("not-an-email" not in e.message and "ann@" not in e.message for e in result.errors)
    assert report.balanced


def test_events_need_a_known_person_or_get_a_derived_actor(store: GraphStore) -> None:
    load_rows(store, CUSTOMERS, [{"source_id": "1", "email": "ann@example.com"}], OPTIONS)
    rows = [
        {
            "source_id": "e1",
            "type": "purchase",
            "timestamp": "2024-05-01T10:00:00Z",
            "person_id": "1",
            "amount": "70",
            "currency": "元",
        },
        {"source_id": "e2", "type": "page_view", "timestamp": "2024-05-01T10:00:00Z", "person_id": "nobody"},
        {"source_id": "e3", "type": "page_view", "timestamp": "2024-05-01T10:00:00Z", "device_id": "dev-9"},
    ]
    result = load_rows(store, EVENTS, rows, OPTIONS)
    assert result.report.loaded == 2
    assert result.errors == [RowError(1, "person_id", "unknown_reference", "no Contact/Customer record shop/nobody")]
    event = store.get_records([RecordKey("web", "e1")])[RecordKey("web", "e1")]
    assert (event.properties["amount"], event.properties["original_currency"]) == (9.8, "CNY")
    performed = store.neighbours(RecordKey("shop", "1"), RelType.PERFORMED)
    assert [n.record.key for n in performed] == [RecordKey("web", "e1")]
    # The anonymous event's derived actor is a person record to resolve.
    [actor] = result.touched
    assert actor.source_id.startswith("anon-")
    assert store.get_records([actor])[actor].kind is RecordKind.CUSTOMER


def test_suppressed_rows_are_counted_and_not_loaded(store: GraphStore) -> None:
    entries = {HASH(Identifier(IdentifierKind.EMAIL, "ann@example.com")), HASH(RecordKey("shop", "7"))}
    check = SuppressionCheck(entries, HASH)
    options = LoadOptions(today=date(2025, 1, 1), is_suppressed=check)
    rows = [
        {"source_id": "1", "email": "ANN@example.com ", "birth_date": "not a date"},  # broken, but hers
        {"source_id": "7", "email": "other@example.com"},  # an erased record key
        {"source_id": "8", "email": "bob@example.com"},
    ]
    result = load_rows(store, CUSTOMERS, rows, options)
    assert (result.report.loaded, result.report.suppressed, result.report.quarantined) == (1, 2, 0)
    assert store.get_records([RecordKey("shop", "1"), RecordKey("shop", "7")]) == {}
    events = [{"type": "page_view", "timestamp": "2024-05-01T10:00:00Z", "person_id": "7"}]
    assert load_rows(store, EVENTS, events, options).report.suppressed == 1


def test_the_check_is_none_for_an_empty_list(store: GraphStore) -> None:
    assert suppression_check(store, HASH) is None
