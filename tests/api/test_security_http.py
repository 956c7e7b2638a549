"""The HTTP surface: queries only by POST, no batching, capped bodies, and production's closed doors (no
GraphiQL, no introspection, no field suggestions, unexpected errors masked, and no PII in the error log)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings
from graph import Entity, Identifier, RecordKey, RecordKind
from graph.bundle import EntityBundle
from graph.sqlite import SqliteGraphStore

from ._security import ResolverCounter, codes, served

pytestmark = pytest.mark.anyio

READ = frozenset({Scope.PROFILES_READ, Scope.PII_READ})
EMAIL = "someone.private@example.com"


async def test_queries_only_by_post(demo_store_url: str) -> None:
    async with served(demo_store_url, READ, count_resolvers=True) as api:
        for params in ({"query": "{ __typename }"}, {"query": '{ profile(id: "p-1") { id } }'}):
            response = await api.client.get("/graphql", params=params)
            assert response.status_code == 405 and response.headers["allow"] == "POST"
        assert ResolverCounter.calls == 0


async def test_graphiql_outside_production_with_the_authorization_header_to_fill_in(demo_store_url: str) -> None:
    async with served(demo_store_url, None) as api:  # the page itself needs no key
        page = await api.client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Authorization" in page.text and "isHeadersEditorEnabled: true" in page.text
    async with served(demo_store_url, None, env="production") as api:
        page = await api.client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 405
        assert (await api.client.get("/docs")).status_code == 404


async def test_batching_is_refused(demo_store_url: str) -> None:
    async with served(demo_store_url, READ) as api:
        batch = [{"query": "{ __typename }"}, {"query": "{ __typename }"}]
        response = await api.client.post("/graphql", json=batch)
        assert response.status_code == 400
        assert "Batching is not enabled" in response.text


async def test_a_body_over_the_cap_is_refused(demo_store_url: str) -> None:
    async with served(demo_store_url, READ, max_body_bytes=2000) as api:
        response = await api.client.post("/graphql", json={"query": "{ __typename }", "variables": {"x": "y" * 3000}})
        assert response.status_code == 413


async def test_introspection_only_outside_production(demo_store_url: str) -> None:
    query = "{ __schema { queryType { name } } }"
    async with served(demo_store_url, READ) as api:
        assert (await api.post(query))["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    async with served(demo_store_url, READ, env="production", count_resolvers=True) as api:
        body = await api.post(query)
        assert body["data"] is None and "introspection has been disabled" in body["errors"][0]["message"]
        body = await api.post('{ __type(name: "Profile") { name } }')
        assert body["data"] is None
        assert ResolverCounter.calls == 0


async def test_production_suggests_no_field_names(demo_store_url: str) -> None:
    async with served(demo_store_url, READ) as api:
        body = await api.post('{ profile(id: "x") { trait } }')
        assert "Did you mean" in body["errors"][0]["message"]
    async with served(demo_store_url, READ, env="production") as api:
        body = await api.post('{ profile(id: "x") { trait } }')
        assert "Did you mean" not in body["errors"][0]["message"]


class BrokenStore(SqliteGraphStore):
    """The real store, except that identifier look-ups fail with a message quoting a value."""

    def records_with(self, identifier: Identifier) -> list[RecordKey]:
        raise RuntimeError(f"lookup failed for {identifier.value}")

    def entities_holding(self, identifier: Identifier, kinds: Collection[RecordKind]) -> list[Entity]:
        raise RuntimeError(f"lookup failed for {identifier.value}")

    def entity_bundle(self, identifier: Identifier, kinds: Collection[RecordKind], **parts: Any) -> EntityBundle | None:
        raise RuntimeError(f"lookup failed for {identifier.value}")


async def _ask_broken(url: str, env: str) -> tuple[dict[str, Any], dict[str, Any]]:
    store = BrokenStore(url.removeprefix("sqlite:///"))
    app = create_app(Settings(store=url, env=env, key_cache_seconds=0), store=store)
    key = create_key(store, "t", READ)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers={"Authorization": f"Bearer {key}"}
        ) as client:
            query = "query($v: String!) { profileByIdentifier(kind: EMAIL, value: $v) { id } }"
            broken = (await client.post("/graphql", json={"query": query, "variables": {"v": EMAIL}})).json()
            bad_input = (await client.post("/graphql", json={"query": query, "variables": {"v": "no-at-sign"}})).json()
            return broken, bad_input
    finally:
        store.close()


async def test_production_masks_unexpected_errors_but_shows_input_errors(
    fresh_store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    broken, bad_input = await _ask_broken(fresh_store_url, "development")
    assert EMAIL in broken["errors"][0]["message"]  # development shows what went wrong
    broken, bad_input = await _ask_broken(fresh_store_url, "production")
    assert broken["errors"][0]["message"] == "Unexpected error."
    assert EMAIL not in str(broken)
    assert "not an email address" in bad_input["errors"][0]["message"]
    assert codes(bad_input) == ["BAD_USER_INPUT"]
    # The log tells an operator where it failed, never the value involved (nor the query's variables).
    assert "RuntimeError" in caplog.text and "profileByIdentifier" in caplog.text
    assert EMAIL not in caplog.text
