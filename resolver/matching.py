"""Fuzzy evidence for one entity kind: SAME_AS links, and whether two records' names agree.

The person model (Fellegi-Sunter m/u and term frequencies) is estimated from the data once, stored in the
graph store, and reused by every later run, batch or incremental, so the same records always score the same;
`--full` re-estimates it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from graph import EntityKind, GraphStore, Record, RecordKey
from resolver.fuzzy import (
    AGREEING_NAME_LEVELS,
    CompanyFeatures,
    FSModel,
    PersonFeatures,
    PersonField,
    PersonTable,
    company_links,
    compare,
    estimate_model,
    fuzzy_links,
)
from resolver.fuzzy.company import refusal
from resolver.fuzzy.comparisons import level_code
from resolver.linking import FuzzyEdge
from resolver.rules import Rules

MODEL_DOCUMENT = "resolver.model.person"

Agreement = Callable[[Sequence[RecordKey], Sequence[RecordKey]], Sequence[bool]]


@dataclass
class Matching:
    """Fuzzy links between records, the name-agreement test for identifiers households share, and the pairs
    that are different entities whatever links them."""

    edges: list[FuzzyEdge]
    agree: Agreement | None = None
    conflicts: Callable[[Sequence[RecordKey]], list[tuple[RecordKey, RecordKey]]] | None = None


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


def name_agreement(features: Sequence[PersonFeatures], rules: Rules) -> Agreement:
    """Pairs of records whose names are one person's (exact, nickname, close, initial); a record without a
    name contradicts nobody. Vectorised over all the pairs asked at once."""
    table = PersonTable(list(features))
    row = {f.key: i for i, f in enumerate(features)}
    agreeing = np.array([level_code(PersonField.NAME, level) for level in AGREEING_NAME_LEVELS], dtype=np.int8)

    def agree(a: Sequence[RecordKey], b: Sequence[RecordKey]) -> Sequence[bool]:
        verdicts = np.ones(len(a), dtype=bool)
        both = [k for k in range(len(a)) if a[k] in row and b[k] in row]
        if both:
            ia = np.array([row[a[k]] for k in both], dtype=np.int64)
            ib = np.array([row[b[k]] for k in both], dtype=np.int64)
            levels = compare(table, ia, ib, rules.fuzzy.comparison, [PersonField.NAME])[PersonField.NAME]
            verdicts[both] = np.isin(levels, agreeing)
        return verdicts.tolist()

    return agree


def stored_model(store: GraphStore) -> FSModel | None:
    document = store.get_document(MODEL_DOCUMENT)
    return None if document is None else FSModel.model_validate(document)


def person_model(store: GraphStore, features: Sequence[PersonFeatures], rules: Rules, *, reestimate: bool) -> FSModel:
    """The stored model, or one estimated from `features` (and stored) when there is none or asked to."""
    model = None if reestimate else stored_model(store)
    if model is None:
        model = estimate_model(features, rules.fuzzy)
        store.put_document(MODEL_DOCUMENT, model.model_dump(mode="json"))
    return model


def match(
    store: GraphStore, entity_kind: EntityKind, records: Sequence[Record], rules: Rules, *, reestimate: bool
) -> Matching:
    """The fuzzy evidence among `records` (all of one entity kind)."""
    if entity_kind is EntityKind.ORGANIZATION:
        companies = [f for record in records if (f := CompanyFeatures.from_record(record)) is not None]
        links = company_links(companies, rules.company_fuzzy)
        edges = [FuzzyEdge(link.key_a, link.key_b, link.score, link.rule) for link in links]
        return Matching(edges, conflicts=company_conflicts(companies, rules))
    features = person_features(records)
    agree = name_agreement(features, rules)
    if not rules.fuzzy.enabled or len(features) < 2:
        return Matching([], agree)
    model = person_model(store, features, rules, reestimate=reestimate)
    links = fuzzy_links(features, model, rules.fuzzy)
    return Matching([FuzzyEdge(link.key_a, link.key_b, link.score, link.rule) for link in links], agree)
