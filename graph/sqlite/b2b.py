"""SQL of the SQLite store's B2B reads: batched neighbours, and organisations found by a company name or domain.

The name search walks `company_search` (a migration's FTS5 trigram index over each Company record's name and
domains, kept current by triggers on `records`), so a substring search costs index look-ups, not a scan of every
company. Trigrams need 3 characters: shorter text (a two-character Chinese brand such as 瑜文) scans the index's
text instead, which is still far smaller than the records table.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from graph.model import Direction, Neighbour, RecordKey, RelType

NeighbourRow = tuple[str, str, str, str, str, str, str]  # this source, source_id; other kind, source, id; props x2

# What the index holds for a Company record: its name, its domain and its domains, one per line.
_COMPANY_TEXT = """
    coalesce(json_extract({row}.properties, '$.name'), '') || char(10) ||
    coalesce(json_extract({row}.properties, '$.domain'), '') || char(10) ||
    coalesce((SELECT group_concat(value, char(10)) FROM json_each({row}.properties, '$.domains')), '')"""

# Migration: the index, its triggers and its backfill (appended to graph.sqlite.migrations.MIGRATIONS).
COMPANY_SEARCH_MIGRATION = f"""
CREATE VIRTUAL TABLE company_search USING fts5(text, tokenize = 'trigram');

CREATE TRIGGER company_search_on_insert AFTER INSERT ON records WHEN NEW.kind = 'Company'
BEGIN
    INSERT INTO company_search (rowid, text) VALUES (NEW.id, {_COMPANY_TEXT.format(row="NEW")});
END;

CREATE TRIGGER company_search_on_update AFTER UPDATE OF properties ON records WHEN NEW.kind = 'Company'
BEGIN
    DELETE FROM company_search WHERE rowid = OLD.id;
    INSERT INTO company_search (rowid, text) VALUES (NEW.id, {_COMPANY_TEXT.format(row="NEW")});
END;

CREATE TRIGGER company_search_on_delete AFTER DELETE ON records WHEN OLD.kind = 'Company'
BEGIN
    DELETE FROM company_search WHERE rowid = OLD.id;
END;

INSERT INTO company_search (rowid, text)
SELECT r.id, {_COMPANY_TEXT.format(row="r")} FROM records r WHERE r.kind = 'Company';
"""


def neighbour_rows(
    c: sqlite3.Connection, keys: Sequence[RecordKey], rel: RelType, direction: Direction
) -> list[NeighbourRow]:
    """The relationships of type `rel` from (OUT) or to (IN) each of `keys` (at most 500), with the other end."""
    if not keys:
        return []
    near, far = ("start_id", "end_id") if direction is Direction.OUT else ("end_id", "start_id")
    # Incoming: walk relations_by_end (end_id, type), as GraphStore.neighbours does.
    index = "" if direction is Direction.OUT else " INDEXED BY relations_by_end"
    values = ",".join(["(?, ?)"] * len(keys))
    rows: list[NeighbourRow] = c.execute(
        f"WITH k(source, source_id) AS (VALUES {values})"
        " SELECT this.source, this.source_id, other.kind, other.source, other.source_id, other.properties,"
        " rel.properties FROM k JOIN records this ON this.source = k.source AND this.source_id = k.source_id"
        f" JOIN relations rel{index} ON rel.{near} = this.id AND rel.type = ?"
        f" JOIN records other ON other.id = rel.{far}",
        [part for key in keys for part in key] + [rel.value],
    ).fetchall()
    return rows


def group_neighbours(found: list[tuple[RecordKey, Neighbour]]) -> dict[RecordKey, list[Neighbour]]:
    grouped: dict[RecordKey, list[Neighbour]] = defaultdict(list)
    for key, neighbour in found:
        grouped[key].append(neighbour)
    return {key: sorted(items, key=lambda n: n.record.key) for key, items in grouped.items()}


def _match(text: str) -> tuple[str, list[str]]:
    """The condition on `company_search s` finding `text` anywhere in a company's name or domains, and its
    parameters. FTS5 trigram phrase for 3+ characters; a case-folded scan of the index text for shorter ones."""
    if len(text) >= 3:
        return "company_search MATCH ?", ['"' + text.replace('"', '""') + '"']
    return "instr(lower(s.text), ?) > 0", [text.lower()]


def search_organization_ids(c: sqlite3.Connection, text: str, after: str | None, limit: int) -> list[str]:
    condition, params = _match(text)
    rows = c.execute(
        "SELECT DISTINCT rt.entity_id FROM company_search s JOIN resolves_to rt ON rt.record_id = s.rowid"
        f" WHERE {condition} AND rt.entity_id > ? ORDER BY rt.entity_id LIMIT ?",
        [*params, after or "", limit],
    ).fetchall()
    return [entity_id for (entity_id,) in rows]


def count_organizations(c: sqlite3.Connection, text: str) -> int:
    condition, params = _match(text)
    row = c.execute(
        "SELECT count(DISTINCT rt.entity_id) FROM company_search s JOIN resolves_to rt ON rt.record_id = s.rowid"
        f" WHERE {condition}",
        params,
    ).fetchone()
    return int(row[0])
