"""The `idgraph` command line as a user runs it: exit codes and messages on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run


def test_a_csv_without_an_id_column_exits_non_zero_naming_the_column(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "people.csv").write_text("name,email\nAnn,ann@example.com\n", encoding="utf-8")
    result = idgraph("load", "customers", "people.csv", "--source", "crm", check=False)
    assert result.returncode == 2
    assert "missing required column 'source_id' or 'id'" in result.stderr
    assert "people.csv" in result.stderr


def test_a_bad_phone_is_reported_by_row_and_the_other_rows_load(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "c.csv").write_text(
        "id,name,phone\n1,Ann,(415) 555-0100\n2,Bob,12345\n3,Cy,+44 20 7946 0958\n", encoding="utf-8"
    )
    result = idgraph("load", "customers", "c.csv", "--source", "crm", "--report", "report.json")
    assert "read 3 rows: loaded 2, quarantined 1, duplicates 0, suppressed 0" in result.stdout
    assert "quarantine.jsonl" in result.stdout
    [entry] = [json.loads(line) for line in (tmp_path / "quarantine.jsonl").read_text("utf-8").splitlines()]
    assert (entry["source"], entry["line"], entry["row"]["phone"]) == ("crm", 3, "12345")
    assert [(r["field"], r["reason"]) for r in entry["reasons"]] == [("phone", "invalid_phone")]
    assert "12345" not in result.stdout + result.stderr  # the value itself (PII) is not printed
    [file] = json.loads((tmp_path / "report.json").read_text("utf-8"))["files"]
    assert {k: file[k] for k in ("rows_read", "loaded", "quarantined", "duplicates", "suppressed", "reasons")} == {
        "rows_read": 3,
        "loaded": 2,
        "quarantined": 1,
        "duplicates": 0,
        "suppressed": 0,
        "reasons": {"invalid_phone": 1},
    }
    resolved = idgraph("resolve")
    assert "profiles" in resolved.stdout


def test_a_config_error_names_the_key(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "sources.toml").write_text(
        '[[sources]]\nname = "crm"\nkind = "customer"\npath = "x.csv"\nencodng = "gbk"\n'
    )
    result = idgraph("load", "--config", "sources.toml", check=False)
    assert result.returncode == 2
    assert "sources[0] ('crm').encodng: unknown key" in result.stderr


def test_every_command_has_help(idgraph: Run) -> None:
    for command in ("load", "resolve", "serve"):
        assert "--store" in idgraph(command, "--help").stdout


def test_an_unknown_store_url_is_a_clear_error(idgraph: Run) -> None:
    result = idgraph("resolve", "--store", "postgres://db/x", check=False)
    assert result.returncode == 2
    assert "sqlite:///" in result.stderr


def test_resolve_explain_and_export_the_mapping(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "c.csv").write_text(
        "id,first_name,email,phone\n1,Ann,ann@example.com,\n2,Ann,ANN@example.com,\n3,Bob,bob@example.com,\n",
        encoding="utf-8",
    )
    idgraph("load", "customers", "c.csv", "--source", "crm")
    (tmp_path / "rules.toml").write_text("max_component_size = 50\n[identifiers.email]\nmax_records = 5\n")
    summary = idgraph("resolve", "--rules", "rules.toml").stdout
    assert "records" in summary
    assert "3" in summary
    joined = idgraph("explain", "crm/1", "crm/2").stdout
    assert "are one entity" in joined
    assert "EMAIL ann@example.com" in joined
    apart = idgraph("explain", "crm/1", "crm/3").stdout
    assert "are not one entity" in apart
    idgraph("export", "mapping", "--out", "mapping.csv")
    rows = (tmp_path / "mapping.csv").read_text("utf-8").splitlines()
    assert rows[0] == "kind,source,source_id,profile_id,organization_id"
    ids = {row.split(",")[2]: row.split(",")[3] for row in rows[1:]}
    assert ids["1"] == ids["2"] != ids["3"]


def test_bad_rules_and_record_names_are_clear_errors(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "rules.toml").write_text("[identifiers.fax]\nmax_records = 5\n")
    result = idgraph("resolve", "--rules", "rules.toml", check=False)
    assert result.returncode == 2
    assert "unknown identifier kind 'fax'" in result.stderr
    result = idgraph("explain", "crm1", "crm/2", check=False)
    assert result.returncode == 2
    assert "SOURCE/SOURCE_ID" in result.stderr
