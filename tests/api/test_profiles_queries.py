"""profile(id), profileByIdentifier and profiles(first, after) through the real ASGI app, masked and unmasked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.security.scopes import Scope
from graph import Entity, EntityKind, GraphStore, IdentifierKind, RecordKey, Resolution, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

PROFILE = """
query ($id: ID!) {
  profile(id: $id) {
    id createdAt
    traits { name value source policy }
    identifiers { kind value system }
    records { kind source sourceId properties identifiers { kind value system } }
  }
}
"""


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[GraphStore]:
    store = open_store(demo_store_url)
    yield store
    store.close()


def biggest_profile(store: GraphStore) -> str:
    """The profile with the most records (ties: the smallest ID)."""
    entities = list(store.iter_entities(EntityKind.PROFILE))
    return max(entities, key=lambda e: (len(e.members), [-ord(c) for c in e.id])).id


async def test_a_profile_with_traits_identifiers_and_records(client_for: ClientFactory, demo_store: GraphStore) -> None:
    entity = demo_store.get_entity(biggest_profile(demo_store))
    assert entity is not None and len(entity.members) >= 3
    body = await gql(await client_for(), PROFILE, id=entity.id)
    assert "errors" not in body
    profile = body["data"]["profile"]
    assert profile["id"] == entity.id
    traits = {t["name"]: t for t in profile["traits"]}
    assert set(traits) == set(entity.traits)
    for name, trait in traits.items():
        stored = entity.traits[name]
        assert isinstance(stored, dict)
        assert (trait["value"], trait["source"], trait["policy"]) == (
            stored["value"],
            stored["record"],
            stored["policy"],
        )
    held = demo_store.identifiers_of(list(entity.members))
    expected = sorted({i for ids in held.values() for i in ids})
    assert [(i["kind"], i["value"], i["system"]) for i in profile["identifiers"]] == [
        (i.kind.name, i.value, i.system or None) for i in expected
    ]
    records = demo_store.get_records(list(entity.members))
    assert [(r["source"], r["sourceId"]) for r in profile["records"]] == [tuple(k) for k in entity.members]
    for record in profile["records"]:
        stored_record = records[RecordKey(record["source"], record["sourceId"])]
        assert record["kind"] == stored_record.kind.name
        assert record["properties"] == stored_record.properties
        own = held.get(stored_record.key, [])
        assert [i["value"] for i in record["identifiers"]] == [i.value for i in own]


async def test_without_pii_read_personal_values_are_masked(client_for: ClientFactory, demo_store: GraphStore) -> None:
    entity = demo_store.get_entity(biggest_profile(demo_store))
    assert entity is not None
    client = await client_for(frozenset({Scope.PROFILES_READ}))
    body = await gql(client, PROFILE, id=entity.id)
    profile = body["data"]["profile"]
    text = str(body)
    held = demo_store.identifiers_of(list(entity.members))
    for identifier in {i for ids in held.values() for i in ids}:
        # (Account IDs are left out: they often are the record's own source ID, which is not masked.)
        if identifier.kind in {IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE}:
            assert identifier.value not in text
    for identifier in profile["identifiers"]:
        if identifier["kind"] == "EMAIL":
            assert identifier["value"].startswith("***@")
        elif identifier["kind"] in {"PHONE", "DEVICE", "ACCOUNT"}:
            assert identifier["value"] == "***"
    traits = {t["name"]: t["value"] for t in profile["traits"]}
    for name in ("email", "first_name", "last_name", "full_name", "phone"):
        if name in traits:
            assert traits[name] == "***"
    for record in profile["records"]:
        for name in ("email", "phone", "first_name", "full_name"):
            assert record["properties"].get(name) in (None, "***")
    # Non-personal traits stay readable.
    for name in ("country", "title"):
        stored = entity.traits.get(name)
        if name in traits and isinstance(stored, dict):
            assert traits[name] == stored["value"]


async def test_unknown_ids_and_organisation_ids_give_null(client_for: ClientFactory, demo_store: GraphStore) -> None:
    organisation = next(demo_store.iter_entities(EntityKind.ORGANIZATION))
    client = await client_for()
    assert (await gql(client, PROFILE, id="p-nope"))["data"] == {"profile": None}
    assert (await gql(client, PROFILE, id=organisation.id))["data"] == {"profile": None}


async def test_a_merged_away_id_gives_the_survivor(client_for: ClientFactory, fresh_store_url: str) -> None:
    store = open_store(fresh_store_url)
    try:
        first, second = list(store.entity_page(EntityKind.PROFILE, limit=2))
        survivor = first.model_copy(update={"members": first.members + second.members})
        store.write_resolution(Resolution(entities=(survivor,), retired=(second.id,), aliases={second.id: first.id}))
    finally:
        store.close()
    body = await gql(await client_for(store_url=fresh_store_url), PROFILE, id=second.id)
    profile = body["data"]["profile"]
    assert profile["id"] == first.id
    assert {(r["source"], r["sourceId"]) for r in profile["records"]} == {tuple(k) for k in survivor.members}


BY_IDENTIFIER = """
query ($kind: IdentifierKind!, $value: String!, $system: String) {
  profileByIdentifier(kind: $kind, value: $value, system: $system) { id }
}
"""


async def test_profile_by_identifier_normalises_the_value(client_for: ClientFactory, demo_store: GraphStore) -> None:
    entity = demo_store.get_entity(biggest_profile(demo_store))
    assert entity is not None
    held = sorted({i for ids in demo_store.identifiers_of(list(entity.members)).values() for i in ids})
    email = next(i for i in held if i.kind is IdentifierKind.EMAIL)
    account = next(i for i in held if i.kind is IdentifierKind.ACCOUNT)
    client = await client_for()
    messy = f"  {email.value.upper()} "
    assert (await gql(client, BY_IDENTIFIER, kind="EMAIL", value=messy))["data"] == {
        "profileByIdentifier": {"id": entity.id}
    }
    found = await gql(client, BY_IDENTIFIER, kind="ACCOUNT", value=account.value, system=account.system)
    assert found["data"] == {"profileByIdentifier": {"id": entity.id}}
    missing = await gql(client, BY_IDENTIFIER, kind="EMAIL", value="nobody@nowhere.example")
    assert missing["data"] == {"profileByIdentifier": None}


async def test_a_phone_shared_by_two_profiles_gives_the_smaller_id(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    shared = demo_store.shared_identifiers(IdentifierKind.PHONE, min_entities=2, limit=1)[0]
    body = await gql(await client_for(), BY_IDENTIFIER, kind="PHONE", value=shared.identifier.value)
    assert body["data"] == {"profileByIdentifier": {"id": min(shared.entity_ids)}}


async def test_profile_by_identifier_bad_input_names_the_argument(client_for: ClientFactory) -> None:
    client = await client_for()
    bad_phone = await gql(client, BY_IDENTIFIER, kind="PHONE", value="not a phone")
    assert "argument 'value'" in bad_phone["errors"][0]["message"]
    no_system = await gql(client, BY_IDENTIFIER, kind="ACCOUNT", value="U1")
    assert "argument 'system'" in no_system["errors"][0]["message"]


PAGE = """
query ($first: Int, $after: String) {
  profiles(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id } }
  }
}
"""


async def test_profiles_pages_through_every_profile_in_id_order(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    expected = [e.id for e in demo_store.iter_entities(EntityKind.PROFILE)]
    client = await client_for()
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(client, PAGE, first=100, after=after))["data"]["profiles"]
        assert page["totalCount"] == len(expected)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    default = (await gql(client, PAGE))["data"]["profiles"]
    assert [edge["node"]["id"] for edge in default["edges"]] == expected[:20]
    empty = (await gql(client, PAGE, first=0))["data"]["profiles"]
    assert empty == {"totalCount": len(expected), "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}


async def test_profiles_bad_page_arguments_name_the_argument(client_for: ClientFactory) -> None:
    client = await client_for()
    assert "argument 'first'" in (await gql(client, PAGE, first=101))["errors"][0]["message"]
    assert "argument 'after'" in (await gql(client, PAGE, after="garbage!"))["errors"][0]["message"]
    assert "argument 'after'" in (await gql(client, PAGE, after="WzFd"))["errors"][0]["message"]  # [1]


async def test_profile_queries_need_the_profiles_read_scope(client_for: ClientFactory) -> None:
    client = await client_for(frozenset({Scope.PII_READ}))
    for query in (PROFILE, PAGE):
        body = await gql(client, query, id="p-x")
        assert not any((body["data"] or {}).values())
        assert "profiles:read" in body["errors"][0]["message"]


SEGMENT_PAGE = """
query ($segment: SegmentInput!, $first: Int, $after: String) {
  profiles(segment: $segment, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""


async def test_profiles_of_a_segment_page_in_id_order(client_for: ClientFactory, demo_store: GraphStore) -> None:
    def country(entity: Entity) -> object:
        trait = entity.traits.get("country")
        return trait.get("value") if isinstance(trait, dict) else None

    expected = [e.id for e in demo_store.iter_entities(EntityKind.PROFILE) if country(e) == "US"]
    assert 10 < len(expected) < 430
    segment = {"trait": {"name": "country", "op": "EQ", "value": "US"}}
    client = await client_for()
    seen: list[str] = []
    after = None
    while True:
        body = await gql(client, SEGMENT_PAGE, segment=segment, first=10, after=after)
        assert "errors" not in body, body["errors"]
        page = body["data"]["profiles"]
        assert page["totalCount"] == len(expected)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


async def test_a_bad_segment_names_the_argument(client_for: ClientFactory) -> None:
    client = await client_for()
    for segment in (
        {"trait": {"name": "country", "op": "IN", "value": "US"}},  # IN takes a list
        {"inSegment": "no-such-segment"},
        {"trait": {"name": "country"}, "inSegment": "two-fields"},
    ):
        body = await gql(client, SEGMENT_PAGE, segment=segment)
        assert "argument 'segment'" in body["errors"][0]["message"], body
