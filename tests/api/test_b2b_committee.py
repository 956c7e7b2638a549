"""buyingCommittee and engagement through the real ASGI app on the demo store: roles from opportunity contact roles
and from English and Chinese titles, completeness, missing roles, quiet members; rules from a TOML file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.b2b.config import DEFAULT_RULES
from api.security.scopes import Scope
from graph import Direction, EntityKind, GraphStore, RelType, open_store

from .conftest import ClientFactory, gql
from .test_b2b_organizations import dealing_organization

pytestmark = pytest.mark.anyio

EXPORT = "2025-06-30T00:00:00Z"  # the demo data's export day: its activity ends here
COMMITTEE = """
query ($id: ID!, $opp: ID, $days: Int, $asOf: DateTime) {
  organization(id: $id) {
    opportunities { id }
    buyingCommittee(opportunityId: $opp, windowDays: $days, asOf: $asOf) {
      completeness missingRoles asOf windowDays opportunity { id }
      members {
        profile { id traits(names: ["first_name"]) { value } }
        title role roleSource confidence engagementScore lastEngagedAt quiet
      }
      quietMembers { profile { id } }
    }
  }
}
"""
ENGAGEMENT = """
query ($id: ID!, $days: Int, $asOf: DateTime) {
  organization(id: $id) {
    engagement(windowDays: $days, asOf: $asOf) {
      score lastEngagedAt engagedContacts totalContacts asOf windowDays activities { type count }
    }
  }
}
"""


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[GraphStore]:
    store = open_store(demo_store_url)
    yield store
    store.close()


async def committee(client: Any, org_id: str, **variables: Any) -> dict[str, Any]:
    body = await gql(client, COMMITTEE, id=org_id, asOf=EXPORT, **variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["organization"]["buyingCommittee"]
    return result


def check_committee(found: dict[str, Any]) -> None:
    """The committee's own laws: completeness is the weighted share of the required roles not missing."""
    weights = {role.name: w for role, w in DEFAULT_RULES.role_weights.items()}
    filled = {
        m["role"] for m in found["members"] if m["confidence"] >= DEFAULT_RULES.fill_confidence and m["role"] in weights
    }
    assert set(found["missingRoles"]) == set(weights) - filled
    assert found["completeness"] == pytest.approx(sum(weights[r] for r in filled) / sum(weights.values()), abs=1e-4)
    quiet = [m["profile"]["id"] for m in found["members"] if m["quiet"]]
    assert [m["profile"]["id"] for m in found["quietMembers"]] == quiet
    for member in found["members"]:
        assert 0 <= member["engagementScore"] <= 100 and 0 <= member["confidence"] <= 1
        assert member["roleSource"] in {"opportunity_role", "title"}
        if member["lastEngagedAt"] is None:
            assert member["engagementScore"] == 0 and member["quiet"]
    sources = [m["roleSource"] for m in found["members"]]
    assert sources == sorted(sources)  # opportunity roles first


async def test_every_demo_account_has_a_consistent_committee(client_for: ClientFactory, demo_store: GraphStore) -> None:
    client = await client_for()
    sources: dict[str, int] = {}
    roles: dict[str, int] = {}
    chinese_titles = 0
    complete = []
    for org in demo_store.iter_entities(EntityKind.ORGANIZATION):
        found = await committee(client, org.id)
        check_committee(found)
        complete.append(found["completeness"])
        for member in found["members"]:
            sources[member["roleSource"]] = sources.get(member["roleSource"], 0) + 1
            roles[member["role"]] = roles.get(member["role"], 0) + 1
            if member["roleSource"] == "title" and member["title"] and not member["title"].isascii():
                chinese_titles += 1
    assert sources["opportunity_role"] > 0 and sources["title"] > 0
    assert {"DECISION_MAKER", "ECONOMIC_BUYER", "CHAMPION", "INFLUENCER", "USER", "GATEKEEPER"} <= set(roles)
    assert chinese_titles > 0  # 总经理, 财务总监, 采购经理, 工程师 ... read as roles
    assert 0 < max(complete) < 1 and min(complete) < max(complete)


async def test_a_deals_committee_puts_its_contact_roles_first(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    org_id = dealing_organization(demo_store)
    client = await client_for()
    whole = await committee(client, org_id)
    org = demo_store.get_entity(org_id)
    assert org is not None
    deals = [n.record.key for key in org.members for n in demo_store.neighbours(key, RelType.FOR, Direction.IN)]
    deal = max(deals, key=lambda d: (len(demo_store.neighbours(d, RelType.ON_OPPORTUNITY, Direction.IN)), d))
    named = demo_store.neighbours(deal, RelType.ON_OPPORTUNITY, Direction.IN)
    people = set(demo_store.entity_ids_of([n.record.key for n in named]).values())
    for opportunity_id in (str(deal), deal.source_id):
        found = await committee(client, org_id, opp=opportunity_id)
        check_committee(found)
        assert found["opportunity"] == {"id": str(deal)}
        from_deal = {m["profile"]["id"] for m in found["members"] if m["roleSource"] == "opportunity_role"}
        assert from_deal == people
    assert whole["opportunity"] is None
    assert {m["profile"]["id"] for m in whole["members"]} >= people


async def test_engagement_counts_recent_weighted_actions(client_for: ClientFactory, demo_store: GraphStore) -> None:
    client = await client_for()
    scores = []
    for org in demo_store.iter_entities(EntityKind.ORGANIZATION):
        body = await gql(client, ENGAGEMENT, id=org.id, asOf=EXPORT)
        engagement = body["data"]["organization"]["engagement"]
        assert 0 <= engagement["score"] <= 100
        assert engagement["engagedContacts"] <= engagement["totalContacts"]
        assert engagement["windowDays"] == DEFAULT_RULES.window_days
        assert all(a["type"] in DEFAULT_RULES.event_weights for a in engagement["activities"])
        assert (engagement["lastEngagedAt"] is None) == (engagement["engagedContacts"] == 0)
        scores.append((engagement["score"], org.id))
    top = max(scores)
    assert top[0] > 0
    later = await gql(client, ENGAGEMENT, id=top[1], asOf="2027-01-01T00:00:00Z")
    assert later["data"]["organization"]["engagement"]["score"] == 0  # nothing in the 90 days before
    wide = await gql(client, ENGAGEMENT, id=top[1], asOf=EXPORT, days=3650)
    assert wide["data"]["organization"]["engagement"]["score"] >= top[0]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"opp": "no-such-deal"}, "argument 'opportunityId'"),
        ({"days": 0}, "argument 'windowDays'"),
        ({"days": 5000}, "argument 'windowDays'"),
    ],
)
async def test_bad_committee_arguments_are_errors_naming_them(
    client_for: ClientFactory, demo_store: GraphStore, variables: dict[str, Any], message: str
) -> None:
    body = await gql(await client_for(), COMMITTEE, id=dealing_organization(demo_store), **variables)
    assert message in body["errors"][0]["message"]


async def test_members_are_profiles_masked_without_pii(client_for: ClientFactory, demo_store: GraphStore) -> None:
    client = await client_for(frozenset({Scope.PROFILES_READ}))
    found = await committee(client, dealing_organization(demo_store))
    assert found["members"]
    assert all(t["value"] in ("***", None) for m in found["members"] for t in m["profile"]["traits"])


async def test_rules_come_from_the_file_the_settings_name(
    client_for: ClientFactory, demo_store: GraphStore, tmp_path: Path
) -> None:
    rules = tmp_path / "b2b.toml"
    rules.write_text(
        '[role_weights]\nDECISION_MAKER = 1\n[[title_rules]]\nrole = "DECISION_MAKER"\nconfidence = 0.8\n'
        'patterns = ["engineer", "工程师", "analyst", "分析师", "manager", "经理", "总监", "ceo", "cfo"]\n'
        "[event_weights]\nmeeting = 1\n",
        encoding="utf-8",
    )
    org_id = dealing_organization(demo_store)
    default = await committee(await client_for(), org_id)
    custom = await committee(await client_for(b2b_rules=str(rules)), org_id)
    assert custom["missingRoles"] == [] and custom["completeness"] == 1.0
    titled = [m for m in custom["members"] if m["roleSource"] == "title"]
    assert titled and all(m["role"] == "DECISION_MAKER" for m in titled)
    assert sum(m["engagementScore"] for m in custom["members"]) <= sum(m["engagementScore"] for m in default["members"])
