"""The names segment conditions may filter on, and how entity traits are laid out as Neo4j node properties.

Traits are JSON on both backends (`{"name": {"value": ..., "record": ..., "policy": ...}}`). Cypher cannot read
JSON, so a Neo4j entity node also carries each trait's value as the property `trait.<name>` (scalars and lists
of one scalar type only); the Cypher compiler reads `p[$name]` with the prefixed name as a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graph.events import NESTED_PREFIX

TRAIT_PREFIX = "trait."
# Explicit consent changes made through the API are events of this type with nested properties {purpose, granted}
# (api.ingest.consent writes them; a unit test keeps the two in step). The latest one wins over the golden trait.
CONSENT_EVENT = "consent_change"
# Trait names and event property names: word characters, spaces, dots and dashes; never quotes or control characters,
# so that they can sit inside a quoted JSON path (which is still passed as a parameter).
NAME_PATTERN = r"^\w[\w .\-]{0,99}$"
_NAME = re.compile(NAME_PATTERN)

# Event fields a condition may filter, sum or count distinct values of, besides `properties.<name>`.
EVENT_FIELDS = frozenset({"channel", "amount", "currency", "quantity"})
NUMERIC_EVENT_FIELDS = frozenset({"amount", "quantity"})


def is_name(text: str) -> bool:
    """Whether `text` is an acceptable trait or event property name."""
    return bool(_NAME.fullmatch(text))


def check_event_field(field: str) -> str:
    """`field` if it names an event field (`channel`, `amount`, ... or `properties.<name>`), else ValueError."""
    if field in EVENT_FIELDS:
        return field
    if field.startswith(NESTED_PREFIX) and is_name(field[len(NESTED_PREFIX) :]):
        return field
    known = ", ".join(sorted(EVENT_FIELDS))
    raise ValueError(f"unknown event field {field!r}: use one of {known} or properties.<name>")


def _storable(value: Any) -> bool:
    if isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list) and value:
        first = type(value[0])
        return first in (str, bool, int, float) and all(type(item) is first for item in value)
    return isinstance(value, list)


def node_traits(traits: Mapping[str, Any]) -> dict[str, Any]:
    """The `trait.<name>` node properties of an entity's traits (values Neo4j cannot store are left out)."""
    found: dict[str, Any] = {}
    for name, trait in traits.items():
        value = trait.get("value") if isinstance(trait, Mapping) else None
        if value is not None and _storable(value):
            found[TRAIT_PREFIX + name] = value
    return found
