"""Committee roles from job titles (English and Chinese, rules as data) and from CRM contact role names."""

from __future__ import annotations

import pytest

from api.b2b import CommitteeRole, TitleRule, infer_role, role_from_crm
from api.b2b.config import DEFAULT_RULES
from api.b2b.roles import normalise_title

R = CommitteeRole
RULES = DEFAULT_RULES.title_rules


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("CEO", R.DECISION_MAKER),
        ("总经理", R.DECISION_MAKER),
        ("首席执行官", R.DECISION_MAKER),
        ("General Manager", R.DECISION_MAKER),
        ("Co-Founder & President", R.DECISION_MAKER),
        ("ＣＥＯ", R.DECISION_MAKER),  # full-width letters
        ("CTO", R.DECISION_MAKER),
        ("技术总监", R.DECISION_MAKER),
        ("CFO", R.ECONOMIC_BUYER),
        ("财务总监", R.ECONOMIC_BUYER),
        ("Vice President of Finance", R.ECONOMIC_BUYER),  # not an influencer for "vice president"
        ("财务经理", R.ECONOMIC_BUYER),
        ("Procurement Manager", R.GATEKEEPER),
        ("采购经理", R.GATEKEEPER),  # 采购 before 经理
        ("Purchasing Director", R.GATEKEEPER),
        ("行政助理", R.GATEKEEPER),
        ("Executive Assistant to the CEO", R.GATEKEEPER),  # an assistant, not a CEO
        ("Software Engineer", R.USER),
        ("高级工程师", R.USER),
        ("Data Analyst", R.USER),
        ("数据分析师", R.USER),
        ("VP Sales", R.INFLUENCER),
        ("销售副总裁", R.INFLUENCER),  # 副总裁 before 总裁
        ("IT总监", R.INFLUENCER),
        ("Head of Operations", R.INFLUENCER),
        ("Marketing Manager", R.INFLUENCER),
        ("Engineering Manager", R.INFLUENCER),  # "engineer" is a whole word only
        ("Director", R.INFLUENCER),
        ("Receptionist", R.UNKNOWN),
        ("", R.UNKNOWN),
        (None, R.UNKNOWN),
    ],
)
def test_default_rules_read_english_and_chinese_titles(title: str | None, role: CommitteeRole) -> None:
    assert infer_role(title, RULES).role is role


def test_words_match_whole_words_and_chinese_anywhere() -> None:
    assert infer_role("Director of Sales", RULES).matched == "director"  # "cto" inside "director" does not count
    assert infer_role("CTO Office", RULES).matched == "cto"
    assert infer_role("华东区采购部经理", RULES).role is R.GATEKEEPER


def test_confidence_comes_from_the_rule_and_is_zero_for_unknown() -> None:
    assert infer_role("CFO", RULES).confidence == 0.9
    assert infer_role("Marketing Manager", RULES).confidence == 0.45
    assert infer_role("Receptionist", RULES).confidence == 0.0


def test_rules_are_data_and_the_first_match_wins() -> None:
    rules = (
        TitleRule(role=R.CHAMPION, confidence=0.7, patterns=("data analyst",)),
        TitleRule(role=R.USER, confidence=0.6, patterns=("analyst", "分析")),
    )
    assert infer_role("Senior Data Analyst", rules).role is R.CHAMPION
    assert infer_role("Business Analyst", rules).role is R.USER
    assert infer_role("业务分析师", rules).role is R.USER


def test_titles_are_normalised_for_matching() -> None:
    assert normalise_title("  Sr. VP,  Finance / APAC ") == "sr vp finance apac"
    assert normalise_title("ＩＴ总监") == "it总监"


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Decision Maker", R.DECISION_MAKER),
        ("executive sponsor", R.DECISION_MAKER),
        ("Economic Buyer", R.ECONOMIC_BUYER),
        ("Champion", R.CHAMPION),
        ("Technical Evaluator", R.INFLUENCER),
        ("Influencer", R.INFLUENCER),
        ("Business User", R.USER),
        ("决策者", R.DECISION_MAKER),
        ("内部支持者", R.CHAMPION),
        ("Other", None),
        ("Something else", None),
        ("", None),
        (None, None),
    ],
)
def test_crm_contact_roles_map_to_committee_roles(name: str | None, role: CommitteeRole | None) -> None:
    assert role_from_crm(name, DEFAULT_RULES.crm_roles) is role
