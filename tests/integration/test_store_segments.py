"""Contract tests of segment_members / segment_count: one small graph, each condition kind, expected members by hand.

On SQLite the compiled SQL runs; with IDGRAPH_NEO4J_URI set, the same segments run as compiled Cypher on Neo4j, so
both backends must select the same profiles. Each segment is also checked one profile at a time (`among`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from graph import (
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
)
from graph.segments import SegmentError, parse_segment, prepare

NOW = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _trait(value: Any) -> dict[str, Any]:
    return {"value": value, "record": "crm/x", "policy": "most_recent"}


def _person(source_id: str, kind: RecordKind = RecordKind.CUSTOMER) -> Record:
    return Record(kind=kind, key=RecordKey("crm", source_id))


def _event(source_id: str, event_type: str, timestamp: str, **properties: Any) -> Record:
    nested = properties.pop("props", None)
    if nested is not None:
        properties["properties"] = nested
    return Record(
        kind=RecordKind.EVENT,
        key=RecordKey("web", source_id),
        properties={"type": event_type, "timestamp": timestamp, **properties},
    )


# ann: Shanghai, email consent, two night transactions in two cities, works at Acme (champion on an opportunity).
# bob: Beijing, no consent trait, one big purchase; explicit consent change granting email.
# cat: Shanghai, consent false, three transactions in three cities at night, a device; works at Beta.
# dan: no traits at all, no events.
PEOPLE = {
    "p-ann": (
        [_person("ann", RecordKind.CONTACT)],
        {"city": "Shanghai", "email_consent": True, "tags": ["vip", "new"]},
    ),
    "p-bob": ([_person("bob"), _person("bob2")], {"city": "Beijing", "age": 41}),
    "p-cat": ([_person("cat", RecordKind.CONTACT)], {"city": "Shanghai", "email_consent": False, "age": 29}),
    "p-dan": ([_person("dan")], {}),
}
EVENTS = [
    # Asia/Shanghai is UTC+8: 17:30 UTC is 01:30 the next day there.
    ("ann", _event("a1", "transaction", "2024-06-27T17:30:00Z", amount=10.0, props={"city": "Shanghai"})),
    ("ann", _event("a2", "transaction", "2024-06-28T18:00:00Z", amount=20.0, props={"city": "Hangzhou"})),
    ("ann", _event("a3", "page_view", "2024-03-01T10:00:00Z", channel="web")),
    ("bob2", _event("b1", "purchase", "2024-06-29T03:00:00Z", amount=900.0, channel="store", quantity=3)),
    ("bob", _event("b2", "consent_change", "2024-06-01T00:00:00Z", props={"purpose": "email", "granted": True})),
    ("cat", _event("c1", "transaction", "2024-06-25T16:10:00Z", amount=1.0, props={"city": "Shanghai"})),
    ("cat", _event("c2", "transaction", "2024-06-26T19:00:00Z", amount=2.0, props={"city": "Suzhou"})),
    ("cat", _event("c3", "transaction", "2024-06-27T20:59:00Z", amount=3.0, props={"city": "Nanjing"})),
    ("cat", _event("c4", "transaction", "2024-06-28T06:00:00Z", amount=4.0, props={"city": "Wuxi"})),  # 14:00 local
]
COMPANIES = {"o-acme": ("acme", "acme.com", "Retail"), "o-beta": ("beta", "beta.cn", "Finance")}


def _load(store: GraphStore) -> None:
    people = [record for records, _ in PEOPLE.values() for record in records]
    companies = [Record(kind=RecordKind.COMPANY, key=RecordKey("b2b", key)) for key, _, _ in COMPANIES.values()]
    opportunity = Record(kind=RecordKind.OPPORTUNITY, key=RecordKey("b2b", "opp1"))
    events = [event for _, event in EVENTS]
    relations = [Relation(type=RelType.PERFORMED, start=RecordKey("crm", a), end=e.key) for a, e in EVENTS]
    relations += [
        Relation(type=RelType.WORKS_AT, start=RecordKey("crm", "ann"), end=RecordKey("b2b", "acme")),
        Relation(type=RelType.WORKS_AT, start=RecordKey("crm", "cat"), end=RecordKey("b2b", "beta")),
        Relation(
            type=RelType.ON_OPPORTUNITY,
            start=RecordKey("crm", "ann"),
            end=opportunity.key,
            properties={"role": " Economic Buyer "},
        ),
        Relation(
            type=RelType.ON_OPPORTUNITY,
            start=RecordKey("crm", "cat"),
            end=opportunity.key,
            properties={"role": "Other"},
        ),
    ]
    links = [
        IdentifierLink(record=RecordKey("crm", "ann"), identifier=Identifier(IdentifierKind.EMAIL, "ann@acme.com")),
        IdentifierLink(record=RecordKey("crm", "bob2"), identifier=Identifier(IdentifierKind.EMAIL, "bob@example.com")),
        IdentifierLink(record=RecordKey("crm", "cat"), identifier=Identifier(IdentifierKind.DEVICE, "dev-1")),
    ]
    links += [
        IdentifierLink(record=RecordKey("b2b", key), identifier=Identifier(IdentifierKind.DOMAIN, domain))
        for key, domain, _ in COMPANIES.values()
    ]
    store.write(GraphBatch(records=(*people, *companies, opportunity, *events)))
    store.write(GraphBatch(links=tuple(links), relations=tuple(relations)))
    entities = [
        Entity(
            id=entity_id,
            kind=EntityKind.PROFILE,
            traits={name: _trait(value) for name, value in traits.items()},
            members=tuple(r.key for r in records),
            created_at=T0,
        )
        for entity_id, (records, traits) in PEOPLE.items()
    ]
    entities += [
        Entity(
            id=org_id,
            kind=EntityKind.ORGANIZATION,
            traits={"industry": _trait(industry), "domain": _trait(domain)},
            members=(RecordKey("b2b", key),),
            created_at=T0,
        )
        for org_id, (key, domain, industry) in COMPANIES.items()
    ]
    store.write_resolution(Resolution(entities=tuple(entities)))
    store.write_resolution(
        Resolution(
            entities=(entities[-1],), retired=("o-old",), aliases={"o-old": "o-beta"}
        )  # o-old was merged into o-beta
    )


NIGHT = {"start": "00:00", "end": "05:00", "timezone": "Asia/Shanghai"}

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("trait eq", {"trait": {"name": "city", "value": "Shanghai"}}, ["p-ann", "p-cat"]),
    ("trait ne", {"trait": {"name": "city", "op": "ne", "value": "Shanghai"}}, ["p-bob"]),
    ("not trait eq", {"not": {"trait": {"name": "city", "value": "Shanghai"}}}, ["p-bob", "p-dan"]),
    ("trait in", {"trait": {"name": "city", "op": "in", "value": ["Beijing", "Hangzhou"]}}, ["p-bob"]),
    ("trait gt", {"trait": {"name": "age", "op": "gt", "value": 30}}, ["p-bob"]),
    ("trait lte text", {"trait": {"name": "city", "op": "lte", "value": "Beijing"}}, ["p-bob"]),
    ("trait contains text", {"trait": {"name": "city", "op": "contains", "value": "SHANG"}}, ["p-ann", "p-cat"]),
    ("trait contains list", {"trait": {"name": "tags", "op": "contains", "value": "vip"}}, ["p-ann"]),
    ("trait exists", {"trait": {"name": "age", "op": "exists"}}, ["p-bob", "p-cat"]),
    ("consent", {"consent": {"purpose": "email"}}, ["p-ann", "p-bob"]),
    ("no consent", {"consent": {"purpose": "email", "granted": False}}, ["p-cat", "p-dan"]),
    ("identifier kind", {"identifier": {"kind": "EMAIL"}}, ["p-ann", "p-bob"]),
    ("identifier value", {"identifier": {"kind": "DEVICE", "value": "dev-1"}}, ["p-cat"]),
    ("event any", {"event": {}}, ["p-ann", "p-bob", "p-cat"]),
    ("event window", {"event": {"types": ["transaction"], "window_days": 3}}, ["p-ann", "p-cat"]),
    (
        "event since/until",
        {"event": {"since": "2024-02-01T00:00:00Z", "until": "2024-04-01T00:00:00+00:00"}},
        ["p-ann"],
    ),
    ("event count", {"event": {"types": ["transaction"], "count": {"gte": 3}}}, ["p-cat"]),
    ("event count zero", {"event": {"types": ["purchase"], "count": {"eq": 0}}}, ["p-ann", "p-cat", "p-dan"]),
    ("event sum", {"event": {"types": ["transaction"], "sum": {"gt": 9.5}}}, ["p-ann", "p-cat"]),
    ("event sum lt", {"event": {"types": ["transaction"], "sum": {"lt": 15}}}, ["p-bob", "p-cat", "p-dan"]),
    (
        "night cities",
        {
            "event": {
                "types": ["transaction"],
                "window_days": 7,
                "time_of_day": NIGHT,
                "distinct": {"field": "properties.city", "gte": 3},
            }
        },
        ["p-cat"],
    ),
    (
        "night wraps midnight",
        {"event": {"time_of_day": {"start": "23:00", "end": "02:00", "timezone": "Asia/Shanghai"}}},
        ["p-ann", "p-cat"],
    ),
    (
        "event where",
        {"event": {"where": [{"field": "channel", "value": "store"}, {"field": "quantity", "op": "gte", "value": 2}]}},
        ["p-bob"],
    ),
    ("event where nested", {"event": {"where": [{"field": "properties.city", "value": "Hangzhou"}]}}, ["p-ann"]),
    ("organization id", {"organization": {"id": "o-acme"}}, ["p-ann"]),
    ("organization alias", {"organization": {"id": "o-old"}}, ["p-cat"]),
    ("organization domain", {"organization": {"domain": "WWW.Beta.cn"}}, ["p-cat"]),
    ("organization industry", {"organization": {"industry": "retail"}}, ["p-ann"]),
    ("committee crm role", {"committee_role": {"crm_roles": ["economic buyer"]}}, ["p-ann"]),
    ("committee role", {"committee_role": {"roles": ["ECONOMIC_BUYER"]}}, ["p-ann"]),
    (
        "combined",
        {
            "all": [
                {"any": [{"consent": {"purpose": "email"}}, {"identifier": {"kind": "DEVICE"}}]},
                {"not": {"event": {"types": ["purchase"]}}},
            ]
        },
        ["p-ann", "p-cat"],
    ),
]


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    _load(store)
    return store


def _members(store: GraphStore, definition: dict[str, Any]) -> tuple[list[str], int, list[str]]:
    segment = prepare(parse_segment(definition), role_names=lambda role: ["economic buyer"])
    everyone = sorted(PEOPLE)
    one_by_one = [pid for pid in everyone if store.segment_members(segment, among=[pid], now=NOW)]
    return store.segment_members(segment, now=NOW), store.segment_count(segment, now=NOW), one_by_one


@pytest.mark.parametrize(("name", "definition", "expected"), CASES, ids=[case[0] for case in CASES])
def test_each_condition_selects_the_expected_profiles(
    loaded: GraphStore, name: str, definition: dict[str, Any], expected: list[str]
) -> None:
    members, count, one_by_one = _members(loaded, definition)
    assert members == expected, name
    assert count == len(expected)
    assert one_by_one == expected


def test_members_page_in_id_order(loaded: GraphStore) -> None:
    segment = prepare(parse_segment({"not": {"trait": {"name": "city", "value": "nowhere"}}}))
    assert loaded.segment_members(segment, limit=2, now=NOW) == ["p-ann", "p-bob"]
    assert loaded.segment_members(segment, after="p-bob", limit=2, now=NOW) == ["p-cat", "p-dan"]
    assert loaded.segment_members(segment, after="p-dan", now=NOW) == []
    assert loaded.segment_members(segment, limit=0, now=NOW) == []
    assert loaded.segment_members(segment, among=[], now=NOW) == []


def test_an_unprepared_segment_is_refused(loaded: GraphStore) -> None:
    with pytest.raises(SegmentError, match="in_segment"):
        loaded.segment_count(parse_segment({"in_segment": "vip"}), now=NOW)


def test_segments_follow_later_writes(store: GraphStore) -> None:
    _load(store)
    segment = prepare(parse_segment({"event": {"types": ["transaction"], "count": {"gte": 3}}}))
    store.write(
        GraphBatch(
            records=(_event("a9", "transaction", "2024-06-29T00:00:00Z"),),
            relations=(Relation(type=RelType.PERFORMED, start=RecordKey("crm", "ann"), end=RecordKey("web", "a9")),),
        )
    )
    assert store.segment_members(segment, now=NOW) == ["p-ann", "p-cat"]
    # A rewritten event changes type: it no longer counts.
    store.write(GraphBatch(records=(_event("c1", "page_view", "2024-06-25T16:10:00Z"),)))
    assert store.segment_members(segment, now=NOW) == ["p-ann", "p-cat"]
    store.write(GraphBatch(records=(_event("c2", "page_view", "2024-06-25T16:10:00Z"),)))
    assert store.segment_members(segment, now=NOW) == ["p-ann"]
