"""Buying-committee roles: the role a job title suggests (English and Chinese, by rules given as data) and the role
a CRM's opportunity contact role names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple, Protocol


class CommitteeRole(StrEnum):
    """The part a person plays in a purchase. Values are the names (they appear as such in rule files)."""

    DECISION_MAKER = "DECISION_MAKER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    CHAMPION = "CHAMPION"
    INFLUENCER = "INFLUENCER"
    USER = "USER"
    GATEKEEPER = "GATEKEEPER"
    UNKNOWN = "UNKNOWN"


class RoleGuess(NamedTuple):
    """A role with how sure the rule that gave it is (0..1) and the pattern that matched (None: nothing did)."""

    role: CommitteeRole
    confidence: float
    matched: str | None = None


class TitleRuleLike(Protocol):
    """What `infer_role` needs of a rule (config.TitleRule is one)."""

    @property
    def role(self) -> CommitteeRole: ...

    @property
    def confidence(self) -> float: ...

    @property
    def patterns(self) -> Sequence[str]: ...


UNKNOWN = RoleGuess(CommitteeRole.UNKNOWN, 0.0)


def normalise_title(text: str) -> str:
    """Lower case, full-width characters folded (ＣＥＯ -> ceo), runs of spaces and separators made one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s,;/|()（）【】\[\]\-_.·、，]+", " ", folded).strip()


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> re.Pattern[str]:
    """ASCII words must match whole words ("cto" is not in "director"); Chinese text matches anywhere, since
    Chinese titles have no spaces (采购 in 采购经理)."""
    text = normalise_title(pattern)
    body = re.escape(text).replace(r"\ ", r"\s+")
    if text.isascii():
        return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
    return re.compile(body)


def infer_role(title: str | None, rules: Sequence[TitleRuleLike]) -> RoleGuess:
    """The role of the first rule with a pattern found in the title (rules go from specific to generic), or
    UNKNOWN with confidence 0."""
    if not title or not title.strip():
        return UNKNOWN
    text = normalise_title(title)
    for rule in rules:
        for pattern in rule.patterns:
            if _matcher(pattern).search(text):
                return RoleGuess(rule.role, rule.confidence, pattern)
    return UNKNOWN


def normalise_crm_role(name: str) -> str:
    return normalise_title(name)


def role_from_crm(name: str | None, mapping: Mapping[str, CommitteeRole | None]) -> CommitteeRole | None:
    """The committee role a CRM contact role names ("Economic Buyer", "决策者", ...); None when the CRM role says
    nothing about the part played ("Other", empty, or not in the mapping), so the title decides. The mapping's keys
    are normalised with `normalise_crm_role` (B2BRules does that)."""
    if not name or not name.strip():
        return None
    return mapping.get(normalise_crm_role(name))
