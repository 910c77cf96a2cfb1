"""The repository passes its linters: ruff (check and format), mypy (strict on ``core``), and
the import-linter contract that keeps Qt and ``gui`` out of ``core``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}; pip install -e .[test]")
    return str(path)


def assert_clean(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 0, f"{' '.join(r.args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"


def test_ruff_check() -> None:
    assert_clean(run(tool("ruff"), "check", "."))


def test_ruff_format() -> None:
    assert_clean(run(tool("ruff"), "format", "--check", "."))


def test_mypy_strict_on_core() -> None:
    assert_clean(run(sys.executable, "-m", "mypy"))  # files and strictness from pyproject


def test_import_linter_contract() -> None:
    assert_clean(run(tool("lint-imports")))
