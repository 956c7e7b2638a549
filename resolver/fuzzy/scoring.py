"""Scoring pairs with a Fellegi-Sunter model: per-field match weights (log2 m/u, term-frequency adjusted), summed
with the prior into a match probability; and the same per pair as evidence a person can read."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from resolver.fuzzy.comparisons import LEVELS, IntArray, Levels, PersonTable, compare, level_code
from resolver.fuzzy.model import FSModel, tf_key
from resolver.fuzzy.person import PersonFeatures
from resolver.fuzzy.settings import PersonField

FloatArray = npt.NDArray[np.float64]
SHORT_NAMES = {
    PersonField.NAME: "name",
    PersonField.BIRTH_DATE: "dob",
    PersonField.GENDER: "gender",
    PersonField.ADDRESS: "address",
    PersonField.EMAIL: "email",
    PersonField.PHONE: "phone",
}


def level_weights(model: FSModel, field: PersonField) -> FloatArray:
    """log2(m/u) per level code of the field (0 for "null" and for fields the model lacks)."""
    weights = np.zeros(len(LEVELS[field]))
    field_model = model.field(field)
    if field_model is not None:
        for level in field_model.levels:
            weights[level_code(field, level.name)] = math.log2(level.m / level.u)
    return weights


def tf_adjustments(table: PersonTable, model: FSModel) -> dict[tuple[PersonField, int], FloatArray]:
    """Per record, the weight to add when a pair agrees at a term-frequency level on that record's value:
    log2(u / u_value), 0 or less (see `LevelModel.chance_agreement`)."""
    adjustments: dict[tuple[PersonField, int], FloatArray] = {}
    for field_model in model.fields:
        for level in field_model.levels:
            if level.tf_column is None or not level.tf:
                continue
            column = level.tf_column
            codes, values = table.coded(column)
            weights = np.fromiter(
                (
                    math.log2(level.u / level.chance_agreement(level.tf.get(tf_key(column, value)))) if value else 0.0
                    for value in values
                ),
                dtype=np.float64,
                count=len(values),
            )
            adjustments[(field_model.field, level_code(field_model.field, level.name))] = weights[codes]
    return adjustments


@dataclass(frozen=True)
class ScoredPairs:
    """Pairs (a[k], b[k]) with their levels, per-field weights, total weight (prior included) and probability."""

    a: IntArray
    b: IntArray
    levels: dict[PersonField, Levels]
    weights: dict[PersonField, FloatArray]
    weight: FloatArray
    probability: FloatArray


def prior_weight(prior: float) -> float:
    return math.log2(prior / (1 - prior))


def probability_of(weight: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -1000, 1000)))


def score_levels(
    table: PersonTable,
    a: IntArray,
    b: IntArray,
    levels: dict[PersonField, Levels],
    model: FSModel,
    adjustments: dict[tuple[PersonField, int], FloatArray] | None = None,
) -> ScoredPairs:
    """Weights and probabilities of pairs whose levels are known."""
    if adjustments is None:
        adjustments = tf_adjustments(table, model)
    weights: dict[PersonField, FloatArray] = {}
    total = np.full(len(a), prior_weight(model.prior))
    for field in PersonField:
        weight = level_weights(model, field)[levels[field]]
        for (tf_field, code), per_record in adjustments.items():
            if tf_field is field:
                weight = np.where(levels[field] == code, weight + per_record[a], weight)
        weights[field] = weight
        total = total + weight
    return ScoredPairs(a, b, levels, weights, total, probability_of(total))


def score_pairs(table: PersonTable, a: IntArray, b: IntArray, model: FSModel) -> ScoredPairs:
    """Compare and score the pairs (a[k], b[k]) of the table's records."""
    fields = [f.field for f in model.fields]
    return score_levels(table, a, b, compare(table, a, b, model.comparison, fields), model)


class FieldEvidence(BaseModel):
    """How one field of two records compares: level, match weight (bits; + for, - against) and the values
    compared, as normalised features."""

    model_config = ConfigDict(frozen=True)

    field: PersonField
    level: str
    weight: float
    value_a: str
    value_b: str


class PairScore(BaseModel):
    """A pair's match probability, total match weight (prior included) and the evidence per field."""

    model_config = ConfigDict(frozen=True)

    probability: float
    weight: float
    prior_weight: float
    fields: tuple[FieldEvidence, ...]

    @property
    def rule(self) -> str:
        """`fs:name=exact,dob=exact,...`: the levels of the fields present on both sides."""
        return rule_of({e.field: e.level for e in self.fields})


def rule_of(levels: dict[PersonField, str]) -> str:
    parts = [f"{SHORT_NAMES[field]}={level}" for field, level in levels.items() if level != "null"]
    return "fs:" + ",".join(parts)


def shown_value(f: PersonFeatures, field: PersonField) -> str:
    """A feature as an explanation shows it."""
    match field:
        case PersonField.NAME:
            return " ".join(p for p in (f.given, f.family) if p)
        case PersonField.BIRTH_DATE:
            d = f.birth_date
            return f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" if d else ""
        case PersonField.GENDER:
            return f.gender
        case PersonField.ADDRESS:
            return ", ".join(p for p in (f.street, f.postcode, f.city) if p)
        case PersonField.EMAIL:
            return f.email
        case PersonField.PHONE:
            return f.phone


def score_pair(a: PersonFeatures, b: PersonFeatures, model: FSModel) -> PairScore:
    """One pair's probability, weight and per-field evidence: the same numbers `fuzzy_links` computes."""
    table = PersonTable([a, b])
    scored = score_pairs(table, np.array([0], dtype=np.int64), np.array([1], dtype=np.int64), model)
    evidence = tuple(
        FieldEvidence(
            field=field,
            level=LEVELS[field][int(scored.levels[field][0])],
            weight=float(scored.weights[field][0]),
            value_a=shown_value(a, field),
            value_b=shown_value(b, field),
        )
        for field in PersonField
    )
    return PairScore(
        probability=float(scored.probability[0]),
        weight=float(scored.weight[0]),
        prior_weight=prior_weight(model.prior),
        fields=evidence,
    )


def explain_pair(a: PersonFeatures, b: PersonFeatures, model: FSModel) -> list[FieldEvidence]:
    """Per field: level, weight and the normalised values compared (fields missing on a side have level "null")."""
    return list(score_pair(a, b, model).fields)


def agreeing(levels: Levels, field: PersonField, names: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Mask of pairs whose level of the field is one of the names."""
    return np.isin(levels, [level_code(field, name) for name in names])
