"""Fuzzy links between person records: blocked pairs scored by the model, kept above the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    keys: Sequence[Sequence[str]] | None = None,
) -> list[FuzzyLink]:
    """Links between the records whose posterior match probability reaches the threshold (and, by default, whose
    names agree), sorted by keys. The same records give the same links in any order. `table` and `keys`, when
    given, are `PersonTable(features)` and each feature's `person_blocking_keys`, already at hand."""
    settings = settings or FuzzySettings()
    if not settings.enabled or len(features) < 2:
        return []
    if keys is None:
        keys = [person_blocking_keys(f) for f in features]
    pairs = blocked_pairs(keys, settings.max_block_size)
    if table is None:
        table = PersonTable(features)
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
    links = []
    for i, j, probability, rule in zip(
        pairs.a[kept].tolist(), pairs.b[kept].tolist(), scored.probability[kept].tolist(), of_link.tolist(), strict=True
    ):
        if features[j].key < features[i].key:
            i, j = j, i
        links.append(FuzzyLink(i, j, features[i].key, features[j].key, probability, rules[rule]))
    links.sort(key=lambda link: (link.key_a, link.key_b))
    return links
