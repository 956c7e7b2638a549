"""Golden-record traits of an entity from its member records, each with the record it came from."""

from __future__ import annotations

from collections.abc import Iterable

from graph import Properties, Record


def golden_traits(records: Iterable[Record]) -> Properties:
    """`{name: {"value": ..., "record": "source/source_id"}}`: each property's first non-empty value,
    taking records in key order."""
    traits: Properties = {}
    for record in sorted(records, key=lambda r: r.key):
        for name, value in sorted(record.properties.items()):
            if name not in traits and value not in (None, "", [], {}):
                traits[name] = {"value": value, "record": str(record.key)}
    return traits
