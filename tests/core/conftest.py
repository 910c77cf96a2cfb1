"""Fixtures shared by the core tests: a real engine with real worker processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.engine import Engine
from core.worker import Context


@pytest.fixture
def engine() -> Iterator[Engine]:
    """A two-worker engine, shut down (no worker left) after the test."""
    eng = Engine(2)
    yield eng
    eng.shutdown()


def worker_context() -> Context:
    """The real worker context, used in this process (no progress queue, no cancel event)."""
    return Context(job_id=1, queue=None)
