"""Helpers of the security tests: an app with a key of given scopes, and a count of the resolvers that ran."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from strawberry.extensions import SchemaExtension

from api.app import create_app
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings
from graph import GraphStore
from graph.sqlite import SqliteGraphStore

_PORT = frozenset(name for name in dir(GraphStore) if not name.startswith("_"))


class CountingStore(SqliteGraphStore):
    """The real SQLite store, counting the calls of GraphStore methods made on it."""

    calls = 0

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name not in _PORT or not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            type(self).calls += 1
            return attribute(*args, **kwargs)

        return counted


class ResolverCounter(SchemaExtension):
    """Counts every resolver call (root fields included) of the requests it sees."""

    calls = 0

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        type(self).calls += 1
        return _next(root, info, *args, **kwargs)


@dataclass
class Served:
    app: FastAPI
    client: httpx.AsyncClient
    key: str

    async def post(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def served(
    store_url: str, scopes: frozenset[Scope] | None, *, count_resolvers: bool = False, **settings: Any
) -> AsyncIterator[Served]:
    """The real app over `store_url` with a client holding a key of `scopes` (None: no key); with
    `count_resolvers`, ResolverCounter.calls and CountingStore.calls count what the requests did."""
    settings.setdefault("key_cache_seconds", 0)
    store = CountingStore(store_url.removeprefix("sqlite:///")) if count_resolvers else None
    app = create_app(Settings(store=store_url, **settings), store=store)
    if count_resolvers:
        ResolverCounter.calls = CountingStore.calls = 0
        app.state.schema.extensions = (*app.state.schema.extensions, ResolverCounter)
    key = create_key(app.state.store, "security tests", scopes) if scopes else ""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://idgraph.test", headers=headers
    ) as client:
        try:
            yield Served(app=app, client=client, key=key)
        finally:
            app.state.store.close()


def codes(body: dict[str, Any]) -> list[str]:
    return [str((error.get("extensions") or {}).get("code")) for error in body.get("errors") or []]


def walk_values(data: Any) -> Iterator[Any]:
    """Every leaf value of a JSON document."""
    if isinstance(data, dict):
        for value in data.values():
            yield from walk_values(value)
    elif isinstance(data, list):
        for item in data:
            yield from walk_values(item)
    else:
        yield data
