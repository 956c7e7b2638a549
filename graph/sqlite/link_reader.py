"""The bulk link read (read_link_columns) in a child process of its own, for large stores.

A batch resolve reads the links while it reads and matches the records; in one process both reads would take
turns at the GIL (building a row's objects holds it), so the link read runs in a fresh interpreter on the other
core. The child is started with `python -m graph.sqlite.link_reader` (a new process, not a fork: SQLite state
must not cross a fork), opens the file, reads in one transaction (one snapshot) and sends the result as columns
(strings and arrays, which pickle fast); the caller builds the key objects. It dies with its caller (Linux
parent-death signal, or a broken pipe), and its failure is raised in the caller as a GraphStoreError.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

from graph.child_process import die_with
from graph.errors import GraphStoreError
from graph.link_columns import LinkColumns
from graph.model import IdentifierKind, RecordKind
from graph.sqlite.link_columns import RawLinkColumns, read_raw_link_columns

# Records of the kinds read from which the links are read in a child: below, starting one costs more
# than it saves.
CHILD_FROM = 100_000
_ROOT = str(Path(__file__).resolve().parent.parent.parent)  # the folder holding the `graph` package


def worth_a_child(c: sqlite3.Connection, kinds: Collection[RecordKind]) -> bool:
    """Whether there are records of `kinds` enough for the read to pay for a child (and one can be started here)."""
    if not sys.platform.startswith("linux") or not sys.executable or not kinds:
        return False
    values = sorted(k.value for k in kinds)
    # Counted on the kind index up to the threshold only.
    (found,) = c.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM records WHERE kind IN ({','.join('?' * len(values))}) LIMIT ?)",
        (*values, CHILD_FROM),
    ).fetchone()
    return int(found) >= CHILD_FROM


def read_in_child(
    path: Path, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None
) -> LinkColumns:
    """`read_link_columns` of the store file at `path`, run in a child process in a transaction of its own."""
    request = {
        "path": str(path),
        "kinds": sorted(k.value for k in kinds),
        "identifier_kinds": None if identifier_kinds is None else sorted(k.value for k in identifier_kinds),
        "parent": os.getpid(),
    }
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p))
    child = subprocess.Popen(
        [sys.executable, "-m", "graph.sqlite.link_reader"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        output, errors = child.communicate(json.dumps(request).encode())
    except BaseException:
        child.kill()
        child.wait()
        raise
    if child.returncode != 0:
        lines = errors.decode(errors="replace").strip().splitlines()
        # The last line names the error (type and message); values are never part of a read's errors.
        reason = lines[-1] if lines else f"exit code {child.returncode}"
        raise GraphStoreError(f"read link columns: the reader process failed ({reason})")
    raw: RawLinkColumns = pickle.loads(output)  # noqa: S301 - made by our own child process
    return raw.columns()


def _main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    die_with(request["parent"])  # (started on Linux only: see worth_a_child)
    connection = sqlite3.connect(request["path"], isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 60000")
        connection.execute("BEGIN")  # one snapshot for the three statements
        kinds = [RecordKind(k) for k in request["kinds"]]
        held = request["identifier_kinds"]
        raw = read_raw_link_columns(connection, kinds, None if held is None else [IdentifierKind(k) for k in held])
        connection.execute("ROLLBACK")
    finally:
        connection.close()
    sys.stdout.buffer.write(pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main()
