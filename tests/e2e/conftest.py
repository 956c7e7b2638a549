"""Run the real `idgraph` command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

IDGRAPH = Path(sys.executable).with_name("idgraph")

Run = Callable[..., subprocess.CompletedProcess[str]]


def idgraph_command() -> list[str]:
    """The installed console script (falls back to the module when run outside the venv)."""
    return [str(IDGRAPH)] if IDGRAPH.exists() else [sys.executable, "-m", "api.cli"]


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'idgraph.db'}"


@pytest.fixture
def idgraph(tmp_path: Path, store_url: str) -> Run:
    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "IDGRAPH_STORE": store_url, "COLUMNS": "200"}
        result = subprocess.run(
            [*idgraph_command(), *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
        )
        if check and result.returncode != 0:
            raise AssertionError(f"idgraph {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    return run
