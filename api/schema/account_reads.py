"""Store reads behind an organisation's fields: its contacts, opportunities and their roles, related organisations
and its people's engagement, batched through the request's DataLoaders (one store call per kind of read)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool

from api.b2b import Activity, B2BRules, Engagement, load_rules, score_engagement
from api.b2b.engagement import normalise
from api.schema.context import Info
from api.schema.errors import InputError
from graph import Direction, Entity, EntityKind, Neighbour, Record, RecordKey, RelType

MAX_WINDOW_DAYS = 3650


def rules_of(info: Info) -> B2BRules:
    return load_rules(info.context.settings.b2b_rules)


def window_of(window_days: int | None, rules: B2BRules) -> int:
    days = rules.window_days if window_days is None else window_days
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InputError(f"argument 'windowDays' must be between 1 and {MAX_WINDOW_DAYS}")
    return days


def as_of_of(as_of: datetime | None) -> datetime:
    """The moment engagement is measured at: now by default; a time without a zone is taken as UTC."""
    if as_of is None:
        return datetime.now(UTC)
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)


async def neighbours(info: Info, keys: Iterable[RecordKey], rel: RelType, direction: Direction) -> list[Neighbour]:
    """The neighbours of all `keys`, in key order, without repeats."""
    loaded = await info.context.loaders.neighbours.load_many([(key, rel, direction) for key in keys])
    seen: dict[RecordKey, Neighbour] = {}
    for found in loaded:
        for neighbour in found:
            seen.setdefault(neighbour.record.key, neighbour)
    return list(seen.values())


async def related_organizations(info: Info, organization: Entity, direction: Direction) -> list[Entity]:
    """Parents (OUT) or subsidiaries (IN) of an organisation through SUBSIDIARY_OF between their company records."""
    found = await neighbours(info, organization.members, RelType.SUBSIDIARY_OF, direction)
    ids = await info.context.loaders.entity_id.load_many([n.record.key for n in found])
    unique = sorted({i for i in ids if i is not None and i != organization.id})
    entities = await info.context.loaders.entity.load_many(unique)
    return [e for e in entities if e is not None and e.kind is EntityKind.ORGANIZATION]


@dataclass
class Person:
    """A person at the account: their profile, contact records there and what those say about the job."""

    profile: Entity
    contacts: list[RecordKey] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    seniorities: list[str] = field(default_factory=list)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _add_job(person: Person, contact: Record, job: dict[str, object]) -> None:
    person.contacts.append(contact.key)
    for target, name in (
        (person.titles, "title"),
        (person.departments, "department"),
        (person.seniorities, "seniority"),
    ):
        value = _text(job.get(name)) or _text(contact.properties.get(name))
        if value is not None and value not in target:
            target.append(value)


async def people_of(info: Info, organization: Entity) -> list[Person]:
    """The people with a contact record WORKS_AT one of the organisation's company records, by profile ID."""
    found = await neighbours(info, organization.members, RelType.WORKS_AT, Direction.IN)
    return await _people(info, [(n.record, dict(n.properties)) for n in found])


async def _people(info: Info, contacts: Sequence[tuple[Record, dict[str, object]]]) -> list[Person]:
    loaders = info.context.loaders
    ids = await loaders.entity_id.load_many([record.key for record, _ in contacts])
    entities = await loaders.entity.load_many(sorted({i for i in ids if i is not None}))
    by_id = {e.id: e for e in entities if e is not None and e.kind is EntityKind.PROFILE}
    people: dict[str, Person] = {}
    for (record, job), entity_id in zip(contacts, ids, strict=True):
        entity = by_id.get(entity_id) if entity_id is not None else None
        if entity is None:
            continue  # not resolved (yet): no profile to show
        _add_job(people.setdefault(entity.id, Person(profile=entity)), record, job)
    return [people[i] for i in sorted(people)]


@dataclass(frozen=True)
class Deal:
    record: Record
    roles: tuple[tuple[RecordKey, str | None], ...]  # contact record and its CRM role text

    @property
    def id(self) -> str:
        return str(self.record.key)

    @property
    def created_at(self) -> str:
        value = self.record.properties.get("created_at")
        return value if isinstance(value, str) else ""


async def opportunities_of(info: Info, organization: Entity) -> list[Deal]:
    """The organisation's opportunities (FOR one of its company records) with their contact roles, newest first."""
    found = await neighbours(info, organization.members, RelType.FOR, Direction.IN)
    roles = await info.context.loaders.neighbours.load_many(
        [(n.record.key, RelType.ON_OPPORTUNITY, Direction.IN) for n in found]
    )
    deals = [
        Deal(n.record, tuple((r.record.key, _text(r.properties.get("role"))) for r in contact_roles))
        for n, contact_roles in zip(found, roles, strict=True)
    ]
    return sorted(deals, key=lambda d: (d.created_at, d.id), reverse=True)


def find_deal(deals: Sequence[Deal], opportunity_id: str) -> Deal:
    """The deal an `opportunityId` names: `source/sourceId` as returned by Opportunity.id, or the bare source ID."""
    for deal in deals:
        if opportunity_id in (deal.id, deal.record.key.source_id):
            return deal
    raise InputError("argument 'opportunityId': no opportunity of this organization has that ID")


async def with_deal_people(info: Info, deals: Sequence[Deal], known: Sequence[Person]) -> list[Person]:
    """`known` and the people named on the deals through contact records not at the account (a record of
    another source, a partner's consultant), by profile ID."""
    known_contacts = {key for person in known for key in person.contacts}
    missing = sorted({key for deal in deals for key, _ in deal.roles if key not in known_contacts})
    if not missing:
        return list(known)
    records = await info.context.loaders.record.load_many(missing)
    merged = {person.profile.id: person for person in known}
    for person in await _people(info, [(r, {}) for r in records if r is not None]):
        if person.profile.id in merged:
            merged[person.profile.id].contacts.extend(person.contacts)
        else:
            merged[person.profile.id] = person
    return [merged[i] for i in sorted(merged)]


async def engagement_of(
    info: Info, people: Sequence[Person], rules: B2BRules, *, as_of: datetime, window_days: int
) -> dict[str, Engagement]:
    """Each person's engagement: the weighted events PERFORMED by any of their records within the window, the
    newest `rules.max_events` of them for the whole group (older ones weigh least after decay)."""
    owner = {key: person.profile.id for person in people for key in person.profile.members}
    types = sorted(t for t, w in rules.event_weights.items() if w > 0)
    if not owner or not types:
        return {}
    since = as_of - timedelta(days=window_days)
    store = info.context.store
    found = await run_in_threadpool(
        lambda: store.events_of(
            list(owner), types=types, since=since, until=as_of + timedelta(microseconds=1), limit=rules.max_events
        )
    )
    activities: dict[str, list[Activity]] = defaultdict(list)
    for actor, event in found:
        at = _event_time(event)
        if at is not None and actor in owner:
            activities[owner[actor]].append(Activity(str(event.properties.get("type", "")), at))
    return {
        person.profile.id: score_engagement(
            activities.get(person.profile.id, []),
            weights=rules.event_weights,
            half_life_days=rules.half_life_days,
            saturation=rules.saturation,
            as_of=as_of,
            window_days=window_days,
        )
        for person in people
    }


def account_engagement(engagements: dict[str, Engagement], rules: B2BRules) -> Engagement:
    """The account's engagement: its people's decayed points together, on the account's saturation scale."""
    points = sum(e.points for e in engagements.values())
    last = max((e.last_engaged_at for e in engagements.values() if e.last_engaged_at), default=None)
    counts: Counter[str] = Counter()
    for e in engagements.values():
        counts.update(e.counts)
    return Engagement(
        score=normalise(points, rules.account_saturation),
        points=round(points, 4),
        last_engaged_at=last,
        counts=dict(sorted(counts.items())),
    )


def _event_time(event: Record) -> datetime | None:
    raw = event.properties.get("timestamp")
    if not isinstance(raw, str):
        return None
    try:
        at = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
