"""Tiny jobs run in the command line's own process (core.executor.inline), with the same
results, cancel and time limits as on workers, and without starting a worker process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from core.discover import scan
from core.engine import Engine, run_job
from core.executor.inline import INLINE_MAX_FILES
from core.operations import get
from core.records import Kind, Status
from tests.support import require_tool

HASH = "tests.fault_ops:HashOperation"
STUCK = "tests.fault_ops:StuckOperation"


def _files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"f {i}.txt"
        p.write_bytes(os.urandom(100 + i))
        out.append(p)
    return out


def _execs(tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    """Run the CLI under strace; (exit code, the programs it executed)."""
    strace = require_tool("strace")
    log = tmp_path / "strace.log"
    env = dict(os.environ, PARABATCH_JOURNAL=str(tmp_path / "journal.sqlite"))
    cmd = [strace, "-f", "-qq", "-e", "trace=execve", "-o", str(log)]
    cmd += [sys.executable, "-m", "core", *args]
    rc = subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode
    return rc, [line for line in log.read_text().splitlines() if "execve(" in line]


def test_a_few_small_files_are_hashed_without_starting_workers(tmp_path: Path) -> None:
    files = _files(tmp_path / "in", 3)
    manifest = tmp_path / "SUMS"
    rc, execs = _execs(tmp_path, "checksum", *map(str, files), "-o", str(manifest))
    assert rc == 0
    assert len(execs) == 1, execs  # the command itself, no worker process
    expected = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  in/{p.name}\n" for p in files
    )
    assert manifest.read_text() == expected
    check = subprocess.run(["sha256sum", "-c", "SUMS"], cwd=tmp_path, capture_output=True)
    assert check.returncode == 0


def test_a_folder_or_many_files_still_go_to_workers(tmp_path: Path) -> None:
    _files(tmp_path / "in", 2)
    rc, execs = _execs(tmp_path, "checksum", str(tmp_path / "in"), "-o", str(tmp_path / "S"))
    assert rc == 0 and len(execs) > 1  # a folder may hold any number of files: workers
    many = _files(tmp_path / "many", INLINE_MAX_FILES + 1)
    rc, execs = _execs(tmp_path, "checksum", *map(str, many), "-o", str(tmp_path / "S2"))
    assert rc == 0 and len(execs) > 1


def _inline_engine() -> Engine:
    engine = Engine(2)
    engine.inline = True
    return engine


def test_inline_engine_gives_the_results_of_workers(tmp_path: Path) -> None:
    files = _files(tmp_path / "in", 20)
    plan = get(HASH).plan(scan([str(tmp_path / "in")]), None)
    with _inline_engine() as engine:
        job, report = run_job(engine, HASH, None, plan)
        assert report.error is None and not report.cancelled
        assert engine.worker_pids() == []
    by_path = {t.path: r for t, r in zip(job.tasks, job.tracker.results, strict=True)}
    for p in files:
        r = by_path[str(p)]
        assert r is not None and r.status == Status.DONE
        assert r.value == hashlib.sha256(p.read_bytes()).hexdigest()


def test_cancel_of_a_stuck_inline_file_ends_the_job_and_the_engine_goes_on(
    tmp_path: Path,
) -> None:
    _files(tmp_path / "in", 2)
    plan = get(HASH).plan(scan([str(tmp_path / "in")]), None)
    with _inline_engine() as engine:
        stopped = {"at": 0.0}

        def tick(job: object) -> None:
            if not stopped["at"] and job.tracker.counts[Status.RUNNING]:  # type: ignore[attr-defined]
                stopped["at"] = time.monotonic()
                job.cancel()  # type: ignore[attr-defined]

        job, report = run_job(engine, STUCK, None, plan, on_tick=tick, tick=0.02)
        assert report.cancelled and time.monotonic() - stopped["at"] < 3.0
        assert job.tracker.counts[Status.CANCELLED] == 2
        again, report2 = run_job(engine, HASH, None, plan)  # a fresh thread serves
        assert report2.error is None and again.tracker.counts[Status.DONE] == 2


def test_a_time_limit_fails_only_the_stuck_file(tmp_path: Path) -> None:
    _files(tmp_path / "in", 1)
    plan = get(STUCK).plan(scan([str(tmp_path / "in")]), None)
    with _inline_engine() as engine:
        job, report = run_job(engine, STUCK, None, plan, timeout=0.5, tick=0.02)
    assert report.error is None
    (r,) = job.tracker.results
    assert r is not None and r.status == Status.FAILED and r.kind == Kind.TIMED_OUT
