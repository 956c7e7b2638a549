"""`idgraph serve` as a real server on loopback: health, then a profile query after load and resolve."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Run, idgraph_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path, store_url: str, idgraph: Run) -> Iterator[str]:
    (tmp_path / "c.csv").write_text("id,name,email\n1,Ann,ann@example.com\n2,Anne,ANN@example.com\n", "utf-8")
    idgraph("load", "customers", "c.csv", "--source", "crm")
    idgraph("resolve")
    port = free_port()
    output = (tmp_path / "serve.out").open("w")  # a file, not a pipe nobody reads: the access log goes there
    process = subprocess.Popen(
        [*idgraph_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "IDGRAPH_STORE": store_url},
        cwd=tmp_path,
        stdout=output,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        output.close()


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
