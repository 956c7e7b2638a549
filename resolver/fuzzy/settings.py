"""Settings of fuzzy matching for persons and companies: fields, thresholds, blocking, EM, term frequencies."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from resolver.fuzzy.text import word_set

_STRICT = ConfigDict(extra="forbid", frozen=True)


class PersonField(StrEnum):
    """The comparisons of the person model; each has its levels (see `comparisons.LEVELS`)."""

    NAME = "name"
    BIRTH_DATE = "birth_date"
    GENDER = "gender"
    ADDRESS = "address"
    EMAIL = "email"
    PHONE = "phone"


_TF_DEFAULT: dict[PersonField, bool] = {field: field is not PersonField.GENDER for field in PersonField}


class LevelWeights(BaseModel):
    """Fixed m and u of one comparison level (the probability of the level among matches and among non-matches)."""

    model_config = _STRICT

    m: float = Field(gt=0, le=1)
    u: float = Field(gt=0, le=1)


class EMSettings(BaseModel):
    """Expectation maximisation of the m probabilities over the blocked pairs (u comes from random pairs)."""

    model_config = _STRICT

    max_iterations: int = Field(default=40, ge=1)
    tolerance: float = Field(default=1e-5, gt=0)
    max_pairs: int = Field(default=1_000_000, ge=100, description="pairs per training session, sampled when more")
    u_sample_pairs: int = Field(default=1_000_000, ge=1000, description="random pairs to estimate u from")
    max_records: int = Field(
        default=150_000, ge=1000, description="records the model is estimated on, a sample (by key hash) when more"
    )
    prior: float | None = Field(
        default=None, gt=0, lt=1, description="fixed probability that two random records match; estimated when None"
    )
    seed: int = 20240601


class ComparisonSettings(BaseModel):
    """Similarity cut-offs of the fuzzy comparison levels. Part of a stored model: scores depend on them."""

    model_config = _STRICT

    name_similarity: float = Field(default=0.88, gt=0, le=1, description="Jaro-Winkler of a name part, close level")
    street_similarity: float = Field(default=88.0, gt=0, le=100, description="token sort ratio of two streets")


class FuzzySettings(BaseModel):
    """Fuzzy linking of person records by a Fellegi-Sunter model whose m/u are estimated from the data itself.

    The defaults favour precision: a SAME_AS link needs a posterior match probability of 0.995, agreement on the name
    (exact, nickname, close spelling or initial) and evidence beyond it, since a name alone is never enough.
    """

    model_config = _STRICT

    enabled: bool = True
    threshold: float = Field(default=0.995, gt=0, lt=1, description="posterior match probability of a link")
    max_block_size: int = Field(default=100, ge=2, description="blocks with more records are skipped")
    fields: tuple[PersonField, ...] = tuple(PersonField)
    fixed: dict[PersonField, dict[str, LevelWeights]] = Field(
        default_factory=dict, description="field -> level -> fixed m/u; levels not given are estimated"
    )
    term_frequency: dict[PersonField, bool] = Field(
        default_factory=lambda: _TF_DEFAULT.copy(),
        description="adjust exact-match weights by how common the value is (Wang Wei weighs less than Xu Jiaqi)",
    )
    tf_min_count: int = Field(default=3, ge=1, description="values seen fewer times keep the level's u")
    require_name_agreement: bool = True
    personal_evidence_unless_exact_name: bool = Field(
        default=True,
        description="a link on a nickname, close or partial name also needs the birth date or e-mail to agree: "
        "family name, address and phone are shared by a household, the given name is what tells its members apart",
    )
    comparison: ComparisonSettings = ComparisonSettings()
    em: EMSettings = EMSettings()

    @model_validator(mode="after")
    def _name_needed(self) -> FuzzySettings:
        if PersonField.NAME not in self.fields:
            raise ValueError("fields: the name comparison cannot be switched off")
        return self


class CompanyFuzzySettings(BaseModel):
    """Fuzzy linking of company records by their names with legal forms stripped.

    Names equal after normalisation, or very similar by token sort ratio, link unless the records carry web domains
    and share none, name different regions (`Acme China` is a subsidiary of `Acme`), or lie in different countries
    or cities (a branch or subsidiary elsewhere is another organisation).
    """

    model_config = _STRICT

    enabled: bool = True
    similarity: float = Field(default=94.0, gt=0, le=100, description="token sort ratio of normalised names")
    min_name_length: int = Field(default=3, ge=1, description="shorter normalised names link only when equal")
    typo_min_length: int = Field(default=8, ge=1, description="names this long link with one typo, in one city")
    max_block_size: int = Field(default=50, ge=2)
    require_same_country: bool = True
    require_same_city: bool = Field(default=True, description="a branch in another city is another organisation")
    free_mail_domains: frozenset[str] = word_set(
        "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com yahoo.com.cn icloud.com "
        "me.com aol.com proton.me protonmail.com gmx.com gmx.de mail.com qq.com foxmail.com 163.com 126.com "
        "139.com sina.com sina.cn sohu.com yeah.net aliyun.com 189.cn 21cn.com tom.com"
    )
