"""Conversions between the model and Neo4j rows: query parameters out, model objects back from result rows.

JSON-valued properties (record and relation properties, entity traits, documents) may nest maps, which
Neo4j cannot store as a property, so they travel as one JSON string, and so do the record keys and entity
IDs of a history event; `created_at` and `at` travel as ISO-8601 strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from graph.errors import GraphStoreError
from graph.events import event_node_facts
from graph.model import (
    Entity,
    EntityKind,
    HistoryAction,
    HistoryEvent,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Override,
    OverrideKind,
    Properties,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelationKey,
    RelType,
)
from graph.segments.fields import node_traits

Row = dict[str, Any]
ResultRow = Mapping[str, Any]
_T = TypeVar("_T")

_RECORD_LABELS = frozenset(kind.value for kind in RecordKind)
_IDENTIFIER_LABELS = frozenset(kind.value for kind in IdentifierKind)
_ENTITY_LABELS = frozenset(kind.value for kind in EntityKind)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1  # the range of a Bolt (and Neo4j) integer

# -- values --------------------------------------------------------------------------------------------------


def encode_json(properties: Mapping[str, Any]) -> str:
    """One JSON object as text, with sorted keys so equal properties store as equal strings."""
    return json.dumps(properties, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def decode_json(text: str | None) -> Properties:
    """The JSON object stored by `encode_json`; a missing property reads as an empty object."""
    if text is None:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise GraphStoreError(f"stored properties are a JSON {type(value).__name__}, not an object")
    return value


def encode_json_list(items: Iterable[Any]) -> str:
    """One JSON array as text."""
    return json.dumps(list(items), ensure_ascii=False, separators=(",", ":"))


def decode_json_list(text: str | None) -> list[Any]:
    """The JSON array stored by `encode_json_list`; a missing property reads as an empty list."""
    if text is None:
        return []
    value = json.loads(text)
    if not isinstance(value, list):
        raise GraphStoreError(f"stored list is a JSON {type(value).__name__}, not an array")
    return value


def encode_datetime(value: datetime) -> str:
    """ISO-8601 text with its UTC offset; a naive datetime is taken to be UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def decode_datetime(value: object) -> datetime:
    """A timezone-aware datetime from ISO-8601 text (or a Neo4j temporal value written by other tools)."""
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        parsed = value
    elif hasattr(value, "to_native"):  # neo4j.time.DateTime
        native = value.to_native()
        if not isinstance(native, datetime):
            raise GraphStoreError(f"a stored date-time is a {type(value).__name__}, not a date-time")
        parsed = native
    else:
        raise GraphStoreError(f"a stored date-time is a {type(value).__name__}, not a date-time")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _bolt_value(value: Any) -> bool:
    """Whether a node property value can travel in a Bolt message: its integers (alone or in a list) are 64-bit."""
    if isinstance(value, list):
        return all(_bolt_value(item) for item in value)
    return isinstance(value, bool) or not isinstance(value, int) or _INT64_MIN <= value <= _INT64_MAX


def bolt_properties(properties: Mapping[str, Any]) -> dict[str, Any]:
    """`properties` less the values Neo4j cannot take: an integer beyond signed 64 bits (which the record's JSON
    takes, up to 2**64 - 1 in the SQLite store) would make the driver fail the whole write with an OverflowError
    quoting the value. Such a fact or trait reads as missing, like one of another type; the JSON text keeps it."""
    return {name: value for name, value in properties.items() if _bolt_value(value)}


def entity_node_traits(traits: Mapping[str, Any]) -> dict[str, Any]:
    """The `trait.<name>` node properties of an entity's traits (graph.segments.fields) that Neo4j can store."""
    return bolt_properties(node_traits(traits))


def chunked(items: Sequence[_T], size: int) -> Iterator[list[_T]]:
    """Consecutive slices of at most `size` items."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# -- keys and labels -----------------------------------------------------------------------------------------


def key_row(key: RecordKey) -> Row:
    """The parameter map of a record key."""
    return {"source": key.source, "source_id": key.source_id}


def key_of(row: ResultRow) -> RecordKey:
    """The record key in a result row's `source` and `source_id` columns."""
    return RecordKey(str(row["source"]), str(row["source_id"]))


def record_kind_of(labels: Iterable[str], key: RecordKey) -> RecordKind:
    """The one record kind among a node's labels."""
    kinds = [RecordKind(label) for label in labels if label in _RECORD_LABELS]
    if len(kinds) != 1:
        raise GraphStoreError(f"record {key} has {len(kinds)} record-kind labels, expected 1")
    return kinds[0]


def entity_kind_of_labels(labels: Iterable[str]) -> EntityKind:
    """The one entity kind among a node's labels."""
    kinds = [EntityKind(label) for label in labels if label in _ENTITY_LABELS]
    if len(kinds) != 1:
        raise GraphStoreError(f"entity node has {len(kinds)} entity-kind labels, expected 1")
    return kinds[0]


# -- records, identifiers, relations -------------------------------------------------------------------------


def record_rows(records: Iterable[Record]) -> dict[RecordKind, list[Row]]:
    """Parameter rows per record kind; of records repeating a key, the last wins."""
    last = {record.key: record for record in records}
    rows: dict[RecordKind, list[Row]] = {}
    for record in last.values():
        row = key_row(record.key) | {"properties": encode_json(record.properties)}
        if record.kind is RecordKind.EVENT:
            # An Event node's whole property map: its key, properties and the indexed facts (graph.events).
            facts = bolt_properties(
                {name: value for name, value in event_node_facts(record.properties).items() if value is not None}
            )
            row["node"] = facts | row
        rows.setdefault(record.kind, []).append(row)
    return rows


def record_from_row(row: ResultRow) -> Record:
    """A record from a row with `source`, `source_id`, `labels` and `properties` columns."""
    key = key_of(row)
    return Record(kind=record_kind_of(row["labels"], key), key=key, properties=decode_json(row["properties"]))


def identifier_params(identifier: Identifier) -> Row:
    """The `value` and `system` parameters matching `cypher.identifier_pattern` and `cypher.records_with`."""
    return {"value": identifier.value, "system": identifier.system}


def link_rows(links: Iterable[IdentifierLink]) -> dict[IdentifierKind, list[Row]]:
    """Parameter rows per identifier kind, without repeats."""
    rows: dict[IdentifierKind, list[Row]] = {}
    for link in dict.fromkeys((link.record, link.identifier) for link in links):
        key, identifier = link
        rows.setdefault(identifier.kind, []).append(key_row(key) | identifier_params(identifier))
    return rows


def identifier_from_row(labels: Iterable[str], node: Mapping[str, Any]) -> Identifier:
    """An identifier from its node's labels and properties."""
    kinds = [IdentifierKind(label) for label in labels if label in _IDENTIFIER_LABELS]
    if len(kinds) != 1:
        raise GraphStoreError(f"identifier node has {len(kinds)} identifier-kind labels, expected 1")
    kind = kinds[0]
    system = str(node["system"]) if kind is IdentifierKind.ACCOUNT else ""
    return Identifier(kind, str(node[kind.key_property]), system)


def _ends_row(start: RecordKey, end: RecordKey) -> Row:
    return {
        "start_source": start.source,
        "start_source_id": start.source_id,
        "end_source": end.source,
        "end_source_id": end.source_id,
    }


def relation_rows(relations: Iterable[Relation]) -> dict[RelType, list[Row]]:
    """Parameter rows per relationship type; of relations repeating (type, start, end), the last wins."""
    last = {(relation.type, relation.start, relation.end): relation for relation in relations}
    rows: dict[RelType, list[Row]] = {}
    for relation in last.values():
        rows.setdefault(relation.type, []).append(
            _ends_row(relation.start, relation.end) | {"properties": encode_json(relation.properties)}
        )
    return rows


def relation_key_rows(keys: Iterable[RelationKey]) -> dict[RelType, list[Row]]:
    """Parameter rows (the keys of both ends) per relationship type, without repeats."""
    rows: dict[RelType, list[Row]] = {}
    for key in dict.fromkeys(keys):
        rows.setdefault(key.type, []).append(_ends_row(key.start, key.end))
    return rows


def relation_from_row(rel: RelType, row: ResultRow) -> Relation:
    """A relation of type `rel` from a row with the columns of `relation_rows`."""
    return Relation(
        type=rel,
        start=RecordKey(str(row["start_source"]), str(row["start_source_id"])),
        end=RecordKey(str(row["end_source"]), str(row["end_source_id"])),
        properties=decode_json(row["properties"]),
    )


# -- blocking index ------------------------------------------------------------------------------------------


def blocking_key_rows(keys: Mapping[RecordKey, Sequence[str]]) -> list[Row]:
    """One parameter row per (record, blocking key), without repeats, in the order given."""
    return [key_row(key) | {"key": block} for key, blocks in keys.items() for block in dict.fromkeys(blocks)]


def records_by_block(found: Iterable[ResultRow]) -> dict[str, list[RecordKey]]:
    """The sorted record keys of each blocking key in rows with `block`, `source` and `source_id` columns."""
    held: dict[str, set[RecordKey]] = {}
    for row in found:
        held.setdefault(str(row["block"]), set()).add(key_of(row))
    return {block: sorted(keys) for block, keys in held.items()}


# -- entities ------------------------------------------------------------------------------------------------


def entity_rows(entities: Iterable[Entity]) -> dict[EntityKind, list[Row]]:
    """Parameter rows per entity kind (members travel separately, see `member_rows`)."""
    rows: dict[EntityKind, list[Row]] = {}
    for entity in entities:
        row: Row = {
            "id": entity.id,
            "traits": encode_json(entity.traits),
            "created_at": encode_datetime(entity.created_at),
        }
        # The node's whole property map: also each trait's value as `trait.<name>`, for segment conditions.
        row["node"] = entity_node_traits(entity.traits) | row
        rows.setdefault(entity.kind, []).append(row)
    return rows


def member_rows(entities: Iterable[Entity]) -> dict[EntityKind, list[Row]]:
    """One parameter row per (member record, entity), per entity kind."""
    rows: dict[EntityKind, list[Row]] = {}
    for entity in entities:
        kind_rows = rows.setdefault(entity.kind, [])
        kind_rows.extend(key_row(member) | {"entity_id": entity.id} for member in dict.fromkeys(entity.members))
    return rows


def entity_from_row(kind: EntityKind, row: ResultRow) -> Entity:
    """An entity from a row with `id`, `traits`, `created_at` and `members` ([source, source_id] pairs)."""
    members = sorted(RecordKey(str(source), str(source_id)) for source, source_id in row["members"])
    return Entity(
        id=str(row["id"]),
        kind=kind,
        traits=decode_json(row["traits"]),
        members=tuple(members),
        created_at=decode_datetime(row["created_at"]),
    )


# -- history -------------------------------------------------------------------------------------------------


def history_rows(events: Sequence[HistoryEvent], first_seq: int) -> list[Row]:
    """Parameter rows of history events, numbered `first_seq`, `first_seq + 1`, ... in the given order."""
    return [
        {
            "entity_id": event.entity_id,
            "seq": first_seq + offset,
            "at": encode_datetime(event.at),
            "action": event.action.value,
            "cause": event.cause,
            "records": encode_json_list([key.source, key.source_id] for key in event.records),
            "others": encode_json_list(event.others),
        }
        for offset, event in enumerate(events)
    ]


def history_from_row(row: ResultRow) -> HistoryEvent:
    """A history event from a row with the columns of `history_rows` (`seq` is only for ordering)."""
    records: list[RecordKey] = []
    for pair in decode_json_list(row["records"]):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise GraphStoreError("a stored history event holds a record key that is not a [source, id] pair")
        records.append(RecordKey(str(pair[0]), str(pair[1])))
    return HistoryEvent(
        entity_id=str(row["entity_id"]),
        at=decode_datetime(row["at"]),
        action=HistoryAction(row["action"]),
        cause=str(row["cause"]),
        records=tuple(records),
        others=tuple(str(other) for other in decode_json_list(row["others"])),
    )


def in_history_order(found: Iterable[ResultRow]) -> list[HistoryEvent]:
    """History events from result rows, oldest (lowest `seq`) first."""
    return [history_from_row(row) for row in sorted(found, key=lambda row: int(row["seq"]))]


# -- overrides -----------------------------------------------------------------------------------------------


def override_pair_row(a: RecordKey, b: RecordKey) -> Row:
    """The parameters naming the (unordered) pair of records of an override."""
    first, second = sorted((a, b))
    return {"a_source": first.source, "a_id": first.source_id, "b_source": second.source, "b_id": second.source_id}


def override_row(override: Override) -> Row:
    """The parameters of `cypher.MERGE_OVERRIDE`."""
    return override_pair_row(override.a, override.b) | {
        "kind": override.kind.value,
        "reason": override.reason,
        "author": override.author,
        "created_at": encode_datetime(override.created_at),
    }


def override_from_row(row: ResultRow) -> Override:
    """An override from a row with the columns of `override_row`."""
    return Override(
        kind=OverrideKind(row["kind"]),
        a=RecordKey(str(row["a_source"]), str(row["a_id"])),
        b=RecordKey(str(row["b_source"]), str(row["b_id"])),
        reason=str(row["reason"]),
        author=str(row["author"]),
        created_at=decode_datetime(row["created_at"]),
    )
