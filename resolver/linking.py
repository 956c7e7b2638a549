"""Which records are one entity: usable links (after the guards), connected components, then local repairs.

The bulk work is vectorised (numpy + scipy): identifiers become integer codes, shared-by-too-many and blocked
values are masked out, and components are found on the sparse record-identifier graph. Only the rare
components that break a rule are repaired one by one, by a greedy union over their links strongest first:
never_link overrides are honoured, a profile holds at most K identifiers of a kind, and a component bigger
than the maximum keeps only its strongest links and goes to the review queue.

The result is a function of the evidence alone (not of its order), and each component's outcome depends only
on that component, which is what lets incremental resolution agree with a batch run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from graph import Identifier, IdentifierKind, RecordKey
from resolver.rules import Rules


@dataclass(frozen=True, slots=True)
class FuzzyEdge:
    """A SAME_AS link between two records: how sure, and on what evidence."""

    a: RecordKey
    b: RecordKey
    score: float
    rule: str


@dataclass(frozen=True)
class Evidence:
    """Everything that may join the records of one entity kind."""

    records: Sequence[RecordKey]
    links: Sequence[tuple[RecordKey, Identifier]]
    fuzzy: Sequence[FuzzyEdge] = ()
    always: Sequence[tuple[RecordKey, RecordKey]] = ()
    never: Sequence[tuple[RecordKey, RecordKey]] = ()
    # Records holding each identifier in the whole store, when `links` covers only part of it (incremental).
    holders: Mapping[Identifier, int] | None = None
    # Whether the names of record pairs agree (one bool per pair): identifiers that households share (phones,
    # devices) join two records only when their names do. None: every pair agrees.
    agree: Callable[[Sequence[RecordKey], Sequence[RecordKey]], Sequence[bool]] | None = None
    # Pairs among a group's records that are different entities whatever links them (companies with disjoint
    # web domains or in different cities): checked in groups of three or more records, then kept apart.
    conflicts: Callable[[Sequence[RecordKey]], Iterable[tuple[RecordKey, RecordKey]]] | None = None


@dataclass(frozen=True)
class ReviewItem:
    """A group too big to merge safely: what it would have joined."""

    records: int
    sample: tuple[RecordKey, ...]
    reason: str


@dataclass
class Partition:
    """Groups of records (each sorted, groups ordered by their first record) and what the guards did."""

    groups: list[list[RecordKey]]
    blocked: dict[Identifier, str] = field(default_factory=dict)  # identifier -> why it is blocked
    limited: set[Identifier] = field(default_factory=set)  # shared by more records than its kind allows
    demoted: set[Identifier] = field(default_factory=set)  # beyond a profile's per-kind limit
    split_by_override: int = 0
    review: list[ReviewItem] = field(default_factory=list)


# Link strength for the greedy repair: overrides first, then identifiers by trust, then fuzzy by score.
_ALWAYS = 1000.0


# A link inside one component: (strength, tiebreak, record a, record b, identifier or None for a pair link).
_Edge = tuple[float, str, int, int, Identifier | None]


def _countable(identifier: Identifier, holders: int, rules: Rules, partition: Partition) -> bool:
    """Whether the identifier may link (when shared) and counts towards a profile's per-kind limit.

    Patterns are only searched in values held by several records: a value on one record joins nothing anyway.
    """
    if not rules.rule(identifier.kind).link:
        return False
    if holders < 2:
        return not rules.blocked.blocks_exactly(identifier)
    reason = rules.blocked.blocks(identifier)
    if reason is not None:
        partition.blocked[identifier] = reason
        return False
    if holders > rules.rule(identifier.kind).max_records:
        partition.limited.add(identifier)
        return False
    return True


_KIND_NUMBER = {kind: number for number, kind in enumerate(IdentifierKind)}


def partition(evidence: Evidence, rules: Rules) -> Partition:
    """Group the records: see the module docstring."""
    records = sorted(set(evidence.records))
    index = {key: i for i, key in enumerate(records)}
    n = len(records)
    result = Partition(groups=[])
    if n == 0:
        return result

    # Identifiers as integer codes; holders counted over the links given (or taken from the store's counts).
    codes: dict[Identifier, int] = {}
    link_records = np.empty(len(evidence.links), dtype=np.int64)
    link_codes = np.empty(len(evidence.links), dtype=np.int64)
    for position, (key, identifier) in enumerate(evidence.links):
        link_records[position] = index[key]
        link_codes[position] = codes.setdefault(identifier, len(codes))
    # The same record may hold an identifier through several links; count each holder once.
    if len(evidence.links):
        link_codes, link_records = np.unique(np.stack([link_codes, link_records]), axis=1)
    identifiers = list(codes)
    holder_counts = np.bincount(link_codes, minlength=len(identifiers))
    if evidence.holders is not None:
        counts = zip(identifiers, holder_counts.tolist(), strict=True)
        holder_counts = np.array([evidence.holders.get(i, c) for i, c in counts], dtype=np.int64)
    countable = np.array(
        [_countable(i, int(c), rules, result) for i, c in zip(identifiers, holder_counts, strict=True)], dtype=bool
    )
    usable = countable & (holder_counts >= 2)

    never = {(index[a], index[b]) for a, b in evidence.never if a in index and b in index and a != b}
    never |= {(b, a) for a, b in never}
    pair_edges: list[tuple[int, int, float, str]] = [
        (index[a], index[b], _ALWAYS, "always_link") for a, b in evidence.always if a in index and b in index and a != b
    ]
    pair_edges += [(index[e.a], index[e.b], e.score, e.rule) for e in evidence.fuzzy if e.a in index and e.b in index]

    needs_agreement = np.array([rules.rule(i.kind).require_name_agreement for i in identifiers], dtype=bool)
    corroborated = _agreeing_pairs(
        link_records, link_codes, usable & needs_agreement, identifiers, records, evidence.agree
    )
    mask = (usable & ~needs_agreement)[link_codes]
    rows = np.concatenate(
        [
            link_records[mask],
            np.array([e[0] for e in pair_edges], dtype=np.int64),
            np.array([c[0] for c in corroborated], dtype=np.int64),
        ]
    )
    cols = np.concatenate(
        [
            n + link_codes[mask],
            np.array([e[1] for e in pair_edges], dtype=np.int64),
            np.array([c[1] for c in corroborated], dtype=np.int64),
        ]
    )
    size = n + len(identifiers)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    record_labels = labels[:n]

    # Components that break a rule, repaired one by one.
    broken: set[int] = set()
    component_sizes = np.bincount(record_labels)
    if evidence.conflicts is not None:
        members_by_label: dict[int, list[int]] = defaultdict(list)
        for label in np.flatnonzero(component_sizes >= 3).tolist():
            members_by_label[label] = []
        for i, label in enumerate(record_labels.tolist()):
            if label in members_by_label:
                members_by_label[label].append(i)
        for members in members_by_label.values():
            for first, second in evidence.conflicts([records[i] for i in members]):
                never |= {(index[first], index[second]), (index[second], index[first])}
    broken.update(int(c) for c in np.flatnonzero(component_sizes > rules.max_component_size))
    broken.update(int(record_labels[a]) for a, b in never if record_labels[a] == record_labels[b])
    countable_links = np.flatnonzero(countable[link_codes])
    kind_of = np.array([_KIND_NUMBER[i.kind] for i in identifiers], dtype=np.int8)
    for kind, number in _KIND_NUMBER.items():
        limit = rules.rule(kind).max_per_profile
        selected = countable_links[kind_of[link_codes[countable_links]] == number]
        if len(selected) <= limit:
            continue
        held = np.unique(np.stack([record_labels[link_records[selected]], link_codes[selected]]), axis=1)
        broken.update(np.flatnonzero(np.bincount(held[0]) > limit).tolist())

    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(record_labels.tolist()):
        groups[label].append(i)
    final: list[list[int]] = []
    if broken:
        members_of_broken = {i for c in broken for i in groups[c]}
        local_links: dict[int, list[int]] = defaultdict(list)  # record -> positions of its countable links
        for p in countable_links.tolist():
            record = int(link_records[p])
            if record in members_of_broken:
                local_links[record].append(p)
        local_pairs: dict[int, list[tuple[int, int, float, str]]] = defaultdict(list)
        for edge in pair_edges:
            if edge[0] in members_of_broken:
                local_pairs[int(record_labels[edge[0]])].append(edge)
        local_corroborated: dict[int, list[tuple[int, int, Identifier]]] = defaultdict(list)
        for a, b, code in corroborated:
            if a in members_of_broken:
                local_corroborated[int(record_labels[a])].append((a, b, identifiers[code]))
        for label in sorted(broken):
            members = groups.pop(label)
            links = [(int(link_records[p]), identifiers[int(link_codes[p])]) for i in members for p in local_links[i]]
            final += _repair(
                members,
                links,
                local_pairs[label],
                local_corroborated[label],
                never,
                rules,
                holder_counts,
                codes,
                records,
                result,
            )
    final += groups.values()
    result.groups = sorted(([records[i] for i in sorted(g)] for g in final), key=lambda g: g[0])
    return result


def _agreeing_pairs(
    link_records: np.ndarray,
    link_codes: np.ndarray,
    paired: np.ndarray,
    identifiers: Sequence[Identifier],
    records: Sequence[RecordKey],
    agree: Callable[[Sequence[RecordKey], Sequence[RecordKey]], Sequence[bool]] | None,
) -> list[tuple[int, int, int]]:
    """(record, record, identifier code) for every pair holding an identifier that needs agreeing names."""
    holders: dict[int, list[int]] = defaultdict(list)
    for p in np.flatnonzero(paired[link_codes]).tolist():
        holders[int(link_codes[p])].append(int(link_records[p]))
    candidates = [(a, b, code) for code, held in holders.items() for a, b in combinations(sorted(held), 2)]
    if agree is None or not candidates:
        return candidates
    verdicts = agree([records[a] for a, _, _ in candidates], [records[b] for _, b, _ in candidates])
    return [candidate for candidate, ok in zip(candidates, verdicts, strict=True) if ok]


def _repair(
    members: list[int],
    links: list[tuple[int, Identifier]],
    pair_edges: list[tuple[int, int, float, str]],
    corroborated: list[tuple[int, int, Identifier]],
    never: set[tuple[int, int]],
    rules: Rules,
    holder_counts: np.ndarray,
    codes: Mapping[Identifier, int],
    records: Sequence[RecordKey],
    result: Partition,
) -> list[list[int]]:
    """Greedy union of one component's links, strongest first, refusing unions that break a rule.

    When even that leaves a group over the maximum size, fuzzy links are dropped, then everything but
    always_link overrides, and the component goes to the review queue.
    """
    holders_of: dict[Identifier, list[int]] = defaultdict(list)
    held: dict[int, list[Identifier]] = {i: [] for i in members}
    for record, identifier in links:
        holders_of[identifier].append(record)
        held[record].append(identifier)

    def strength(identifier: Identifier) -> float:
        # Less shared identifiers first: a value held by two records is stronger evidence than one held by ten.
        return rules.rule(identifier.kind).trust - min(int(holder_counts[codes[identifier]]), 99) / 100

    edges: list[_Edge] = []
    for identifier, holders in holders_of.items():
        if rules.rule(identifier.kind).require_name_agreement:
            continue  # these link only the pairs in `corroborated`
        first = min(holders)
        edges += [
            (strength(identifier), str(identifier), first, other, identifier) for other in holders if other != first
        ]
    edges += [(strength(identifier), str(identifier), a, b, identifier) for a, b, identifier in corroborated]
    edges += [(score, rule, a, b, None) for a, b, score, rule in pair_edges]
    edges.sort(key=lambda e: (-e[0], e[1], records[e[2]], records[e[3]]))

    tiers = [edges, [e for e in edges if e[4] is not None or e[0] >= _ALWAYS], [e for e in edges if e[0] >= _ALWAYS]]
    too_big = False
    for tier in tiers:
        groups, refused_by_override, demoted = _greedy(members, held, tier, never, rules)
        if all(len(g) <= rules.max_component_size for g in groups):
            break
        too_big = True
    else:
        groups, refused_by_override, demoted = [[i] for i in members], 0, set()
    result.split_by_override += refused_by_override
    result.demoted |= demoted
    if too_big:
        result.review.append(
            ReviewItem(
                records=len(members),
                sample=tuple(records[i] for i in sorted(members)[:10]),
                reason=f"{len(members)} records would form one group (maximum {rules.max_component_size})",
            )
        )
    return groups


def _greedy(
    members: list[int],
    held: Mapping[int, list[Identifier]],
    edges: Iterable[_Edge],
    never: set[tuple[int, int]],
    rules: Rules,
) -> tuple[list[list[int]], int, set[Identifier]]:
    """Union-find over `edges` in order; returns the groups, unions refused by never_link, demoted identifiers."""
    parent = {i: i for i in members}
    group_members: dict[int, set[int]] = {i: {i} for i in members}
    group_held: dict[int, dict[IdentifierKind, set[Identifier]]] = {}
    for i in members:
        group_held[i] = defaultdict(set)
        for own in held[i]:
            group_held[i][own.kind].add(own)
    refused = 0
    demoted: set[Identifier] = set()

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, _, a, b, identifier in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if any((x, y) in never for x in group_members[ra] for y in group_members[rb]):
            refused += 1
            continue
        kinds = set(group_held[ra]) | set(group_held[rb])
        combined = {kind: group_held[ra][kind] | group_held[rb][kind] for kind in kinds}
        # Refused when the union, not one side alone, takes a kind over its per-profile limit.
        if any(
            len(ids) > rules.rule(kind).max_per_profile
            and len(ids) > max(len(group_held[ra][kind]), len(group_held[rb][kind]))
            for kind, ids in combined.items()
        ):
            if identifier is not None:
                demoted.add(identifier)
            continue
        parent[rb] = ra
        group_held[ra] = defaultdict(set, combined)
        group_members[ra] |= group_members.pop(rb)
    return [sorted(g) for g in group_members.values()], refused, demoted
