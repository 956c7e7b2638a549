"""The entity_history rows a resolution's write makes of its history events."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from graph import HistoryAction, HistoryEvent, RecordKey
from graph.sqlite.resolution import history_rows


def test_history_rows_hold_each_event_as_text_and_json_arrays() -> None:
    at = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    merged = HistoryEvent(
        entity_id="p-1",
        at=at,
        action=HistoryAction.MERGED,
        cause="resolve",
        records=(RecordKey("crm", "7"), RecordKey("web", "a\x1fb")),
        others=("p-2", "p-3"),
    )
    created = HistoryEvent(entity_id="p-4", at=at, action=HistoryAction.CREATED, cause="full resolve")

    rows = list(history_rows([merged, created]))

    assert rows == [
        ("p-1", at.isoformat(), "merged", "resolve", '[["crm","7"],["web","a\\u001fb"]]', '["p-2","p-3"]'),
        ("p-4", at.isoformat(), "created", "full resolve", "[]", "[]"),
    ]
    assert orjson.loads(rows[0][4]) == [["crm", "7"], ["web", "a\x1fb"]]
