"""`idgraph quarantine scrub` after an erasure: the erased person's rejected rows leave the quarantine file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from api.ingest.erasure import ForgetStatus, forget_profile
from api.settings import Settings
from graph import Identifier, IdentifierKind, open_store
from loaders import LoadError, SourceKind, single_source
from loaders.quarantine_scrub import scrub_quarantine
from loaders.suppression import SuppressionCheck

from .conftest import Run

CUSTOMERS = """source_id,first_name,last_name,birth_date,email,phone
1,Ann,Lee,1990-01-02,ann.lee@example.com,
2,Ann,Lee,2024-02-30,Ann.Lee@Example.com,
3,Bob,Stone,1985-13-01,bob@example.com,
"""


def _sources(path: Path) -> list[str]:
    return [json.loads(line)["row"]["source_id"] for line in path.read_text("utf-8").splitlines()]


def test_the_rejected_rows_of_an_erased_person_are_scrubbed(tmp_path: Path, idgraph: Run, store_url: str) -> None:
    (tmp_path / "customers.csv").write_text(CUSTOMERS, "utf-8")
    idgraph("load", "customers", "customers.csv", "--source", "crm", "--quarantine", "q.jsonl")
    idgraph("resolve")
    quarantine = tmp_path / "q.jsonl"
    quarantine.chmod(0o600)
    assert _sources(quarantine) == ["2", "3"]  # Ann's second row (no 30 February) and Bob's

    # Nobody erased yet: nothing to remove, the file stays as it was.
    before = quarantine.read_bytes()
    result = idgraph("quarantine", "scrub", "q.jsonl", "--kind", "customer", "--source", "crm")
    assert quarantine.read_bytes() == before
    assert "removed" in result.stdout

    store = open_store(store_url)
    try:
        (ann,) = store.records_with(Identifier(IdentifierKind.EMAIL, "ann.lee@example.com"))
        profile = store.entity_ids_of([ann])[ann]
        assert forget_profile(store, Settings(store=store_url), profile).status is ForgetStatus.DONE
    finally:
        store.close()

    result = idgraph("quarantine", "scrub", "q.jsonl", "--kind", "customer", "--source", "crm")
    assert _sources(quarantine) == ["3"]
    assert "ann" not in quarantine.read_text("utf-8").lower()
    assert stat.S_IMODE(quarantine.stat().st_mode) == 0o600
    assert list(tmp_path.glob(".q.jsonl.*")) == []  # no scratch file left behind
    audit = [json.loads(line) for line in idgraph("audit", "--json").stdout.splitlines()]
    assert [(e["action"], e["detail"]) for e in audit if e["action"] == "quarantine.scrub"] == [
        ("quarantine.scrub", {"removed": 1})
    ]


def test_scrub_needs_to_know_the_sources(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "q.jsonl").write_text("", "utf-8")
    result = idgraph("quarantine", "scrub", "q.jsonl", check=False)
    assert result.returncode == 2
    assert "--config" in result.stderr


def test_entries_of_unknown_sources_are_kept_and_bad_lines_named(tmp_path: Path) -> None:
    sources = {"crm": single_source(SourceKind.CUSTOMER, "crm")}
    quarantine = tmp_path / "q.jsonl"
    entries = [
        {"source": "crm", "row": {"email": "gone@example.com"}},
        {"source": "crm", "row": {"email": "kept@example.com"}},
        {"source": "elsewhere", "row": {"email": "gone@example.com"}},
    ]
    quarantine.write_text("".join(json.dumps(e) + "\n" for e in entries), "utf-8")
    check = SuppressionCheck({"hit"}, lambda item: "hit" if "gone" in str(item) else "miss")
    result = scrub_quarantine(quarantine, sources, check)
    assert (result.kept, result.removed, result.unchecked) == (2, 1, 1)
    kept = [json.loads(line) for line in quarantine.read_text("utf-8").splitlines()]
    assert kept == entries[1:]

    quarantine.write_text('{"source": "crm", "row": {}}\nnot json\n', "utf-8")
    with pytest.raises(LoadError, match=r"q\.jsonl, line 2: not a quarantine entry"):
        scrub_quarantine(quarantine, sources, check)
    assert quarantine.read_text("utf-8").endswith("not json\n")  # left as it was
