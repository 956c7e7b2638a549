"""Buying committees: opportunity roles first, then titles; completeness, missing roles, quiet members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.b2b import B2BRules, Candidate, CommitteeRole, Engagement, build_committee
from api.b2b.committee import OPPORTUNITY_ROLE, TITLE, assign_role
from api.b2b.config import DEFAULT_RULES

R = CommitteeRole
NOW = datetime(2025, 6, 30, tzinfo=UTC)


def engaged(days_ago: float, score: float = 50.0) -> Engagement:
    return Engagement(score=score, points=score / 10, last_engaged_at=NOW - timedelta(days=days_ago))


def test_an_opportunity_role_wins_over_the_title() -> None:
    candidate = Candidate("p-1", titles=("采购经理",), crm_roles=("Influencer",), on_opportunity=True)
    assert assign_role(candidate, DEFAULT_RULES) == ("采购经理", R.INFLUENCER, OPPORTUNITY_ROLE, 0.95)


def test_the_newest_mapped_crm_role_counts_and_other_falls_back_to_the_title() -> None:
    candidate = Candidate("p-1", titles=("CFO",), crm_roles=("Other", "Champion"), on_opportunity=True)
    assert assign_role(candidate, DEFAULT_RULES)[1:3] == (R.CHAMPION, OPPORTUNITY_ROLE)  # type: ignore[index]
    candidate = Candidate("p-1", titles=("CFO",), crm_roles=("Other",), on_opportunity=True)
    assert assign_role(candidate, DEFAULT_RULES) == ("CFO", R.ECONOMIC_BUYER, TITLE, 0.9)


def test_people_on_a_deal_stay_on_the_committee_even_when_nothing_says_their_role() -> None:
    candidate = Candidate("p-1", titles=(), crm_roles=("Other",), on_opportunity=True)
    assert assign_role(candidate, DEFAULT_RULES) == (None, R.UNKNOWN, OPPORTUNITY_ROLE, 0.0)


def test_people_off_the_deals_join_by_title_unless_turned_off() -> None:
    titled, untitled = Candidate("p-1", titles=("Receptionist", "总经理")), Candidate("p-2", titles=("Receptionist",))
    assert assign_role(titled, DEFAULT_RULES) == ("总经理", R.DECISION_MAKER, TITLE, 0.9)  # the surest title
    assert assign_role(untitled, DEFAULT_RULES) is None
    assert assign_role(titled, B2BRules(include_title_only=False)) is None


def test_members_are_ordered_opportunity_first_then_by_role_and_confidence() -> None:
    committee = build_committee(
        [
            Candidate("p-a", titles=("Software Engineer",)),
            Candidate("p-b", titles=("CEO",)),
            Candidate("p-c", crm_roles=("Business User",), on_opportunity=True),
            Candidate("p-d", titles=("CTO",)),
            Candidate("p-e", crm_roles=("Economic Buyer",), on_opportunity=True),
        ],
        {},
        DEFAULT_RULES,
        as_of=NOW,
    )
    assert [m.person for m in committee.members] == ["p-e", "p-c", "p-b", "p-d", "p-a"]


def test_completeness_is_the_weighted_share_of_required_roles_filled() -> None:
    rules = B2BRules(role_weights={R.DECISION_MAKER: 3, R.ECONOMIC_BUYER: 2, R.CHAMPION: 1}, fill_confidence=0.5)
    committee = build_committee(
        [
            Candidate("p-1", titles=("CEO",)),
            Candidate("p-2", titles=("Marketing Manager",)),  # an influencer, not required
            Candidate("p-3", titles=("财务",)),  # ECONOMIC_BUYER at 0.6: fills it
        ],
        {},
        rules,
        as_of=NOW,
    )
    assert committee.completeness == pytest.approx(5 / 6, abs=1e-4)
    assert committee.missing_roles == (R.CHAMPION,)
    weak = build_committee([Candidate("p-1", titles=("CEO",))], {}, B2BRules(fill_confidence=0.95), as_of=NOW)
    assert weak.completeness == 0.0  # 0.9 is not sure enough to fill DECISION_MAKER
    assert weak.missing_roles[:3] == (R.DECISION_MAKER, R.ECONOMIC_BUYER, R.CHAMPION)  # heaviest first


def test_an_empty_committee_misses_every_required_role() -> None:
    committee = build_committee([], {}, DEFAULT_RULES, as_of=NOW)
    assert committee.completeness == 0.0
    assert set(committee.missing_roles) == set(DEFAULT_RULES.role_weights)
    assert build_committee([], {}, B2BRules(role_weights={}), as_of=NOW).completeness == 1.0


def test_quiet_members_have_not_engaged_for_quiet_days() -> None:
    candidates = [Candidate(p, titles=("CEO",)) for p in ("p-1", "p-2", "p-3")]
    engagements = {"p-1": engaged(2), "p-2": engaged(45)}
    committee = build_committee(candidates, engagements, DEFAULT_RULES, as_of=NOW)
    assert [m.person for m in committee.quiet_members] == ["p-2", "p-3"]
    by_person = {m.person: m for m in committee.members}
    assert by_person["p-1"].engagement.score == 50.0 and not by_person["p-1"].quiet
    assert by_person["p-3"].engagement.last_engaged_at is None
