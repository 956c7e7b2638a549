"""Neo4j node property maps hold only what Bolt carries: an integer beyond signed 64 bits (a uint64 ID, which the
record's JSON and the SQLite store take) in an event's nested properties or an entity's trait would make the driver
fail the whole write, with an error quoting the value."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.model import Entity, EntityKind, Record, RecordKey, RecordKind
from graph.neo4j import rows

BIG = 2**63  # one past the largest Bolt integer
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_event_facts_leave_out_integers_beyond_64_bits() -> None:
    properties = {
        "type": "purchase",
        "timestamp": "2024-03-01T10:00:00Z",
        "properties": {"order": BIG, "low": -BIG - 1, "edge": BIG - 1, "flag": True, "sku": "A-1"},
    }
    event = Record(kind=RecordKind.EVENT, key=RecordKey("web", "e1"), properties=properties)
    node = rows.record_rows([event])[RecordKind.EVENT][0]["node"]
    assert "properties.order" not in node and "properties.low" not in node
    assert node["properties.edge"] == BIG - 1 and node["properties.flag"] is True and node["properties.sku"] == "A-1"
    assert node["type"] == "purchase" and node["source_id"] == "e1"
    assert rows.decode_json(node["properties"]) == properties  # the JSON text keeps every value


def test_entity_nodes_leave_out_trait_values_beyond_64_bits() -> None:
    traits = {
        "loyalty_id": {"value": BIG},
        "scores": {"value": [1, BIG]},
        "visits": {"value": -(2**63)},
        "tags": {"value": ["a", "b"]},
    }
    entity = Entity(id="p1", kind=EntityKind.PROFILE, traits=traits, members=(), created_at=T0)
    node = rows.entity_rows([entity])[EntityKind.PROFILE][0]["node"]
    assert "trait.loyalty_id" not in node and "trait.scores" not in node
    assert node["trait.visits"] == -(2**63) and node["trait.tags"] == ["a", "b"]
    assert rows.decode_json(node["traits"]) == traits


def test_bolt_properties_keep_every_other_value() -> None:
    values = {"s": "x", "f": 1e300, "b": False, "i": 7, "l": [1.5, 2.5], "e": []}
    assert rows.bolt_properties(values) == values
