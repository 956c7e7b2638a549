"""An organization's account graph ready to draw: it, its parents and subsidiaries up to a depth, their people
(by profile, labelled by title; names only with pii:read) and their deals with the CRM roles of the people on them."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry

from api.schema.account_reads import opportunities_of, people_of, related_organizations
from api.schema.context import Info
from api.security.masking import mask_trait
from graph import Direction, Entity, RecordKey

MAX_GRAPH_DEPTH = 3
MAX_GRAPH_NODES = 500


@strawberry.type(description="A node of an account graph: an organization, a person or an opportunity.")
class AccountGraphNode:
    id: str = strawberry.field(description="the organization's or profile's ID, or the opportunity's source/sourceId")
    kind: str = strawberry.field(description="ORGANIZATION, PROFILE or OPPORTUNITY")
    label: str = strawberry.field(description="a name, a title (people; names need pii:read) or a deal name")
    depth: int = strawberry.field(description="SUBSIDIARY_OF hops from the organization asked for")


@strawberry.type(description="SUBSIDIARY_OF (org to parent), WORKS_AT (person to org), FOR (deal to org) or"
                 " ON_OPPORTUNITY (person to deal, with the CRM role).")  # fmt: skip
class AccountGraphEdge:
    source: str
    target: str
    type: str
    role: str | None = None


@strawberry.type(description="An organization with its parents and subsidiaries, their people and deals.")
class AccountGraph:
    nodes: list[AccountGraphNode]
    edges: list[AccountGraphEdge]
    truncated: bool = strawberry.field(description="the graph hit its size cap; some nodes and edges are left out")


def _value(entity: Entity, name: str) -> object:
    trait = entity.traits.get(name)
    return trait.get("value") if isinstance(trait, dict) else None


def _person_label(entity: Entity, titles: list[str], sees_pii: bool) -> str:
    names = [mask_trait(n, _value(entity, n), sees_pii=sees_pii) for n in ("first_name", "last_name")]
    name = " ".join(str(n) for n in names if n is not None)
    title = str(mask_trait("title", titles[0], sees_pii=sees_pii)) if titles else None
    if sees_pii and name:
        return f"{name} ({title})" if title else name
    return title or entity.id


@dataclass
class _Builder:
    max_nodes: int
    nodes: dict[str, AccountGraphNode] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], AccountGraphEdge] = field(default_factory=dict)
    truncated: bool = False

    def node(self, node_id: str, kind: str, label: str, depth: int) -> bool:
        """Add a node (or find it); False when there is no room left for it."""
        if node_id in self.nodes:
            return True
        if len(self.nodes) >= self.max_nodes:
            self.truncated = True
            return False
        self.nodes[node_id] = AccountGraphNode(id=node_id, kind=kind, label=label, depth=depth)
        return True

    def edge(self, source: str, target: str, type_: str, role: str | None = None) -> None:
        if source in self.nodes and target in self.nodes:
            self.edges.setdefault(
                (source, target, type_), AccountGraphEdge(source=source, target=target, type=type_, role=role)
            )


def _org_label(entity: Entity) -> str:
    name = _value(entity, "name")
    return str(name) if name is not None else entity.id


async def account_graph(info: Info, root: Entity, *, depth: int, max_nodes: int) -> AccountGraph:
    graph = _Builder(max_nodes)
    graph.node(root.id, "ORGANIZATION", _org_label(root), 0)
    organizations = [root]
    frontier = [root]
    for hop in range(1, depth + 1):
        reached = []
        for org in frontier:
            for direction in (Direction.OUT, Direction.IN):
                for other in await related_organizations(info, org, direction):
                    known = other.id in graph.nodes
                    if not graph.node(other.id, "ORGANIZATION", _org_label(other), hop):
                        continue
                    child, parent = (org.id, other.id) if direction is Direction.OUT else (other.id, org.id)
                    graph.edge(child, parent, "SUBSIDIARY_OF")
                    if not known:
                        reached.append(other)
        organizations += reached
        frontier = reached
    sees_pii = info.context.sees_pii
    for org in organizations:
        level = graph.nodes[org.id].depth
        people = await people_of(info, org)
        owner: dict[RecordKey, str] = {}
        for person in people:
            label = _person_label(person.profile, person.titles, sees_pii)
            if graph.node(person.profile.id, "PROFILE", label, level):
                graph.edge(person.profile.id, org.id, "WORKS_AT")
                owner.update((key, person.profile.id) for key in person.contacts)
        for deal in await opportunities_of(info, org):
            name = deal.record.properties.get("name")
            if not graph.node(deal.id, "OPPORTUNITY", str(name) if name else deal.id, level):
                continue
            graph.edge(deal.id, org.id, "FOR")
            for contact, role in deal.roles:
                if contact in owner:
                    graph.edge(owner[contact], deal.id, "ON_OPPORTUNITY", role)
    return AccountGraph(nodes=list(graph.nodes.values()), edges=list(graph.edges.values()), truncated=graph.truncated)
