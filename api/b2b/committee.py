"""A buying committee from an account's people: roles from opportunity contact roles first, then from titles;
completeness against the weighted required roles, the roles still missing, and the members gone quiet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from api.b2b.config import B2BRules
from api.b2b.engagement import NONE, Engagement, is_quiet
from api.b2b.roles import CommitteeRole, infer_role, role_from_crm

OPPORTUNITY_ROLE = "opportunity_role"  # the CRM's contact role on the opportunity
TITLE = "title"  # inferred from the job title
_ROLE_ORDER = {role: n for n, role in enumerate(CommitteeRole)}


@dataclass(frozen=True)
class Candidate:
    """One person at the account: the titles on their contact records there, and their CRM contact roles on the
    opportunity (or the account's opportunities), newest first. `on_opportunity`: named on one, role or not."""

    person: str
    titles: tuple[str, ...] = ()
    crm_roles: tuple[str, ...] = ()
    on_opportunity: bool = False


@dataclass(frozen=True)
class Member:
    person: str
    title: str | None
    role: CommitteeRole
    role_source: str
    confidence: float
    engagement: Engagement
    quiet: bool


@dataclass(frozen=True)
class Committee:
    members: tuple[Member, ...]
    completeness: float  # 0..1
    missing_roles: tuple[CommitteeRole, ...]
    quiet_members: tuple[Member, ...]


def _best_title(titles: Sequence[str], rules: B2BRules) -> tuple[str | None, CommitteeRole, float]:
    """The title whose inferred role is surest (the first one on ties), with that role and confidence."""
    best: tuple[str | None, CommitteeRole, float] = (titles[0] if titles else None, CommitteeRole.UNKNOWN, 0.0)
    for title in titles:
        guess = infer_role(title, rules.title_rules)
        if guess.confidence > best[2]:
            best = (title, guess.role, guess.confidence)
    return best


def assign_role(candidate: Candidate, rules: B2BRules) -> tuple[str | None, CommitteeRole, str, float] | None:
    """(title, role, role source, confidence) of a candidate, or None when they are not on the committee: on no
    opportunity and (with `include_title_only`) no title suggesting a role."""
    title, inferred, inferred_confidence = _best_title(candidate.titles, rules)
    for name in candidate.crm_roles:
        role = role_from_crm(name, rules.crm_roles)
        if role is not None:
            return title, role, OPPORTUNITY_ROLE, rules.opportunity_role_confidence
    if inferred is not CommitteeRole.UNKNOWN and (candidate.on_opportunity or rules.include_title_only):
        return title, inferred, TITLE, inferred_confidence
    if candidate.on_opportunity:  # named on the deal, but neither the CRM role nor the title says as what
        return title, CommitteeRole.UNKNOWN, OPPORTUNITY_ROLE, 0.0
    return None


def completeness(members: Sequence[Member], rules: B2BRules) -> tuple[float, tuple[CommitteeRole, ...]]:
    """The weighted share of required roles filled by a member sure enough of it, and the required roles missing
    (heaviest first)."""
    weights = rules.role_weights
    filled = {m.role for m in members if m.confidence >= rules.fill_confidence and m.role in weights}
    total = sum(weights.values())
    share = 1.0 if total == 0 else sum(weights[r] for r in filled) / total
    missing = sorted((r for r in weights if r not in filled), key=lambda r: (-weights[r], _ROLE_ORDER[r]))
    return round(share, 4), tuple(missing)


def build_committee(
    candidates: Sequence[Candidate],
    engagements: Mapping[str, Engagement],
    rules: B2BRules,
    *,
    as_of: datetime,
) -> Committee:
    """The committee of an account (or of one opportunity): members ordered by where their role came from
    (opportunity first), then role, confidence and engagement."""
    members = []
    for candidate in candidates:
        assigned = assign_role(candidate, rules)
        if assigned is None:
            continue
        title, role, source, confidence = assigned
        engagement = engagements.get(candidate.person, NONE)
        quiet = is_quiet(engagement, as_of=as_of, quiet_days=rules.quiet_days)
        members.append(Member(candidate.person, title, role, source, confidence, engagement, quiet))
    members.sort(
        key=lambda m: (
            m.role_source != OPPORTUNITY_ROLE,
            _ROLE_ORDER[m.role],
            -m.confidence,
            -m.engagement.score,
            m.person,
        )
    )
    share, missing = completeness(members, rules)
    return Committee(
        members=tuple(members),
        completeness=share,
        missing_roles=missing,
        quiet_members=tuple(m for m in members if m.quiet),
    )
