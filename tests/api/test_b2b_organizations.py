"""organization(id | domain), organizations(search, first, after), Organization's fields and Profile.organizations,
through the real ASGI app on the demo store."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import create_key
from api.security.masking import MASK
from api.security.scopes import Scope
from api.settings import Settings
from graph import Direction, EntityKind, GraphStore, IdentifierKind, RelType, open_store
from graph.sqlite import SqliteGraphStore

from .conftest import ALL_READ, ClientFactory, gql

pytestmark = pytest.mark.anyio

ORGANIZATION = """
query ($id: ID, $domain: String) {
  organization(id: $id, domain: $domain) {
    id name createdAt domains
    traits { name value source }
    records { kind source sourceId }
    parent { id }
    subsidiaries { id }
    opportunities { id name stage amount currency contactCount }
  }
}
"""
SEARCH = """
query ($search: String, $first: Int, $after: String) {
  organizations(search: $search, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } }
  }
}
"""
CONTACTS = """
query ($id: ID!, $first: Int, $after: String) {
  organization(id: $id) {
    contacts(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { profile { id traits(names: ["last_name"]) { value } } title titles department titleRole } }
    }
  }
}
"""


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[GraphStore]:
    store = open_store(demo_store_url)
    yield store
    store.close()


def busiest_organization(store: GraphStore) -> str:
    """The organisation with the most contacts (ties: the smallest ID)."""
    best: tuple[int, str] = (-1, "")
    for entity in store.iter_entities(EntityKind.ORGANIZATION):
        contacts = sum(
            len(found) for found in store.neighbours_of(entity.members, RelType.WORKS_AT, Direction.IN).values()
        )
        best = max(best, (contacts, entity.id), key=lambda b: (b[0], [-ord(c) for c in b[1]]))
    return best[1]


def dealing_organization(store: GraphStore) -> str:
    """The organisation whose opportunities name the most contacts (ties: the smallest ID)."""
    best: tuple[int, str] = (-1, "")
    for entity in store.iter_entities(EntityKind.ORGANIZATION):
        deals = [
            n.record.key
            for found in store.neighbours_of(entity.members, RelType.FOR, Direction.IN).values()
            for n in found
        ]
        named = sum(len(found) for found in store.neighbours_of(deals, RelType.ON_OPPORTUNITY, Direction.IN).values())
        best = max(best, (named, entity.id), key=lambda b: (b[0], [-ord(c) for c in b[1]]))
    return best[1]


async def test_an_organization_by_id_with_records_domains_and_deals(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    org = demo_store.get_entity(dealing_organization(demo_store))
    assert org is not None
    body = await gql(await client_for(), ORGANIZATION, id=org.id)
    assert "errors" not in body, body
    found = body["data"]["organization"]
    assert found["id"] == org.id and found["name"] == org.traits["name"]["value"]  # type: ignore[index, call-overload]
    assert {(r["source"], r["sourceId"]) for r in found["records"]} == set(org.members)
    assert all(r["kind"] == "COMPANY" for r in found["records"])
    held = demo_store.identifiers_of(list(org.members))
    assert found["domains"] == sorted(
        {i.value for ids in held.values() for i in ids if i.kind is IdentifierKind.DOMAIN}
    )
    deals = {n.record.key for key in org.members for n in demo_store.neighbours(key, RelType.FOR, Direction.IN)}
    assert {o["id"] for o in found["opportunities"]} == {str(k) for k in deals}


async def test_an_organization_by_domain_as_typed(client_for: ClientFactory, demo_store: GraphStore) -> None:
    org_id = busiest_organization(demo_store)
    body = await gql(await client_for(), ORGANIZATION, id=org_id)
    domain = body["data"]["organization"]["domains"][0]
    for typed in (domain, f"https://www.{domain.upper()}/about", f"www.{domain}"):
        found = await gql(await client_for(), ORGANIZATION, domain=typed)
        assert found["data"]["organization"]["id"] == org_id, typed
    assert (await gql(await client_for(), ORGANIZATION, domain="no-such-company.example"))["data"] == {
        "organization": None
    }


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "exactly one of the arguments 'id' and 'domain'"),
        ({"id": "o-1", "domain": "a.com"}, "exactly one"),
        ({"domain": "not a domain"}, "argument 'domain'"),
    ],
)
async def test_bad_arguments_are_errors_naming_them(
    client_for: ClientFactory, variables: dict[str, str], message: str
) -> None:
    body = await gql(await client_for(), ORGANIZATION, **variables)
    assert message in body["errors"][0]["message"]


async def test_unknown_ids_and_profile_ids_are_null(client_for: ClientFactory, demo_store: GraphStore) -> None:
    profile = next(demo_store.iter_entities(EntityKind.PROFILE))
    for entity_id in ("o-nope", profile.id):
        assert (await gql(await client_for(), ORGANIZATION, id=entity_id))["data"] == {"organization": None}


async def test_parent_and_subsidiaries_follow_subsidiary_of(client_for: ClientFactory, demo_store: GraphStore) -> None:
    relation = next(demo_store.iter_relations(RelType.SUBSIDIARY_OF))
    ids = demo_store.entity_ids_of([relation.start, relation.end])
    child, parent = ids[relation.start], ids[relation.end]
    client = await client_for()
    assert (await gql(client, ORGANIZATION, id=child))["data"]["organization"]["parent"] == {"id": parent}
    assert {"id": child} in (await gql(client, ORGANIZATION, id=parent))["data"]["organization"]["subsidiaries"]


async def test_organizations_page_through_every_organization(client_for: ClientFactory, demo_store: GraphStore) -> None:
    client, seen, after = await client_for(), [], None
    while True:
        page = (await gql(client, SEARCH, first=7, after=after))["data"]["organizations"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = [e.id for e in demo_store.iter_entities(EntityKind.ORGANIZATION)]
    assert seen == expected and page["totalCount"] == len(expected)


async def test_organizations_search_names_in_any_script_and_domains(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    orgs = list(demo_store.iter_entities(EntityKind.ORGANIZATION))
    chinese = next(o for o in orgs if "有限公司" in str(o.traits.get("name", {}).get("value", "")))  # type: ignore[union-attr]
    name = str(chinese.traits["name"]["value"])  # type: ignore[index, call-overload]
    brand = name[2:4]  # city (2 characters), then the brand: a two-character search
    client = await client_for()
    for text in (brand, name, name.lower()):
        found = (await gql(client, SEARCH, search=text, first=100))["data"]["organizations"]
        ids = [edge["node"]["id"] for edge in found["edges"]]
        assert chinese.id in ids, text
        assert found["totalCount"] == len(ids) == demo_store.count_organizations(text)
    english = next(o for o in orgs if str(o.traits.get("name", {}).get("value", "")).isascii())  # type: ignore[union-attr]
    word = str(english.traits["name"]["value"]).split()[0].upper()  # type: ignore[index, call-overload]
    found = (await gql(client, SEARCH, search=word))["data"]["organizations"]
    assert english.id in [edge["node"]["id"] for edge in found["edges"]]
    nothing = (await gql(client, SEARCH, search="zzz-no-such-company"))["data"]["organizations"]
    assert nothing == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
    assert "argument 'search'" in (await gql(client, SEARCH, search="x" * 201))["errors"][0]["message"]


async def test_contacts_are_profiles_with_their_titles_masked_without_pii(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    org_id = busiest_organization(demo_store)
    client = await client_for(frozenset({Scope.PROFILES_READ}))
    first = (await gql(client, CONTACTS, id=org_id, first=3))["data"]["organization"]["contacts"]
    assert first["totalCount"] > 3 and first["pageInfo"]["hasNextPage"]
    rest = (await gql(client, CONTACTS, id=org_id, first=100, after=first["pageInfo"]["endCursor"]))["data"]
    nodes = [e["node"] for e in first["edges"] + rest["organization"]["contacts"]["edges"]]
    ids = [n["profile"]["id"] for n in nodes]
    assert ids == sorted(set(ids)) and len(ids) == first["totalCount"]
    assert any(n["title"] for n in nodes) and any(n["titleRole"] != "UNKNOWN" for n in nodes)
    assert all(t["value"] in (MASK, None) for n in nodes for t in n["profile"]["traits"])
    for node in nodes:
        assert node["title"] is None or node["title"] == node["titles"][0]


ACCOUNT_GRAPH = """
query ($id: ID!, $depth: Int!) {
  organization(id: $id) {
    accountGraph(depth: $depth) { truncated nodes { id kind label depth } edges { source target type role } }
  }
}
"""


async def test_the_account_graph_joins_organizations_people_and_deals(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    relation = next(demo_store.iter_relations(RelType.SUBSIDIARY_OF))
    child = demo_store.entity_ids_of([relation.start])[relation.start]
    client = await client_for(frozenset({Scope.PROFILES_READ}))
    graph = (await gql(client, ACCOUNT_GRAPH, id=child, depth=1))["data"]["organization"]["accountGraph"]
    kinds = Counter(n["kind"] for n in graph["nodes"])
    assert kinds["ORGANIZATION"] == 2 and not graph["truncated"]
    nodes = {n["id"]: n for n in graph["nodes"]}
    types = {e["type"] for e in graph["edges"]}
    assert "SUBSIDIARY_OF" in types and "WORKS_AT" in types
    for edge in graph["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes
    flat = (await gql(client, ACCOUNT_GRAPH, id=child, depth=0))["data"]["organization"]["accountGraph"]
    assert [n["kind"] for n in flat["nodes"]].count("ORGANIZATION") == 1
    dealing = dealing_organization(demo_store)
    deals = (await gql(client, ACCOUNT_GRAPH, id=dealing, depth=0))["data"]["organization"]["accountGraph"]
    assert {"FOR", "ON_OPPORTUNITY"} <= {e["type"] for e in deals["edges"]}
    # Without pii:read, people are labelled by title or profile ID, never by name.
    names = {
        str(e.traits[t]["value"])  # type: ignore[index, call-overload]
        for e in demo_store.iter_entities(EntityKind.PROFILE)
        for t in ("first_name", "last_name")
        if t in e.traits
    }
    assert not any(n["label"] in names for n in deals["nodes"] if n["kind"] == "PROFILE")
    error = await gql(client, ACCOUNT_GRAPH, id=child, depth=4)
    assert "argument 'depth'" in error["errors"][0]["message"]


PROFILE_ORGS = "query ($first: Int) { profiles(first: $first) { edges { node { id organizations { id name } } } } }"


class CountingStore(SqliteGraphStore):
    """The real store, counting the calls of the GraphStore methods made from outside it."""

    _PORT = frozenset(name for name in dir(GraphStore) if not name.startswith("_"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.calls: Counter[str] = Counter()
        self._inside = threading.local()
        super().__init__(*args, **kwargs)

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name not in CountingStore._PORT or not callable(attribute):
            return attribute
        return self._counted(name, attribute)

    def _counted(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            outer = not getattr(self._inside, "value", False)
            if outer:
                self.calls[name] += 1
                self._inside.value = True
            try:
                return method(*args, **kwargs)
            finally:
                if outer:
                    self._inside.value = False

        return call


async def test_profile_organizations_cost_a_bounded_number_of_store_calls(
    demo_store_url: str, demo_store: GraphStore
) -> None:
    store = CountingStore(demo_store_url.removeprefix("sqlite:///"))
    app = create_app(Settings(store=demo_store_url), store=store)
    key = create_key(store, "b2b", ALL_READ)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as client:
        counts = []
        for first in (10, 100):
            store.calls.clear()
            body = await gql(client, PROFILE_ORGS, first=first)
            assert "errors" not in body, body
            counts.append(sum(c for name, c in store.calls.items() if name in {"neighbours_of", "neighbours"}))
        assert counts == [1, 1]  # one batched read of WORKS_AT for the whole page
        assert store.calls["get_entities"] <= 2
    store.close()
    edges = body["data"]["profiles"]["edges"]
    with_orgs = [e["node"] for e in edges if e["node"]["organizations"]]
    assert with_orgs
    for node in with_orgs[:20]:
        profile = demo_store.get_entity(node["id"])
        assert profile is not None
        jobs = demo_store.neighbours_of(profile.members, RelType.WORKS_AT)
        companies = [n.record.key for found in jobs.values() for n in found]
        assert {o["id"] for o in node["organizations"]} == set(demo_store.entity_ids_of(companies).values())


async def test_queries_need_profiles_read(client_for: ClientFactory) -> None:
    client = await client_for(frozenset({Scope.SEGMENTS_WRITE}))
    for query, variables in ((SEARCH, {}), (ORGANIZATION, {"id": "o-1"})):
        body = await gql(client, query, **variables)
        assert "profiles:read" in body["errors"][0]["message"]
