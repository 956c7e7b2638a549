"""`idgraph serve` started as a real server on a free loopback port, for the end-to-end tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .conftest import idgraph_command

START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(store_url: str, cwd: Path) -> Iterator[str]:
    """The base URL of `idgraph serve` over `store_url`, once /healthz answers; what it prints goes to
    `cwd / "serve.out"` (a file, not a pipe nobody reads: the access log goes there too). Stopped on exit."""
    port = free_port()
    with (cwd / "serve.out").open("w") as output:
        process = subprocess.Popen(
            [*idgraph_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, "IDGRAPH_STORE": store_url},
            cwd=cwd,
            stdout=output,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_SECONDS
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
