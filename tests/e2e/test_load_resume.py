"""A load killed with SIGKILL at several points and run again ends with exactly the graph of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from graph import RecordKind, open_store

from .conftest import idgraph_command

ROWS = 30_000
BATCH = 500


def write_customers(path: Path) -> None:
    lines = ["source_id,first_name,last_name,email,phone,birth_date"]
    for n in range(ROWS):
        email = "not-an-email" if n % 97 == 0 else f"person{n % 20_000}@example.com"
        lines.append(f"{n},Name{n},Family{n % 300},{email},+1415555{n % 10_000:04d},1980-01-{1 + n % 28:02d}")
        if n % 1000 == 0:
            lines.append(lines[-1])  # an exact duplicate row
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_command(csv: Path, store: Path) -> list[str]:
    return [
        *idgraph_command(),
        "load",
        "customer",
        str(csv),
        "--source",
        "crm",
        "--batch-size",
        str(BATCH),
        "--store",
        f"sqlite:///{store}",
        "--quarantine",
        str(store.with_suffix(".q.jsonl")),
    ]


def committed_rows(store: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as connection:
            row = connection.execute("SELECT position FROM checkpoints").fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def snapshot(store: Path) -> tuple[object, ...]:
    graph = open_store(f"sqlite:///{store}")
    try:
        kinds = list(RecordKind)
        return graph.counts(), list(graph.iter_records(kinds)), list(graph.iter_links(kinds))
    finally:
        graph.close()


def kill_after(command: list[str], store: Path, rows: int, cwd: Path) -> str:
    """Start the load, SIGKILL it once `rows` rows are committed; returns the position it was killed at."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            position = committed_rows(store)
            if position is not None and (position == "done" or int(position) >= rows):
                break
            if process.poll() is not None:
                break
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    return committed_rows(store) or "none"


def schema(store: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(store) as connection:
        return connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_a_killed_load_resumes_to_the_graph_of_an_uninterrupted_run(tmp_path: Path) -> None:
    csv = tmp_path / "customers.csv"
    write_customers(csv)
    reference, resumed = tmp_path / "reference.db", tmp_path / "resumed.db"
    subprocess.run(load_command(csv, reference), cwd=tmp_path, check=True, capture_output=True, timeout=300)

    killed_at = [kill_after(load_command(csv, resumed), resumed, rows, tmp_path) for rows in (1_000, 9_000, 20_000)]
    # The kills really interrupted the load, at increasing positions.
    assert all(p not in ("done", "none") for p in killed_at), killed_at
    assert [int(p) for p in killed_at] == sorted(int(p) for p in killed_at)
    result = subprocess.run(load_command(csv, resumed), cwd=tmp_path, check=True, capture_output=True, timeout=300)
    assert b"read" in result.stdout
    assert committed_rows(resumed) == "done"
    assert snapshot(resumed) == snapshot(reference)
    # Its schema too: the indexes a first load builds at its end (graph.sqlite.bulk) are there.
    assert schema(resumed) == schema(reference)
