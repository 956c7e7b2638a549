"""sharedIdentifierClusters: identifiers held by records of many profiles, with those profiles, capped and masked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.security.scopes import Scope
from graph import GraphStore, IdentifierKind, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

CLUSTERS = """
query ($kind: IdentifierKind!, $min: Int!, $first: Int! = 20, $per: Int! = 20) {
  sharedIdentifierClusters(kind: $kind, minProfiles: $min, first: $first, profilesPerCluster: $per) {
    identifier { kind value system }
    profileCount
    profiles { id identifiers(kinds: [DEVICE, PHONE]) { kind value } }
  }
}
"""


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[GraphStore]:
    store = open_store(demo_store_url)
    yield store
    store.close()


async def test_devices_shared_by_profiles(client_for: ClientFactory, demo_store: GraphStore) -> None:
    expected = demo_store.shared_identifiers(IdentifierKind.DEVICE, min_entities=2, limit=20)
    assert expected and expected[0].entity_count >= 3
    body = await gql(await client_for(), CLUSTERS, kind="DEVICE", min=2)
    clusters = body["data"]["sharedIdentifierClusters"]
    assert [(c["identifier"]["value"], c["profileCount"]) for c in clusters] == [
        (s.identifier.value, s.entity_count) for s in expected
    ]
    for cluster, shared in zip(clusters, expected, strict=True):
        assert [p["id"] for p in cluster["profiles"]] == list(shared.entity_ids)
        # Every listed profile does hold the identifier.
        for profile in cluster["profiles"]:
            assert shared.identifier.value in {i["value"] for i in profile["identifiers"]}
    counts = [c["profileCount"] for c in clusters]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 2


async def test_clusters_and_profiles_are_capped(client_for: ClientFactory, demo_store: GraphStore) -> None:
    body = await gql(await client_for(), CLUSTERS, kind="DEVICE", min=3, first=1, per=2)
    clusters = body["data"]["sharedIdentifierClusters"]
    assert len(clusters) == 1
    assert clusters[0]["profileCount"] >= 3 and len(clusters[0]["profiles"]) == 2
    phones = await gql(await client_for(), CLUSTERS, kind="PHONE", min=2)
    expected = demo_store.shared_identifiers(IdentifierKind.PHONE, min_entities=2)
    assert len(phones["data"]["sharedIdentifierClusters"]) == len(expected)


async def test_values_are_masked_without_pii_read(client_for: ClientFactory, demo_store: GraphStore) -> None:
    client = await client_for(frozenset({Scope.PROFILES_READ}))
    body = await gql(client, CLUSTERS, kind="PHONE", min=2)
    text = str(body)
    for shared in demo_store.shared_identifiers(IdentifierKind.PHONE, min_entities=2):
        assert shared.identifier.value not in text
    assert all(c["identifier"]["value"] == "***" for c in body["data"]["sharedIdentifierClusters"])


async def test_bad_arguments_name_the_argument(client_for: ClientFactory) -> None:
    client = await client_for()
    for argument, variables in {
        "minProfiles": {"min": 1},
        "first": {"min": 2, "first": 101},
        "profilesPerCluster": {"min": 2, "per": -1},
    }.items():
        body = await gql(client, CLUSTERS, kind="DEVICE", **variables)
        assert f"argument '{argument}'" in body["errors"][0]["message"]
