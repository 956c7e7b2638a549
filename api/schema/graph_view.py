"""A profile's identity graph ready to draw: its records, their identifiers, fuzzy links and neighbouring records.

Starting from the profile's own records, each hop follows a shared identifier or a SAME_AS link to the records at
the other end (which may belong to other profiles: a shared device, a fuzzy link below the threshold of a merge).
The graph is capped in size; identifier values are masked for callers without pii:read, and identifier nodes get
opaque IDs so that the graph leaks no value through its structure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

import strawberry

from api.security.masking import mask_identifier
from graph import Direction, Entity, GraphStore, Identifier, RecordKey, RelType

MAX_DEPTH = 3
DEFAULT_MAX_NODES = 250
# Records followed through one identifier: a device shared by thousands of records adds a sample, not all of them.
HOLDERS_PER_IDENTIFIER = 25


@strawberry.enum(description="What a node of an identity graph stands for.")
class GraphNodeKind(Enum):
    RECORD = "record"
    IDENTIFIER = "identifier"


@strawberry.type(description="A record or an identifier in an identity graph.")
class GraphNode:
    id: str = strawberry.field(description="unique within this graph: r:<source>/<sourceId> or i:<n>")
    kind: GraphNodeKind
    label: str = strawberry.field(description="the record kind (Customer, ...) or identifier kind (Email, ...)")
    text: str = strawberry.field(description="source/sourceId of a record; the (masked) value of an identifier")
    profile_id: strawberry.ID | None = strawberry.field(description="the entity a record resolves to")
    member: bool = strawberry.field(description="a record of this profile")
    hops: int = strawberry.field(description="record-to-record hops from the profile's own records")


@strawberry.type(description="A typed edge: HAS_EMAIL, HAS_PHONE, USES_DEVICE, HAS_ACCOUNT, HAS_DOMAIN or SAME_AS.")
class GraphEdge:
    source: str
    target: str
    type: str
    score: float | None = None
    rule: str | None = None


@strawberry.type(description="Nodes and edges of a profile's neighbourhood in the identity graph.")
class IdentityGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = strawberry.field(description="the graph hit its size cap; some nodes and edges are left out")


def _record_id(key: RecordKey) -> str:
    return f"r:{key}"


@dataclass
class _Builder:
    store: GraphStore
    entity: Entity
    sees_pii: bool
    max_nodes: int
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    identifiers: dict[Identifier, str] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], GraphEdge] = field(default_factory=dict)
    truncated: bool = False

    def _room(self) -> bool:
        if len(self.nodes) >= self.max_nodes:
            self.truncated = True
            return False
        return True

    def add_records(self, keys: Iterable[RecordKey], hops: int) -> list[RecordKey]:
        """Add record nodes (reading their kinds and entities); the keys actually added."""
        wanted = sorted({key for key in keys if _record_id(key) not in self.nodes})
        if not wanted:
            return []
        records = self.store.get_records(wanted)
        entity_ids = self.store.entity_ids_of(wanted)
        added = []
        for key in wanted:
            if key not in records or not self._room():
                continue
            entity_id = entity_ids.get(key)
            self.nodes[_record_id(key)] = GraphNode(
                id=_record_id(key),
                kind=GraphNodeKind.RECORD,
                label=records[key].kind.value,
                text=str(key),
                profile_id=strawberry.ID(entity_id) if entity_id else None,
                member=key in self.entity.members,
                hops=hops,
            )
            added.append(key)
        return added

    def add_identifiers(self, level: list[RecordKey], hops: int) -> list[Identifier]:
        """Identifier nodes of the level's records and their edges; the identifiers new to the graph."""
        held = self.store.identifiers_of(level)
        new: list[Identifier] = []
        for key in level:
            for identifier in held.get(key, ()):
                if identifier not in self.identifiers:
                    if not self._room():
                        continue
                    node_id = f"i:{len(self.identifiers) + 1}"
                    self.identifiers[identifier] = node_id
                    self.nodes[node_id] = GraphNode(
                        id=node_id,
                        kind=GraphNodeKind.IDENTIFIER,
                        label=identifier.kind.value,
                        text=mask_identifier(identifier.kind, identifier.value, sees_pii=self.sees_pii),
                        profile_id=None,
                        member=False,
                        hops=hops,
                    )
                    new.append(identifier)
                rel = identifier.kind.relationship.value
                self._edge(_record_id(key), self.identifiers[identifier], rel)
        return new

    def same_as(self, level: list[RecordKey]) -> list[RecordKey]:
        """SAME_AS links of the level's records (both directions); the records at their other ends."""
        others: list[RecordKey] = []
        for direction in (Direction.OUT, Direction.IN):
            found = self.store.neighbours_of(level, RelType.SAME_AS, direction)
            for key in level:
                for neighbour in found.get(key, ()):
                    other = neighbour.record.key
                    start, end = (key, other) if direction is Direction.OUT else (other, key)
                    score = neighbour.properties.get("score")
                    rule = neighbour.properties.get("rule")
                    self._edge(
                        _record_id(start),
                        _record_id(end),
                        RelType.SAME_AS.value,
                        score=float(score) if isinstance(score, (int, float)) else None,
                        rule=str(rule) if rule is not None else None,
                    )
                    others.append(other)
        return others

    def holders(self, identifiers: list[Identifier]) -> list[RecordKey]:
        found: list[RecordKey] = []
        for identifier in identifiers:
            holders = [key for key in self.store.records_with(identifier) if _record_id(key) not in self.nodes]
            if len(holders) > HOLDERS_PER_IDENTIFIER:
                self.truncated = True
            found += holders[:HOLDERS_PER_IDENTIFIER]
        return found

    def _edge(self, source: str, target: str, type_: str, score: float | None = None, rule: str | None = None) -> None:
        self.edges.setdefault(
            (source, target, type_), GraphEdge(source=source, target=target, type=type_, score=score, rule=rule)
        )

    def graph(self) -> IdentityGraph:
        # Edges to nodes left out by the cap (or beyond the last hop) are dropped.
        edges = [e for e in self.edges.values() if e.source in self.nodes and e.target in self.nodes]
        return IdentityGraph(nodes=list(self.nodes.values()), edges=edges, truncated=self.truncated)


def identity_graph(
    store: GraphStore, entity: Entity, *, depth: int, sees_pii: bool, max_nodes: int = DEFAULT_MAX_NODES
) -> IdentityGraph:
    """The profile's records and identifiers, with the records up to `depth` hops away (synchronous store reads)."""
    builder = _Builder(store, entity, sees_pii, max_nodes)
    level = builder.add_records(entity.members, 0)
    for hops in range(depth + 1):
        if not level:
            break
        new_identifiers = builder.add_identifiers(level, hops)
        reached = builder.same_as(level)
        if hops == depth:
            break
        reached += builder.holders(new_identifiers)
        level = builder.add_records(reached, hops + 1)
    return builder.graph()
