"""Fixtures for API tests: a demo store built once per session, and HTTP clients of the real ASGI app per scope set.

Tests that change the graph use `fresh_store_url` (a copy of the demo store of their own); read-only tests share
`demo_store_url`.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings
from graph import open_store
from loaders import LoadOptions, Quarantine, load_sources, read_config
from loaders.demo import generate_demo_data
from resolver import resolve

ALL_READ = frozenset({Scope.PROFILES_READ, Scope.PII_READ})
ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set (small: 300 people, 30 companies) written, loaded and resolved once: data/ and graph.db."""
    root = tmp_path_factory.mktemp("demo")
    generate_demo_data(root / "data", people=300, companies=30, seed=11)
    config = read_config(root / "data" / "sources.toml")
    store = open_store(f"sqlite:///{root / 'graph.db'}")
    try:
        quarantine = Quarantine(root / "quarantine.jsonl")
        load_sources(store, config, LoadOptions.of(config, quarantine=quarantine))
        quarantine.close()
        resolve(store)
    finally:
        store.close()
    return root


@pytest.fixture(scope="session")
def demo_store_url(demo_dir: Path) -> str:
    """The shared demo store: read-only tests only."""
    return f"sqlite:///{demo_dir / 'graph.db'}"


@pytest.fixture
def fresh_store_url(demo_dir: Path, tmp_path: Path) -> str:
    """A private copy of the demo store, for tests that write."""
    shutil.copy(demo_dir / "graph.db", tmp_path / "graph.db")
    return f"sqlite:///{tmp_path / 'graph.db'}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client_for(demo_store_url: str) -> AsyncIterator[ClientFactory]:
    """`await client_for(scopes, store_url=None, **settings)`: a client of the real app holding a key with `scopes`
    (None: no Authorization header)."""
    apps: list[Any] = []
    clients: list[httpx.AsyncClient] = []

    async def make(
        scopes: frozenset[Scope] | None = ALL_READ, store_url: str | None = None, **settings: Any
    ) -> httpx.AsyncClient:
        app = create_app(Settings(store=store_url or demo_store_url, **settings))
        apps.append(app)
        headers = {}
        if scopes is not None:
            headers["Authorization"] = f"Bearer {create_key(app.state.store, 'tests', scopes)}"
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://idgraph.test", headers=headers
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    for app in apps:
        app.state.store.close()


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a GraphQL document; returns the whole body ({"data": ..., "errors": ...}) of a 200 response."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
