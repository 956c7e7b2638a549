"""B2B rules: title rules, CRM role names, required roles and their weights, engagement weights and decay.

Defaults work out of the box; a TOML file (named by the IDGRAPH_B2B_RULES setting) replaces any top-level key:

    half_life_days = 21
    [role_weights]
    DECISION_MAKER = 3
    ECONOMIC_BUYER = 2
    [event_weights]
    meeting = 10
    [[title_rules]]
    role = "GATEKEEPER"
    confidence = 0.8
    patterns = ["buyer", "采购"]
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.b2b.roles import CommitteeRole, normalise_crm_role

R = CommitteeRole


class B2BRulesError(ValueError):
    """A rules file that cannot be read or does not validate; the message names the file and the field."""


class TitleRule(BaseModel):
    """Titles containing any of `patterns` (ASCII ones as whole words, case-insensitive) get `role`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: CommitteeRole
    confidence: float = Field(gt=0, le=1)
    patterns: tuple[str, ...] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _non_empty(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        if any(not p.strip() for p in patterns):
            raise ValueError("a pattern must not be empty")
        return patterns


def _rule(role: CommitteeRole, confidence: float, *patterns: str) -> TitleRule:
    return TitleRule(role=role, confidence=confidence, patterns=patterns)


# From specific to generic: the first rule with a matching pattern wins. So "VP Finance" is a buyer before "vp"
# makes anyone an influencer, "Executive Assistant to the CEO" an assistant before "ceo" a decision maker, and
# 总经理 (general manager) a decision maker before 经理 (manager) makes an influencer.
DEFAULT_TITLE_RULES: tuple[TitleRule, ...] = (
    _rule(R.ECONOMIC_BUYER, 0.9, "cfo", "chief financial officer", "finance director", "director of finance",
          "vp finance", "vice president finance", "vice president of finance", "head of finance", "首席财务官",
          "财务总监", "财务副总裁", "财务负责人"),
    _rule(R.GATEKEEPER, 0.8, "procurement", "purchasing", "sourcing", "buyer", "vendor management", "采购", "招标"),
    _rule(R.GATEKEEPER, 0.6, "assistant", "secretary", "office manager", "legal", "counsel", "compliance",
          "助理", "秘书", "法务", "合规"),
    _rule(R.INFLUENCER, 0.6, "vp", "vice president", "svp", "evp", "副总裁"),
    _rule(R.DECISION_MAKER, 0.9, "ceo", "chief executive", "president", "founder", "co founder", "owner",
          "managing director", "general manager", "首席执行官", "总经理", "总裁", "董事长", "创始人", "老板"),
    _rule(R.DECISION_MAKER, 0.75, "cto", "cio", "coo", "chief technology officer", "chief information officer",
          "chief operating officer", "chief", "首席技术官", "首席信息官", "首席运营官", "技术总监", "首席"),
    _rule(R.ECONOMIC_BUYER, 0.6, "finance", "financial", "controller", "treasurer", "accounting", "budget", "财务",
          "会计", "预算"),
    _rule(R.INFLUENCER, 0.65, "it director", "director of it", "head of it", "it manager", "architect", "it总监",
          "it经理", "信息中心", "架构师"),
    _rule(R.USER, 0.65, "engineer", "developer", "analyst", "scientist", "programmer", "specialist", "operator",
          "工程师", "开发", "分析师", "程序员", "专员", "运维"),
    _rule(R.INFLUENCER, 0.55, "director", "head of", "head", "总监", "副总", "主管", "负责人"),
    _rule(R.INFLUENCER, 0.45, "manager", "lead", "经理", "组长"),
)  # fmt: skip

# CRM contact roles on an opportunity (Salesforce's defaults and common Chinese CRM names); None: says nothing.
DEFAULT_CRM_ROLES: dict[str, CommitteeRole | None] = {
    "Decision Maker": R.DECISION_MAKER,
    "Executive Sponsor": R.DECISION_MAKER,
    "Economic Decision Maker": R.ECONOMIC_BUYER,
    "Economic Buyer": R.ECONOMIC_BUYER,
    "Champion": R.CHAMPION,
    "Coach": R.CHAMPION,
    "Influencer": R.INFLUENCER,
    "Technical Evaluator": R.INFLUENCER,
    "Technical Buyer": R.INFLUENCER,
    "Evaluator": R.INFLUENCER,
    "Business User": R.USER,
    "End User": R.USER,
    "User": R.USER,
    "Gatekeeper": R.GATEKEEPER,
    "Procurement": R.GATEKEEPER,
    "Other": None,
    "决策者": R.DECISION_MAKER,
    "关键决策人": R.DECISION_MAKER,
    "经济决策者": R.ECONOMIC_BUYER,
    "预算负责人": R.ECONOMIC_BUYER,
    "支持者": R.CHAMPION,
    "内部支持者": R.CHAMPION,
    "影响者": R.INFLUENCER,
    "技术评估": R.INFLUENCER,
    "使用者": R.USER,
    "最终用户": R.USER,
    "把关者": R.GATEKEEPER,
    "采购": R.GATEKEEPER,
    "其他": None,
}

# Required roles and what each weighs in completeness (roles not listed are not required).
DEFAULT_ROLE_WEIGHTS: dict[CommitteeRole, float] = {
    R.DECISION_MAKER: 3.0,
    R.ECONOMIC_BUYER: 2.5,
    R.CHAMPION: 2.0,
    R.INFLUENCER: 1.0,
    R.USER: 1.0,
    R.GATEKEEPER: 0.5,
}

# Points per action; event types not listed (page_view in the shop, purchase, ...) are not B2B engagement.
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "meeting": 10.0,
    "demo": 10.0,
    "webinar": 6.0,
    "webinar_attended": 6.0,
    "form_submit": 5.0,
    "call": 5.0,
    "email_reply": 5.0,
    "webinar_registered": 3.0,
    "email_click": 3.0,
    "content_download": 3.0,
    "web_visit": 1.0,
    "email_open": 1.0,
}


class B2BRules(BaseModel):
    """Everything the committee and engagement logic can be tuned by."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    title_rules: tuple[TitleRule, ...] = DEFAULT_TITLE_RULES
    crm_roles: dict[str, CommitteeRole | None] = Field(default_factory=lambda: dict(DEFAULT_CRM_ROLES))
    opportunity_role_confidence: float = Field(0.95, gt=0, le=1, description="confidence of a CRM contact role")
    role_weights: dict[CommitteeRole, float] = Field(default_factory=lambda: dict(DEFAULT_ROLE_WEIGHTS))
    fill_confidence: float = Field(
        0.5, ge=0, le=1, description="a role counts as filled by a member whose role has at least this confidence"
    )
    include_title_only: bool = Field(
        True, description="contacts on no opportunity join the committee when their title suggests a role"
    )
    event_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_EVENT_WEIGHTS))
    half_life_days: float = Field(14.0, gt=0)
    saturation: float = Field(15.0, gt=0, description="points at which a person's score reaches 63")
    account_saturation: float = Field(60.0, gt=0, description="points at which an account's score reaches 63")
    window_days: int = Field(90, ge=1, le=3650, description="default look-back of engagement")
    quiet_days: int = Field(30, ge=1, description="a member with no engagement for this long has gone quiet")
    max_events: int = Field(5000, ge=1, le=100_000, description="newest events read per committee or account")

    @field_validator("crm_roles")
    @classmethod
    def _normalised_crm_roles(cls, roles: dict[str, CommitteeRole | None]) -> dict[str, CommitteeRole | None]:
        return {normalise_crm_role(name): role for name, role in roles.items() if name.strip()}

    @field_validator("role_weights")
    @classmethod
    def _weights(cls, weights: dict[CommitteeRole, float]) -> dict[CommitteeRole, float]:
        if CommitteeRole.UNKNOWN in weights:
            raise ValueError("UNKNOWN cannot be a required role")
        if any(w < 0 for w in weights.values()):
            raise ValueError("role weights must not be negative")
        return {role: w for role, w in weights.items() if w > 0}

    @field_validator("event_weights")
    @classmethod
    def _event_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        if any(w < 0 for w in weights.values()):
            raise ValueError("event weights must not be negative")
        return weights


DEFAULT_RULES = B2BRules()


def load_rules(path: str | Path | None) -> B2BRules:
    """The rules in a TOML file (defaults for keys it leaves out), or the defaults when `path` is None."""
    if path is None:
        return DEFAULT_RULES
    resolved = Path(path)
    try:
        stamp = resolved.stat().st_mtime_ns
    except OSError as exc:
        raise B2BRulesError(f"B2B rules file {resolved}: cannot read it ({exc.strerror})") from None
    return _load(resolved, stamp)


@lru_cache(maxsize=8)
def _load(path: Path, stamp: int) -> B2BRules:
    """Cached by path and modification time, so an edited file is read again."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise B2BRulesError(f"B2B rules file {path}: {exc}") from None
    try:
        return B2BRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(file)'}: {error['msg']}" for error in exc.errors()
        )
        raise B2BRulesError(f"B2B rules file {path}: {problems}") from None
