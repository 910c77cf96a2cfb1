"""Helpers shared by the tests: waiting on processes without sleeping, and external tools.

Waits block in ``select`` on Linux pidfds (readable the moment a process exits), so a test
wakes up as soon as what it waits for happens, never after a fixed nap.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import time
from collections.abc import Callable, Iterable

import pytest

# The Debian packages that bring each external tool (.ci/run installs them).
TOOL_PACKAGES = {
    "b3sum": "b3sum",
    "desktop-file-validate": "desktop-file-utils",
    "appstreamcli": "appstream",
    "gio": "libglib2.0-bin",
    "zstd": "zstd",
    "gzip": "gzip",
    "xz": "xz-utils",
    "bzip2": "bzip2",
    "pigz": "pigz",
    "iconv": "libc-bin",
    "parallel": "parallel",
    "dbus-daemon": "dbus",
    "setpriv": "util-linux",
}


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require_tool(tool: str) -> str:
    """The tool's path. Missing: a skip on a developer's machine, a failure in CI (where every
    comparison against a real tool must run)."""
    path = shutil.which(tool)
    if path is not None:
        return path
    package = TOOL_PACKAGES.get(tool, "coreutils")
    message = f"{tool} is not installed (apt-get install {package})"
    if in_ci():
        pytest.fail(message + "; .ci/run should have installed it")
    pytest.skip(message)


def needs_tool(tool: str) -> pytest.MarkDecorator:
    """Mark form of :func:`require_tool`: skipped locally without the tool, never in CI."""
    missing = shutil.which(tool) is None and not in_ci()
    return pytest.mark.skipif(missing, reason=f"{tool} is not installed")


def _pidfds(pids: Iterable[int]) -> dict[int, int]:
    fds = {}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            fds[os.pidfd_open(pid)] = pid
    return fds


def wait_for_exit(pids: Iterable[int], timeout: float) -> list[int]:
    """Wait until every process in ``pids`` has exited; returns those still alive at timeout."""
    fds = _pidfds(pids)
    deadline = time.monotonic() + timeout
    try:
        while fds:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(fds), [], [], left)
            for fd in ready:
                fds.pop(fd)
                os.close(fd)
        return sorted(fds.values())
    finally:
        for fd in fds:
            os.close(fd)


def wait_until(
    condition: Callable[[], bool], timeout: float, what: Callable[[], str], watch: int
) -> None:
    """Wait until ``condition()`` holds, looking again whenever process ``watch`` exits and at
    most every 20 ms (the state it reads, /proc, sends no events); fail naming ``what()``."""
    deadline = time.monotonic() + timeout
    fds = _pidfds([watch])
    try:
        while not condition():
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {what()}"
            select.select(list(fds), [], [], min(left, 0.02))
    finally:
        for fd in fds:
            os.close(fd)
