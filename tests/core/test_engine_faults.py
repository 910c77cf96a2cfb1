"""Faults that used to hang the engine or lose work, each reproduced with real worker processes,
real signals and real files: a worker killed after the last result, stopped workers, kill storms,
per-file timeouts, workers that cannot start, files that change while they are read."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.engine import Engine, run_job
from core.procpool import PoolBroken, ProcessPool
from core.records import Kind, Status
from tests.core.test_engine import (
    HASH,
    SLOW,
    WRITE,
    assert_all_final,
    finish,
    make_files,
    plan_for,
    pump_until,
    sha,
    start,
)
from tests.support import wait_for_exit, wait_until

GROW = "tests.fault_ops:GrowingHashOperation"
ROOT = Path(__file__).resolve().parents[2]


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def _busy_pid(engine: Engine) -> int:
    """A worker that is running a chunk right now."""
    pool = engine.current_pool()
    busy = pool.busy()
    assert busy, "no worker is busy"
    return busy[0][1]


def test_worker_killed_after_the_last_result_does_not_hang_shutdown(tmp_path: Path) -> None:
    make_files(tmp_path / "in", 40)
    engine = Engine(2)
    try:
        job, _ = run_job(engine, HASH, None, plan_for(HASH, tmp_path / "in"))
        assert job.tracker.counts[Status.DONE] == 40
        victim = engine.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)  # idle, after the job: Pool's lock trap was here
        assert wait_for_exit([victim], 5.0) == []
    finally:
        began = time.monotonic()
        engine.shutdown()
        assert time.monotonic() - began < 3.0


def test_stopped_worker_mid_chunk_fails_its_file_as_hung(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 4, size=4 << 20)
    plan = plan_for(SLOW, tmp_path / "in")
    # 200 rounds: half a second or more a file here, so the worker found busy is still on its
    # file when it is stopped (with 30 it could finish in between, and nothing would hang).
    job = engine.new_job(SLOW, 200, plan, watchdog=1.0)
    t = threading.Thread(target=job.run, daemon=True)
    t.start()
    pump_until(job, lambda: job.tracker.counts[Status.RUNNING] >= 1)
    victim = _busy_pid(engine)
    os.kill(victim, signal.SIGSTOP)
    began = time.monotonic()
    finish(job, t, timeout=30)
    assert time.monotonic() - began < 20
    failed = [r for r in job.tracker.results if r and r.status == Status.FAILED]
    assert len(failed) == 1 and failed[0].message.startswith("hung: no progress for 1 s")
    assert failed[0].kind == Kind.HUNG
    done = {job.tasks[r.index].path: r.value for r in job.tracker.results if r and r.value}
    assert len(done) == 3 and all(done[str(p)] == sha(p) for p in files if str(p) in done)
    assert wait_for_exit([victim], 5.0) == []  # the stopped worker was killed, not left behind
    assert_all_final(job)


def test_worker_stopped_before_it_took_work(tmp_path: Path) -> None:
    """The chunk handed to a stopped idle worker goes to another after the watchdog's time;
    the job completes and shutdown reaps the stopped process (SIGKILL ends stopped ones)."""
    files = make_files(tmp_path / "in", 60)
    engine = Engine(2)
    try:
        pool = engine.current_pool()
        assert pool.ready.wait(30)
        victim = engine.worker_pids()[0]
        os.kill(victim, signal.SIGSTOP)
        plan = plan_for(HASH, tmp_path / "in")
        job, report = run_job(engine, HASH, None, plan, watchdog=1.0)
        assert report.error is None
        assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
    finally:
        began = time.monotonic()
        engine.shutdown()
        assert time.monotonic() - began < 5.0
    assert wait_for_exit([victim], 5.0) == []


def test_per_file_timeout_fails_only_the_slow_file(engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 1, size=8 << 20, prefix="big")
    small = make_files(tmp_path / "in", 6, size=1000, prefix="small")
    plan = plan_for(SLOW, tmp_path / "in")
    began = time.monotonic()
    job, _ = run_job(engine, SLOW, 400, plan, timeout=0.5)
    assert time.monotonic() - began < 15
    by_name = {Path(t.path).name: job.tracker.results[t.index] for t in job.tasks}
    big = by_name["big000.bin"]
    assert big is not None and big.status == Status.FAILED
    assert big.message.startswith("timed out: still running after 0.5 s")
    assert big.kind == Kind.TIMED_OUT
    for p in small:
        r = by_name[p.name]
        assert r is not None and r.status == Status.DONE and r.value == sha(p)


def test_kill_storm_finishes_with_every_file_accounted(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 300, size=100_000)
    job, t = start(engine, SLOW, plan_for(SLOW, tmp_path / "in"), 120)
    rng = random.Random(9)
    pump_until(job, lambda: job.tracker.finished >= 1)
    killed = 0
    stop_at = time.monotonic() + 2.5
    while time.monotonic() < stop_at and not job.done.is_set():
        pids = engine.worker_pids()
        if pids:
            os.kill(rng.choice(pids), signal.SIGKILL)
            killed += 1
        job.poll(None)
        job.done.wait(rng.uniform(0.1, 0.3))  # the next kill, or the job's end
    finish(job, t, timeout=60)
    assert killed >= 5
    assert_all_final(job)
    assert job.report is not None and job.report.error is None  # no give-up: killed from outside
    for task, r in zip(job.tasks, job.tracker.results, strict=True):
        assert r is not None and r.status in (Status.DONE, Status.FAILED)
        if r.status == Status.DONE:
            assert r.value == sha(task.path)
        else:
            assert "worker crashed (signal 9: SIGKILL)" in r.message
    assert sum(1 for r in job.tracker.results if r and r.status == Status.DONE) >= len(files) - 20


def test_killed_writer_leaves_no_partial(engine: Engine, tmp_path: Path) -> None:
    from core.operations.base import Plan
    from core.records import Task

    make_files(tmp_path / "in", 4, size=4 << 20)
    out = tmp_path / "out"
    out.mkdir()
    base = plan_for(WRITE, tmp_path / "in")
    plan = Plan(
        [Task(t.index, t.path, t.size, output=str(out / Path(t.path).name)) for t in base.tasks]
    )
    job, t = start(engine, WRITE, plan, 30)
    pump_until(job, lambda: any(".partial-" in p.name for p in out.iterdir()))
    os.kill(_busy_pid(engine), signal.SIGKILL)
    finish(job, t)
    assert job.tracker.counts[Status.DONE] == 4
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(t.path).name for t in plan.tasks)


def test_cancel_with_a_stopped_worker_is_quick(engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 4, size=8 << 20)
    job, t = start(engine, SLOW, plan_for(SLOW, tmp_path / "in"), 60)
    pump_until(job, lambda: job.tracker.counts[Status.RUNNING] >= 1)
    victim = _busy_pid(engine)
    os.kill(victim, signal.SIGSTOP)
    began = time.monotonic()
    job.cancel()
    finish(job, t)
    assert time.monotonic() - began < 4.0
    assert_all_final(job)
    assert wait_for_exit([victim], 5.0) == []
    kinds = {r.kind for r in job.tracker.results if r and r.status == Status.CANCELLED}
    assert kinds and kinds <= {Kind.CANCELLED_RUNNING, Kind.CANCELLED_BEFORE_START}


@pytest.mark.parametrize("size", [300_000, 1000])  # several blocks; one short read
def test_file_that_grows_while_read_fails_as_changed(
    engine: Engine, tmp_path: Path, size: int
) -> None:
    folder = tmp_path / "in"
    keep = make_files(folder, 3, size=size)
    (folder / "log_GROW.txt").write_bytes(os.urandom(size))
    job, _ = run_job(engine, GROW, None, plan_for(GROW, folder))
    by_name = {Path(t.path).name: job.tracker.results[t.index] for t in job.tasks}
    grew = by_name["log_GROW.txt"]
    assert grew is not None and grew.status == Status.FAILED
    assert grew.message.startswith("changed while being read")
    assert grew.kind == Kind.CHANGED
    assert [by_name[p.name].value for p in keep] == [sha(p) for p in keep]  # type: ignore[union-attr]


# --- the pool's give-up rule ----------------------------------------------------------------


def _collect(pool: ProcessPool, n: int) -> list[object]:
    got: list[object] = []
    done = threading.Event()

    def put(x: object) -> None:
        got.append(x)
        if len(got) == n:
            done.set()

    for i in range(n):
        pool.apply_async(
            __import__("tests.fault_ops", fromlist=["square"]).square,
            (i,),
            callback=put,
            error_callback=put,
        )
    assert done.wait(60), f"only {len(got)} of {n} tasks ended"
    return got


def test_pool_gives_up_when_workers_cannot_start() -> None:
    from tests.fault_ops import exit_at_start

    pool = ProcessPool(2, exit_at_start)
    try:
        got = _collect(pool, 3)
    finally:
        pool.terminate()
    assert all(isinstance(e, PoolBroken) for e in got)
    assert "stop as soon as they start (exit code 3)" in str(got[0])
    assert "installation may be broken" in str(got[0])


def test_pool_tells_workers_killed_from_outside_from_a_broken_install() -> None:
    from tests.fault_ops import killed_at_start

    pool = ProcessPool(1, killed_at_start, max_killed_starts=4)
    try:
        got = _collect(pool, 2)
    finally:
        pool.terminate()
    assert all(isinstance(e, PoolBroken) for e in got)
    assert "killed as they started (signal 9: SIGKILL), 4 times in a row" in str(got[0])
    assert "installation" not in str(got[0])


def test_pool_runs_tasks_and_replaces_a_killed_worker() -> None:
    from tests.fault_ops import square

    pool = ProcessPool(2)
    try:
        assert sorted(_collect(pool, 20)) == sorted(i * i for i in range(20))  # type: ignore[type-var]
        first = pool.pids()
        os.kill(first[0], signal.SIGKILL)
        assert wait_for_exit([first[0]], 5.0) == []
        assert sorted(_collect(pool, 5)) == [0, 1, 4, 9, 16]  # type: ignore[type-var]
        assert square(3) == 9
    finally:
        pool.terminate()


class _InterruptedPool(ProcessPool):
    """A pool whose start is cut short by a stop signal (Ctrl-C) once its workers are spawned."""

    def _start_slots(self) -> None:
        super()._start_slots()
        global _interrupted_pool
        _interrupted_pool = self
        raise KeyboardInterrupt


_interrupted_pool: ProcessPool | None = None


def test_a_pool_whose_start_is_interrupted_ends_the_workers_it_started() -> None:
    # Nobody holds a pool whose constructor raised: it must end its workers itself, or the
    # program's exit leaves one half spawned (reading what it was never sent, a traceback).
    before = set(threading.enumerate())
    with pytest.raises(KeyboardInterrupt):
        _InterruptedPool(2)
    pool = _interrupted_pool
    assert pool is not None
    started = pool.all_pids()
    assert len(started) == 2 and all(started)
    assert wait_for_exit(started, 5.0) == []
    assert pool.pids() == []
    assert not [t for t in set(threading.enumerate()) - before if t.name.startswith("parabatch-")]


# --- no orphans -----------------------------------------------------------------------------

STOPPED_ORPHAN_SCRIPT = """
import os, signal, sys, threading
from core.engine import Engine
if __name__ == "__main__":
    engine = Engine(2)
    pool = engine.current_pool()
    assert pool.wait_ready(2, 30)  # both started (a worker stopped while starting: see procpool)
    pids = engine.worker_pids()
    os.kill(pids[0], signal.SIGSTOP)
    print(" ".join(map(str, pids)), flush=True)
    threading.Event().wait()  # until killed
"""


def test_killing_the_app_leaves_no_stopped_worker_behind(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(STOPPED_ORPHAN_SCRIPT)
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as proc:
        try:
            assert proc.stdout is not None
            pids = [int(p) for p in proc.stdout.readline().split()]
            assert len(pids) == 2
            wait_until(lambda: _state(pids[0]) == "T", 5.0, lambda: "the worker to stop", pids[0])
            proc.kill()
            proc.wait(10)
            assert wait_for_exit(pids, 5.0) == [], "a worker outlived the killed app"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_engine_shutdown_after_external_signals_to_workers(tmp_path: Path, sig: int) -> None:
    """Workers ignore the terminal's Ctrl-C (the app coordinates); SIGTERM kills one, which is
    replaced; either way the job finishes and shutdown is bounded."""
    files = make_files(tmp_path / "in", 4, size=4 << 20)
    engine = Engine(2)
    try:
        job, t = start(engine, SLOW, plan_for(SLOW, tmp_path / "in"), 20)
        pump_until(job, lambda: job.tracker.counts[Status.RUNNING] >= 1)
        os.kill(_busy_pid(engine), sig)
        finish(job, t)
        assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
    finally:
        began = time.monotonic()
        engine.shutdown()
        assert time.monotonic() - began < 3.0
