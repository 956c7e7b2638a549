"""Profile.history and Profile.identityGraph through the real ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from api.schema.graph_view import identity_graph
from api.security.scopes import Scope
from graph import (
    PERSON_KINDS,
    EntityKind,
    GraphStore,
    HistoryAction,
    HistoryEvent,
    IdentifierKind,
    RelType,
    Resolution,
    open_store,
)

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

HISTORY = """
query ($id: ID!) { profile(id: $id) { id history { at action cause profileId records { source sourceId } others } } }
"""

GRAPH = """
query ($id: ID!, $depth: Int!) {
  profile(id: $id) {
    identityGraph(depth: $depth) {
      truncated
      nodes { id kind label text profileId member hops }
      edges { source target type score rule }
    }
  }
}
"""


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[GraphStore]:
    store = open_store(demo_store_url)
    yield store
    store.close()


async def test_history_of_a_profile_and_of_a_merge(client_for: ClientFactory, fresh_store_url: str) -> None:
    store = open_store(fresh_store_url)
    try:
        first, second = store.entity_page(EntityKind.PROFILE, limit=2)
        merged = first.model_copy(update={"members": first.members + second.members})
        at = datetime(2030, 1, 1, tzinfo=UTC)
        store.write_resolution(
            Resolution(
                entities=(merged,),
                retired=(second.id,),
                aliases={second.id: first.id},
                history=(
                    HistoryEvent(
                        entity_id=first.id,
                        at=at,
                        action=HistoryAction.MERGED,
                        cause="test merge",
                        records=second.members,
                        others=(second.id,),
                    ),
                ),
            )
        )
    finally:
        store.close()
    body = await gql(await client_for(store_url=fresh_store_url), HISTORY, id=second.id)
    profile = body["data"]["profile"]
    assert profile["id"] == first.id
    history = profile["history"]
    # Both creations (the survivor's and the merged-away ID's), then the merge.
    assert [(h["action"], h["profileId"]) for h in history] == [
        ("CREATED", first.id),
        ("CREATED", second.id),
        ("MERGED", first.id),
    ] or [(h["action"], h["profileId"]) for h in history] == [
        ("CREATED", second.id),
        ("CREATED", first.id),
        ("MERGED", first.id),
    ]
    merge = history[-1]
    assert merge["cause"] == "test merge" and merge["others"] == [second.id]
    assert merge["at"].startswith("2030-01-01")
    assert [(r["source"], r["sourceId"]) for r in merge["records"]] == [tuple(k) for k in second.members]


def check_well_formed(graph: dict[str, Any]) -> None:
    ids = [node["id"] for node in graph["nodes"]]
    assert len(ids) == len(set(ids))
    for edge in graph["edges"]:
        assert edge["source"] in ids and edge["target"] in ids
        assert edge["type"] in {"HAS_EMAIL", "HAS_PHONE", "USES_DEVICE", "HAS_ACCOUNT", "HAS_DOMAIN", "SAME_AS"}


async def test_depth_0_is_the_profiles_own_records_and_identifiers(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    entity = max(demo_store.iter_entities(EntityKind.PROFILE), key=lambda e: len(e.members))
    body = await gql(await client_for(), GRAPH, id=entity.id, depth=0)
    graph = body["data"]["profile"]["identityGraph"]
    check_well_formed(graph)
    records = [n for n in graph["nodes"] if n["kind"] == "RECORD"]
    assert {n["text"] for n in records} == {str(k) for k in entity.members}
    assert all(n["member"] and n["profileId"] == entity.id and n["hops"] == 0 for n in records)
    held = demo_store.identifiers_of(list(entity.members))
    identifiers = [n for n in graph["nodes"] if n["kind"] == "IDENTIFIER"]
    assert sorted(n["text"] for n in identifiers) == sorted({i.value for ids in held.values() for i in ids})
    links = [e for e in graph["edges"] if e["type"] != "SAME_AS"]
    assert len(links) == sum(len(ids) for ids in held.values())
    assert graph["truncated"] is False


async def test_deeper_graphs_reach_other_profiles_through_a_shared_device(
    client_for: ClientFactory, demo_store: GraphStore
) -> None:
    shared = demo_store.shared_identifiers(IdentifierKind.DEVICE, min_entities=3, limit=1)[0]
    profile_id = shared.entity_ids[0]
    client = await client_for()
    shallow = (await gql(client, GRAPH, id=profile_id, depth=0))["data"]["profile"]["identityGraph"]
    deep = (await gql(client, GRAPH, id=profile_id, depth=1))["data"]["profile"]["identityGraph"]
    check_well_formed(deep)
    assert {n["profileId"] for n in shallow["nodes"] if n["kind"] == "RECORD"} == {profile_id}
    reached = {n["profileId"] for n in deep["nodes"] if n["kind"] == "RECORD"}
    assert set(shared.entity_ids) <= reached
    others = [n for n in deep["nodes"] if n["kind"] == "RECORD" and n["profileId"] != profile_id]
    assert others and all(not n["member"] and n["hops"] == 1 for n in others)
    assert len(deep["nodes"]) > len(shallow["nodes"])


async def test_values_are_masked_without_pii_read(client_for: ClientFactory, demo_store: GraphStore) -> None:
    entity = max(demo_store.iter_entities(EntityKind.PROFILE), key=lambda e: len(e.members))
    client = await client_for(frozenset({Scope.PROFILES_READ}))
    body = await gql(client, GRAPH, id=entity.id, depth=1)
    text = str(body)
    for ids in demo_store.identifiers_of(list(entity.members)).values():
        for identifier in ids:
            if identifier.kind in {IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE}:
                assert identifier.value not in text
    texts = {n["text"] for n in body["data"]["profile"]["identityGraph"]["nodes"] if n["kind"] == "IDENTIFIER"}
    assert texts and all(t.startswith("***") for t in texts)


async def test_depth_out_of_range_names_the_argument(client_for: ClientFactory, demo_store: GraphStore) -> None:
    entity = next(demo_store.iter_entities(EntityKind.PROFILE))
    body = await gql(await client_for(), GRAPH, id=entity.id, depth=4)
    assert "argument 'depth'" in body["errors"][0]["message"]


def test_the_graph_is_capped(demo_store: GraphStore) -> None:
    shared = demo_store.shared_identifiers(IdentifierKind.DEVICE, min_entities=3, limit=1)[0]
    entity = demo_store.get_entity(shared.entity_ids[0])
    assert entity is not None
    graph = identity_graph(demo_store, entity, depth=3, sees_pii=True, max_nodes=5)
    assert graph.truncated and len(graph.nodes) == 5
    ids = {node.id for node in graph.nodes}
    assert all(edge.source in ids and edge.target in ids for edge in graph.edges)


async def test_fuzzy_links_are_edges_with_score_and_rule(client_for: ClientFactory, demo_store: GraphStore) -> None:
    links = list(demo_store.iter_relations(RelType.SAME_AS))
    kinds = demo_store.get_records([link.start for link in links])
    link = next(link for link in links if kinds[link.start].kind in PERSON_KINDS)
    profile_id = demo_store.entity_ids_of([link.start])[link.start]
    body = await gql(await client_for(), GRAPH, id=profile_id, depth=0)
    graph = body["data"]["profile"]["identityGraph"]
    fuzzy = [e for e in graph["edges"] if e["type"] == "SAME_AS"]
    edge = next(e for e in fuzzy if e["source"] == f"r:{link.start}" and e["target"] == f"r:{link.end}")
    assert edge["score"] == link.properties["score"] and edge["rule"] == link.properties.get("rule")
