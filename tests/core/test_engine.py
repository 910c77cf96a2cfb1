"""The engine under faults, with real worker processes on real files: crashes, kills, cancel."""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from core import operations
from core.discover import scan
from core.engine import Engine, Job, run_job
from core.operations.base import Plan
from core.records import FileEntry, FileResult, Kind, SkippedEntry, Status, Task
from core.worker import MAP_MIN_SIZE, MAP_STEP, WORKER_NICENESS
from tests.support import wait_for_exit, wait_until

HASH = "tests.fault_ops:HashOperation"
SEGV = "tests.fault_ops:SegfaultOperation"
SLOW = "tests.fault_ops:SlowOperation"
WRITE = "tests.fault_ops:WriteOperation"
TRUNCATE = "tests.fault_ops:TruncatingHashOperation"


def make_files(folder: Path, n: int, size: int = 3000, prefix: str = "f") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"{prefix}{i:03d}.bin"
        p.write_bytes(os.urandom(size + i))
        paths.append(p)
    return paths


def sha(p: str | Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def plan_for(op: str, folder: Path) -> Plan:
    return operations.get(op).plan(scan([str(folder)]), None)


def start(
    engine: Engine, op: str, plan: Plan, options: object = None
) -> tuple[Job, threading.Thread]:
    job = engine.new_job(op, options, plan)
    t = threading.Thread(target=job.run, daemon=True)
    t.start()
    return job, t


def pump_until(job: Job, cond: object, timeout: float = 20.0) -> None:
    """Drain progress (as the GUI timer would) until ``cond()`` is true."""
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"condition not reached in time: {_state(job)}"
        job.poll(None)
        job.done.wait(0.02)
    job.poll(None)


def _state(job: Job) -> str:
    """What the job is waiting for, to make a timeout explain itself."""
    sched = job._sched
    if sched is None:
        return f"counts={job.tracker.counts} (not running)"
    busy = sched.executor.busy()
    inflight = list(sched._inflight)
    return f"counts={job.tracker.counts} inflight={inflight} busy={busy} left={sched.remaining}"


def finish(job: Job, t: threading.Thread, timeout: float = 30.0) -> None:
    pump_until(job, job.done.is_set, timeout)
    t.join(5)
    job.poll(None)


def assert_all_final(job: Job) -> None:
    c = job.tracker.counts
    assert c[Status.PENDING] == 0 and c[Status.RUNNING] == 0
    assert sum(c[s] for s in Status if s.final) == job.tracker.n


def test_job_hashes_every_file_and_pool_stays_warm(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 300)
    plan = plan_for(HASH, tmp_path / "in")
    job, report = run_job(engine, HASH, None, plan)
    assert report.error is None and not report.cancelled
    assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
    assert job.tracker.counts[Status.DONE] == 300 and job.tracker.fraction == 1.0
    pids = set(engine.worker_pids())
    assert len(pids) == 2
    run_job(engine, HASH, None, plan)
    assert set(engine.worker_pids()) == pids  # warm pool reused
    engine.workers = 1
    run_job(engine, HASH, None, plan)
    assert len(engine.worker_pids()) == 1 and not pids & set(engine.worker_pids())


def test_vanished_fifo_empty_and_settled_rows(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_files(folder, 3)
    (folder / "empty.bin").write_bytes(b"")
    os.mkfifo(folder / "pipe")
    entries = scan([str(folder)])
    (folder / "f001.bin").unlink()  # vanishes between scan and processing
    (folder / "f002.bin").unlink()
    os.mkfifo(folder / "f002.bin")  # ... and is replaced by a FIFO: must not block
    job, _ = run_job(engine, HASH, None, operations.get(HASH).plan(entries, None))
    by_name = {Path(t.path).name: job.tracker.results[t.index] for t in job.tasks}
    assert by_name["empty.bin"].value == hashlib.sha256(b"").hexdigest()
    assert by_name["pipe"].status == Status.SKIPPED and "FIFO" in by_name["pipe"].message
    assert by_name["f001.bin"].status == Status.FAILED
    assert "vanished" in by_name["f001.bin"].message
    assert by_name["f001.bin"].kind == Kind.MISSING
    assert by_name["pipe"].kind == by_name["f002.bin"].kind == Kind.NOT_REGULAR
    assert by_name["f000.bin"].kind == Kind.NONE
    assert by_name["f002.bin"].status == Status.SKIPPED
    assert "named pipe" in by_name["f002.bin"].message
    assert by_name["f000.bin"].status == Status.DONE
    assert_all_final(job)


def test_segfault_fails_only_that_file_after_one_retry(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    files = make_files(folder, 40)
    (folder / "f017_CRASH.bin").write_bytes(b"boom")
    plan = plan_for(SEGV, folder)
    job, report = run_job(engine, SEGV, None, plan)
    assert report.error is None
    crashed = [r for r in job.tracker.results if r and r.status == Status.FAILED]
    assert len(crashed) == 1
    assert job.tasks[crashed[0].index].path.endswith("f017_CRASH.bin")
    assert "worker crashed (signal 11: SIGSEGV)" in crashed[0].message
    assert "2 times" in crashed[0].message
    assert (crashed[0].kind, crashed[0].attempt) == (Kind.CRASHED_WORKER, 2)
    done = {job.tasks[r.index].path: r.value for r in job.tracker.results if r and r.value}
    assert done == {str(p): sha(p) for p in files}
    assert_all_final(job)
    # The engine still works on a fresh pool afterwards.
    job2, _ = run_job(engine, HASH, None, plan_for(HASH, folder))
    assert job2.tracker.counts[Status.DONE] == 41


def test_sigkill_of_a_busy_worker_retries_its_file(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 6, size=4 << 20)
    job, t = start(engine, SLOW, plan_for(SLOW, tmp_path / "in"), 30)
    pump_until(job, lambda: job.tracker.counts[Status.RUNNING] >= 1)
    victim = engine.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    finish(job, t)
    assert victim not in engine.worker_pids()
    assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
    assert job.tracker.counts[Status.DONE] == 6


def test_sigkill_twice_on_the_same_file_fails_it(tmp_path: Path) -> None:
    make_files(tmp_path / "in", 1, size=6 << 20)
    with Engine(1) as engine:
        job, t = start(engine, SLOW, plan_for(SLOW, tmp_path / "in"), 200)
        victims: list[int] = []
        seen = -1
        for _ in range(2):
            # Wait for a fresh worker to make fresh progress on the file, then kill it.
            pump_until(
                job,
                lambda s=seen: (
                    job.tracker.partial[0] not in (0, s)
                    and any(p not in victims for p in engine.worker_pids())
                ),
            )
            pid = next(p for p in engine.worker_pids() if p not in victims)
            os.kill(pid, signal.SIGKILL)
            victims.append(pid)
            pump_until(job, lambda p=pid: p not in engine.worker_pids() or job.done.is_set())
            seen = job.tracker.partial[0]
        finish(job, t)
    r = job.tracker.results[0]
    assert r is not None and r.status == Status.FAILED
    assert "worker crashed (signal 9: SIGKILL)" in r.message


def test_killing_an_idle_worker_does_not_hang(tmp_path: Path) -> None:
    make_files(tmp_path / "in", 1, size=4 << 20)
    make_files(tmp_path / "in", 30, size=1000, prefix="s")
    with Engine(2) as engine:
        plan = plan_for(SLOW, tmp_path / "in")
        job, t = start(engine, SLOW, plan, 300)
        pump_until(job, lambda: job.tracker.partial[0] > 0)
        # Everything but the big file is quick; wait until those are done and one worker has
        # no task (the pool says which): it waits for work on its pipe. Kill it there.
        pool = engine.current_pool()

        def idle_workers() -> list[int]:
            busy = {pid for _, pid, _ in pool.busy()}
            return [pid for pid in engine.worker_pids() if pid not in busy]

        pump_until(job, lambda: job.tracker.counts[Status.DONE] >= 30 and len(idle_workers()) == 1)
        assert not job.done.is_set(), "the big file was done before an idle worker was seen"
        (idle,) = idle_workers()
        os.kill(idle, signal.SIGKILL)
        pump_until(job, lambda: idle not in engine.worker_pids() or job.done.is_set())
        finish(job, t)
    assert job.tracker.counts[Status.DONE] == 31
    assert job.tracker.counts[Status.FAILED] == 0  # an idle worker's death fails no file


def test_cancel_stops_quickly_and_keeps_finished_results(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 3, size=1000, prefix="a")
    files += make_files(tmp_path / "in", 8, size=8 << 20, prefix="b")
    job, t = start(engine, SLOW, plan_for(SLOW, tmp_path / "in"), 60)
    pump_until(job, lambda: job.tracker.counts[Status.DONE] >= 3)
    began = time.monotonic()
    job.cancel()
    finish(job, t)
    elapsed = time.monotonic() - began
    assert elapsed < 3.0
    c = job.tracker.counts
    assert c[Status.CANCELLED] >= 1 and c[Status.DONE] >= 3
    assert_all_final(job)
    for task, r in zip(job.tasks, job.tracker.results, strict=True):
        assert r is not None
        if r.status == Status.DONE:
            assert r.value == sha(task.path)
    assert job.report is not None and job.report.cancelled


def test_cancel_terminates_a_worker_that_ignores_it(engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 2, size=2 << 20)
    plan = plan_for(HASH, tmp_path / "in")
    stuck = "tests.fault_ops:StuckOperation"
    job, t = start(engine, stuck, plan)
    # Both files running: each worker is past its last look at the cancel flag and stuck. (A
    # worker merely handed its file, under load, still sees the cancel and stops by itself.)
    pump_until(job, lambda: job.tracker.counts[Status.RUNNING] == 2)
    stuck_pids = {b.pid for b in engine.current_executor().busy()}
    assert len(stuck_pids) == 2
    began = time.monotonic()
    job.cancel()
    finish(job, t)
    assert time.monotonic() - began < 3.0
    assert job.tracker.counts[Status.CANCELLED] == 2
    # The stuck worker was killed (and replaced: the pool stays warm for the next job).
    assert wait_for_exit(stuck_pids, 10.0) == []  # killed, however loaded the machine
    job2, _ = run_job(engine, HASH, None, plan)
    assert job2.tracker.counts[Status.DONE] == 2 and not stuck_pids & set(engine.worker_pids())


def test_cancel_leaves_no_partial_output(engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 4, size=8 << 20)
    out = tmp_path / "out"
    out.mkdir()
    base = plan_for(WRITE, tmp_path / "in")
    plan = Plan(
        [Task(t.index, t.path, t.size, output=str(out / Path(t.path).name)) for t in base.tasks]
    )
    job, t = start(engine, WRITE, plan, 60)
    pump_until(job, lambda: job.tracker.counts[Status.RUNNING] >= 1 and job.tracker.bytes_done > 0)
    job.cancel()
    finish(job, t)
    written = sorted(p.name for p in out.iterdir())
    done = sorted(
        Path(t.path).name
        for t, r in zip(job.tasks, job.tracker.results, strict=True)
        if r and r.status == Status.DONE
    )
    assert written == done  # finished outputs only: no partial file, no temporary
    for name in written:
        assert (out / name).read_bytes() == (tmp_path / "in" / name).read_bytes()


def test_sources_are_never_modified(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 20)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    run_job(engine, HASH, None, plan_for(HASH, tmp_path / "in"))
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


def test_huge_sparse_file_and_zero_byte_file(engine: Engine, tmp_path: Path) -> None:
    """Sizes and offsets past 4 GiB: a sparse file of 4 GiB of holes, then real data."""
    import xxhash

    from core.operations.checksum import ChecksumOptions

    huge = tmp_path / "huge.img"
    tail = os.urandom(64 * 1024)
    with open(huge, "wb") as f:
        f.seek(4 << 30)
        f.write(tail)
    (tmp_path / "empty").write_bytes(b"")
    opts = ChecksumOptions(algorithm="xxh128")
    plan = operations.get("checksum").plan(scan([str(tmp_path)]), opts)
    job, _ = run_job(engine, "checksum", opts, plan)
    by_name = {Path(t.path).name: job.tracker.results[t.index] for t in job.tasks}
    h = xxhash.xxh3_128()
    zeros = bytes(1 << 24)
    for _ in range((4 << 30) // len(zeros)):
        h.update(zeros)
    h.update(tail)
    assert by_name["huge.img"].value == h.hexdigest()
    assert by_name["empty"].value == xxhash.xxh3_128(b"").hexdigest()
    assert job.tracker.bytes_done == (4 << 30) + len(tail)


def test_large_file_cut_short_while_mapped_is_read_again_without_the_map(
    engine: Engine, tmp_path: Path
) -> None:
    """A large file is memory-mapped; if it shrinks meanwhile the worker dies of SIGBUS. The file
    is then retried once with plain reads, and the rest of the chunk goes on."""
    folder = tmp_path / "in"
    small = make_files(folder, 3)
    big = folder / "f100-TRUNCATE.bin"
    big.write_bytes(os.urandom(MAP_MIN_SIZE + 3 * MAP_STEP))
    engine.warm_up()
    before = set(engine.worker_pids())
    job, _ = run_job(engine, TRUNCATE, None, plan_for(TRUNCATE, folder))
    by_name = {Path(t.path).name: job.tracker.results[t.index] for t in job.tasks}
    assert by_name[big.name].status == Status.DONE
    assert by_name[big.name].value == hashlib.sha256(b"").hexdigest()  # what it holds now
    assert [by_name[p.name].value for p in small] == [sha(p) for p in small]
    assert before - set(engine.worker_pids())  # the mapped read did crash its worker
    assert_all_final(job)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_fails_with_a_reason(engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 3)
    locked = tmp_path / "in" / "f001.bin"
    locked.chmod(0)
    job, _ = run_job(engine, HASH, None, plan_for(HASH, tmp_path / "in"))
    r = job.tracker.results[1]
    assert r is not None and r.status == Status.FAILED and "permission denied" in r.message
    assert job.tracker.counts[Status.DONE] == 2


def test_workers_that_die_at_start_fail_the_job_instead_of_looping(
    engine: Engine, tmp_path: Path
) -> None:
    make_files(tmp_path / "in", 300, size=100)
    plan = plan_for(HASH, tmp_path / "in")
    began = time.monotonic()
    job, report = run_job(engine, "tests.fault_ops:BrokenStartOperation", None, plan)
    assert time.monotonic() - began < 20  # a few workers, not one per chunk and attempt
    assert job.tracker.counts[Status.FAILED] == 300
    assert report.error is not None and "stop as soon as they start (exit code 3)" in report.error
    r = job.tracker.results[0]
    assert r is not None and r.message == report.error and r.kind == Kind.CANNOT_START
    job2, _ = run_job(engine, HASH, None, plan)  # the engine recovers for the next job
    assert job2.tracker.counts[Status.DONE] == 300


def test_give_up_still_gives_every_discovered_input_a_row(engine: Engine, tmp_path: Path) -> None:
    """Discovery goes on after a give-up, so that every input ends in a final state."""
    make_files(tmp_path / "in", 50, size=100)
    entries = scan([str(tmp_path / "in")])
    batches = [entries[i : i + 5] for i in range(0, 50, 5)]
    broken = "tests.fault_ops:BrokenStartOperation"
    job = engine.new_job(broken, None, Plan([]), source=iter(batches))
    t = threading.Thread(target=job.run, daemon=True)
    t.start()
    finish(job, t)
    assert job.tracker.n == 50 and job.tracker.counts[Status.FAILED] == 50
    assert job.report is not None and job.report.error is not None


ORPHAN_SCRIPT = """
import sys, threading
from core import operations
from core.discover import scan
from core.engine import Engine
if __name__ == "__main__":
    engine = Engine(2)
    op = "tests.fault_ops:StuckOperation"  # a worker blocked in a long call, not in the Pool
    job = engine.new_job(op, None, operations.get(op).plan(scan([sys.argv[1]]), None))
    threading.Thread(target=job.run, daemon=True).start()
    while job.tracker.counts[1] < 2:  # both workers busy
        job.poll(None)
        job.done.wait(0.01)
    print(" ".join(map(str, engine.worker_pids())), flush=True)
    threading.Event().wait()  # until killed
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_exit_when_the_app_is_killed(tmp_path: Path) -> None:
    """SIGKILL the app (no shutdown at all): its workers must not live on as orphans."""
    import subprocess
    import sys

    script = tmp_path / "app.py"
    script.write_text(ORPHAN_SCRIPT)
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    make_files(tmp_path / "in", 2, size=2 << 20)  # one chunk each
    cmd = [sys.executable, str(script), str(tmp_path / "in")]
    app = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert app.stdout is not None
        pids = [int(p) for p in app.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
    finally:
        app.kill()
        app.wait()
        if app.stdout is not None:
            app.stdout.close()
    assert wait_for_exit(pids, 5) == [], "workers outlived the killed app"


# --- rows that stream in while the job runs (the CLI's scan) -----------------------------------


def test_rows_found_while_the_job_runs_start_before_discovery_ends(
    engine: Engine, tmp_path: Path
) -> None:
    files = make_files(tmp_path / "in", 60)
    os.mkfifo(tmp_path / "in" / "pipe")
    entries = scan([str(tmp_path / "in")])
    assert isinstance(entries[-1], SkippedEntry)
    left_pending: list[int] = []  # rows already handed to workers, seen at each later batch

    def discovery() -> Iterator[list[FileEntry | SkippedEntry]]:
        for k in range(0, len(entries), 10):
            if k:
                left_pending.append(job.rows_submitted)
            yield entries[k : k + 10]

    job, t = start_streaming(engine, HASH, discovery(), None)
    assert job.tracker.input_open  # poll() has not run yet: rows are still to come
    finish(job, t)
    assert left_pending[0] > 0  # the first files were submitted before the rest were found
    assert job.tracker.n == len(entries) == 61 and not job.tracker.input_open
    values = [r.value if r else None for r in job.tracker.results]
    assert values[:60] == [sha(p) for p in files]
    last = job.tracker.results[60]
    assert last is not None and last.status == Status.SKIPPED and "FIFO" in last.message
    assert_all_final(job)


def test_cancel_during_discovery_lists_the_rest_as_cancelled(
    engine: Engine, tmp_path: Path
) -> None:
    """Inputs that discovery finds after a cancel still get a row (cancelled): every input ends
    in exactly one final state."""
    make_files(tmp_path / "in", 4, size=2 << 20)
    entries = scan([str(tmp_path / "in")])
    pulled: list[int] = []

    def discovery() -> Iterator[list[FileEntry | SkippedEntry]]:
        for k in range(1000):
            pulled.append(k)
            if k == 3:
                job.cancel()  # the user cancels while folders are still being scanned
            yield entries

    job, t = start_streaming(engine, SLOW, discovery(), 60)
    finish(job, t, timeout=10)
    assert len(pulled) == 1000
    assert job.report is not None and job.report.cancelled
    assert job.tracker.n == 4000 and not job.tracker.input_open
    assert_all_final(job)
    assert job.tracker.counts[Status.CANCELLED] >= 3990


def test_cancel_during_endless_discovery_stops_within_its_budget(
    engine: Engine, tmp_path: Path
) -> None:
    """A tree too big to list within the cancel budget: the scan is closed, the report says so."""
    make_files(tmp_path / "in", 4, size=2 << 20)
    entries = scan([str(tmp_path / "in")])
    closed = threading.Event()

    def discovery() -> Iterator[list[FileEntry | SkippedEntry]]:
        try:
            for k in itertools.count():
                if k == 3:
                    job.cancel()
                yield entries
        except GeneratorExit:
            closed.set()
            raise

    job, t = start_streaming(engine, SLOW, discovery(), 60)
    began = time.monotonic()
    finish(job, t, timeout=10)
    assert time.monotonic() - began < 4.0
    assert closed.is_set()
    assert job.report is not None and job.report.cancelled
    assert any("before every folder was scanned" in n for n in job.report.notes)
    assert_all_final(job)


def test_listed_rows_are_all_in_the_tracker_at_once_and_planned_while_running(
    engine: Engine, tmp_path: Path
) -> None:
    """The window's case: the rows are known (their sizes too) and planned batch by batch."""
    files = make_files(tmp_path / "in", 50)
    entries = scan([str(tmp_path / "in")])
    batches = (entries[k : k + 7] for k in range(0, len(entries), 7))
    sizes = [e.size for e in entries]  # type: ignore[union-attr]
    job = engine.new_job(HASH, None, Plan([]), source=batches, sizes=sizes)
    assert job.tracker.n == 50 and not job.tracker.input_open
    assert job.tracker.total_bytes == sum(sizes)
    t = threading.Thread(target=job.run, daemon=True)
    t.start()
    finish(job, t)
    assert [t.path for t in job.tasks] == [str(p) for p in files]
    assert [r.value if r else None for r in job.tracker.results] == [sha(p) for p in files]
    assert_all_final(job)


def test_cancel_while_listed_rows_are_planned_still_settles_every_row(
    engine: Engine, tmp_path: Path
) -> None:
    make_files(tmp_path / "in", 40, size=2 << 20)
    entries = scan([str(tmp_path / "in")])
    planned: list[int] = []

    def batches() -> Iterator[list[FileEntry | SkippedEntry]]:
        for k in range(0, len(entries), 4):
            planned.append(k)
            if k == 8:
                job.cancel()  # Cancel pressed while the job is still planning its rows
            yield entries[k : k + 4]

    sizes = [e.size for e in entries]  # type: ignore[union-attr]
    job = engine.new_job(SLOW, 60, Plan([]), source=batches(), sizes=sizes)
    t = threading.Thread(target=job.run, daemon=True)
    t.start()
    finish(job, t, timeout=10)
    assert len(planned) == 10 and len(job.tasks) == 40  # planned to the end, never run
    assert [t.index for t in job.tasks] == list(range(40))
    assert job.report is not None and job.report.cancelled
    assert job.tracker.counts[Status.CANCELLED] >= 28
    assert_all_final(job)


def test_an_operation_that_plans_all_rows_together_refuses_a_source(engine: Engine) -> None:
    with pytest.raises(ValueError, match="needs all its inputs"):
        engine.new_job("image", None, Plan([]), source=iter([]))


def start_streaming(
    engine: Engine, op: str, source: Iterator[list[FileEntry | SkippedEntry]], options: object
) -> tuple[Job, threading.Thread]:
    job = engine.new_job(op, options, Plan([]), source=source)
    t = threading.Thread(target=job.run, daemon=True)
    t.start()
    return job, t


def test_background_warm_up_then_immediate_shutdown_leaves_no_process(tmp_path: Path) -> None:
    """The window warms the pool up when files are added, and may close right after."""
    for _ in range(3):
        engine = Engine(2)
        engine.warm_up_in_background()
        engine.shutdown()  # waits for a warm-up that is starting processes, then ends them
        assert engine.worker_pids() == []
    engine = Engine(1)
    engine.warm_up_in_background()
    assert engine._warming is not None
    engine._warming.join()
    assert len(engine.worker_pids()) == 1
    job, _ = run_job(engine, HASH, None, plan_for(HASH, tmp_path))
    assert job.tracker.n == 0
    engine.shutdown()


def test_workers_run_below_the_app_priority(engine: Engine) -> None:
    """The window (or the CLI feeding the workers) gets a core first when it needs one."""
    engine.warm_up()
    expected = min(os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS, 19)
    pids = engine.worker_pids()
    assert len(pids) == 2

    def priorities() -> list[int]:
        return [os.getpriority(os.PRIO_PROCESS, pid) for pid in pids]

    # Each worker lowers itself in the Pool initializer, as soon as it has started.
    wait_until(lambda: priorities() == [expected] * 2, 15, lambda: f"{priorities()}", pids[0])


def test_shutdown_from_two_threads_at_once() -> None:
    """The CLI ends its workers in a thread while it prints; Ctrl-C then shuts down again."""
    engine = Engine(2)
    engine.warm_up()
    errors: list[BaseException] = []

    def close() -> None:
        try:
            engine.shutdown()
        except BaseException as e:  # pragma: no cover - the failure being tested for
            errors.append(e)

    threads = [threading.Thread(target=close) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and engine.worker_pids() == []
    assert engine._executor is None


class _Collect:
    """A result sink: records each batch and the thread it came from."""

    def __init__(self) -> None:
        self.results: list[FileResult] = []
        self.threads: set[str] = set()

    def accept(self, results: Sequence[FileResult]) -> None:
        self.results.extend(results)
        self.threads.add(threading.current_thread().name)


def test_a_sink_gets_every_final_result_once_from_the_run_thread(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    make_files(folder, 30)
    os.mkfifo(folder / "pipe")  # settled at planning: a sink sees it too
    entries = scan([str(folder)])
    plan = operations.get(HASH).plan(entries, None)
    job = engine.new_job(HASH, None, plan)
    sink = _Collect()
    job.add_sink(sink)
    t = threading.Thread(target=job.run, name="the-run-thread", daemon=True)
    t.start()
    finish(job, t)
    assert sorted(r.index for r in sink.results) == list(range(len(job.tasks)))
    assert sink.threads == {"the-run-thread"}
    by_index = {r.index: r for r in sink.results}

    def kept(r: FileResult | None) -> tuple[object, ...]:
        """What the store keeps of a result (the sink also gets its time and worker)."""
        assert r is not None
        return (r.index, r.status, r.value, r.message, r.output, r.kind, r.attempt)

    assert all(kept(by_index[i]) == kept(job.tracker.results[i]) for i in range(len(job.tasks)))
    assert {r.status for r in sink.results} == {Status.DONE, Status.SKIPPED}
    done = [r for r in sink.results if r.status == Status.DONE]
    workers = {str(p) for p in engine.all_worker_pids()}
    assert done and all(r.duration is not None and r.duration >= 0 for r in done)
    assert {r.worker for r in done} <= workers  # which worker process did each file


def test_tasks_carry_the_file_identity_as_planned(engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 20)
    job, _ = run_job(engine, HASH, None, plan_for(HASH, tmp_path / "in"))
    assert len(list(job.tasks)) == len(job.tasks) == 20
    for i, p in enumerate(files):
        st = p.stat()
        assert job.tasks.key(i) == (str(p), st.st_size, st.st_mtime_ns)
        assert job.tasks[i].mtime_ns == st.st_mtime_ns
