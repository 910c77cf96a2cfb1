"""Suite-wide fixtures: offscreen Qt, and no test may leave a child process behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from tests.support import wait_for_exit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test writes to the user's job journal: the whole run shares one in a temporary folder (a
# test that looks at a journal gives its own with --journal or PARABATCH_JOURNAL).
_JOURNAL_DIR = tempfile.mkdtemp(prefix="parabatch-test-journal-")
os.environ["PARABATCH_JOURNAL"] = os.path.join(_JOURNAL_DIR, "journal.sqlite")


def pytest_unconfigure() -> None:
    shutil.rmtree(_JOURNAL_DIR, ignore_errors=True)


def child_processes() -> list[tuple[int, str]]:
    """Live direct children of this process (pid, command line), except multiprocessing's
    resource tracker, which is shared by every spawn-context pool for the life of the process."""
    out = []
    me = os.getpid()
    for task in os.listdir(f"/proc/{me}/task"):
        try:
            with open(f"/proc/{me}/task/{task}/children") as f:
                pids = [int(p) for p in f.read().split()]
        except OSError:
            continue
        for pid in pids:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                with open(f"/proc/{pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if "resource_tracker" in cmd or state == "Z":
                continue
            out.append((pid, cmd))
    return out


@pytest.fixture(autouse=True)
def no_child_process_left() -> Iterator[None]:
    """Fail a test that leaves a worker (or any other child) running."""
    before = {pid for pid, _ in child_processes()}
    yield
    left = [c for c in child_processes() if c[0] not in before]
    if left:  # reaping is asynchronous in a few places (a terminated pool's last join)
        wait_for_exit([pid for pid, _ in left], 3.0)
        left = [c for c in child_processes() if c[0] not in before]
    assert not left, f"child processes left behind: {left}"
