"""Event facts shared by the backends: the sortable UTC time key of an event and its indexed scalar properties.

An event's `timestamp` property is ISO-8601 text. Both backends index it as `at`: UTC text of one fixed shape,
`YYYY-MM-DDTHH:MM:SS.mmmZ` (milliseconds, rounded half up), which sorts as time does. It is exactly what
SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ', timestamp)` gives, so the SQLite index (kept by graph.sqlite.writes)
and the Neo4j node property (filled here) agree, and so do cursors built from either.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

# Scalar properties of an event record that both backends index (SQLite columns, Neo4j node properties).
EVENT_FACTS = ("type", "at", "amount", "channel", "currency", "quantity")
# Prefix of the flattened scalar entries of an event's nested `properties` object on a Neo4j Event node.
NESTED_PREFIX = "properties."


def time_key(value: str | datetime | None) -> str | None:
    """The `at` key of a timestamp (ISO text or datetime; naive means UTC); None if it is not a timestamp."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    shifted = value.utcoffset() != timedelta(0)
    value = value.astimezone(UTC)
    millis, micros = divmod(value.microsecond, 1000)
    value = value.replace(microsecond=millis * 1000)
    if micros >= 500:
        if millis == 999 and value.second == 59 and not shifted:
            pass  # like SQLite: an unshifted time's seconds stop at 59.999 instead of carrying into the minute
        else:
            value += timedelta(milliseconds=1)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def event_node_facts(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed facts of an event record as Neo4j node properties (None values remove a property).

    Besides `EVENT_FACTS`, every scalar entry of the nested `properties` object is kept as
    `properties.<name>` so that segment conditions can filter on it without parsing JSON in Cypher.
    """
    event_type = properties.get("type")
    channel = properties.get("channel")
    currency = properties.get("currency")
    quantity = properties.get("quantity")
    timestamp = properties.get("timestamp")
    facts: dict[str, Any] = {
        "type": event_type if isinstance(event_type, str) else None,
        "at": time_key(timestamp) if isinstance(timestamp, (str, datetime)) else None,
        "amount": _number(properties.get("amount")),
        "channel": channel if isinstance(channel, str) else None,
        "currency": currency if isinstance(currency, str) else None,
        "quantity": _number(quantity),
    }
    nested = properties.get("properties")
    if isinstance(nested, Mapping):
        for name, value in nested.items():
            if isinstance(value, (str, int, float, bool)):
                facts[NESTED_PREFIX + str(name)] = value
    return facts
