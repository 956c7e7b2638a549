"""The Fellegi-Sunter model as data: prior, m and u per comparison level, term-frequency tables. JSON-serialisable,
so a stored model scores pairs the same way in every later run (batch or incremental)."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field

from resolver.fuzzy.settings import ComparisonSettings, PersonField

MODEL_VERSION = 1
# Columns whose term-frequency keys are hashed: the model is stored and shown, and holds no e-mail or phone number.
HASHED_COLUMNS = frozenset({"email", "email_local", "phone"})

_MODEL = ConfigDict(extra="forbid", frozen=True)


def tf_key(column: str, value: str) -> str:
    """The key of a value in a term-frequency table: the value itself, or a short hash for e-mails and phones."""
    if column in HASHED_COLUMNS:
        return hashlib.blake2b(value.encode(), digest_size=8).hexdigest()
    return value


class LevelModel(BaseModel):
    """One comparison level: its probability among matches (m) and non-matches (u), both given that the field is
    present on both sides.

    `tf` maps values of the level's column to their frequency among the `tf_records` records that have one (only
    values seen at least a few times are kept). A pair agreeing on value v at this level counts as agreeing by
    chance with probability max(u, frequency of v among the other records): common values weigh less, rare and
    unknown ones keep the level's weight."""

    model_config = _MODEL

    name: str
    m: float = Field(gt=0, le=1)
    u: float = Field(gt=0, le=1)
    fixed: bool = False  # set by the settings, not estimated
    tf_column: str | None = None
    tf: dict[str, float] = Field(default_factory=dict)
    tf_records: int = Field(default=0, ge=0)

    def chance_agreement(self, frequency: float | None) -> float:
        """u for a pair agreeing on a value of this frequency: leaving the pair itself out (its two records hold the
        value whether or not it is common), at least u."""
        if frequency is None or self.tf_records <= 2:
            return self.u
        others = (frequency * self.tf_records - 2) / (self.tf_records - 2)
        return max(self.u, others)


class FieldModel(BaseModel):
    """The levels of one comparison, best first, without "null" (either side missing: weight 0)."""

    model_config = _MODEL

    field: PersonField
    levels: tuple[LevelModel, ...]

    def level(self, name: str) -> LevelModel:
        return next(level for level in self.levels if level.name == name)


class SessionSummary(BaseModel):
    """One EM training session: pairs of one blocking-key family, the fields it estimated."""

    model_config = _MODEL

    family: str
    pairs: int
    iterations: int
    match_share: float
    fields: tuple[PersonField, ...]


class FSModel(BaseModel):
    """A Fellegi-Sunter person-matching model. `prior` is the probability that two records drawn at random match."""

    model_config = _MODEL

    version: int = MODEL_VERSION
    prior: float = Field(gt=0, lt=1)
    fields: tuple[FieldModel, ...]
    comparison: ComparisonSettings = ComparisonSettings()
    records: int = Field(default=0, ge=0, description="records the model was estimated on")
    sessions: tuple[SessionSummary, ...] = ()

    def field(self, field: PersonField) -> FieldModel | None:
        return next((f for f in self.fields if f.field is field), None)
