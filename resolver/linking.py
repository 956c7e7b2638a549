"""Which records are one entity: usable links (after the guards), connected components, then local repairs.

The bulk work is vectorised (numpy + scipy): records and identifiers become dense integer codes once, the
guards are evaluated only for identifiers held by two records or more (a value on one record joins nothing),
and components are found on the record graph with scipy.sparse.csgraph. Only the rare components that break
a rule are repaired one by one, by a greedy union over their links strongest first: never_link overrides are
honoured, a profile holds at most K identifiers of a kind, and a component bigger than the maximum keeps only
its strongest links and goes to the review queue.

The result is a function of the evidence alone (not of its order), and each component's outcome depends only
on that component, which is what lets incremental resolution agree with a batch run.
"""

from __future__ import annotations

import gc
import operator
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count, islice, repeat
from typing import overload

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from graph import Identifier, IdentifierKind, RecordKey
from resolver.rules import Rules

Ints = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FuzzyEdge:
    """A SAME_AS link between two records: how sure, and on what evidence."""

    a: RecordKey
    b: RecordKey
    score: float
    rule: str


class LinkTable(Sequence[tuple[RecordKey, Identifier]]):
    """Links as two integer arrays: link i joins `records[record[i]]` and `identifiers[identifier[i]]`.

    The form a store or a columnar loader holds links in (records and identifiers are nodes, links are pairs
    of node numbers); `partition` reads it without a Python object per link. `identifiers` must be distinct
    (each identifier once). As a Sequence it yields (RecordKey, Identifier) pairs like a plain list of links.
    """

    def __init__(
        self,
        records: Sequence[RecordKey],
        identifiers: Sequence[Identifier],
        record: NDArray[np.integer],
        identifier: NDArray[np.integer],
    ) -> None:
        self.records = records
        self.identifiers = identifiers
        self.record = np.asarray(record, dtype=np.int64)
        self.identifier = np.asarray(identifier, dtype=np.int64)
        if self.record.ndim != 1 or self.identifier.shape != self.record.shape:
            raise ValueError(
                "LinkTable.record and LinkTable.identifier: one number per link in each"
                f" (shapes {self.record.shape} and {self.identifier.shape})"
            )
        for name, values, size in (
            ("record", self.record, len(records)),
            ("identifier", self.identifier, len(identifiers)),
        ):
            if len(values) and (values.min() < 0 or values.max() >= size):
                raise ValueError(f"LinkTable.{name}: numbers must index LinkTable.{name}s (0 to {size - 1})")

    def __len__(self) -> int:
        return len(self.record)

    @overload
    def __getitem__(self, position: int) -> tuple[RecordKey, Identifier]: ...
    @overload
    def __getitem__(self, position: slice) -> list[tuple[RecordKey, Identifier]]: ...
    def __getitem__(self, position: int | slice) -> tuple[RecordKey, Identifier] | list[tuple[RecordKey, Identifier]]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        return self.records[int(self.record[position])], self.identifiers[int(self.identifier[position])]

    def __iter__(self) -> Iterator[tuple[RecordKey, Identifier]]:
        records, identifiers = self.records, self.identifiers
        for r, i in zip(self.record.tolist(), self.identifier.tolist(), strict=True):
            yield records[r], identifiers[i]


@dataclass(frozen=True)
class Evidence:
    """Everything that may join the records of one entity kind."""

    records: Sequence[RecordKey]
    # (record, identifier) pairs: a list of tuples, or a LinkTable (cheaper for many links).
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

_KINDS = tuple(IdentifierKind)
_EMPTY = np.empty(0, dtype=np.int64)


def partition(evidence: Evidence, rules: Rules) -> Partition:
    """Group the records: see the module docstring."""
    # Millions of small objects are made and none is cyclic: the cyclic collector would only walk them again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Partitioner(evidence, rules).run()
    finally:
        if collecting:
            gc.enable()


class _Records:
    """The distinct records, sorted, and where keys are among them."""

    def __init__(self, given: Sequence[RecordKey]) -> None:
        self.given = given
        self._index: dict[RecordKey, int] | None = None
        if all(map(operator.lt, given, islice(given, 1, None))):  # sorted and distinct, as a store reads them
            self.keys = list(given)
            self.of_given = np.arange(len(given), dtype=np.int64)
            return
        order = sorted(range(len(given)), key=given.__getitem__)
        keys = list(map(given.__getitem__, order))
        new = np.ones(len(keys), dtype=bool)
        if len(keys) > 1:
            new[1:] = np.fromiter(map(operator.ne, keys[1:], keys[:-1]), dtype=bool, count=len(keys) - 1)
        if not new.all():
            keys = [key for key, first in zip(keys, new.tolist(), strict=True) if first]
        self.keys = keys
        # Position of each given record (by its place in `given`) among the distinct sorted ones.
        self.of_given = np.empty(len(given), dtype=np.int64)
        self.of_given[np.array(order, dtype=np.int64)] = np.cumsum(new) - 1

    def find(self, keys: Sequence[RecordKey]) -> Ints:
        """Position of each key, -1 for keys that are not among the records."""
        n = len(self.keys)
        if self._index is None and len(keys) * 16 < n:  # a few keys: binary search beats building an index
            found = [bisect_left(self.keys, key) for key in keys]
            return np.array(
                [i if i < n and self.keys[i] == key else -1 for i, key in zip(found, keys, strict=True)], dtype=np.int64
            )
        if self._index is None:
            self._index = dict(zip(self.keys, range(n), strict=False))
        return np.fromiter(map(self._index.get, keys, repeat(-1)), dtype=np.int64, count=len(keys))

    def pairs(self, pairs: Iterable[tuple[RecordKey, RecordKey]]) -> tuple[Ints, Ints]:
        """Positions of both ends of the pairs whose two records are both here."""
        given = list(pairs)
        if not given:
            return _EMPTY, _EMPTY
        ends = self.find([p[0] for p in given] + [p[1] for p in given])
        a, b = ends[: len(given)], ends[len(given) :]
        keep = (a >= 0) & (b >= 0)
        return a[keep], b[keep]


def _coded_links(
    links: Sequence[tuple[RecordKey, Identifier]], records: _Records
) -> tuple[Ints, Ints, list[Identifier]]:
    """(record position, identifier code) of each link, and the identifier of each code."""
    if isinstance(links, LinkTable):
        of_record = records.of_given if links.records is records.given else records.find(links.records)
        link_records = of_record[links.record]
        identifiers = list(links.identifiers)
        link_codes = links.identifier
    else:
        link_records = records.find(list(map(operator.itemgetter(0), links)))
        link_codes, identifiers = _identifier_codes(list(map(operator.itemgetter(1), links)))
    if len(link_records) and link_records.min() < 0:
        raise ValueError("Evidence.links: a link's record is not among Evidence.records")
    return link_records, link_codes, identifiers


def _identifier_codes(given: list[Identifier]) -> tuple[Ints, list[Identifier]]:
    """Dense codes of identifiers (equal ones share a code, numbered by first appearance) and each code's identifier.

    Identifiers are matched on their value string (hashed in C); the rare value that two different identifiers
    share (one account number in two systems) sends everything to the slower match on whole identifiers.
    """
    if not given:
        return _EMPTY, []
    seen: dict[object, int] = {}
    size = len(given)
    first = np.fromiter(map(seen.setdefault, map(operator.itemgetter(1), given), count()), dtype=np.int64, count=size)
    # Only links whose value appeared before can disagree with the first identifier of that value.
    later = np.flatnonzero(first != np.arange(size)).tolist()
    earlier = map(given.__getitem__, first[later].tolist())
    if not all(map(operator.eq, earlier, map(given.__getitem__, later))):
        seen = {}
        first = np.fromiter(map(seen.setdefault, given, count()), dtype=np.int64, count=size)
    is_first = first == np.arange(size)
    code_of_position = np.cumsum(is_first) - 1
    return code_of_position[first], list(map(given.__getitem__, np.flatnonzero(is_first).tolist()))


def _distinct(values: Ints) -> Ints:
    """The distinct values, sorted (np.unique, which may hash, is several times slower on millions of ints)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _kind_numbers(identifiers: Sequence[Identifier], codes: Ints) -> NDArray[np.int8]:
    """The kind of each identifier code, as an index into `_KINDS`."""
    kinds = list(map(operator.itemgetter(0), map(identifiers.__getitem__, codes.tolist())))
    ids = np.fromiter(map(id, kinds), dtype=np.int64, count=len(kinds))
    numbers = np.full(len(kinds), -1, dtype=np.int8)
    for number, kind in enumerate(_KINDS):
        numbers[ids == id(kind)] = number
    for position in np.flatnonzero(numbers < 0).tolist():  # a kind given as its plain string value
        numbers[position] = _KINDS.index(IdentifierKind(kinds[position]))
    return numbers


def _pairs_within(codes: Ints, members: Ints) -> tuple[Ints, Ints, Ints]:
    """Every pair of members sharing a code, from (code, member) rows sorted by code then member: (a, b, code)
    with a < b, ordered by code, a, b."""
    a_parts, b_parts, code_parts = [], [], []
    starts = np.arange(len(codes))
    distance = 1
    while len(starts):
        starts = starts[starts + distance < len(codes)]
        starts = starts[codes[starts + distance] == codes[starts]]
        a_parts.append(members[starts])
        b_parts.append(members[starts + distance])
        code_parts.append(codes[starts])
        distance += 1
    a, b, code = np.concatenate(a_parts), np.concatenate(b_parts), np.concatenate(code_parts)
    order = np.lexsort((b, a, code))
    return a[order], b[order], code[order]


def _components(n: int, rows: Ints, cols: Ints) -> Ints:
    """Connected component of each of n nodes joined by edges (rows[i], cols[i]), numbered in the order of their
    smallest node."""
    if n + len(rows) > 4096:
        graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
        labels: Ints = connected_components(graph, directed=False)[1].astype(np.int64)
        return labels
    # Small graphs (one incremental step): a union-find costs less than setting up a sparse matrix.
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(find(i), len(numbers)) for i in range(n)], dtype=np.int64)


class _Partitioner:
    """One partition run: the evidence as integer arrays, and the steps over them."""

    def __init__(self, evidence: Evidence, rules: Rules) -> None:
        self.evidence = evidence
        self.rules = rules
        self.result = Partition(groups=[])

    def run(self) -> Partition:
        evidence, rules, result = self.evidence, self.rules, self.result
        records = self.records = _Records(evidence.records)
        n = len(records.keys)
        if n == 0:
            return result
        link_records, link_codes, identifiers = _coded_links(evidence.links, records)
        self.identifiers = identifiers
        m = len(identifiers)

        # Holders: an identifier with one link has one holder; only the others' links are sorted (and deduplicated).
        links_per_code = np.bincount(link_codes, minlength=m)
        several = links_per_code[link_codes] >= 2
        shared_rows = _distinct(link_codes[several] * n + link_records[several])
        self.shared_codes, self.shared_records = shared_rows // n, shared_rows % n
        single = ~several
        # Every distinct (record, identifier) link: the single-holder ones, then the shared ones by code.
        self.link_records = np.concatenate([link_records[single], self.shared_records])
        self.link_codes = np.concatenate([link_codes[single], self.shared_codes])
        holders = np.where(links_per_code >= 2, 0, links_per_code) + np.bincount(self.shared_codes, minlength=m)
        if evidence.holders is not None:
            local = zip(identifiers, holders.tolist(), strict=True)
            holders = np.array([evidence.holders.get(i, c) for i, c in local], dtype=np.int64)
        self.holders = holders

        # The guards, for identifiers with two holders or more: which of them may link.
        self.countable = np.zeros(m, dtype=bool)  # may link, and counts towards a profile's per-kind limit
        self.evaluated = np.zeros(m, dtype=bool)
        self.kind = np.full(m, -1, dtype=np.int8)
        self._evaluate_shared(np.flatnonzero(holders >= 2))
        usable = self.countable & (holders >= 2)
        needs_agreement = np.array([rules.rule(k).require_name_agreement for k in _KINDS], dtype=bool)
        paired = np.zeros(m, dtype=bool)
        if evidence.agree is not None:
            paired[usable] = needs_agreement[self.kind[usable]]

        # Record-to-record edges: each usable identifier joins its first holder to the others (a star) ...
        rows, cols = [], []
        star = usable & ~paired
        on_star = star[self.shared_codes]
        codes, members = self.shared_codes[on_star], self.shared_records[on_star]
        leader = np.ones(len(codes), dtype=bool)
        leader[1:] = codes[1:] != codes[:-1]
        first = members[np.flatnonzero(leader)[np.cumsum(leader) - 1]]
        rows.append(first[~leader])
        cols.append(members[~leader])
        # ... identifiers that households share join only the pairs of their holders whose names agree ...
        self.corroborated = self._agreeing_pairs(paired)
        rows.append(self.corroborated[0])
        cols.append(self.corroborated[1])
        # ... and overrides and fuzzy matches join pairs.
        self.pair_a, self.pair_b, self.pair_score, self.pair_rule = self._pair_edges()
        rows.append(self.pair_a)
        cols.append(self.pair_b)
        self.labels = _components(n, np.concatenate(rows), np.concatenate(cols))

        broken = self._broken()
        if broken:
            self._repair_all(broken)
        result.groups = self._groups()
        return result

    def _evaluate_shared(self, codes: Ints) -> None:
        """The guards for identifiers held by two records or more: blocked values, sharing limits."""
        rules, identifiers = self.rules, self.identifiers
        self.kind[codes] = _kind_numbers(identifiers, codes)
        self.evaluated[codes] = True
        kinds = self.kind[codes]
        links = np.array([rules.rule(k).link for k in _KINDS], dtype=bool)
        max_records = np.array([rules.rule(k).max_records for k in _KINDS], dtype=np.int64)
        codes = codes[links[kinds]]
        blocking = rules.blocked.exact or rules.blocked.patterns
        reasons = list(map(rules.blocked.blocks, map(identifiers.__getitem__, codes.tolist()))) if blocking else []
        blocked = np.fromiter(map(bool, reasons), dtype=bool, count=len(reasons)) if blocking else np.zeros(0, bool)
        for position in np.flatnonzero(blocked).tolist():
            self.result.blocked[identifiers[int(codes[position])]] = str(reasons[position])
        if blocking:
            codes = codes[~blocked]
        limited = self.holders[codes] > max_records[self.kind[codes]]
        self.result.limited.update(map(identifiers.__getitem__, codes[limited].tolist()))
        self.countable[codes[~limited]] = True

    def _evaluate_single(self, codes: Ints) -> None:
        """The guards for identifiers held by one record, which count towards a profile's limits unless blocked
        as an exact placeholder value (patterns are only searched in values several records share)."""
        codes = codes[~self.evaluated[codes]]
        if not len(codes):
            return
        rules, identifiers = self.rules, self.identifiers
        self.kind[codes] = _kind_numbers(identifiers, codes)
        self.evaluated[codes] = True
        links = np.array([rules.rule(k).link for k in _KINDS], dtype=bool)
        codes = codes[links[self.kind[codes]]]
        if rules.blocked.exact:
            exact = map(rules.blocked.blocks_exactly, map(identifiers.__getitem__, codes.tolist()))
            codes = codes[~np.fromiter(exact, dtype=bool, count=len(codes))]
        self.countable[codes] = True

    def _agreeing_pairs(self, paired: NDArray[np.bool_]) -> tuple[Ints, Ints, Ints]:
        """(a, b, identifier code) for every pair holding an identifier that needs agreeing names, when they do."""
        on = paired[self.shared_codes]
        if not on.any():
            return _EMPTY, _EMPTY, _EMPTY
        a, b, code = _pairs_within(self.shared_codes[on], self.shared_records[on])
        agree = self.evidence.agree
        assert agree is not None
        keys = self.records.keys
        verdicts = agree(list(map(keys.__getitem__, a.tolist())), list(map(keys.__getitem__, b.tolist())))
        ok = np.fromiter(map(bool, verdicts), dtype=bool, count=len(a))
        return a[ok], b[ok], code[ok]

    def _pair_edges(self) -> tuple[Ints, Ints, NDArray[np.float64], list[str]]:
        """always_link overrides and fuzzy edges between records that are both here: a, b, strength, rule."""
        evidence = self.evidence
        always = [(a, b) for a, b in evidence.always if a != b]
        given = [(_ALWAYS, "always_link")] * len(always) + [(e.score, e.rule) for e in evidence.fuzzy]
        ends = self.records.find(
            [p[0] for p in always]
            + [e.a for e in evidence.fuzzy]
            + [p[1] for p in always]
            + [e.b for e in evidence.fuzzy]
        )
        a, b = ends[: len(given)], ends[len(given) :]
        keep = np.flatnonzero((a >= 0) & (b >= 0)).tolist()
        return a[keep], b[keep], np.array([given[i][0] for i in keep], dtype=np.float64), [given[i][1] for i in keep]

    def _broken(self) -> set[int]:
        """Components that break a rule: conflicts, never_link, the maximum size, a per-profile limit."""
        evidence, rules, labels = self.evidence, self.rules, self.labels
        sizes = np.bincount(labels)
        never_a, never_b = self.records.pairs(evidence.never)
        if evidence.conflicts is not None:
            big = sizes >= 3
            if big.any():
                keys = self.records.keys
                members = np.flatnonzero(big[labels])
                members = members[np.argsort(labels[members], kind="stable")]
                bounds = np.flatnonzero(np.diff(labels[members])) + 1
                found: list[tuple[RecordKey, RecordKey]] = []
                for group in np.split(members, bounds):
                    found += evidence.conflicts(list(map(keys.__getitem__, group.tolist())))
                more_a, more_b = self.records.pairs(found)
                never_a, never_b = np.concatenate([never_a, more_a]), np.concatenate([never_b, more_b])
        keep = never_a != never_b
        never_a, never_b = never_a[keep], never_b[keep]
        self.never = set(zip(never_a.tolist(), never_b.tolist(), strict=True))
        self.never |= {(b, a) for a, b in self.never}
        broken = set(np.flatnonzero(sizes > rules.max_component_size).tolist())
        broken.update(labels[never_a[labels[never_a] == labels[never_b]]].tolist())

        # Per-profile limits: a component can break one only when it has more links than the smallest limit.
        limits = np.array([rules.rule(k).max_per_profile for k in _KINDS], dtype=np.int64)
        link_labels = labels[self.link_records]
        links_per_component = np.bincount(link_labels, minlength=len(sizes))
        candidates = links_per_component > limits.min()
        if candidates.any():
            rows = np.flatnonzero(candidates[link_labels])
            self._evaluate_single(_distinct(self.link_codes[rows]))
            rows = rows[self.countable[self.link_codes[rows]]]
            codes, row_labels = self.link_codes[rows], link_labels[rows]
            kinds = self.kind[codes]
            for number in _distinct(kinds).tolist():
                mine = kinds == number
                held = _distinct(row_labels[mine] * (len(self.identifiers) + 1) + codes[mine]) // (
                    len(self.identifiers) + 1
                )
                broken.update(np.flatnonzero(np.bincount(held) > limits[number]).tolist())
        return broken

    def _repair_all(self, broken: set[int]) -> None:
        """Regroup each broken component by a greedy union over its links, and relabel its records."""
        labels, identifiers, keys = self.labels, self.identifiers, self.records.keys
        is_broken = np.zeros(int(labels.max()) + 1, dtype=bool)
        is_broken[list(broken)] = True
        rows = np.flatnonzero(is_broken[labels[self.link_records]])
        self._evaluate_single(_distinct(self.link_codes[rows]))
        rows = rows[self.countable[self.link_codes[rows]]]
        links_of: dict[int, list[tuple[int, Identifier]]] = defaultdict(list)
        for record, code in zip(self.link_records[rows].tolist(), self.link_codes[rows].tolist(), strict=True):
            links_of[int(labels[record])].append((record, identifiers[code]))
        holders = {identifiers[c]: int(self.holders[c]) for c in _distinct(self.link_codes[rows]).tolist()}
        pairs_of: dict[int, list[tuple[int, int, float, str]]] = defaultdict(list)
        for position in np.flatnonzero(is_broken[labels[self.pair_a]]).tolist():
            a, b = int(self.pair_a[position]), int(self.pair_b[position])
            pairs_of[int(labels[a])].append((a, b, float(self.pair_score[position]), self.pair_rule[position]))
        corroborated_of: dict[int, list[tuple[int, int, Identifier]]] = defaultdict(list)
        if self.evidence.agree is not None:
            a_all, b_all, code_all = self.corroborated
            for position in np.flatnonzero(is_broken[labels[a_all]]).tolist():
                a = int(a_all[position])
                corroborated_of[int(labels[a])].append((a, int(b_all[position]), identifiers[int(code_all[position])]))
        else:  # every pair agrees: all pairs of holders of the identifiers that need agreeing names
            needs = np.array([self.rules.rule(k).require_name_agreement for k in _KINDS], dtype=bool)
            on = is_broken[labels[self.shared_records]] & self.countable[self.shared_codes]
            on &= (self.holders[self.shared_codes] >= 2) & needs[self.kind[self.shared_codes]]
            a_all, b_all, code_all = (
                _pairs_within(self.shared_codes[on], self.shared_records[on])
                if on.any()
                else (
                    _EMPTY,
                    _EMPTY,
                    _EMPTY,
                )
            )
            for a, b, code in zip(a_all.tolist(), b_all.tolist(), code_all.tolist(), strict=True):
                corroborated_of[int(labels[a])].append((a, b, identifiers[code]))

        members_of: dict[int, list[int]] = defaultdict(list)
        for record in np.flatnonzero(is_broken[labels]).tolist():
            members_of[int(labels[record])].append(record)
        next_label = int(labels.max()) + 1
        for label in sorted(broken):
            groups = _repair(
                members_of[label],
                links_of[label],
                pairs_of[label],
                corroborated_of[label],
                self.never,
                self.rules,
                holders,
                keys,
                self.result,
            )
            for group in groups:
                labels[group] = next_label
                next_label += 1

    def _groups(self) -> list[list[RecordKey]]:
        """Records by label, each group sorted, groups ordered by their first record (records are sorted)."""
        labels, keys = self.labels, self.records.keys
        n = len(labels)
        first = np.full(int(labels.max()) + 1, n, dtype=np.int64)
        first[labels[::-1]] = np.arange(n - 1, -1, -1)
        leads = np.flatnonzero(first[labels] == np.arange(n))  # each group's first record, in order
        number = np.empty(len(first), dtype=np.int64)
        number[labels[leads]] = np.arange(len(leads))
        order = np.argsort(number[labels], kind="stable")
        ends = np.cumsum(np.bincount(number[labels], minlength=len(leads)))
        ordered = list(map(keys.__getitem__, order.tolist()))
        starts = np.concatenate([[0], ends[:-1]])
        return list(map(ordered.__getitem__, map(slice, starts.tolist(), ends.tolist())))


def _repair(
    members: list[int],
    links: list[tuple[int, Identifier]],
    pair_edges: list[tuple[int, int, float, str]],
    corroborated: list[tuple[int, int, Identifier]],
    never: set[tuple[int, int]],
    rules: Rules,
    holder_counts: Mapping[Identifier, int],
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
        return rules.rule(identifier.kind).trust - min(holder_counts[identifier], 99) / 100

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
