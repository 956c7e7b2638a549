"""A write batch as plain rows: what a bulk writer (the file loader) sends a GraphStore instead of model objects.

A `GraphBatch` holds pydantic objects, which cost microseconds each to build, copy and serialise; a load of
hundreds of thousands of rows makes millions of them. A `RowBatch` carries the same content as tuples of strings
(record and relation properties already serialised as JSON objects), which cross a process boundary cheaply and
go to SQLite as they are. `GraphStore.write_rows` writes one with the contract of `GraphStore.write`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson
from pydantic import JsonValue

from graph.model import (
    Checkpoint,
    GraphBatch,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
)

# (source, source_id, record kind, properties as a JSON object)
RecordRow = tuple[str, str, str, str]
# (record source, record source_id, identifier kind, value, system)
LinkRow = tuple[str, str, str, str, str]
# (relation type, start source, start source_id, end source, end source_id, properties as a JSON object)
RelationRow = tuple[str, str, str, str, str, str]
# (source, source_id, and the event record's properties `type`, `timestamp`, `amount`, `channel` as they are)
EventFactRow = tuple[str, str, JsonValue, JsonValue, JsonValue, JsonValue]


def event_fact_row(source: str, source_id: str, properties: Mapping[str, JsonValue]) -> EventFactRow:
    """The properties of an event record that its store indexes (see graph.events), taken as they are."""
    get = properties.get
    return (source, source_id, get("type"), get("timestamp"), get("amount"), get("channel"))


def dumps(properties: object) -> str:
    """Properties as the JSON text a row holds (compact, as the stores keep it)."""
    return orjson.dumps(properties).decode()


@dataclass(frozen=True, slots=True)
class RowBatch:
    """Everything one store transaction upserts, as rows; the same meaning as the GraphBatch of `graph_batch()`."""

    records: Sequence[RecordRow] = ()
    links: Sequence[LinkRow] = ()
    relations: Sequence[RelationRow] = ()
    checkpoint: Checkpoint | None = None
    # The facts of the batch's Event records (`event_fact_row` of each, from the same properties), which spares
    # the store reading them back out of the JSON; None: the store reads them out of the records' properties.
    event_facts: Sequence[EventFactRow] | None = None

    @classmethod
    def of(cls, batch: GraphBatch) -> RowBatch:
        """The rows of a (validated) GraphBatch."""
        return cls(
            records=[(*r.key, r.kind.value, dumps(r.properties)) for r in batch.records],
            links=[(*link.record, link.identifier.kind.value, *link.identifier[1:]) for link in batch.links],
            relations=[(rel.type.value, *rel.start, *rel.end, dumps(rel.properties)) for rel in batch.relations],
            checkpoint=batch.checkpoint,
            event_facts=[event_fact_row(*r.key, r.properties) for r in batch.records if r.kind is RecordKind.EVENT],
        )

    def graph_batch(self) -> GraphBatch:
        """The same batch as validated model objects (a bad kind, key or JSON object is a ValueError)."""
        return GraphBatch(
            records=tuple(
                Record(kind=RecordKind(kind), key=RecordKey(source, source_id), properties=orjson.loads(properties))
                for source, source_id, kind, properties in self.records
            ),
            links=tuple(
                IdentifierLink(
                    record=RecordKey(source, source_id), identifier=Identifier(IdentifierKind(kind), value, system)
                )
                for source, source_id, kind, value, system in self.links
            ),
            relations=tuple(
                Relation(
                    type=RelType(rel),
                    start=RecordKey(a_source, a_id),
                    end=RecordKey(b_source, b_id),
                    properties=orjson.loads(properties),
                )
                for rel, a_source, a_id, b_source, b_id, properties in self.relations
            ),
            checkpoint=self.checkpoint,
        )
