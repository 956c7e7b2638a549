"""The web UI at /ui through the real ASGI app: the page and its assets (types, CSP, nothing from the network), and
every GraphQL document the UI's JavaScript sends, read out of queries.js and run on the demo data without errors."""

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import create_key
from api.security.scopes import Scope
from api.settings import Settings
from api.ui import STATIC_DIR
from graph import open_store
from loaders import LoadOptions, Quarantine, load_sources, read_config
from loaders.demo import generate_demo_data
from resolver import resolve

pytestmark = pytest.mark.anyio

EXPORT_DAY = "2025-06-30T00:00:00Z"  # the demo data's last day of activity
JS_TYPE = "text/javascript; charset=utf-8"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # a name in graph.js, never fetched


def ui_queries() -> dict[str, str]:
    """The GraphQL documents of queries.js, by constant name."""
    text = (STATIC_DIR / "queries.js").read_text("utf-8")
    found = dict(re.findall(r"export const (\w+) = `([^`]*)`;", text))
    assert found and len(found) == text.count("export const"), "every constant of queries.js is a plain template"
    return found


def demo_store(root: Path) -> str:
    """The URL of a store in `root` holding a small demo data set (B2B companies, contacts, deals, activity)."""
    generate_demo_data(root / "data", people=150, companies=15, seed=11)
    config = read_config(root / "data" / "sources.toml")
    url = f"sqlite:///{root / 'graph.db'}"
    store = open_store(url)
    try:
        quarantine = Quarantine(root / "quarantine.jsonl")
        load_sources(store, config, LoadOptions.of(config, quarantine=quarantine))
        quarantine.close()
        resolve(store)
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def ui_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_store(tmp_path_factory.mktemp("ui-demo"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class UI:
    client: httpx.AsyncClient
    keys: dict[str, str]

    async def run(self, name: str, key: str = "full", **variables: Any) -> dict[str, Any]:
        """The data of one UI query, asserting the answer has no errors."""
        response = await self.client.post(
            "/graphql",
            json={"query": ui_queries()[name], "variables": variables},
            headers={"Authorization": f"Bearer {self.keys[key]}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, (name, body["errors"])
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def ui(ui_store_url: str) -> AsyncIterator[UI]:
    app = create_app(Settings(store=ui_store_url))
    keys = {
        "full": create_key(app.state.store, "ui tests", frozenset({Scope.PROFILES_READ, Scope.PII_READ})),
        "masked": create_key(app.state.store, "ui tests, no PII", frozenset({Scope.PROFILES_READ})),
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://idgraph.test") as client:
        yield UI(client, keys)
    app.state.store.close()


@pytest.fixture
def static_files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.iterdir() if p.is_file())


async def test_the_page_and_its_assets_are_served_without_a_key(ui: UI, static_files: list[Path]) -> None:
    redirect = await ui.client.get("/ui")
    assert redirect.status_code in {307, 308} and redirect.headers["location"].endswith("/ui/")
    page = await ui.client.get("/ui/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    # No inline script or handler: the CSP would block it, and data never becomes code.
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    assert scripts == ['<script type="module" src="./app.js">']
    assert not re.search(r"\son\w+=", page.text)
    types = {
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": JS_TYPE,
        ".svg": "image/svg+xml",
    }
    assert {p.suffix for p in static_files} <= set(types)
    for path in static_files:
        response = await ui.client.get(f"/ui/{path.name}")
        assert response.status_code == 200, path.name
        assert response.headers["content-type"] == types[path.suffix], path.name
        assert response.content == path.read_bytes()
    assert (await ui.client.get("/ui/nothing-here.js")).status_code == 404


def test_the_ui_loads_nothing_from_the_network_and_writes_data_as_text(static_files: list[Path]) -> None:
    names = {p.name for p in static_files}
    for path in static_files:
        text = path.read_text("utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text)) - {SVG_NAMESPACE}
        assert not urls, (path.name, urls)
        assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text, path.name
        assert "eval(" not in text and "new Function" not in text, path.name
        for module in re.findall(r'from "\./([\w.]+)"', text):
            assert module in names, (path.name, module)  # every import is a file served here


def test_every_graphql_document_is_in_queries_js(static_files: list[Path]) -> None:
    """The JS sends only the documents of queries.js (so the next test covers all of them), and uses each."""
    constants = set(ui_queries())
    used: set[str] = set()
    for path in static_files:
        if path.suffix != ".js" or path.name == "queries.js":
            continue
        text = path.read_text("utf-8")
        assert not re.search(r"\b(query|mutation)\s+\w*\s*[({]", text), f"{path.name} holds a GraphQL document"
        used |= {name for name in constants if re.search(rf"\b{name}\b", text)}
    assert used == constants


def test_the_static_files_are_package_data() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    assert "static/*" in pyproject["tool"]["setuptools"]["package-data"]["api.ui"]


async def test_every_ui_query_runs_on_demo_data_without_errors(ui: UI) -> None:
    ran: set[str] = set()

    async def run(name: str, key: str = "full", **variables: Any) -> dict[str, Any]:
        ran.add(name)
        return await ui.run(name, key, **variables)

    everything = (await run("SEARCH_ORGANIZATIONS", search=None, first=20, after=None))["organizations"]
    assert everything["totalCount"] >= 10 and everything["pageInfo"]["hasNextPage"] is False
    first = everything["edges"][0]["node"]
    searched = (await run("SEARCH_ORGANIZATIONS", search=first["name"][:5]))["organizations"]
    assert first["id"] in {e["node"]["id"] for e in searched["edges"]}
    page = (await run("SEARCH_ORGANIZATIONS", search=None, first=5, after=None))["organizations"]
    after = await run("SEARCH_ORGANIZATIONS", search=None, first=5, after=page["pageInfo"]["endCursor"])
    assert after["organizations"]["edges"][0]["node"]["id"] != page["edges"][0]["node"]["id"]

    # The organisation with the largest committee on its deals, as a sales user would open it.
    best: tuple[int, str] = (-1, "")
    for edge in everything["edges"]:
        org_id = edge["node"]["id"]
        committee = await run("BUYING_COMMITTEE", id=org_id, opportunityId=None, windowDays=None, asOf=EXPORT_DAY)
        best = max(best, (len(committee["organization"]["buyingCommittee"]["members"]), org_id))
    members, org_id = best
    assert members > 0

    overview = (await run("ORGANIZATION_OVERVIEW", id=org_id))["organization"]
    assert overview["records"] and overview["opportunities"]
    contacts = (await run("ORGANIZATION_CONTACTS", id=org_id, first=50, after=None))["organization"]["contacts"]
    assert contacts["totalCount"] > 0
    engagement = await run("ORGANIZATION_ENGAGEMENT", id=org_id, windowDays=90, asOf=EXPORT_DAY)
    assert engagement["organization"]["engagement"]["windowDays"] == 90
    deal = overview["opportunities"][0]["id"]
    committee = await run("BUYING_COMMITTEE", id=org_id, opportunityId=deal, windowDays=30, asOf=EXPORT_DAY)
    found = committee["organization"]["buyingCommittee"]
    assert found["opportunity"]["id"] == deal and 0 <= found["completeness"] <= 1
    for depth in range(4):
        graph = (await run("ACCOUNT_GRAPH", id=org_id, depth=depth))["organization"]["accountGraph"]
        assert {n["kind"] for n in graph["nodes"]} >= {"ORGANIZATION", "PROFILE"}
        ids = {n["id"] for n in graph["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])

    person = contacts["edges"][0]["node"]["profile"]["id"]
    profile = (await run("PROFILE", id=person, events=20))["profile"]
    assert profile["id"] == person and profile["records"]
    assert org_id in {o["id"] for o in profile["organizations"]}
    assert (await run("PROFILE", id="p-does-not-exist", events=20))["profile"] is None
    assert ran == set(ui_queries())

    # A key without pii:read runs the same documents without errors; the API masks, the UI shows what it gets.
    masked = (await run("PROFILE", key="masked", id=person, events=20))["profile"]
    emails = [i["value"] for i in masked["identifiers"] if i["kind"] == "EMAIL"]
    assert emails and all(e.startswith("***@") for e in emails)
    masked_contacts = await run("ORGANIZATION_CONTACTS", key="masked", id=org_id, first=50, after=None)
    for edge in masked_contacts["organization"]["contacts"]["edges"]:
        assert all(t["value"] in {"***", None} for t in edge["node"]["profile"]["traits"])


@pytest.mark.parametrize("authorization", [None, "Bearer idg_nope_nope", "Basic abc"])
async def test_without_a_valid_key_the_api_answers_401_which_the_ui_explains(ui: UI, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    body = {"query": ui_queries()["SEARCH_ORGANIZATIONS"], "variables": {}}
    response = await ui.client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 401
    assert "response.status === 401" in (STATIC_DIR / "api.js").read_text("utf-8")
