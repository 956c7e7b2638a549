"""The `idgraph` command line as a user runs it: exit codes and messages on bad input."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_a_csv_without_an_id_column_exits_non_zero_naming_the_column(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "people.csv").write_text("name,email\nAnn,ann@example.com\n", encoding="utf-8")
    result = idgraph("load", "customers", "people.csv", "--source", "crm", check=False)
    assert result.returncode == 2
    assert "missing required column 'id'" in result.stderr
    assert "people.csv" in result.stderr


def test_a_bad_phone_is_reported_by_row_and_the_other_rows_load(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "c.csv").write_text(
        "id,name,phone\n1,Ann,(415) 555-0100\n2,Bob,12345\n3,Cy,+44 20 7946 0958\n", encoding="utf-8"
    )
    result = idgraph("load", "customers", "c.csv", "--source", "crm")
    assert "read 3 rows, loaded 2, rejected 1" in result.stdout
    assert "line 3: column 'phone'" in result.stderr
    assert "12345" not in result.stderr  # the value itself (PII) is not printed
    resolved = idgraph("resolve")
    assert "profiles" in resolved.stdout


def test_every_command_has_help(idgraph: Run) -> None:
    for command in ("load", "resolve", "serve"):
        assert "--store" in idgraph(command, "--help").stdout


def test_an_unknown_store_url_is_a_clear_error(idgraph: Run) -> None:
    result = idgraph("resolve", "--store", "postgres://db/x", check=False)
    assert result.returncode == 2
    assert "sqlite:///" in result.stderr
