"""The worker process of a file load: the same graph, quarantine file and report as a load in one process."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph import RECORD_RELATIONS, GraphBatch, GraphStore, Record, RecordKey, RecordKind, Relation, RelType, open_store
from graph.sqlite.migrations import MIGRATIONS
from loaders import LoadError, LoadOptions, Quarantine, load_file, load_sources, read_config, single_source
from loaders.config import LoadConfig, SourceConfig
from loaders.demo import generate_demo_data
from loaders.fields import SourceKind
from loaders.pipeline import checkpoint_name
from loaders.worker import can_fork

TODAY = date(2026, 11, 29)

pytestmark = pytest.mark.skipif(not can_fork(), reason="the load worker needs fork")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo_data(out, people=120, companies=15, seed=3)
    return out


def _graph(store: GraphStore, path: Path) -> dict[str, Any]:
    """Everything a load writes, comparable across stores (record ids left out)."""
    kinds = list(RecordKind)
    events = sqlite3.connect(path).execute(
        "SELECT e.source, e.source_id, a.source, a.source_id, f.type, f.at, f.amount, f.channel FROM event_facts f"
        " JOIN records e ON e.id = f.record_id LEFT JOIN records a ON a.id = f.actor_id ORDER BY 1, 2"
    )
    return {
        "records": [(r.kind, r.key, r.properties) for r in store.iter_records(kinds)],
        "links": list(store.iter_links(kinds)),
        "relations": {rel: list(store.iter_relations(rel)) for rel in RECORD_RELATIONS},
        "event_facts": events.fetchall(),
        "counts": store.counts(),
    }


def _load(
    tmp: Path, config_path: Path, *, parallel: bool, batch_size: int = 40
) -> tuple[dict[str, Any], dict[str, Any], str]:
    config = read_config(config_path)
    db = tmp / f"{parallel}.db"
    store = open_store(f"sqlite:///{db}")
    quarantine = Quarantine(tmp / f"{parallel}.jsonl")
    try:
        options = replace(
            LoadOptions.of(config, quarantine=quarantine, today=TODAY, parallel=parallel), batch_size=batch_size
        )
        report = load_sources(store, config, options)
        quarantine.close()
        graph = _graph(store, db)
    finally:
        store.close()
    dumped = report.model_dump(mode="json")
    for file in dumped["files"]:
        file.pop("seconds")
    text = (tmp / f"{parallel}.jsonl").read_text("utf-8") if (tmp / f"{parallel}.jsonl").exists() else ""
    return graph, dumped, text


def test_worker_load_equals_in_process_load(demo: Path, tmp_path: Path) -> None:
    graph, report, quarantined = _load(tmp_path, demo / "sources.toml", parallel=True)
    assert not multiprocessing.active_children()
    expected_graph, expected_report, expected_quarantined = _load(tmp_path, demo / "sources.toml", parallel=False)
    assert report == expected_report
    assert quarantined == expected_quarantined
    assert graph == expected_graph
    totals = report["totals"]
    assert totals["loaded"] > 1000 and totals["quarantined"] > 0
    assert totals["rows_read"] == sum(totals[k] for k in ("loaded", "quarantined", "duplicates", "suppressed"))


def _events(tmp_path: Path) -> tuple[LoadConfig, Path, Path]:
    """Customers, then events of which some name a customer that does not exist, and some are bad rows."""
    customers = tmp_path / "customers.csv"
    customers.write_text("source_id,first_name,email\n" + "".join(f"c{i},Ann,a{i}@x.org\n" for i in range(30)))
    lines = ["source_id,person_id,type,timestamp,amount"]
    for i in range(200):
        person = f"c{i % 30}" if i % 7 else f"nobody{i}"
        stamp = "2024-02-30T10:00:00Z" if i % 11 == 0 else f"2024-03-{1 + i % 28:02d}T10:00:{i % 60:02d}Z"
        lines.append(f"e{i},{person},purchase,{stamp},{i}.5")
    lines.append(lines[5])  # an exact duplicate
    events = tmp_path / "events.csv"
    events.write_text("\n".join(lines) + "\n")
    config = LoadConfig(
        sources=[
            single_source(SourceKind.CUSTOMER, "crm"),
            single_source(SourceKind.EVENT, "shop", references={"person": "crm"}),
        ]
    )
    return config, customers, events


def test_rows_with_unknown_references_are_quarantined_alike(tmp_path: Path) -> None:
    config, customers, events = _events(tmp_path)
    results = []
    for parallel in (True, False):
        db = tmp_path / f"{parallel}.db"
        store = open_store(f"sqlite:///{db}")
        quarantine = Quarantine(tmp_path / f"{parallel}.jsonl")
        options = replace(LoadOptions.of(config, quarantine=quarantine, today=TODAY, parallel=parallel), batch_size=16)
        reports = [
            load_file(store, config.sources[0], customers, options),
            load_file(store, config.sources[1], events, options),
        ]
        quarantine.close()
        results.append(
            (
                [r.model_dump(exclude={"seconds"}) for r in reports],
                (tmp_path / f"{parallel}.jsonl").read_text("utf-8"),
                _graph(store, db),
            )
        )
        store.close()
    assert results[0] == results[1]
    event_report = results[0][0][1]
    assert event_report["reasons"]["unknown_reference"] == len([i for i in range(200) if i % 7 == 0 and i % 11])
    assert event_report["duplicates"] == 1


def test_jsonl_rows_with_unknown_references_are_quarantined_as_read(tmp_path: Path) -> None:
    # A JSON Lines row crosses from the worker as its text: its quarantine entry still holds the row as read.
    customers = tmp_path / "customers.csv"
    customers.write_text("source_id,first_name\nc1,Ann\n")
    rows = [
        {
            "source_id": f"e{i}",
            "person_id": "c1" if i % 3 else f"nobody{i}",
            "type": "view",
            "amount": i + 0.5,
            "timestamp": f"2024-03-01T10:00:{i:02d}Z",
            "properties": {"page": f"/p/{i}", "tags": ["a", "é"]},
            "n": None,
        }
        for i in range(12)
    ]
    events = tmp_path / "events.jsonl"
    events.write_text(
        "".join(f"  {json.dumps(row, ensure_ascii=i % 2 == 0)}\t\n" for i, row in enumerate(rows)), "utf-8"
    )
    config = LoadConfig(
        sources=[
            single_source(SourceKind.CUSTOMER, "crm"),
            single_source(SourceKind.EVENT, "web", references={"person": "crm"}),
        ]
    )
    entries = []
    for parallel in (True, False):
        store = open_store(f"sqlite:///{tmp_path / f'{parallel}.db'}")
        quarantine = Quarantine(tmp_path / f"{parallel}.q.jsonl")
        options = replace(LoadOptions.of(config, quarantine=quarantine, today=TODAY, parallel=parallel), batch_size=4)
        load_file(store, config.sources[0], customers, options)
        report = load_file(store, config.sources[1], events, options)
        quarantine.close()
        store.close()
        assert report.reasons == {"unknown_reference": 4}
        entries.append(
            [json.loads(line) for line in (tmp_path / f"{parallel}.q.jsonl").read_text("utf-8").splitlines()]
        )
    assert entries[0] == entries[1]
    assert [(entry["line"], entry["row"]) for entry in entries[0]] == [(i + 1, rows[i]) for i in (0, 3, 6, 9)]


def test_an_error_in_the_worker_is_raised_by_the_load(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("first_name,email\nAnn,a@x.org\n")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        with pytest.raises(LoadError, match="missing required column 'source_id'"):
            load_file(store, single_source(SourceKind.CUSTOMER, "crm"), path, LoadOptions(parallel=True))
    finally:
        store.close()
    assert not multiprocessing.active_children()


class _Stop(Exception):
    pass


def test_a_load_stopped_midway_stops_its_worker_and_resumes_to_the_same_graph(tmp_path: Path) -> None:
    config, customers, events = _events(tmp_path)
    db = tmp_path / "g.db"
    store = open_store(f"sqlite:///{db}")
    seen: list[int] = []

    def stop_after_three(rows: int) -> None:
        seen.append(rows)
        if len(seen) == 3:
            raise _Stop  # as Ctrl-C would, between two batches

    options = replace(LoadOptions.of(config, today=TODAY, parallel=True), batch_size=16)
    load_file(store, config.sources[0], customers, options)
    with pytest.raises(_Stop):
        load_file(store, config.sources[1], events, replace(options, on_progress=stop_after_three))
    assert not multiprocessing.active_children()
    resumed = load_file(store, config.sources[1], events, options)
    assert resumed.resumed_after == 48
    interrupted = _graph(store, db)
    store.close()

    whole = tmp_path / "whole.db"
    store = open_store(f"sqlite:///{whole}")
    load_file(store, config.sources[0], customers, options)
    load_file(store, config.sources[1], events, options)
    assert interrupted == _graph(store, whole)
    store.close()


def _trigger_facts(path: Path) -> list[tuple[Any, ...]]:
    """The event index as migration 4's backfill (the same SQL as its triggers) makes it from the stored graph."""
    backfill = next(m for m in MIGRATIONS if "CREATE TABLE event_facts" in m)
    insert = backfill[backfill.rindex("INSERT INTO event_facts") :]
    select = insert[insert.index("SELECT") :].rstrip().rstrip(";")
    connection = sqlite3.connect(path)
    try:
        # (Into a table typed like event_facts: its column affinities convert the values as the triggers' did.)
        connection.execute(
            "CREATE TEMP TABLE expected (record_id INTEGER PRIMARY KEY, actor_id INTEGER, type TEXT, at TEXT,"
            " amount REAL, channel TEXT)"
        )
        connection.execute(f"INSERT INTO expected {select}")
        return sorted(connection.execute("SELECT * FROM expected").fetchall())
    finally:
        connection.close()


def test_event_index_is_what_the_triggers_made(demo: Path, tmp_path: Path) -> None:
    config = read_config(demo / "sources.toml")
    db = tmp_path / "g.db"
    store = open_store(f"sqlite:///{db}")
    try:
        load_sources(store, config, replace(LoadOptions.of(config, today=TODAY), batch_size=64))
        # Loading again rewrites every record and relation: the index stays the same.
        with sqlite3.connect(db) as connection:
            connection.execute("DELETE FROM checkpoints")
        load_sources(store, config, replace(LoadOptions.of(config, today=TODAY, parallel=True), batch_size=1000))
        # Writers other than loads: an event's properties replaced; an event whose actor comes in a later batch.
        event = next(iter(store.iter_records([RecordKind.EVENT])))
        changed = {**event.properties, "type": "refund", "timestamp": "2025-01-02T03:04:05.6789+08:00", "amount": 3}
        store.write(GraphBatch(records=(Record(kind=RecordKind.EVENT, key=event.key, properties=changed),)))
        late, actor = RecordKey("api", "late"), RecordKey("api", "someone")
        store.write(
            GraphBatch(
                records=(
                    Record(kind=RecordKind.EVENT, key=late, properties={"type": "visit", "channel": "web"}),
                    Record(kind=RecordKind.CUSTOMER, key=actor, properties={}),
                )
            )
        )
        store.write(GraphBatch(relations=(Relation(type=RelType.PERFORMED, start=actor, end=late),)))
    finally:
        store.close()
    connection = sqlite3.connect(db)
    indexed = sorted(connection.execute("SELECT * FROM event_facts").fetchall())
    events = connection.execute("SELECT count(*) FROM records WHERE kind = 'Event'").fetchone()[0]
    connection.close()
    assert len(indexed) == events > 100
    assert indexed == _trigger_facts(db)


def test_one_worker_reads_every_file_and_an_error_in_a_later_file_stops_it(demo: Path, tmp_path: Path) -> None:
    data = tmp_path / "demo"
    shutil.copytree(demo, data)
    (data / "pos_transactions.csv").write_text("x\n1\n")  # a file the load reaches after several others
    config = read_config(data / "sources.toml")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        with pytest.raises(LoadError, match="missing required column"):
            load_sources(store, config, LoadOptions.of(config, today=TODAY, parallel=True))
        assert not multiprocessing.active_children()
        # The files before it are loaded (each committed its last checkpoint); those after it are not started.
        crm = next(source for source in config.sources if source.name == "crm")
        app = next(source for source in config.sources if source.name == "app")
        assert store.get_checkpoint(checkpoint_name(crm, data / "crm_customers.csv")) == "done"
        assert store.get_checkpoint(checkpoint_name(app, data / "app_events.jsonl")) is None
    finally:
        store.close()


def test_a_load_of_many_files_stopped_midway_stops_its_workers_and_resumes_to_the_same_graph(
    demo: Path, tmp_path: Path
) -> None:
    # Two workers read every other file: stopped in a late file, both stop; the resumed load ends as an
    # uninterrupted one (each file's batches still come in file order, whichever worker made them).
    config = read_config(demo / "sources.toml")
    options = replace(LoadOptions.of(config, today=TODAY, parallel=True), batch_size=40)
    db = tmp_path / "g.db"
    store = open_store(f"sqlite:///{db}")
    files: list[str] = []

    def on_file(source: SourceConfig, path: Path) -> None:
        files.append(source.name)

    def stop_in_the_web_events(rows: int) -> None:
        if files[-1] == "web" and rows > 200:
            raise _Stop

    try:
        with pytest.raises(_Stop):
            load_sources(store, config, replace(options, on_file=on_file, on_progress=stop_in_the_web_events))
        assert not multiprocessing.active_children()
        resumed = load_sources(store, config, options)
        assert [file.resumed_after > 0 for file in resumed.files] == [source.name == "web" for source in config.sources]
        interrupted = _graph(store, db)
    finally:
        store.close()
    whole = tmp_path / "whole.db"
    store = open_store(f"sqlite:///{whole}")
    try:
        load_sources(store, config, options)
        assert interrupted == _graph(store, whole)
    finally:
        store.close()
