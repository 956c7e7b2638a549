"""Estimating a Fellegi-Sunter model from unlabelled records (Splink's approach): u from random pairs, m by
expectation maximisation over blocked pairs, one session per blocking-key family, term frequencies per value, and
the prior as the fixed point of the expected number of matching pairs."""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from resolver.fuzzy.blocking import PERSON_KEY_FIELDS, BlockedPairs, blocked_pairs, person_training_keys
from resolver.fuzzy.comparisons import (
    LEVELS,
    TF_COLUMNS,
    IntArray,
    Levels,
    PersonTable,
    compare,
)
from resolver.fuzzy.links import linkable
from resolver.fuzzy.model import FieldModel, FSModel, LevelModel, SessionSummary, tf_key
from resolver.fuzzy.person import PersonFeatures
from resolver.fuzzy.scoring import FloatArray, score_levels
from resolver.fuzzy.settings import EMSettings, FuzzySettings, PersonField
from resolver.fuzzy.table_blocking import table_blocked_pairs

# Starting m per level (after "null"): where EM begins, and what a field keeps when no session can estimate it.
DEFAULT_M: dict[PersonField, tuple[float, ...]] = {
    PersonField.NAME: (0.70, 0.03, 0.08, 0.03, 0.10, 0.06),
    PersonField.BIRTH_DATE: (0.85, 0.06, 0.03, 0.06),
    PersonField.GENDER: (0.97, 0.03),
    PersonField.ADDRESS: (0.55, 0.15, 0.15, 0.15),
    PersonField.EMAIL: (0.50, 0.15, 0.35),
    PersonField.PHONE: (0.60, 0.02, 0.38),
}
_SMOOTHING = 0.5  # pseudo-count per level, so that no estimated probability is 0
_MIN_SESSION_PAIRS = 30
_PRIOR_ITERATIONS = 200
_ROUNDS = 2  # estimations of u, m and the prior: the second with u from pairs weighted by non-match


def estimate_model(
    features: Sequence[PersonFeatures], settings: FuzzySettings | None = None, *, table: PersonTable | None = None
) -> FSModel:
    """A model estimated from the records alone (no labels). Deterministic and independent of input order.

    u is first taken from random pairs as if none matched; once m and the prior are known, the random pairs are
    weighted by their probability of not matching and u, m and the prior estimated again (in a small data set with
    many duplicates, matching pairs are a visible share of the random ones and would make agreement look common).
    More than `em.max_records` records: the model is estimated on a sample of that many, chosen by a hash of their
    keys (the share of matching pairs, m, u and value frequencies are all the same in a uniform sample).
    `table`, when given, is `PersonTable(features)`, reused when the features come sorted by key.
    """
    settings = settings or FuzzySettings()
    ordered = sample_records(features, settings.em.max_records)
    if table is None or len(ordered) != len(features) or not _same_order(ordered, features):
        table = PersonTable(ordered)
    random_a, random_b = random_pairs(table.size, settings.em.u_sample_pairs, settings.em.seed)
    random_levels = compare(table, random_a, random_b, settings.comparison, settings.fields)
    pairs = table_blocked_pairs(table, settings.max_block_size, training=True)
    if pairs is None:
        pairs = blocked_pairs([person_training_keys(f) for f in ordered], settings.max_block_size)
    levels = compare(table, pairs.a, pairs.b, settings.comparison, settings.fields)
    not_matching: FloatArray | None = None
    model: FSModel | None = None
    for _ in range(_ROUNDS):
        u = {field: _distribution(random_levels[field], len(LEVELS[field]), not_matching) for field in PersonField}
        m, sessions = _estimate_m(levels, pairs, u, settings)
        model = FSModel(
            prior=settings.em.prior or 1e-6,
            fields=tuple(_field_model(table, field, m[field], u[field], settings) for field in settings.fields),
            comparison=settings.comparison,
            records=len(ordered),
            sessions=tuple(sessions),
        )
        if settings.em.prior is None:
            model = model.model_copy(update={"prior": _estimate_prior(table, pairs, levels, model, settings)})
        not_matching = 1.0 - score_levels(table, random_a, random_b, random_levels, model).probability
    assert model is not None
    return model


def sample_records(features: Sequence[PersonFeatures], size: int) -> list[PersonFeatures]:
    """The features sorted by key; at most `size` of them, those whose keys hash lowest (independent of order)."""
    if len(features) <= size:
        return sorted(features, key=lambda f: f.key)
    hashes = np.fromiter(
        (zlib.crc32(f"{f.key.source}\x1f{f.key.source_id}".encode()) for f in features), np.int64, len(features)
    )
    # Ties on the hash at the cut are broken by key, so the sample does not depend on the input order.
    cut = np.partition(hashes, size - 1)[size - 1]
    below = np.flatnonzero(hashes < cut).tolist()
    at_cut = sorted((features[i] for i in np.flatnonzero(hashes == cut).tolist()), key=lambda f: f.key)
    chosen = [features[i] for i in below] + at_cut[: size - len(below)]
    return sorted(chosen, key=lambda f: f.key)


def _same_order(a: Sequence[PersonFeatures], b: Sequence[PersonFeatures]) -> bool:
    return all(x is y for x, y in zip(a, b, strict=True))


# -- u --------------------------------------------------------------------------------------------------------------


def random_pairs(n: int, count: int, seed: int) -> tuple[IntArray, IntArray]:
    """Every pair when there are at most `count`; else `count` pairs drawn at random (the same for the same seed)."""
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if n * (n - 1) // 2 <= count:
        a, b = np.triu_indices(n, 1)
        return a.astype(np.int64), b.astype(np.int64)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=count, dtype=np.int64)
    b = rng.integers(0, n - 1, size=count, dtype=np.int64)
    b[b >= a] += 1
    return a, b


def _distribution(levels: Levels, size: int, weights: FloatArray | None = None) -> FloatArray:
    """Share of each non-null level (index 0, "null", stays 0), smoothed."""
    present = levels > 0
    counts: FloatArray = np.bincount(
        levels[present], weights=None if weights is None else weights[present], minlength=size
    ).astype(np.float64)
    counts[0] = 0.0
    counts[1:] += _SMOOTHING
    shares: FloatArray = counts / counts[1:].sum()
    return shares


# -- m --------------------------------------------------------------------------------------------------------------


def _estimate_m(
    levels: dict[PersonField, Levels], pairs: BlockedPairs, u: dict[PersonField, FloatArray], settings: FuzzySettings
) -> tuple[dict[PersonField, FloatArray], list[SessionSummary]]:
    """m per field: the mean of the sessions that could estimate it, weighted by their expected matches."""
    start = {field: np.r_[0.0, DEFAULT_M[field]] for field in PersonField}
    sums = {field: np.zeros(len(LEVELS[field])) for field in PersonField}
    totals = dict.fromkeys(PersonField, 0.0)
    sessions: list[SessionSummary] = []
    rng = np.random.default_rng(settings.em.seed + 1)
    for family in pairs.names:
        free = tuple(f for f in settings.fields if f not in PERSON_KEY_FIELDS.get(family, frozenset(PersonField)))
        index = np.flatnonzero(pairs.of_family(family))
        if not free or len(index) < _MIN_SESSION_PAIRS:
            continue
        if len(index) > settings.em.max_pairs:
            index = np.sort(rng.choice(index, size=settings.em.max_pairs, replace=False))
        session, counts = level_patterns({field: levels[field][index] for field in free})
        m, share, iterations = expectation_maximisation(session, free, start, u, settings.em, counts)
        expected = share * len(index)
        for field in free:
            sums[field] += expected * m[field]
            totals[field] += expected
        sessions.append(
            SessionSummary(family=family, pairs=len(index), iterations=iterations, match_share=share, fields=free)
        )
    estimated = {field: sums[field] / totals[field] if totals[field] > 0 else start[field] for field in PersonField}
    return estimated, sessions


def level_patterns(levels: dict[PersonField, Levels]) -> tuple[dict[PersonField, Levels], FloatArray]:
    """The distinct combinations of levels among the pairs, and how many pairs have each: EM depends on a pair
    through its levels alone, so it runs on the few hundred patterns instead of the pairs (Splink does the same)."""
    fields = list(levels)
    code = np.zeros(len(levels[fields[0]]), dtype=np.int64)
    for field in fields:
        code = code * len(LEVELS[field]) + levels[field]
    _, first, counts = np.unique(code, return_index=True, return_counts=True)
    return {field: levels[field][first] for field in fields}, counts.astype(np.float64)


def expectation_maximisation(
    levels: dict[PersonField, Levels],
    free: Sequence[PersonField],
    start: dict[PersonField, FloatArray],
    u: dict[PersonField, FloatArray],
    em: EMSettings,
    counts: FloatArray | None = None,
) -> tuple[dict[PersonField, FloatArray], float, int]:
    """m of the free fields and the share of matches among the pairs, with u held fixed. Returns (m, share,
    iterations). `counts`: how many pairs each row of `levels` stands for (one each when None)."""
    m = {field: start[field].copy() for field in free}
    log_u = {field: np.log(np.where(u[field] > 0, u[field], 1.0)) for field in free}
    share = 0.3
    iterations = 0
    n = len(levels[free[0]])
    weights = np.ones(n) if counts is None else counts
    total = float(weights.sum())
    for iterations in range(1, em.max_iterations + 1):  # noqa: B007 - the count is reported
        log_ratio = np.zeros(n)
        for field in free:
            log_m = np.log(np.where(m[field] > 0, m[field], 1.0))
            log_ratio += (log_m - log_u[field])[levels[field]]
        logit = math.log(share / (1 - share)) + log_ratio
        posterior = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        new_share = float(np.clip(float((posterior * weights).sum()) / total, 1e-9, 1 - 1e-9))
        change = abs(new_share - share)
        share = new_share
        for field in free:
            new_m = _distribution(levels[field], len(LEVELS[field]), posterior * weights)
            change = max(change, float(np.abs(new_m - m[field]).max()))
            m[field] = new_m
        if change < em.tolerance:
            break
    return m, share, iterations


# -- prior ----------------------------------------------------------------------------------------------------------


def _estimate_prior(
    table: PersonTable,
    pairs: BlockedPairs,
    levels: dict[PersonField, Levels],
    model: FSModel,
    settings: FuzzySettings,
) -> float:
    """The share of matching pairs among all pairs that makes the expected number of matches among the candidates
    (pairs outside the blocks are taken as non-matches) equal to itself. Pairs that may never link (no agreement
    on the name, see `linkable`) are not counted."""
    n = table.size
    all_pairs = n * (n - 1) / 2
    if all_pairs == 0 or len(pairs) == 0:
        return 1.0 / max(all_pairs, 2.0)
    scored = score_levels(table, pairs.a, pairs.b, levels, model)
    evidence = scored.weight - math.log2(model.prior / (1 - model.prior))
    # Pairs share a few thousand distinct evidence values: sum over those, each counted as often as it occurs.
    evidence, counts = np.unique(evidence[linkable(levels, settings)], return_counts=True)
    prior = 1.0 / n
    for _ in range(_PRIOR_ITERATIONS):
        weight = math.log2(prior / (1 - prior)) + evidence
        expected = float(((1.0 / (1.0 + np.exp2(-np.clip(weight, -1000, 1000)))) * counts).sum())
        new_prior = min(max(expected / all_pairs, 1e-12), 0.5)
        if abs(new_prior - prior) <= 1e-6 * prior:
            return new_prior
        prior = new_prior
    return prior


# -- the model ------------------------------------------------------------------------------------------------------


def _field_model(
    table: PersonTable, field: PersonField, m: FloatArray, u: FloatArray, settings: FuzzySettings
) -> FieldModel:
    fixed = settings.fixed.get(field, {})
    if unknown := sorted(set(fixed) - set(LEVELS[field][1:])):
        raise ValueError(f"fixed.{field.value}: no level {unknown[0]!r}; levels are {', '.join(LEVELS[field][1:])}")
    tf_levels = TF_COLUMNS.get(field, {}) if settings.term_frequency.get(field, False) else {}
    levels = []
    for code, name in enumerate(LEVELS[field]):
        if name == "null":
            continue
        column = tf_levels.get(name)
        weights = fixed.get(name)
        levels.append(
            LevelModel(
                name=name,
                m=weights.m if weights else float(m[code]),
                u=weights.u if weights else float(u[code]),
                fixed=weights is not None,
                tf_column=column,
                tf=coded_tf_table(*table.coded(column), settings.tf_min_count, column) if column else {},
                tf_records=int(np.count_nonzero(table.coded(column)[0])) if column else 0,
            )
        )
    return FieldModel(field=field, levels=tuple(levels))


def coded_tf_table(codes: IntArray, values: Sequence[str], min_count: int, column: str) -> dict[str, float]:
    """`tf_table` of a column given as value codes and the values by code (code 0: no value)."""
    counts = np.bincount(codes, minlength=len(values))
    total = int(counts[1:].sum())
    return {
        tf_key(column, value): count / total
        for value, count in sorted(zip(values[1:], counts[1:].tolist(), strict=True))
        if count >= min_count
    }


def tf_table(values: Sequence[str], min_count: int, column: str) -> dict[str, float]:
    """Frequency of each value among the records that have one, for values seen at least `min_count` times."""
    counts = Counter(v for v in values if v)
    total = sum(counts.values())
    return {tf_key(column, value): count / total for value, count in sorted(counts.items()) if count >= min_count}
