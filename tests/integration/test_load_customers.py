"""Loading a customers CSV into a real SQLite store: good rows land, bad rows are reported, re-runs are no-ops."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import GraphStore, Identifier, IdentifierKind, RecordKey, open_store
from loaders import LoadError, load_customers_csv

CSV = """id,first_name,last_name,email,phone,city
1,Ann,Lee, Ann.Lee@Example.com ,(415) 555-0100,Oslo
2,Anne,Lee,ann.lee@example.com,,
3,Bob,Ray,bob@example,+1 415 555 0100,
4,Wei,Zhang,wei@example.cn,not-a-phone,上海
,No,Id,noid@example.com,,
5,Cy,Doe,,,
"""


@pytest.fixture
def store(tmp_path: Path) -> GraphStore:
    return open_store(f"sqlite:///{tmp_path / 'g.db'}")


def write(tmp_path: Path, text: str, name: str = "customers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_good_rows_load_and_bad_rows_are_reported_by_line_and_column(store: GraphStore, tmp_path: Path) -> None:
    report = load_customers_csv(store, write(tmp_path, CSV), source="crm", batch_size=2)
    assert (report.rows_read, report.loaded, report.rejected) == (6, 3, 3)
    assert [(p.line, p.column) for p in report.problems] == [(4, "email"), (5, "phone"), (6, "id")]
    assert all("@" not in p.reason and "not-a-phone" not in p.reason for p in report.problems)
    records = store.get_records([RecordKey("crm", n) for n in "1245"])
    assert sorted(k.source_id for k in records) == ["1", "2", "5"]
    assert records[RecordKey("crm", "1")].properties == {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann.lee@example.com",
        "phone": "+14155550100",
        "city": "Oslo",
    }
    assert store.records_with(Identifier(IdentifierKind.EMAIL, "ann.lee@example.com")) == [
        RecordKey("crm", "1"),
        RecordKey("crm", "2"),
    ]


def test_loading_the_same_file_twice_gives_the_same_graph(store: GraphStore, tmp_path: Path) -> None:
    path = write(tmp_path, CSV)
    load_customers_csv(store, path, source="crm")
    before = (store.counts(), store.get_records([RecordKey("crm", "1")]))
    load_customers_csv(store, path, source="crm")
    assert (store.counts(), store.get_records([RecordKey("crm", "1")])) == before


def test_a_file_without_an_id_column_is_refused_before_writing(store: GraphStore, tmp_path: Path) -> None:
    path = write(tmp_path, "name,email\nAnn,ann@example.com\n")
    with pytest.raises(LoadError, match=r"missing required column 'id'.*found columns: name, email"):
        load_customers_csv(store, path, source="crm")
    assert store.counts()["Customer"] == 0


def test_model_field_names_and_a_byte_order_mark_are_understood(store: GraphStore, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffsource_id,first_name,phone\nA7,王芳,138 0013 8000\n")
    report = load_customers_csv(store, path, source="pos", phone_region="CN")
    assert report.loaded == 1
    assert store.identifiers_of([RecordKey("pos", "A7")]) == {
        RecordKey("pos", "A7"): [Identifier(IdentifierKind.PHONE, "+8613800138000")]
    }
