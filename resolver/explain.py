"""Why two records are one entity (the path of identifiers and fuzzy links joining them), or why they are not."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import networkx as nx
from pydantic import BaseModel, Field

from graph import (
    Direction,
    EntityKind,
    GraphStore,
    Identifier,
    OverrideKind,
    Record,
    RecordKey,
    RelType,
    entity_kind_of,
)
from resolver.batch import LINKING_KINDS
from resolver.fuzzy import PersonFeatures, score_pair
from resolver.matching import stored_model
from resolver.rules import Rules

# How far from the two records the neighbourhood is read (hops through usable links).
_MAX_RECORDS = 5000


class Step(BaseModel):
    """One hop of the path: from a record to the next, through an identifier, a SAME_AS link or an override."""

    start: str
    end: str
    via: str = Field(description="identifier, same_as or always_link")
    identifier: str | None = None
    score: float | None = None
    rule: str | None = None


class Explanation(BaseModel):
    a: str
    b: str
    joined: bool
    entity_a: str | None = None
    entity_b: str | None = None
    path: list[Step] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="why they are not joined")
    fuzzy_score: float | None = Field(None, description="the two records' match probability (persons)")
    fuzzy_evidence: list[str] = Field(default_factory=list, description="per field: level, weight, values")


def _identifier_text(identifier: Identifier) -> str:
    system = f" ({identifier.system})" if identifier.system else ""
    return f"{identifier.kind.name} {identifier.value}{system}"


def _blocked_reason(identifier: Identifier, holders: int, rules: Rules) -> str | None:
    rule = rules.rule(identifier.kind)
    if not rule.link:
        return f"{identifier.kind.name} identifiers do not link under the rules"
    if (why := rules.blocked.blocks(identifier)) is not None:
        return f"it is a {why}"
    if holders > rule.max_records:
        return f"it is shared by {holders} records, more than the {rule.max_records} allowed"
    return None


def explain(store: GraphStore, a: RecordKey, b: RecordKey, rules: Rules | None = None) -> Explanation:
    """The evidence that joins `a` and `b` (shortest path), or the reasons nothing does."""
    rules = rules or Rules()
    found = store.get_records([a, b])
    missing = [str(key) for key in (a, b) if key not in found]
    if missing:
        raise KeyError(f"no record {' or '.join(missing)}")
    kind_a, kind_b = entity_kind_of(found[a].kind), entity_kind_of(found[b].kind)
    entities = store.entity_ids_of([a, b])
    result = Explanation(a=str(a), b=str(b), joined=False, entity_a=entities.get(a), entity_b=entities.get(b))
    if kind_a is None or kind_a is not kind_b:
        result.reasons.append(f"{found[a].kind} and {found[b].kind} records never resolve to one entity")
        return result
    result.joined = a != b and entities.get(a) is not None and entities.get(a) == entities.get(b)
    linking = LINKING_KINDS[kind_a]
    overrides = {(o.a, o.b): o for o in store.overrides()}

    # Read the neighbourhood of both records through usable links, breadth first.
    graph: nx.Graph[RecordKey] = nx.Graph()
    graph.add_nodes_from([a, b])
    frontier, seen = [a, b], {a, b}
    holders_seen: dict[Identifier, list[RecordKey]] = {}
    while frontier and len(seen) < _MAX_RECORDS:
        identifiers = store.identifiers_of(frontier)
        following: list[RecordKey] = []
        for key in frontier:
            for identifier in identifiers.get(key, ()):
                if identifier.kind not in linking:
                    continue
                if identifier not in holders_seen:
                    holders_seen[identifier] = store.records_with(identifier)
                holders = holders_seen[identifier]
                if _blocked_reason(identifier, len(holders), rules) is not None:
                    continue
                for other in holders:
                    if other != key:
                        graph.add_edge(key, other, via="identifier", identifier=identifier)
                        following.append(other)
            for direction in (Direction.OUT, Direction.IN):
                for neighbour in store.neighbours(key, RelType.SAME_AS, direction):
                    other = neighbour.record.key
                    properties = neighbour.properties
                    graph.add_edge(
                        key, other, via="same_as", score=properties.get("score"), rule=properties.get("rule")
                    )
                    following.append(other)
        for (x, y), override in overrides.items():
            if override.kind is OverrideKind.ALWAYS_LINK and (x in seen or y in seen):
                graph.add_edge(x, y, via="always_link", rule=override.reason)
                following += [x, y]
        frontier = [key for key in dict.fromkeys(following) if key not in seen]
        seen.update(frontier)
    never = overrides.get((min(a, b), max(a, b)))
    if never is not None and never.kind is OverrideKind.NEVER_LINK:
        result.reasons.append(f"never_link override set by {never.author}: {never.reason}")

    if nx.has_path(graph, a, b) and a != b:
        path = nx.shortest_path(graph, a, b)
        for start, end in pairwise(path):
            data = graph.edges[start, end]
            through = data.get("identifier")
            result.path.append(
                Step(
                    start=str(start),
                    end=str(end),
                    via=data["via"],
                    identifier=_identifier_text(through) if through is not None else None,
                    score=data.get("score"),
                    rule=data.get("rule"),
                )
            )
    if not result.joined:
        result.reasons += _why_not(store, a, b, rules, linking, holders_seen)
    if kind_a is EntityKind.PROFILE:
        _fuzzy(store, found[a], found[b], rules, result)
    if not result.joined:
        if result.path:
            result.reasons.append(
                "they are connected, but the guards cut the group apart (a never_link override elsewhere, a"
                " per-profile identifier limit or the maximum group size); see the review queue"
            )
        elif not result.reasons:
            result.reasons.append("no shared identifier, fuzzy link or override connects them")
    return result


def _fuzzy(store: GraphStore, a: Record, b: Record, rules: Rules, result: Explanation) -> None:
    """The stored model's score of the pair, its evidence, and why it makes no link when it does not."""
    model = stored_model(store)
    first, second = PersonFeatures.from_record(a), PersonFeatures.from_record(b)
    if model is None or first is None or second is None:
        if not result.joined:
            result.reasons.append("fuzzy matching cannot compare them (no model yet, or a record without a name)")
        return
    scored = score_pair(first, second, model)
    result.fuzzy_score = round(scored.probability, 6)
    result.fuzzy_evidence = [
        f"{e.field.value}: {e.level} ({e.weight:+.1f}) {e.value_a!r} / {e.value_b!r}" for e in scored.fields
    ]
    if not result.joined and scored.probability < rules.fuzzy.threshold:
        result.reasons.append(
            f"their match score {scored.probability:.4f} is below the threshold {rules.fuzzy.threshold}"
        )


def _why_not(
    store: GraphStore,
    a: RecordKey,
    b: RecordKey,
    rules: Rules,
    linking: Iterable[object],
    holders_seen: dict[Identifier, list[RecordKey]],
) -> list[str]:
    """Identifiers the two records share directly but that may not link them."""
    held = store.identifiers_of([a, b])
    shared = sorted(set(held.get(a, ())) & set(held.get(b, ())))
    reasons = []
    for identifier in shared:
        holders = holders_seen.get(identifier) or store.records_with(identifier)
        why = _blocked_reason(identifier, len(holders), rules)
        if identifier.kind not in linking:
            why = f"{identifier.kind.name} identifiers do not link records of this kind"
        if why is not None:
            reasons.append(f"they share {_identifier_text(identifier)}, but {why}")
    return reasons
