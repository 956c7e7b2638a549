"""Profile.events: newest first, filtered by type and time, keyset-paged; the same events the store reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from graph import Entity, EntityKind, GraphStore, open_store

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

EVENTS = """
query ($id: ID!, $types: [String!], $since: DateTime, $until: DateTime, $first: Int, $after: String) {
  profile(id: $id) {
    events(types: $types, since: $since, until: $until, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { source sourceId type timestamp channel amount currency performedBy properties } }
    }
  }
}
"""


@pytest.fixture(scope="module")
def busiest(demo_store_url: str) -> Iterator[tuple[Entity, list[tuple[str, str, str, str]]]]:
    """The profile with the most events, and its events as (source, sourceId, type, timestamp), newest first."""
    store: GraphStore = open_store(demo_store_url)
    try:
        best: tuple[Entity, list[Any]] | None = None
        for entity in store.iter_entities(EntityKind.PROFILE):
            events = store.events_of(list(entity.members), limit=1000)
            if best is None or len(events) > len(best[1]):
                best = (entity, events)
        assert best is not None and len(best[1]) >= 12
        entity, events = best
        yield (
            entity,
            [
                (e.key.source, e.key.source_id, str(e.properties["type"]), str(e.properties["timestamp"]))
                for _, e in events
            ],
        )
    finally:
        store.close()


def rows(page: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (edge["node"]["source"], edge["node"]["sourceId"], edge["node"]["type"], edge["node"]["timestamp"])
        for edge in page["edges"]
    ]


async def events(client: Any, **variables: Any) -> dict[str, Any]:
    body = await gql(client, EVENTS, **variables)
    assert "errors" not in body, body["errors"]
    page: dict[str, Any] = body["data"]["profile"]["events"]
    return page


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_paging_through_every_event_newest_first(client_for: ClientFactory, busiest: Any) -> None:
    entity, expected = busiest
    client = await client_for()
    seen: list[tuple[str, str, str, str]] = []
    after = None
    while True:
        page = await events(client, id=entity.id, first=5, after=after)
        assert len(page["edges"]) <= 5
        seen += rows(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert [(s, i, t) for s, i, t, _ in seen] == [(s, i, t) for s, i, t, _ in expected]
    assert [instant(ts) for *_, ts in seen] == [instant(ts) for *_, ts in expected]
    times = [instant(ts) for *_, ts in seen]
    assert times == sorted(times, reverse=True)


async def test_type_and_time_filters(client_for: ClientFactory, busiest: Any) -> None:
    entity, expected = busiest
    client = await client_for()
    kind = expected[0][2]
    typed = await events(client, id=entity.id, types=[kind], first=100)
    assert [r[:3] for r in rows(typed)] == [r[:3] for r in expected if r[2] == kind][:100]
    middle = instant(expected[len(expected) // 2][3])
    newest = instant(expected[0][3])
    since = await events(client, id=entity.id, since=middle.isoformat(), first=100)
    assert rows(since) and all(instant(r[3]) >= middle for r in rows(since))
    assert len(rows(since)) == sum(1 for r in expected if instant(r[3]) >= middle)
    until = await events(client, id=entity.id, until=middle.isoformat(), first=100)
    assert all(instant(r[3]) < middle for r in rows(until))
    assert len(rows(until)) + len(rows(since)) == len(expected)
    window = await events(client, id=entity.id, since=middle.isoformat(), until=newest.isoformat(), first=100)
    assert all(middle <= instant(r[3]) < newest for r in rows(window))


async def test_event_fields_and_masking(client_for: ClientFactory, busiest: Any) -> None:
    entity, _ = busiest
    page = await events(await client_for(), id=entity.id, first=50)
    members = {str(key) for key in entity.members}
    for edge in page["edges"]:
        node = edge["node"]
        assert node["performedBy"] in members
        assert isinstance(node["properties"], dict)
        if node["type"] == "purchase":
            assert isinstance(node["amount"], float) and node["currency"]


async def test_bad_event_arguments_name_the_argument(client_for: ClientFactory, busiest: Any) -> None:
    entity, _ = busiest
    client = await client_for()
    cases = [
        ("since", {"since": "2024-02-01T00:00:00+00:00", "until": "2024-01-01T00:00:00+00:00"}),
        ("until", {"until": "2024-01-01T00:00:00"}),  # no time zone
        ("after", {"after": "bm90IGEgY3Vyc29y"}),
        ("first", {"first": 500}),
    ]
    for argument, variables in cases:
        body = await gql(client, EVENTS, id=entity.id, **variables)
        assert f"argument '{argument}'" in body["errors"][0]["message"], body
