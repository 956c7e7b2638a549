"""SQLite side of erasure (migration 6): forget an entity in one transaction, and the suppression list.

Deleting a record cascades (foreign keys) to its identifier links, relationships (SAME_AS, PERFORMED, WORKS_AT,
...), RESOLVES_TO, blocking keys and event index rows; deleting the entity cascades to its aliases. Store
connections run with secure_delete on, so the deleted rows are overwritten with zeros, and the erasure ends by
emptying the WAL, whose older frames would otherwise keep page images of the erased rows.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

import orjson

from graph.erasure import ErasureCounts, ErasureRequest, Suppressor, history_needle, without_records
from graph.model import Identifier, IdentifierKind, RecordKey

logger = logging.getLogger(__name__)

# Keys per IN (...) list.
_CHUNK = 500


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


def _ids(c: sqlite3.Connection, query: str, ids: Sequence[int]) -> set[int]:
    """The integer column of `query` run with an IN list (`{marks}`) of each chunk of `ids`."""
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(int(row[0]) for row in c.execute(query.format(marks=_marks(chunk)), list(chunk)))
    return found


def erase_entity(c: sqlite3.Connection, entity_id: str, suppress: Suppressor, at: datetime) -> ErasureRequest | None:
    """Forget the entity with this ID or alias (see GraphStore.erase_entity); None if there is no such entity."""
    row = c.execute(
        "SELECT id FROM entities WHERE id = ? UNION ALL SELECT entity_id FROM entity_aliases WHERE alias = ? LIMIT 1",
        (entity_id, entity_id),
    ).fetchone()
    if row is None:
        return None
    entity = str(row[0])
    members = [
        (int(rid), RecordKey(source, source_id))
        for rid, source, source_id in c.execute(
            "SELECT r.id, r.source, r.source_id FROM resolves_to t JOIN records r ON r.id = t.record_id"
            " WHERE t.entity_id = ?",
            (entity,),
        )
    ]
    member_ids = [rid for rid, _ in members]
    # The events they performed (every event has exactly one actor, so these are theirs alone).
    event_ids = sorted(
        _ids(c, "SELECT end_id FROM relations WHERE type = 'PERFORMED' AND start_id IN ({marks})", member_ids)
    )
    doomed_list = sorted({*member_ids, *event_ids})
    held = sorted(_ids(c, "SELECT identifier_id FROM record_identifiers WHERE record_id IN ({marks})", doomed_list))
    # Identifiers also held by a record that stays are kept (and not suppressed: they are someone else's too).
    still_held: set[int] = set()
    for chunk in _chunks(held):
        still_held.update(
            int(i)
            for (i,) in c.execute(
                f"SELECT DISTINCT identifier_id FROM record_identifiers WHERE identifier_id IN ({_marks(chunk)})"
                " AND record_id NOT IN (SELECT value FROM json_each(?))",
                [*chunk, orjson.dumps(doomed_list).decode()],
            )
        )
    alone = [i for i in held if i not in still_held]
    identifiers = [
        Identifier(IdentifierKind(kind), value, system)
        for chunk in _chunks(alone)
        for kind, value, system in c.execute(
            f"SELECT kind, value, system FROM identifiers WHERE id IN ({_marks(chunk)})", list(chunk)
        )
    ]
    keys = [key for _, key in members]
    suppressed_items: list[Identifier | RecordKey] = [*identifiers, *keys]
    hashes = sorted({suppress(item) for item in suppressed_items})
    aliases = [str(a) for (a,) in c.execute("SELECT alias FROM entity_aliases WHERE entity_id = ?", (entity,))]
    history = 0
    for ids in _chunks([entity, *aliases]):
        history += c.execute(f"DELETE FROM entity_history WHERE entity_id IN ({_marks(ids)})", list(ids)).rowcount
    history_mentions = _scrub_history(c, keys)
    overrides = _delete_overrides(c, keys)
    for chunk in _chunks(doomed_list):
        c.execute(f"DELETE FROM records WHERE id IN ({_marks(chunk)})", list(chunk))
    for chunk in _chunks(alone):
        c.execute(f"DELETE FROM identifiers WHERE id IN ({_marks(chunk)})", list(chunk))
    c.execute("DELETE FROM entities WHERE id = ?", (entity,))
    before = c.total_changes
    c.executemany(
        "INSERT INTO suppressions (hash, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(h, at.isoformat()) for h in hashes],
    )
    request = ErasureRequest(
        entity_id=entity,
        requested_at=at,
        completed_at=at,
        counts=ErasureCounts(
            records=len(members),
            events=len(event_ids),
            identifiers=len(alone),
            entities=1,
            aliases=len(aliases),
            history=history,
            history_mentions=history_mentions,
            overrides=overrides,
            suppressed=c.total_changes - before,
        ),
    )
    text = request.model_dump_json()
    # The request is found by the entity's ID and by each of its merged-away IDs.
    c.executemany(
        "INSERT INTO erasures (id, request) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET request = excluded.request",
        [(i, text) for i in [entity, *aliases]],
    )
    return request


def empty_wal(c: sqlite3.Connection, *, retry_s: float = 2.0) -> bool:
    """Checkpoint the whole WAL into the database file and truncate it; False if it stayed busy.

    Each attempt waits up to the busy timeout for readers of older snapshots; another checkpoint running at the
    same moment (the store's background checkpointer) makes SQLite give up at once, so attempts go on for up to
    `retry_s`. Call with no transaction open on `c`.
    """
    deadline = time.monotonic() + retry_s
    while True:
        busy, _, _ = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
        if time.monotonic() > deadline:
            logger.warning("erasure: the WAL stayed busy; erased page images stay in it until it is truncated")
            return False
        time.sleep(0.01)


def _scrub_history(c: sqlite3.Connection, keys: Sequence[RecordKey]) -> int:
    """Remove the deleted records from other entities' history (a split or merge they took part in); the count.

    The events themselves stay: that an entity split or merged at that time is not the erased person's data.
    """
    doomed = set(keys)
    removed = 0
    for chunk in _chunks(sorted(keys)):
        needles = sorted({history_needle(key.source_id) for key in chunk})
        found = c.execute(
            "SELECT id, records FROM entity_history WHERE " + " OR ".join(["instr(records, ?)"] * len(needles)),
            needles,
        ).fetchall()
        for history_id, text in found:
            before = orjson.loads(text)
            kept = without_records(before, doomed)
            if len(kept) == len(before):
                continue
            removed += len(before) - len(kept)
            c.execute("UPDATE entity_history SET records = ? WHERE id = ?", (orjson.dumps(kept).decode(), history_id))
    return removed


def _delete_overrides(c: sqlite3.Connection, keys: Sequence[RecordKey]) -> int:
    deleted = 0
    for chunk in _chunks(keys):
        pairs = orjson.dumps([list(k) for k in chunk]).decode()
        deleted += c.execute(
            "DELETE FROM overrides WHERE EXISTS (SELECT 1 FROM json_each(?) j WHERE"
            " (json_extract(j.value, '$[0]') = a_source AND json_extract(j.value, '$[1]') = a_id)"
            " OR (json_extract(j.value, '$[0]') = b_source AND json_extract(j.value, '$[1]') = b_id))",
            (pairs,),
        ).rowcount
    return deleted


def erasure_request(c: sqlite3.Connection, entity_id: str) -> ErasureRequest | None:
    row = c.execute("SELECT request FROM erasures WHERE id = ?", (entity_id,)).fetchone()
    return None if row is None else ErasureRequest.model_validate_json(row[0])


def suppressed(c: sqlite3.Connection, hashes: Collection[str]) -> set[str]:
    unique = sorted(set(hashes))
    found: set[str] = set()
    for chunk in _chunks(unique):
        found.update(
            str(h) for (h,) in c.execute(f"SELECT hash FROM suppressions WHERE hash IN ({_marks(chunk)})", list(chunk))
        )
    return found


def iter_suppressed(c: sqlite3.Connection) -> Iterator[str]:
    for (h,) in c.execute("SELECT hash FROM suppressions ORDER BY hash"):
        yield str(h)
