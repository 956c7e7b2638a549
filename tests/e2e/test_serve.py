"""`idgraph serve` as a real server on loopback: health, then a profile query after load and resolve."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Run, idgraph_command
from .real_server import serving


@pytest.fixture
def server(tmp_path: Path, store_url: str, idgraph: Run) -> Iterator[str]:
    (tmp_path / "c.csv").write_text("id,name,email\n1,Ann,ann@example.com\n2,Anne,ANN@example.com\n", "utf-8")
    idgraph("load", "customers", "c.csv", "--source", "crm")
    idgraph("resolve")
    with serving(store_url, tmp_path) as base:
        yield base


def test_a_real_server_answers_health_and_profile_queries(server: str, store_url: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    query = '{ profileByIdentifier(kind: EMAIL, value: "Ann@Example.com") { records { sourceId } } }'
    assert httpx.post(f"{server}/graphql", json={"query": query}).status_code == 401
    token = subprocess.run(
        [*idgraph_command(), "keys", "create", "--scopes", "profiles:read,pii:read", "--name", "test"],
        env={**os.environ, "IDGRAPH_STORE": store_url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    body = httpx.post(f"{server}/graphql", json={"query": query}, headers=headers).json()
    assert body == {"data": {"profileByIdentifier": {"records": [{"sourceId": "1"}, {"sourceId": "2"}]}}}


def test_serve_says_where_the_web_ui_and_graphql_are(server: str, tmp_path: Path) -> None:
    said = (tmp_path / "serve.out").read_text("utf-8")
    assert f"web UI at {server}/ui, GraphQL at {server}/graphql" in said
    page = httpx.get(f"{server}/ui/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
