"""GraphQL types of buying committees and opportunities, and the resolver that builds an account's committee.

Members come from the opportunity's CRM contact roles first, then from the titles of the account's contacts
(api/b2b holds the rules); each member is a Profile, and titles pass through api/security/masking.py.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.b2b import Candidate, CommitteeRole, Member, build_committee
from api.schema.account_reads import (
    Deal,
    Person,
    as_of_of,
    engagement_of,
    find_deal,
    opportunities_of,
    people_of,
    rules_of,
    window_of,
    with_deal_people,
)
from api.schema.context import Info
from api.schema.types import Profile
from api.security.masking import mask_properties, mask_trait
from graph import Entity

strawberry.enum(CommitteeRole, description="The part a person plays in a purchase.")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@strawberry.type(description="A B2B deal (a CRM opportunity) of an organization.")
class Opportunity:
    deal: strawberry.Private[Deal]

    @strawberry.field(description="source/sourceId: pass it as buyingCommittee's opportunityId")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.deal.id)

    @strawberry.field
    def source(self) -> str:
        return self.deal.record.key.source

    @strawberry.field
    def source_id(self) -> str:
        return self.deal.record.key.source_id

    @strawberry.field
    def name(self) -> str | None:
        return _text(self.deal.record.properties.get("name"))

    @strawberry.field
    def stage(self) -> str | None:
        return _text(self.deal.record.properties.get("stage"))

    @strawberry.field(description="amount in the base currency")
    def amount(self) -> float | None:
        value = self.deal.record.properties.get("amount")
        return float(value) if isinstance(value, int | float) else None

    @strawberry.field
    def currency(self) -> str | None:
        return _text(self.deal.record.properties.get("currency"))

    @strawberry.field
    def close_date(self) -> str | None:
        return _text(self.deal.record.properties.get("close_date"))

    @strawberry.field(description="the number of contacts the CRM names on the deal")
    def contact_count(self) -> int:
        return len(self.deal.roles)

    @strawberry.field(description="the cleaned properties (PII masked without pii:read)")
    def properties(self, info: Info) -> JSON:
        return JSON(mask_properties(self.deal.record.properties, sees_pii=info.context.sees_pii))


@strawberry.type(description="A person on a buying committee, with their role, where it came from and engagement.")
class CommitteeMember:
    member: strawberry.Private[Member]
    entity: strawberry.Private[Entity]

    @strawberry.field
    def profile(self) -> Profile:
        return Profile(entity=self.entity)

    @strawberry.field(description="the job title the role was read from (or the first one on record)")
    def title(self, info: Info) -> str | None:
        title = mask_trait("title", self.member.title, sees_pii=info.context.sees_pii)
        return str(title) if title is not None else None

    @strawberry.field
    def role(self) -> CommitteeRole:
        return self.member.role

    @strawberry.field(description="opportunity_role (the CRM's contact role on the deal) or title (inferred)")
    def role_source(self) -> str:
        return self.member.role_source

    @strawberry.field(description="how sure the role is, 0..1")
    def confidence(self) -> float:
        return self.member.confidence

    @strawberry.field(description="0-100: weighted actions in the window, halved every half-life of age")
    def engagement_score(self) -> float:
        return self.member.engagement.score

    @strawberry.field(description="the newest weighted action within the window")
    def last_engaged_at(self) -> datetime | None:
        return self.member.engagement.last_engaged_at

    @strawberry.field(description="no weighted action in the rules' quiet_days (30 by default)")
    def quiet(self) -> bool:
        return self.member.quiet


@strawberry.type(description="Who buys at an account (or on one deal), how complete that is, and who went quiet.")
class BuyingCommittee:
    members: list[CommitteeMember]
    completeness: float = strawberry.field(description="0..1, the weighted share of the required roles filled")
    missing_roles: list[CommitteeRole] = strawberry.field(description="required roles nobody fills, heaviest first")
    quiet_members: list[CommitteeMember]
    opportunity: Opportunity | None = strawberry.field(description="the deal asked for; null: all the account's deals")
    as_of: datetime
    window_days: int


def _candidates(people: list[Person], deals: list[Deal]) -> list[Candidate]:
    """One candidate per person: their titles, and the CRM roles of their contact records (newest deal first)."""
    roles: dict[str, list[str]] = {}
    named: set[str] = set()
    owner = {key: person.profile.id for person in people for key in person.contacts}
    for deal in deals:  # newest first
        for contact, role in deal.roles:
            person = owner.get(contact)
            if person is None:
                continue
            named.add(person)
            if role is not None:
                roles.setdefault(person, []).append(role)
    return [
        Candidate(
            person=p.profile.id,
            titles=tuple(p.titles),
            crm_roles=tuple(roles.get(p.profile.id, ())),
            on_opportunity=p.profile.id in named,
        )
        for p in people
    ]


async def buying_committee(
    info: Info,
    organization: Entity,
    *,
    opportunity_id: str | None,
    window_days: int | None,
    as_of: datetime | None,
) -> BuyingCommittee:
    rules = rules_of(info)
    days = window_of(window_days, rules)
    moment = as_of_of(as_of)
    deals = await opportunities_of(info, organization)
    chosen = [find_deal(deals, opportunity_id)] if opportunity_id is not None else deals
    people = await with_deal_people(info, chosen, await people_of(info, organization))
    engagements = await engagement_of(info, people, rules, as_of=moment, window_days=days)
    committee = build_committee(_candidates(people, chosen), engagements, rules, as_of=moment)
    profiles = {p.profile.id: p.profile for p in people}
    members = {m.person: CommitteeMember(member=m, entity=profiles[m.person]) for m in committee.members}
    return BuyingCommittee(
        members=list(members.values()),
        completeness=committee.completeness,
        missing_roles=list(committee.missing_roles),
        quiet_members=[members[m.person] for m in committee.quiet_members],
        opportunity=Opportunity(deal=chosen[0]) if opportunity_id is not None else None,
        as_of=moment,
        window_days=days,
    )
