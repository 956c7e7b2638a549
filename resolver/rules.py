"""Resolution rules (TOML, validated): identifier trust and limits, blocked values, component size, survivorship."""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph import Identifier, IdentifierKind
from resolver.fuzzy.settings import CompanyFuzzySettings, FuzzySettings

_STRICT = ConfigDict(extra="forbid", frozen=True)


class RulesError(ValueError):
    """The rules file cannot be used; the message says where and why."""


class IdentifierRule(BaseModel):
    """How one identifier kind links records."""

    model_config = _STRICT

    link: bool = Field(True, description="whether records sharing such an identifier are joined")
    trust: int = Field(50, ge=0, le=100, description="priority when a profile holds too many of one kind")
    max_records: int = Field(
        20, ge=2, description="shared by more records than this (call-centre phone, family tablet) it links none"
    )
    max_per_profile: int = Field(
        10, ge=1, description="at most this many of the kind per profile; the least shared beyond it are demoted"
    )
    require_name_agreement: bool = Field(
        False, description="link two records only when their names agree (identifiers households share)"
    )


def _default_identifiers() -> dict[IdentifierKind, IdentifierRule]:
    return {
        IdentifierKind.EMAIL: IdentifierRule(trust=90, max_records=20, max_per_profile=6),
        IdentifierKind.PHONE: IdentifierRule(trust=80, max_records=10, max_per_profile=4, require_name_agreement=True),
        IdentifierKind.ACCOUNT: IdentifierRule(trust=100, max_records=5, max_per_profile=10),
        IdentifierKind.DEVICE: IdentifierRule(trust=40, max_records=4, max_per_profile=8, require_name_agreement=True),
        IdentifierKind.DOMAIN: IdentifierRule(trust=70, max_records=50, max_per_profile=10),
    }


DEFAULT_BLOCKED_EXACT = (
    "null",
    "none",
    "n/a",
    "na",
    "nil",
    "unknown",
    "anonymous",
    "undefined",
    "test",
    "test@test.com",
    "test@example.com",
    "noreply@example.com",
    "no-reply@example.com",
    "+8613800000000",
    "+8613800138000",
    "00000000-0000-0000-0000-000000000000",
)
DEFAULT_BLOCKED_PATTERNS = (
    r"^[0\-+ ]*$",  # all zeros
    r"^\+?(\d)\1{6,}$",  # one digit repeated: +1111111111
    r"^\+?\d*(0123456789|1234567890|9876543210)$",
    r"^(test|noreply|no-reply|donotreply|null|none|unknown)@",
)


class BlockedValues(BaseModel):
    """Identifier values that never link: placeholders and test data that many records share by accident."""

    model_config = _STRICT

    exact: tuple[str, ...] = DEFAULT_BLOCKED_EXACT
    patterns: tuple[str, ...] = Field(DEFAULT_BLOCKED_PATTERNS, description="regular expressions (searched)")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"blocked pattern {pattern!r} is not a regular expression: {exc}") from None
        return patterns

    @cached_property
    def _exact(self) -> frozenset[str]:
        return frozenset(v.casefold() for v in self.exact)

    @cached_property
    def _compiled(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), re.IGNORECASE) if self.patterns else None

    def blocks_exactly(self, identifier: Identifier) -> bool:
        return identifier.value.casefold() in self._exact

    def blocks(self, identifier: Identifier) -> str | None:
        """Why the value is blocked (the exact value or the pattern), or None when it may link."""
        value = identifier.value.casefold()
        if value in self._exact:
            return "blocked value"
        if self._compiled is not None and self._compiled.search(identifier.value):
            return "blocked pattern"
        return None


class SurvivorshipPolicy(StrEnum):
    """How one golden-record trait is chosen among the values of a profile's records."""

    SOURCE_PRIORITY = "source_priority"  # the first source in `source_priority` holding a value
    MOST_RECENT = "most_recent"  # the record updated (or created) last
    MOST_FREQUENT = "most_frequent"
    LONGEST = "longest"
    FIRST_NON_EMPTY = "first_non_empty"  # in record-key order


class Survivorship(BaseModel):
    """Golden-record policies: a default and per-trait exceptions."""

    model_config = _STRICT

    default: SurvivorshipPolicy = SurvivorshipPolicy.MOST_FREQUENT
    traits: dict[str, SurvivorshipPolicy] = Field(
        default_factory=lambda: {
            "first_name": SurvivorshipPolicy.MOST_FREQUENT,
            "last_name": SurvivorshipPolicy.MOST_FREQUENT,
            "full_name": SurvivorshipPolicy.LONGEST,
            "email": SurvivorshipPolicy.MOST_RECENT,
            "phone": SurvivorshipPolicy.MOST_RECENT,
            "street": SurvivorshipPolicy.MOST_RECENT,
            "city": SurvivorshipPolicy.MOST_RECENT,
            "postcode": SurvivorshipPolicy.MOST_RECENT,
            "birth_date": SurvivorshipPolicy.SOURCE_PRIORITY,
        }
    )
    source_priority: tuple[str, ...] = Field((), description="sources in order of trust, for source_priority")

    def policy(self, trait: str) -> SurvivorshipPolicy:
        return self.traits.get(trait, self.default)


class Rules(BaseModel):
    """Everything that decides which records are one person or one company."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    identifiers: dict[IdentifierKind, IdentifierRule] = Field(default_factory=_default_identifiers)
    blocked: BlockedValues = BlockedValues()
    max_component_size: int = Field(
        500, ge=2, description="bigger groups are not merged (beyond their strongest links) but queued for review"
    )
    survivorship: Survivorship = Survivorship()
    fuzzy: FuzzySettings = FuzzySettings()
    company_fuzzy: CompanyFuzzySettings = CompanyFuzzySettings()

    @field_validator("identifiers", mode="before")
    @classmethod
    def _merge_defaults(cls, value: object) -> object:
        """Kinds not named keep their defaults; named kinds override only the keys they give."""
        if not isinstance(value, dict):
            return value
        defaults = _default_identifiers().items()
        merged: dict[str, object] = {kind.name.lower(): rule.model_dump() for kind, rule in defaults}
        for name, rule in value.items():
            key = name.name.lower() if isinstance(name, IdentifierKind) else str(name).lower()
            if key not in merged:
                kinds = ", ".join(sorted(merged))
                raise ValueError(f"unknown identifier kind {name!r}; kinds are: {kinds}")
            merged[key] = {**merged[key], **rule} if isinstance(rule, dict) else rule  # type: ignore[dict-item]
        return {IdentifierKind[k.upper()]: v for k, v in merged.items()}

    def rule(self, kind: IdentifierKind) -> IdentifierRule:
        return self.identifiers[kind]


def read_rules(path: Path | None) -> Rules:
    """The rules of a TOML file, or the defaults when no file is given."""
    if path is None:
        return Rules()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"  {where}: {message}" if where else f"  {message}")
        raise RulesError(f"{path}: invalid rules:\n" + "\n".join(problems)) from None
