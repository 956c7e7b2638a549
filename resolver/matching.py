"""Fuzzy evidence for one entity kind: SAME_AS links, and whether two records' names agree.

The person model (Fellegi-Sunter m/u and term frequencies) is estimated from the data once, stored in the
graph store, and reused by every later run, batch or incremental, so the same records always score the same;
`--full` re-estimates it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import Any

import numpy as np

from graph import Direction, EntityKind, GraphStore, Record, RecordKey, RelType
from resolver.background import Background
from resolver.fuzzy import (
    AGREEING_NAME_LEVELS,
    CompanyFeatures,
    FSModel,
    FuzzyLink,
    PersonFeatures,
    PersonField,
    PersonTable,
    company_blocking_keys,
    company_links,
    compare,
    estimate_model,
    fuzzy_links,
    person_blocking_keys,
)
from resolver.fuzzy.company import refusal
from resolver.fuzzy.comparisons import level_code
from resolver.linking import FuzzyEdge
from resolver.phases import phase
from resolver.rules import Rules

MODEL_DOCUMENT = "resolver.model.person"
PERSON_PREFIX = "p|"  # keeps person blocking keys apart from company ones in the store's index

Agreement = Callable[[Sequence[RecordKey], Sequence[RecordKey]], Sequence[bool]]


@dataclass
class Matching:
    """Fuzzy links between records, the name-agreement test for identifiers households share, and the pairs
    that are different entities whatever links them."""

    edges: list[FuzzyEdge]
    agree: Agreement | None = None
    conflicts: Callable[[Sequence[RecordKey]], list[tuple[RecordKey, RecordKey]]] | None = None
    # Store writes still going on (the blocking index, the model): waited for before the resolution is written.
    pending: list[Background[None]] = field(default_factory=list)


def company_conflicts(
    companies: Sequence[CompanyFeatures], rules: Rules
) -> Callable[[Sequence[RecordKey]], list[tuple[RecordKey, RecordKey]]]:
    """Company records that no chain of links may join: different web domains, regions, countries or cities
    (an `Acme Inc.` in Boston and the `Acme (China)` in Shanghai stay two organisations, even when a record
    naming only `Acme` resembles both). Records sharing a domain never conflict."""
    by_key = {f.key: f for f in companies}

    def conflicts(members: Sequence[RecordKey]) -> list[tuple[RecordKey, RecordKey]]:
        known = sorted(key for key in members if key in by_key)
        found = []
        for i, a in enumerate(known):
            for b in known[i + 1 :]:
                fa, fb = by_key[a], by_key[b]
                if set(fa.domains) & set(fb.domains):
                    continue
                if refusal(fa, fb, rules.company_fuzzy) is not None:
                    found.append((a, b))
        return found

    return conflicts


def person_features(records: Sequence[Record]) -> list[PersonFeatures]:
    return [f for record in records if (f := PersonFeatures.from_record(record)) is not None]


def name_agreement(features: Sequence[PersonFeatures], rules: Rules, table: PersonTable | None = None) -> Agreement:
    """Pairs of records whose names are one person's (exact, nickname, close, initial); a record without a
    name contradicts nobody. Vectorised over all the pairs asked at once. `table`: `PersonTable(features)`."""
    table = table if table is not None else PersonTable(list(features))
    row = {f.key: i for i, f in enumerate(features)}
    agreeing = np.array([level_code(PersonField.NAME, level) for level in AGREEING_NAME_LEVELS], dtype=np.int8)

    def agree(a: Sequence[RecordKey], b: Sequence[RecordKey]) -> Sequence[bool]:
        verdicts = np.ones(len(a), dtype=bool)
        ia = np.fromiter(map(row.get, a, repeat(-1)), dtype=np.int64, count=len(a))  # -1: a record without a name
        ib = np.fromiter(map(row.get, b, repeat(-1)), dtype=np.int64, count=len(b))
        both = np.flatnonzero((ia >= 0) & (ib >= 0))
        if len(both):
            levels = compare(table, ia[both], ib[both], rules.fuzzy.comparison, [PersonField.NAME])[PersonField.NAME]
            verdicts[both] = np.isin(levels, agreeing)
        return verdicts.tolist()

    return agree


# The model is read on every incremental call: a small document names its version, and the model itself is
# parsed again only when that changes (another process may re-estimate it).
MODEL_VERSION_DOCUMENT = MODEL_DOCUMENT + ".version"
_loaded: dict[str, FSModel] = {}


def stored_model(store: GraphStore) -> FSModel | None:
    version = store.get_document(MODEL_VERSION_DOCUMENT)
    tag = str(version.get("sha256")) if version else None
    if tag is not None and tag in _loaded:
        return _loaded[tag]
    document = store.get_document(MODEL_DOCUMENT)
    if document is None:
        return None
    model = FSModel.model_validate(document)
    if tag is not None:
        _loaded.clear()
        _loaded[tag] = model
    return model


def person_model(
    store: GraphStore,
    features: Sequence[PersonFeatures],
    rules: Rules,
    *,
    reestimate: bool,
    table: PersonTable | None = None,
) -> tuple[FSModel, bool]:
    """The stored model, or one estimated from `features` when there is none or asked to; and whether it was
    estimated (then the caller stores it, with `store_model`)."""
    model = None if reestimate else stored_model(store)
    if model is not None:
        return model, False
    return estimate_model(features, rules.fuzzy, table=table), True


def store_model(store: GraphStore, model: FSModel) -> None:
    """Store an estimated model, for later runs, batch or incremental, to score with."""
    text = model.model_dump_json()
    store.put_document(MODEL_DOCUMENT, model.model_dump(mode="json"))
    store.put_document(MODEL_VERSION_DOCUMENT, {"sha256": hashlib.sha256(text.encode()).hexdigest()})


@dataclass(frozen=True)
class Matcher:
    """How one entity kind is matched fuzzily: features of a record, its blocking keys, links among features."""

    prefix: str  # keeps the kinds' blocking keys apart in the store's index
    max_block_size: int
    features: Callable[[Record], Any]
    keys: Callable[[Any], list[str]]
    links: Callable[[Sequence[Any]], list[FuzzyLink]]

    def index_keys(self, feature: Any) -> list[str]:
        return [self.prefix + key for key in self.keys(feature)] if feature is not None else []


def matcher(entity_kind: EntityKind, rules: Rules, model: FSModel | None) -> Matcher:
    """The matcher of an entity kind; persons need the stored model (no model: no person links)."""
    if entity_kind is EntityKind.ORGANIZATION:
        return Matcher(
            prefix="o|",
            max_block_size=rules.company_fuzzy.max_block_size,
            features=CompanyFeatures.from_record,
            keys=company_blocking_keys,
            links=lambda features: company_links(features, rules.company_fuzzy),
        )
    return Matcher(
        prefix=PERSON_PREFIX,
        max_block_size=rules.fuzzy.max_block_size,
        features=PersonFeatures.from_record,
        keys=person_blocking_keys,
        links=lambda features: fuzzy_links(features, model, rules.fuzzy) if model is not None else [],
    )


def match(
    store: GraphStore, entity_kind: EntityKind, records: Sequence[Record], rules: Rules, *, reestimate: bool
) -> Matching:
    """The fuzzy evidence among `records` (all of one entity kind); also refreshes the store's blocking index,
    which incremental resolution uses to find a new record's candidates."""
    if entity_kind is EntityKind.ORGANIZATION:
        companies = [f for record in records if (f := CompanyFeatures.from_record(record)) is not None]
        company_matcher = matcher(entity_kind, rules, None)
        links = company_matcher.links(companies) if rules.company_fuzzy.enabled else []
        if rules.company_fuzzy.enabled:
            _index(store, company_matcher, records, {f.key: f for f in companies})
        edges = [FuzzyEdge(link.key_a, link.key_b, link.score, link.rule) for link in links]
        return Matching(edges, conflicts=company_conflicts(companies, rules))
    return match_persons(
        store, [record.key for record in records], person_features(records), rules, reestimate=reestimate
    )


def match_persons(
    store: GraphStore, keys: Sequence[RecordKey], features: list[PersonFeatures], rules: Rules, *, reestimate: bool
) -> Matching:
    """`match` of person records given as all their keys and the features of those that have some."""
    with phase("persons: person table"):
        table = PersonTable(features)  # one table for the name test, the estimation and the links
        agree = name_agreement(features, rules, table)
    if not rules.fuzzy.enabled or len(features) < 2:
        return Matching([], agree)
    held: dict[RecordKey, PersonFeatures | None] = dict.fromkeys(keys)
    held.update(zip((f.key for f in features), features, strict=True))
    # The blocking index is written while the model is estimated, the links scored and the partition computed, on
    # the other core; the writer's thread makes the keys too (matching pairs records by the table's codes). An
    # estimated model is stored after it (a write in line would wait for that one).
    writing = [Background(partial(store.set_blocking_keys, PrefixedKeys(held, PERSON_PREFIX, _person_keys)))]
    del held
    try:
        with phase("persons: model"):
            model, estimated = person_model(store, features, rules, reestimate=reestimate, table=table)
        if estimated:
            writing.append(Background(partial(store_model, store, model)))
        with phase("persons: fuzzy links"):
            links = fuzzy_links(features, model, rules.fuzzy, table=table)
        edges = [FuzzyEdge(link.key_a, link.key_b, link.score, link.rule) for link in links]
    except BaseException:
        for write in writing:
            with suppress(BaseException):  # the first error is the one raised
                write.wait()
        raise
    return Matching(edges, agree, pending=writing)


def _person_keys(feature: PersonFeatures | None, prefix: str) -> list[str]:
    return person_blocking_keys(feature, prefix) if feature is not None else []


def _prefixed(blocks: Iterable[str], prefix: str) -> list[str]:
    return [prefix + block for block in blocks]


class PrefixedKeys(Mapping[RecordKey, Sequence[str]]):
    """Blocking keys by record, each with the index's prefix put in front as it is read: a million records' keys are
    not held twice (unprefixed for matching, prefixed for the store). `blocks_of(held, prefix)` makes a record's
    prefixed keys from what `keys` holds for it (by default, its keys), also as they are read: by the thread that
    writes them."""

    def __init__(
        self, keys: dict[RecordKey, Any], prefix: str, blocks_of: Callable[[Any, str], list[str]] = _prefixed
    ) -> None:
        self._keys = keys
        self._prefix = prefix
        self._blocks_of = blocks_of

    def __getitem__(self, key: RecordKey) -> list[str]:
        return self._blocks_of(self._keys[key], self._prefix)

    def __iter__(self) -> Iterator[RecordKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> ItemsView[RecordKey, Sequence[str]]:
        return _PrefixedItems(self)


class _PrefixedItems(ItemsView[RecordKey, Sequence[str]]):
    """`PrefixedKeys.items()` without a look-up per record."""

    _mapping: PrefixedKeys

    def __iter__(self) -> Iterator[tuple[RecordKey, Sequence[str]]]:
        prefix, blocks_of = self._mapping._prefix, self._mapping._blocks_of
        for key, held in self._mapping._keys.items():
            yield key, blocks_of(held, prefix)


def _index(store: GraphStore, chosen: Matcher, records: Sequence[Record], features: dict[RecordKey, Any]) -> None:
    store.set_blocking_keys({record.key: chosen.index_keys(features.get(record.key)) for record in records})


@dataclass
class FuzzyUpdate:
    """How one new or changed record changes the SAME_AS links and the blocking index (nothing written yet)."""

    added: list[FuzzyEdge] = field(default_factory=list)
    removed: set[tuple[RecordKey, RecordKey]] = field(default_factory=set)
    blocking_keys: dict[RecordKey, tuple[str, ...]] = field(default_factory=dict)

    @property
    def touched(self) -> set[RecordKey]:
        """Records whose grouping the changed links may change."""
        return {k for pair in self.removed for k in pair} | {k for e in self.added for k in (e.a, e.b)}


def same_as_of(store: GraphStore, key: RecordKey) -> dict[tuple[RecordKey, RecordKey], FuzzyEdge]:
    """A record's stored SAME_AS links, in either direction, keyed by their (smaller, larger) pair."""
    found = {}
    for direction in (Direction.OUT, Direction.IN):
        for neighbour in store.neighbours(key, RelType.SAME_AS, direction):
            a, b = sorted((key, neighbour.record.key))
            score = neighbour.properties.get("score")
            found[(a, b)] = FuzzyEdge(
                a,
                b,
                float(score) if isinstance(score, (int, float)) else 0.0,
                str(neighbour.properties.get("rule") or ""),
            )
    return found


def fuzzy_update(store: GraphStore, record: Record, entity_kind: EntityKind, rules: Rules) -> FuzzyUpdate:
    """The SAME_AS links and blocking keys one new or changed record brings, exactly as a batch run would have
    them: its links to the records sharing a small enough block, and, for blocks it takes over the size cap,
    the removal of the links that only such a block proposed."""
    enabled = rules.company_fuzzy.enabled if entity_kind is EntityKind.ORGANIZATION else rules.fuzzy.enabled
    if not enabled:
        return FuzzyUpdate()
    chosen = matcher(entity_kind, rules, stored_model(store) if entity_kind is EntityKind.PROFILE else None)
    feature = chosen.features(record)
    keys = chosen.index_keys(feature)
    members = {
        block: [k for k in held if k != record.key] for block, held in store.records_by_blocking_key(keys).items()
    }
    cap = chosen.max_block_size
    population = {block: len(members.get(block, ())) + 1 for block in keys}
    candidates = sorted({k for block in keys if population[block] <= cap for k in members.get(block, ())})
    wanted: dict[tuple[RecordKey, RecordKey], FuzzyEdge] = {}
    if feature is not None and candidates:
        others = [f for r in store.get_records(candidates).values() if (f := chosen.features(r)) is not None]
        for link in chosen.links([feature, *others]):
            if record.key in (link.key_a, link.key_b):
                wanted[(link.key_a, link.key_b)] = FuzzyEdge(link.key_a, link.key_b, link.score, link.rule)
    stored = same_as_of(store, record.key)
    update = FuzzyUpdate(blocking_keys={record.key: tuple(keys)})
    update.added = [
        e for pair, e in wanted.items() if stored.get(pair) is None or round(stored[pair].score, 6) != round(e.score, 6)
    ]
    update.removed = {pair for pair in stored if pair not in wanted}
    # Blocks the record takes over the cap no longer propose their pairs.
    for block in (b for b in keys if population[b] == cap + 1):
        update.removed |= _links_only_from(store, chosen, block, members[block], record.key, set(keys))
    return update


def _links_only_from(
    store: GraphStore,
    chosen: Matcher,
    block: str,
    members: Sequence[RecordKey],
    record: RecordKey,
    new_keys: set[str],
) -> set[tuple[RecordKey, RecordKey]]:
    """Stored links between members of a block now over the cap that no other small enough block proposes.
    `record`'s blocks are `new_keys`, whether or not the index holds them yet."""
    inside = set(members)
    pairs = {pair for key in members for pair in same_as_of(store, key) if pair[0] in inside and pair[1] in inside}
    if not pairs:
        return set()
    records = store.get_records(sorted({k for pair in pairs for k in pair}))
    keys = {k: set(chosen.index_keys(chosen.features(r))) for k, r in records.items()}
    shared = {pair: (keys.get(pair[0], set()) & keys.get(pair[1], set())) - {block} for pair in pairs}
    held = store.records_by_blocking_key(sorted(set().union(*shared.values())))
    sizes = {
        b: len(set(held.get(b, ())) - {record} | ({record} if b in new_keys else set()))
        for b in set().union(*shared.values())
    }
    return {pair for pair, blocks in shared.items() if not any(sizes[b] <= chosen.max_block_size for b in blocks)}
