"""The first fill of the SQLite store's blocking index (a first batch resolve): a million records' keys in two
statements, with no Python work per row.

The keys go in as one JSON text; SQLite finds each record's id (one look-up per record) and inserts the (key,
record) rows sorted, inside statements that let go of the GIL for their whole length, so the resolver's own work
goes on on the other core meanwhile. Row by row (executemany, and a scan of the records to find their ids in
Python) the same write held the GIL for about half of its time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

import orjson

from graph.model import RecordKey
from graph.sqlite import bulk


def fill(c: sqlite3.Connection, keys: Mapping[RecordKey, Sequence[str]]) -> bool:
    """Insert every record's keys into the empty `blocking_keys` table, inside the caller's transaction. False (and
    nothing written) when it cannot: a record of `keys` is not stored, or a value holds a NUL character (which
    SQLite's JSON functions do not keep); the caller then writes them the general way."""
    text = orjson.dumps([[key[0], key[1], _listed(blocks)] for key, blocks in keys.items()]).decode()
    if "\\u0000" in text:
        return False
    c.execute(
        "CREATE TEMP TABLE staged_blocking AS SELECT r.id AS record_id, e.value -> 2 AS blocks FROM json_each(?) e"
        " JOIN records r ON r.source = e.value ->> 0 AND r.source_id = e.value ->> 1",
        [text],
    )
    del text
    try:
        if c.execute("SELECT count(*) FROM temp.staged_blocking").fetchone()[0] != len(keys):
            return False  # a record that is not stored (keys are distinct, and so are stored records)
        with bulk.cache_of(c, bulk.SORT_CACHE_KIB), bulk.filling(c, "blocking_keys", len(keys)):
            # WHERE true: an upsert's SELECT needs a WHERE clause to be parsed as one.
            c.execute(
                "INSERT INTO blocking_keys (key, record_id) SELECT b.value, s.record_id"
                " FROM temp.staged_blocking s, json_each(s.blocks) b WHERE true ORDER BY 1, 2 ON CONFLICT DO NOTHING"
            )
    finally:
        c.execute("DROP TABLE temp.staged_blocking")
    return True


def _listed(blocks: Sequence[str]) -> Sequence[str]:
    return blocks if isinstance(blocks, (list, tuple)) else list(blocks)
