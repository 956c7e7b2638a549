"""Fuzzy links between person records: blocked pairs scored by the model, kept above the threshold."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np
import numpy.typing as npt

from graph import RecordKey
from resolver.fuzzy.blocking import blocked_pairs, person_blocking_keys
from resolver.fuzzy.comparisons import (
    AGREEING_NAME_LEVELS,
    LEVELS,
    PERSONAL_LEVELS,
    Levels,
    PersonTable,
    compare,
    level_code,
)
from resolver.fuzzy.model import FSModel
from resolver.fuzzy.person import PersonFeatures
from resolver.fuzzy.scoring import agreeing, rule_of, score_levels
from resolver.fuzzy.settings import FuzzySettings, PersonField
from resolver.fuzzy.table_blocking import table_blocked_pairs


@dataclass(frozen=True, slots=True)
class FuzzyLink:
    """A SAME_AS link: the two records (indices into the input and keys, key_a < key_b), the match probability,
    and the rule: the evidence as `fs:name=exact,dob=exact,...` (persons) or `company:...` (companies)."""

    index_a: int
    index_b: int
    key_a: RecordKey
    key_b: RecordKey
    score: float
    rule: str


def linkable(levels: dict[PersonField, Levels], settings: FuzzySettings) -> npt.NDArray[np.bool_]:
    """Pairs whose evidence may make a link at all, whatever their score: the names agree, and a name that is not
    exactly equal comes with a personal agreement (birth date or e-mail)."""
    name = levels[PersonField.NAME]
    allowed = np.ones(len(name), dtype=np.bool_)
    if settings.require_name_agreement:
        allowed &= agreeing(name, PersonField.NAME, AGREEING_NAME_LEVELS)
    if settings.personal_evidence_unless_exact_name:
        personal = np.zeros(len(name), dtype=np.bool_)
        for field, names in PERSONAL_LEVELS.items():
            personal |= agreeing(levels[field], field, names)
        allowed &= personal | (name == level_code(PersonField.NAME, "exact"))
    return allowed


def fuzzy_links(
    features: Sequence[PersonFeatures],
    model: FSModel,
    settings: FuzzySettings | None = None,
    *,
    table: PersonTable | None = None,
) -> list[FuzzyLink]:
    """Links between the records whose posterior match probability reaches the threshold (and, by default, whose
    names agree), sorted by keys. The same records give the same links in any order. `table`, when given, is
    `PersonTable(features)`, already at hand."""
    settings = settings or FuzzySettings()
    if not settings.enabled or len(features) < 2:
        return []
    if table is None:
        table = PersonTable(features)
    pairs = table_blocked_pairs(table, settings.max_block_size)
    if pairs is None:  # (values the codes cannot tell apart as the key strings would)
        pairs = blocked_pairs([person_blocking_keys(f) for f in features], settings.max_block_size)
    fields = [f.field for f in model.fields]
    levels = compare(table, pairs.a, pairs.b, model.comparison, fields)
    scored = score_levels(table, pairs.a, pairs.b, levels, model)
    keep = (scored.probability >= settings.threshold) & linkable(levels, settings)
    kept = np.flatnonzero(keep)
    # A link's rule names its levels: made once per distinct combination of levels (a few hundred), not per link.
    pattern = np.zeros(len(kept), dtype=np.int64)
    for field in PersonField:
        pattern = pattern * len(LEVELS[field]) + levels[field][kept]
    _, first, of_link = np.unique(pattern, return_index=True, return_inverse=True)
    rules = [
        rule_of({field: LEVELS[field][int(levels[field][k])] for field in PersonField}) for k in kept[first].tolist()
    ]
    found = zip(
        pairs.a[kept].tolist(), pairs.b[kept].tolist(), scored.probability[kept].tolist(), of_link.tolist(), strict=True
    )
    record_keys = [f.key for f in features]
    if all(map(operator.lt, record_keys, islice(record_keys, 1, None))):
        # Features in key order (as a batch reads them): the pairs (i < j, sorted) are already in key order.
        return [
            FuzzyLink(i, j, record_keys[i], record_keys[j], probability, rules[rule])
            for i, j, probability, rule in found
        ]
    links = []
    for i, j, probability, rule in found:
        if record_keys[j] < record_keys[i]:
            i, j = j, i
        links.append(FuzzyLink(i, j, record_keys[i], record_keys[j], probability, rules[rule]))
    links.sort(key=lambda link: (link.key_a, link.key_b))
    return links
