"""Reading entities' merge and split history: each asked ID's own events and those of the IDs merged into it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from graph.model import HistoryAction, HistoryEvent, RecordKey


def histories(c: sqlite3.Connection, ids: Sequence[str]) -> dict[str, list[HistoryEvent]]:
    """The history of each of `ids` (at most a few hundred), oldest first; an ID with none maps to []."""
    asked = list(dict.fromkeys(ids))
    marks = ",".join("?" * len(asked))
    # The events of each asked ID and of its aliases, tagged with the asked ID. An alias belongs to one survivor,
    # and an asked alias has no aliases of its own, so no event row is tagged twice for one asked ID.
    rows = c.execute(
        f"SELECT h.entity_id, h.entity_id, h.at, h.action, h.cause, h.records, h.others, h.id"
        f" FROM entity_history h WHERE h.entity_id IN ({marks})"
        f" UNION ALL SELECT a.entity_id, h.entity_id, h.at, h.action, h.cause, h.records, h.others, h.id"
        f" FROM entity_aliases a JOIN entity_history h ON h.entity_id = a.alias WHERE a.entity_id IN ({marks})"
        " ORDER BY 8",
        (*asked, *asked),
    ).fetchall()
    found: dict[str, list[HistoryEvent]] = {entity_id: [] for entity_id in asked}
    for owner, entity_id, at, action, cause, records, others, _ in rows:
        found[owner].append(
            HistoryEvent(
                entity_id=entity_id,
                at=datetime.fromisoformat(at),
                action=HistoryAction(action),
                cause=cause,
                records=tuple(RecordKey(*key) for key in json.loads(records)),
                others=tuple(json.loads(others)),
            )
        )
    return found
