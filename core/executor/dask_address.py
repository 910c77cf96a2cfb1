"""Cluster addresses and their errors, without importing Dask (the command line parses
``--cluster`` and reports a bad one even where the ``dask`` extra is not installed).

``local`` and ``local:N`` name a cluster the app starts on this computer and owns (N worker
processes of one thread each; ``local`` takes the engine's worker count); ``tcp://host:port``
(or ``tls://``) a Dask scheduler someone else runs.
"""

from __future__ import annotations

import importlib
from typing import Any

from core.records import Record

CONNECT_TIMEOUT = 4.0  # seconds to reach a scheduler: a dead address fails within about 5 s
INSTALL_HINT = "install the dask extra: pip install 'parabatch[dask]'"


class ClusterError(Exception):
    """The cluster cannot run the job (unreachable, other versions, cannot see the files):
    the message says what to do. Raised before any file is touched."""


class ClusterAddress(Record):
    """A parsed ``--cluster`` value: ``local`` with ``workers`` (None: the engine's count), or
    a scheduler ``address``."""

    __slots__ = ("text", "local", "workers", "address")

    def __init__(self, text: str, local: bool, workers: int | None, address: str | None) -> None:
        self.text = text
        self.local = local
        self.workers = workers
        self.address = address


def parse_address(text: str) -> ClusterAddress:
    """``local``, ``local:N`` or ``tcp://host:port``; ValueError with a usable sentence if not."""
    text = text.strip()
    if text == "local":
        return ClusterAddress(text, True, None, None)
    if text.startswith("local:"):
        count = text[len("local:") :]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"local:N needs a worker count of 1 or more, not {count!r}")
        return ClusterAddress(text, True, int(count), None)
    scheme, sep, rest = text.partition("://")
    if sep and scheme in ("tcp", "tls") and rest:
        return ClusterAddress(text, False, None, text)
    raise ValueError(
        f"not a cluster address: {text!r} (give local, local:N or tcp://HOST:PORT of a Dask "
        "scheduler)"
    )


def require_dask() -> None:
    """Raise ClusterError when Dask's distributed scheduler cannot be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError as e:
        raise ClusterError(f"running on a Dask cluster needs Dask ({INSTALL_HINT}): {e}") from None


def distributed() -> Any:
    """The ``distributed`` module, untyped on purpose: much of its API has no annotations."""
    return importlib.import_module("distributed")
