"""Store fixtures: every contract test runs on SQLite, and on Neo4j when IDGRAPH_NEO4J_URI is set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph import GraphStore, open_store

NEO4J_URI = os.environ.get("IDGRAPH_NEO4J_URI")

StoreFactory = Callable[[], GraphStore]


def _wipe_neo4j() -> None:
    import neo4j

    auth = (os.environ.get("IDGRAPH_NEO4J_USER", "neo4j"), os.environ.get("IDGRAPH_NEO4J_PASSWORD", ""))
    with neo4j.GraphDatabase.driver(NEO4J_URI or "", auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=os.environ.get("IDGRAPH_NEO4J_DATABASE") or None)


@pytest.fixture(params=["sqlite", "neo4j"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens (and on teardown closes) stores on one fresh database; call it again to re-open."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'graph.db'}"
    else:
        if not NEO4J_URI:
            pytest.skip("IDGRAPH_NEO4J_URI not set")
        _wipe_neo4j()
        url = NEO4J_URI
    opened: list[GraphStore] = []

    def factory() -> GraphStore:
        store = open_store(
            url,
            username=os.environ.get("IDGRAPH_NEO4J_USER"),
            password=os.environ.get("IDGRAPH_NEO4J_PASSWORD"),
            database=os.environ.get("IDGRAPH_NEO4J_DATABASE"),
        )
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> GraphStore:
    return store_factory()
