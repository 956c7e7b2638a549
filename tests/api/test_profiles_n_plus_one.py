"""No N+1: a page of profiles with their nested fields costs a bounded number of store calls, whatever its size.

The store is the real SQLite store, wrapped by a subclass that counts calls of the GraphStore methods.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import create_key
from api.settings import Settings
from graph import EntityKind, GraphStore
from graph.sqlite import SqliteGraphStore

from .conftest import ALL_READ, gql

pytestmark = pytest.mark.anyio

_PORT = frozenset(name for name in dir(GraphStore) if not name.startswith("_"))


class CountingStore(SqliteGraphStore):
    """The real store, counting each call of a GraphStore method (calls between them inside the store not counted)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.calls: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        self._depth = threading.local()
        super().__init__(*args, **kwargs)

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name not in _PORT or not callable(attribute):
            return attribute
        return self._counted(name, attribute)

    def _counted(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            depth = getattr(self._depth, "value", 0)
            if depth == 0:
                with self._count_lock:
                    self.calls[name] += 1
            self._depth.value = depth + 1
            try:
                return method(*args, **kwargs)
            finally:
                self._depth.value = depth

        return call


@pytest.fixture
async def counted(demo_store_url: str) -> AsyncIterator[tuple[CountingStore, httpx.AsyncClient]]:
    store = CountingStore(demo_store_url.removeprefix("sqlite:///"))
    app = create_app(Settings(store=demo_store_url, key_cache_seconds=0), store=store)  # a key read per request
    key = create_key(store, "n+1", ALL_READ)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://idgraph.test",
        headers={"Authorization": f"Bearer {key}"},
    ) as client:
        yield store, client
    store.close()


PAGE = """
query ($first: Int) {
  profiles(first: $first) {
    totalCount
    edges { node {
      id
      traits { name value }
      identifiers { kind value system }
      records { source sourceId properties }
      organizations { id }
      history { at action profileId others }
    } }
  }
}
"""


async def calls_for(store: CountingStore, client: httpx.AsyncClient, query: str, **variables: Any) -> Counter[str]:
    store.calls.clear()
    body = await gql(client, query, **variables)
    assert "errors" not in body, body["errors"]
    return Counter(store.calls)


async def test_a_page_of_50_profiles_costs_a_bounded_number_of_store_calls(
    counted: tuple[CountingStore, httpx.AsyncClient],
) -> None:
    store, client = counted
    fifty = await calls_for(store, client, PAGE, first=50)
    five = await calls_for(store, client, PAGE, first=5)
    print(f"store calls for a page of 50: {sum(fifty.values())} {dict(fifty)}; of 5: {sum(five.values())} {dict(five)}")
    # The page and its count, one batched read of the identifiers and one of the records of every member, and for
    # the organisations one read each of WORKS_AT links, their records' entity IDs and the entities, one read of
    # the histories; besides, the API key's look-up and the request's audit entry. Each kind of read once, whatever
    # the page size.
    reads = ("entity_page", "count_entities", "identifiers_of", "get_records", "neighbours_of", "get_entities")
    for read in (*reads, "histories"):
        assert fifty[read] == 1, read
    assert max(fifty.values()) == 1
    assert sum(fifty.values()) <= 11
    assert five == fifty


async def test_profiles_by_id_in_one_request_share_one_entity_read(
    counted: tuple[CountingStore, httpx.AsyncClient],
) -> None:
    store, client = counted
    ids = [e.id for e in store.entity_page(EntityKind.PROFILE, limit=30)]
    query = (
        "{ " + " ".join(f'p{n}: profile(id: "{i}") {{ id identifiers {{ value }} }}' for n, i in enumerate(ids)) + " }"
    )
    calls = await calls_for(store, client, query)
    assert calls["get_entities"] == 1 and calls["identifiers_of"] == 1
    assert sum(calls.values()) <= 6
