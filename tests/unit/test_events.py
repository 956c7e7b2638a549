"""Event facts: the UTC time key agrees with SQLite's strftime; Neo4j event nodes and event queries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from graph.events import event_node_facts, time_key
from graph.model import Record, RecordKey, RecordKind
from graph.neo4j import cypher, rows
from graph.neo4j import events as neo4j_events
from graph.neo4j.store import Neo4jGraphStore
from tests.unit.test_neo4j_cypher import FakeDriver, FakeResult, fake_store

TIMESTAMPS = [
    "2024-01-02T03:04:05+00:00",
    "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05.123456+00:00",
    "2024-01-02T03:04:05.1239+02:00",
    "2024-01-02T03:04:05.999700-05:30",
    "2024-12-31T23:59:59.9996+00:00",
    "2024-12-31T23:59:59.9996+01:00",
    "2024-12-31T23:59:58.9996",
    "2024-01-02 03:04:05",
    "2024-01-02",
]


@pytest.mark.parametrize("text", TIMESTAMPS)
def test_time_key_is_what_sqlite_strftime_gives(text: str) -> None:
    sqlite_key = sqlite3.connect(":memory:").execute("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?)", (text,)).fetchone()[0]
    assert time_key(text) == sqlite_key


def test_time_key_of_datetimes_and_garbage() -> None:
    assert time_key(datetime(2024, 1, 2, 3, 4, 5, 999600, tzinfo=UTC)) == "2024-01-02T03:04:06.000Z"
    assert time_key(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05.000Z"  # naive is UTC
    assert time_key(datetime(2024, 1, 2, 8, 4, 5, tzinfo=timezone(timedelta(hours=5)))) == "2024-01-02T03:04:05.000Z"
    assert time_key("yesterday") is None
    assert time_key(None) is None


def test_event_node_facts_keep_scalars_only() -> None:
    facts = event_node_facts(
        {
            "type": "transaction",
            "timestamp": "2024-03-01T01:30:00+08:00",
            "amount": 12,
            "channel": "pos",
            "currency": "CNY",
            "quantity": True,  # not a number
            "properties": {"city": "Shanghai", "items": ["a"], "vip": True, "score": 1.5, "nested": {"x": 1}},
        }
    )
    assert facts == {
        "type": "transaction",
        "at": "2024-02-29T17:30:00.000Z",
        "amount": 12.0,
        "channel": "pos",
        "currency": "CNY",
        "quantity": None,
        "properties.city": "Shanghai",
        "properties.vip": True,
        "properties.score": 1.5,
    }


def test_neo4j_event_nodes_carry_their_facts() -> None:
    event = Record(
        kind=RecordKind.EVENT,
        key=RecordKey("web", "e1"),
        properties={"type": "page_view", "timestamp": "2024-03-01T00:00:00Z"},
    )
    row = rows.record_rows([event])[RecordKind.EVENT][0]
    assert row["node"] == {
        "source": "web",
        "source_id": "e1",
        "properties": row["properties"],
        "type": "page_view",
        "at": "2024-03-01T00:00:00.000Z",
    }
    assert "r = row.node" in cypher.merge_records(RecordKind.EVENT)
    assert "row.node" not in cypher.merge_records(RecordKind.CUSTOMER)


def test_neo4j_events_of_sends_normalised_parameters() -> None:
    def answer(query: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        if query != neo4j_events.EVENTS_OF:
            return []
        return [
            {
                "actor_source": "crm",
                "actor_source_id": "ann",
                "source": "web",
                "source_id": "e1",
                "properties": '{"type":"purchase"}',
                "at": "2024-03-01T00:00:00.000Z",
            }
        ]

    store, driver = fake_store(answer)
    found = store.events_of(
        [RecordKey("crm", "ann"), RecordKey("crm", "ann")],
        types=["purchase"],
        since=datetime(2024, 1, 1, tzinfo=UTC),
        before=("2024-03-02T01:00:00+01:00", RecordKey("web", "e9")),
        limit=5,
    )
    assert found == [
        (
            RecordKey("crm", "ann"),
            Record(kind=RecordKind.EVENT, key=RecordKey("web", "e1"), properties={"type": "purchase"}),
        )
    ]
    assert driver.queries("read") == [neo4j_events.EVENTS_OF]
    assert driver.parameters(neo4j_events.EVENTS_OF) == [
        {
            "actors": [{"source": "crm", "source_id": "ann"}],
            "types": ["purchase"],
            "since": "2024-01-01T00:00:00.000Z",
            "until": None,
            "before_at": "2024-03-02T00:00:00.000Z",
            "before_source": "web",
            "before_source_id": "e9",
            "limit": 5,
        }
    ]
    assert store.events_of([]) == []
    assert len(driver.queries()) == 1


def test_an_older_neo4j_store_gets_its_event_facts_backfilled() -> None:
    pages = [[{"source": "web", "source_id": "e1", "properties": '{"type":"purchase","timestamp":"2024-03-01"}'}]]

    class OlderStore(FakeDriver):
        def run(self, query: str, parameters: dict[str, Any] | None = None) -> Any:
            if query == cypher.MERGE_SCHEMA_VERSION:
                self.sent.append((self.mode, query, parameters or {}))
                return FakeResult([{"version": 3}])
            return super().run(query, parameters)

    driver = OlderStore(
        lambda query, parameters: pages.pop() if query == neo4j_events.EVENTS_WITHOUT_FACTS and pages else []
    )
    Neo4jGraphStore(driver, database=None)  # type: ignore[arg-type]
    [update] = driver.parameters(neo4j_events.SET_EVENT_NODES)
    assert update["rows"][0]["node"]["at"] == "2024-03-01T00:00:00.000Z"
    assert update["rows"][0]["node"]["type"] == "purchase"
    assert driver.queries("write")[-1] == cypher.SET_SCHEMA_VERSION
