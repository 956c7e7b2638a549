"""CSV -> `idgraph load` -> `idgraph resolve` -> GraphQL over the real ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings

from .conftest import Run

CSV = """id,first_name,last_name,email,phone
1,Ann,Lee, Ann.Lee@Example.com ,(415) 555-0100
2,Anne,Lee,ann.lee@example.com,
3,Wei,Zhang,wei@example.cn,+86 138 0013 8000
4,Bob,Ray,bob@example.com,not-a-phone
"""

PROFILE_FIELDS = "id traits { name value source } identifiers { kind value system } records { kind source sourceId }"


@pytest.fixture
def loaded(tmp_path: Path, idgraph: Run) -> None:
    (tmp_path / "customers.csv").write_text(CSV, encoding="utf-8")
    idgraph("load", "customers", "customers.csv", "--source", "crm")
    idgraph("resolve")


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the real ASGI app in process."""
    app = create_app(settings)
    token = create_key(app.state.store, "tests", frozenset({Scope.PROFILES_READ, Scope.PII_READ}))
    transport = httpx.ASGITransport(app=app)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://idgraph.test", headers=headers) as client:
            yield client
    finally:
        app.state.store.close()


@pytest.fixture
async def client(loaded: None, store_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serve(Settings(store=store_url)):
        yield client


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


BY_IDENTIFIER = f"""query($kind: IdentifierKind!, $value: String!) {{
  profileByIdentifier(kind: $kind, value: $value) {{ {PROFILE_FIELDS} }}
}}"""


async def test_profile_by_identifier_normalises_the_value_and_returns_the_whole_profile(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, BY_IDENTIFIER, kind="EMAIL", value="  ANN.LEE@example.COM")
    profile = body["data"]["profileByIdentifier"]
    assert [r["sourceId"] for r in profile["records"]] == ["1", "2"]
    assert {"kind": "PHONE", "value": "+14155550100", "system": None} in profile["identifiers"]
    assert {"kind": "EMAIL", "value": "ann.lee@example.com", "system": None} in profile["identifiers"]
    traits = {t["name"]: (t["value"], t["source"]) for t in profile["traits"]}
    assert traits["first_name"] == ("Ann", "crm/1")
    by_phone = (await gql(client, BY_IDENTIFIER, kind="PHONE", value="(415) 555-0100"))["data"]["profileByIdentifier"]
    assert by_phone["id"] == profile["id"]


async def test_profile_by_id_and_unknowns(client: httpx.AsyncClient) -> None:
    wei = (await gql(client, BY_IDENTIFIER, kind="PHONE", value="+8613800138000"))["data"]["profileByIdentifier"]
    same = (await gql(client, f'{{ profile(id: "{wei["id"]}") {{ {PROFILE_FIELDS} }} }}'))["data"]["profile"]
    assert same == wei
    assert (await gql(client, '{ profile(id: "p-nope") { id } }'))["data"]["profile"] is None
    # Bob's row was rejected for its phone, so nobody holds his email.
    assert (await gql(client, BY_IDENTIFIER, kind="EMAIL", value="bob@example.com"))["data"][
        "profileByIdentifier"
    ] is None


async def test_an_unusable_identifier_value_is_a_clear_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, BY_IDENTIFIER, kind="PHONE", value="call me")
    assert body["data"]["profileByIdentifier"] is None
    assert body["errors"][0]["message"] == "argument 'value': not a phone number"
    body = await gql(client, BY_IDENTIFIER, kind="ACCOUNT", value="L-1")
    assert "argument 'system' is required" in body["errors"][0]["message"]


async def test_health_and_graphiql(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_production_turns_off_graphiql_and_introspection(loaded: None, store_url: str) -> None:
    async for client in serve(Settings(store=store_url, env="production")):
        assert (await client.get("/graphql", headers={"accept": "text/html"})).status_code != 200
        body = await gql(client, "{ __schema { queryType { name } } }")
        assert body.get("data") is None
        assert "introspection" in body["errors"][0]["message"].lower()
        # Errors the client caused are still explained.
        body = await gql(client, BY_IDENTIFIER, kind="PHONE", value="call me")
        assert body["errors"][0]["message"] == "argument 'value': not a phone number"
