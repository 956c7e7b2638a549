"""GraphQL organizations (B2B accounts): by ID or web domain, searched by name, with their records, domains,
parent and subsidiaries, contacts, opportunities, account graph, engagement and buying committee."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from api.b2b import CommitteeRole, infer_role
from api.schema.account_graph import MAX_GRAPH_DEPTH, MAX_GRAPH_NODES, AccountGraph, account_graph
from api.schema.account_reads import (
    Person,
    account_engagement,
    as_of_of,
    engagement_of,
    opportunities_of,
    people_of,
    related_organizations,
    rules_of,
    window_of,
)
from api.schema.committee import BuyingCommittee, Opportunity, buying_committee
from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.pagination import Connection, connection, decode_cursor, page_size
from api.schema.types import Profile, SourceRecord, Trait
from api.security.masking import mask_trait
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import Direction, Entity, EntityKind, Identifier, IdentifierKind, RelType
from loaders import normalise_identifier


def _after_id(after: str | None) -> str | None:
    value = decode_cursor(after)
    if value is not None and not isinstance(value, str):
        raise InputError("argument 'after' is not a cursor this API returned")
    return value


def _trait_value(entity: Entity, name: str) -> object:
    trait = entity.traits.get(name)
    return trait.get("value") if isinstance(trait, dict) else None


@strawberry.type(description="A person with a contact record at an organization, and what those records say.")
class OrganizationContact:
    person: strawberry.Private[Person]

    @strawberry.field
    def profile(self) -> Profile:
        return Profile(entity=self.person.profile)

    @strawberry.field(description="the job title on their contact record here (the first, if several)")
    def title(self, info: Info) -> str | None:
        return _masked_first("title", self.person.titles, info)

    @strawberry.field(description="every distinct title on their contact records here")
    def titles(self, info: Info) -> list[str]:
        return [str(mask_trait("title", t, sees_pii=info.context.sees_pii)) for t in self.person.titles]

    @strawberry.field
    def department(self, info: Info) -> str | None:
        return _masked_first("department", self.person.departments, info)

    @strawberry.field
    def seniority(self, info: Info) -> str | None:
        return _masked_first("seniority", self.person.seniorities, info)

    @strawberry.field(description="the committee role the title suggests (UNKNOWN: none)")
    def title_role(self, info: Info) -> CommitteeRole:
        rules = rules_of(info).title_rules
        guesses = [infer_role(t, rules) for t in self.person.titles]
        return max(guesses, key=lambda g: g.confidence, default=infer_role(None, rules)).role


def _masked_first(name: str, values: Sequence[str], info: Info) -> str | None:
    if not values:
        return None
    value = mask_trait(name, values[0], sees_pii=info.context.sees_pii)
    return str(value) if value is not None else None


@strawberry.type(description="An account's engagement: its people's weighted, decayed actions together.")
class AccountEngagement:
    score: float = strawberry.field(description="0-100")
    last_engaged_at: datetime | None
    engaged_contacts: int = strawberry.field(description="people with a weighted action in the window")
    total_contacts: int
    activities: list[ActivityCount] = strawberry.field(description="weighted actions in the window, by type")
    as_of: datetime
    window_days: int


@strawberry.type
class ActivityCount:
    type: str
    count: int


@strawberry.type(description="One organization (a B2B account): the unified view of its company records.")
class Organization:
    entity: strawberry.Private[Entity]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entity.id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="the golden-record name")
    def name(self) -> str | None:
        value = _trait_value(self.entity, "name")
        return str(value) if value is not None else None

    @strawberry.field(description="Golden-record traits, each with the record it came from.")
    def traits(self, info: Info) -> list[Trait]:
        traits = []
        for name, trait in sorted(self.entity.traits.items()):
            if isinstance(trait, dict):
                policy = trait.get("policy")
                value = mask_trait(name, trait.get("value"), sees_pii=info.context.sees_pii)
                traits.append(
                    Trait(
                        name=name,
                        value=value,
                        source=str(trait.get("record", "")),
                        policy=str(policy) if policy is not None else None,
                    )
                )
        return traits

    @strawberry.field(description="web domains of its company records")
    async def domains(self, info: Info) -> list[str]:
        held = await info.context.loaders.identifiers.load_many(list(self.entity.members))
        return sorted({i.value for ids in held for i in ids if i.kind is IdentifierKind.DOMAIN})

    @strawberry.field(description="its company records")
    async def records(self, info: Info) -> list[SourceRecord]:
        records = await info.context.loaders.record.load_many(list(self.entity.members))
        return [SourceRecord.of(r) for r in records if r is not None]

    @strawberry.field(description="the organization its company records are subsidiaries of")
    async def parent(self, info: Info) -> Organization | None:
        parents = await related_organizations(info, self.entity, Direction.OUT)
        return Organization(entity=parents[0]) if parents else None

    @strawberry.field
    async def subsidiaries(self, info: Info) -> list[Organization]:
        return [Organization(entity=e) for e in await related_organizations(info, self.entity, Direction.IN)]

    @strawberry.field(description="people with a contact record here, by profile ID")
    async def contacts(self, info: Info, first: int | None = None, after: str | None = None) -> ContactConnection:
        size, start = page_size(first), _after_id(after)
        people = await people_of(info, self.entity)
        rest = [p for p in people if start is None or p.profile.id > start]
        return connection(
            [OrganizationContact(person=p) for p in rest[: size + 1]],
            first=size,
            total=len(people),
            cursor_of=lambda c: c.person.profile.id,
        )

    @strawberry.field(description="its deals, newest first")
    async def opportunities(self, info: Info) -> list[Opportunity]:
        return [Opportunity(deal=d) for d in await opportunities_of(info, self.entity)]

    @strawberry.field(
        description=f"The organization, its parents and subsidiaries up to `depth` hops (0..{MAX_GRAPH_DEPTH}),"
        f" their people and deals, ready to draw (at most {MAX_GRAPH_NODES} nodes)."
    )
    async def account_graph(self, info: Info, depth: int = 1) -> AccountGraph:
        if not 0 <= depth <= MAX_GRAPH_DEPTH:
            raise InputError(f"argument 'depth' must be between 0 and {MAX_GRAPH_DEPTH}")
        return await account_graph(info, self.entity, depth=depth, max_nodes=MAX_GRAPH_NODES)

    @strawberry.field(description="Engagement of its people over the last `windowDays` (default from the rules).")
    async def engagement(
        self,
        info: Info,
        window_days: int | None = None,
        as_of: Annotated[datetime | None, strawberry.argument(description="measure at this time; default now")] = None,
    ) -> AccountEngagement:
        rules = rules_of(info)
        days, moment = window_of(window_days, rules), as_of_of(as_of)
        people = await people_of(info, self.entity)
        engagements = await engagement_of(info, people, rules, as_of=moment, window_days=days)
        total = account_engagement(engagements, rules)
        return AccountEngagement(
            score=total.score,
            last_engaged_at=total.last_engaged_at,
            engaged_contacts=sum(1 for e in engagements.values() if e.engaged),
            total_contacts=len(people),
            activities=[ActivityCount(type=t, count=n) for t, n in total.counts.items()],
            as_of=moment,
            window_days=days,
        )

    @strawberry.field(
        description="Who buys here: members from the opportunity's contact roles (all the account's deals when"
        " `opportunityId` is absent), then from job titles; completeness, missing roles and quiet members."
    )
    async def buying_committee(
        self,
        info: Info,
        opportunity_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="an Opportunity.id of this organization")
        ] = None,
        window_days: int | None = None,
        as_of: Annotated[datetime | None, strawberry.argument(description="measure at this time; default now")] = None,
    ) -> BuyingCommittee:
        return await buying_committee(
            info,
            self.entity,
            opportunity_id=str(opportunity_id) if opportunity_id is not None else None,
            window_days=window_days,
            as_of=as_of,
        )


ContactConnection = Connection[OrganizationContact]
OrganizationConnection = Connection[Organization]


async def organizations_of_profile(info: Info, profile: Entity) -> list[Organization]:
    """The organizations a person's contact records WORK_AT, by ID (batched across a page of profiles)."""
    loaders = info.context.loaders
    jobs = await loaders.neighbours.load_many([(key, RelType.WORKS_AT, Direction.OUT) for key in profile.members])
    companies = sorted({n.record.key for found in jobs for n in found})
    ids = await loaders.entity_id.load_many(companies)
    entities = await loaders.entity.load_many(sorted({i for i in ids if i is not None}))
    return [Organization(entity=e) for e in entities if e is not None and e.kind is EntityKind.ORGANIZATION]


@strawberry.type
class OrganizationQuery:
    @strawberry.field(
        description="An organization by its ID (a merged-away ID gives its survivor) or by a web domain (normalised"
        " first: scheme, www and paths dropped); exactly one of the two. A domain shared by several gives the one"
        " with the smallest ID.",
        extensions=[requires(Scope.PROFILES_READ)],
    )
    async def organization(
        self, info: Info, id: strawberry.ID | None = None, domain: str | None = None
    ) -> Organization | None:
        if (id is None) == (domain is None):
            raise InputError("give exactly one of the arguments 'id' and 'domain'")
        if id is not None:
            entity = await info.context.loaders.entity.load(str(id))
        else:
            entity = await _by_domain(info, domain or "")
        return Organization(entity=entity) if entity is not None and entity.kind is EntityKind.ORGANIZATION else None

    @strawberry.field(
        description="Organizations in ID order; with `search`, those with a company record whose name or a domain"
        " contains the text (case-insensitive, any script).",
        extensions=[requires(Scope.PROFILES_READ)],
    )
    async def organizations(
        self, info: Info, search: str | None = None, first: int | None = None, after: str | None = None
    ) -> OrganizationConnection:
        size, start = page_size(first), _after_id(after)
        store = info.context.store
        text = search.strip() if search is not None else ""
        if len(text) > 200:
            raise InputError("argument 'search' must be at most 200 characters")

        def read() -> tuple[list[Entity], int]:
            if not text:
                return store.entity_page(EntityKind.ORGANIZATION, after=start, limit=size + 1), store.count_entities(
                    EntityKind.ORGANIZATION
                )
            ids = store.search_organizations(text, after=start, limit=size + 1)
            found = store.get_entities(ids)
            return [found[i] for i in ids if i in found], store.count_organizations(text)

        entities, total = await run_in_threadpool(read)
        return connection(
            [Organization(entity=e) for e in entities], first=size, total=total, cursor_of=lambda o: o.entity.id
        )


async def _by_domain(info: Info, domain: str) -> Entity | None:
    try:
        normalised = normalise_identifier(IdentifierKind.DOMAIN, domain)
    except ValueError as exc:
        raise InputError(f"argument 'domain': {exc}") from None
    loaders = info.context.loaders
    holders = await run_in_threadpool(info.context.store.records_with, Identifier(IdentifierKind.DOMAIN, normalised))
    ids = await loaders.entity_id.load_many(holders)
    entities = await loaders.entity.load_many(sorted({i for i in ids if i is not None}))
    return next((e for e in entities if e is not None and e.kind is EntityKind.ORGANIZATION), None)
