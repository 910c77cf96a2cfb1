"""The scheduler's policy against an in-process fake executor (tests/core/fake_executor.py):
real files and the real per-file code, but lost workers, errors, silent and slow workers on
demand, and a fake clock for the watchdog. The real-process fault tests are test_engine*.py."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

from core import operations
from core.executor.base import ChunkError, ExecutorBroken, WorkerLost
from core.records import FileResult, Status, Task
from core.results import ResultStore, TaskList
from core.scheduler import MAX_ATTEMPTS, Scheduler
from tests.core.fake_executor import FakeExecutor, lost_at

HASH = "tests.fault_ops:HashOperation"  # chunks of up to 8 files


def files(tmp_path: Path, n: int) -> list[Path]:
    out = []
    for i in range(n):
        p = tmp_path / f"f{i:03d}"
        p.write_bytes(b"x" * (i + 1))
        out.append(p)
    return out


def make(
    tmp_path: Path, n: int, ex: FakeExecutor, **kw: object
) -> tuple[Scheduler, ResultStore, list[list[FileResult]], list[Path]]:
    paths = files(tmp_path, n)
    tasks = TaskList(Task(i, str(p), p.stat().st_size) for i, p in enumerate(paths))
    store = ResultStore(n)
    batches: list[list[FileResult]] = []
    sched = Scheduler(
        ex,
        job_id=1,
        op_name=HASH,
        options=None,
        limits=operations.get(HASH).limits,
        tasks=tasks,
        results=store,
        on_results=batches.append,
        chunk_ids=itertools.count(1),
        clock=ex.clock,
        **kw,  # type: ignore[arg-type]
    )
    return sched, store, batches, paths


def run(sched: Scheduler, turns: int = 1000) -> None:
    for _ in range(turns):
        if sched.idle:
            return
        sched.step(streaming=False)
    raise AssertionError(f"not idle after {turns} turns: {sched.remaining} rows left")


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_every_row_done_and_in_flight_bounded(tmp_path: Path) -> None:
    ex = FakeExecutor(workers=2)
    sched, store, batches, paths = make(tmp_path, 50, ex)
    run(sched)
    assert [store[i].value for i in range(50)] == [digest(p) for p in paths]  # type: ignore[union-attr]
    assert sum(len(b) for b in batches) == 50 and sched.remaining == 0
    assert all(len(spec.tasks) <= 8 for spec in ex.submitted)
    assert ex.max_in_flight <= 2 * ex.workers


def test_lost_worker_blames_its_file_once_then_fails_it(tmp_path: Path) -> None:
    def script(spec):  # the file at row 3 kills every worker that runs it
        rows = [t.index for t in spec.tasks]
        return lost_at(rows.index(3))(spec) if 3 in rows else None

    ex = FakeExecutor(script=script)
    sched, store, _, paths = make(tmp_path, 8, ex)
    run(sched)
    r = store[3]
    assert r is not None and r.status == Status.FAILED
    assert r.message.startswith("worker crashed (signal 9: SIGKILL) while processing this file")
    assert "2 times" in r.message
    assert all(store[i].value == digest(paths[i]) for i in range(8) if i != 3)  # type: ignore[union-attr]
    suspects = [s for s in ex.submitted if [t.index for t in s.tasks] == [3]]
    assert [s.attempt for s in suspects] == [2]  # retried once, alone


def test_worker_lost_before_its_first_file_blames_nobody(tmp_path: Path) -> None:
    seen: set[int] = set()

    def script(spec):  # each chunk's first worker dies before starting it
        if spec.chunk_id % 2 == 1 and spec.tasks[0].index not in seen:
            seen.add(spec.tasks[0].index)
            return WorkerLost(spec.chunk_id, 7, -9, -1, None)
        return None

    ex = FakeExecutor(script=script)
    sched, store, _, _ = make(tmp_path, 20, ex)
    run(sched)
    assert all(store[i].status == Status.DONE for i in range(20))  # type: ignore[union-attr]


def test_neighbours_of_repeated_crashes_give_up_after_max_attempts(tmp_path: Path) -> None:
    ex = FakeExecutor(script=lost_at(0))  # always dies on the chunk's first file
    sched, store, _, _ = make(tmp_path, 3, ex)
    run(sched)
    messages = [store[i].message for i in range(3)]  # type: ignore[union-attr]
    assert all(store[i].status == Status.FAILED for i in range(3))  # type: ignore[union-attr]
    assert any("2 times" in m for m in messages)
    attempts = max(s.attempt for s in ex.submitted)
    assert attempts <= MAX_ATTEMPTS + 2


def test_chunk_error_fails_its_rows_only(tmp_path: Path) -> None:
    def script(spec):
        if any(t.index == 0 for t in spec.tasks):
            return ChunkError(spec.chunk_id, "ImportError: no module named x")
        return None

    ex = FakeExecutor(script=script)
    sched, store, _, _ = make(tmp_path, 16, ex)
    run(sched)
    first = [store[i] for i in range(8)]
    assert all(r is not None and r.status == Status.FAILED for r in first)
    assert first[0].message == "internal error in the worker: ImportError: no module named x"  # type: ignore[union-attr]
    assert all(store[i].status == Status.DONE for i in range(8, 16))  # type: ignore[union-attr]


def test_broken_executor_gives_up_and_fails_every_row(tmp_path: Path) -> None:
    reason = "the worker processes stop as soon as they start (exit code 3)"
    ex = FakeExecutor(script=lambda spec: ExecutorBroken(spec.chunk_id, reason))
    sched, store, _, _ = make(tmp_path, 30, ex)
    run(sched)
    assert sched.gave_up == reason
    assert all(store[i].message == reason for i in range(30))  # type: ignore[union-attr]
    assert len(ex.submitted) <= 2 * ex.workers  # nothing more was sent after it broke


def test_silent_worker_is_killed_by_the_watchdog_and_its_file_fails_as_hung(
    tmp_path: Path,
) -> None:
    ex = FakeExecutor(script=lambda spec: "hold" if spec.chunk_id == 1 else None)
    sched, store, _, _ = make(tmp_path, 16, ex, watchdog=30.0)
    run(sched)
    assert ex.kills == [(0, "hung")]
    r = store[0]
    assert r is not None and r.status == Status.FAILED
    assert r.message.startswith("hung: no progress for 30 s")
    assert all(store[i].status == Status.DONE for i in range(1, 16))  # type: ignore[union-attr]
    assert ex.clock.now - 1000.0 >= 30.0


def test_slow_file_past_the_time_limit_fails_as_timed_out(tmp_path: Path) -> None:
    ex = FakeExecutor(script=lambda spec: "hold-beating" if spec.chunk_id == 2 else None)
    sched, store, _, _ = make(tmp_path, 16, ex, timeout=5.0)
    run(sched)
    assert ex.kills == [(0, "timeout")]
    r = store[8]  # chunk 2 starts at row 8; its position stayed 0
    assert r is not None and r.status == Status.FAILED
    assert r.message.startswith("timed out: still running after 5 s")
    assert all(store[i].status == Status.DONE for i in range(16) if i != 8)  # type: ignore[union-attr]


def test_a_live_slow_worker_is_not_called_hung(tmp_path: Path) -> None:
    ex = FakeExecutor(script=lambda spec: "hold-beating" if spec.chunk_id == 1 else None)
    sched, store, _, _ = make(tmp_path, 8, ex, watchdog=1.0)
    for _ in range(200):  # 200 turns x 50 ms of fake time: far past the watchdog
        sched.step(streaming=False)
    assert ex.kills == []
    ex.release(1)
    run(sched)
    assert all(store[i].status == Status.DONE for i in range(8))  # type: ignore[union-attr]


def test_paused_time_does_not_count_for_the_watchdog(tmp_path: Path) -> None:
    ex = FakeExecutor(script=lambda spec: "hold" if spec.chunk_id == 1 else None)
    sched, store, _, _ = make(tmp_path, 8, ex, watchdog=1.0)
    sched.set_paused(True)
    for _ in range(200):
        sched.step(streaming=False)
    assert ex.kills == [] and ex.paused == [True]
    sched.set_paused(False)
    run(sched)
    assert ex.kills == [(0, "hung")]  # once resumed, the silence counts again
    assert store[0] is not None and store[0].message.startswith("hung")


def test_cancel_ends_every_row_and_keeps_finished_results(tmp_path: Path) -> None:
    ex = FakeExecutor(script=lambda spec: "hold" if spec.chunk_id >= 3 else None)
    sched, store, _, paths = make(tmp_path, 120, ex)
    sched.step(streaming=False)
    sched.step(streaming=False)  # chunks 1-2 came back; 3-10 (rows 16-79) are running
    sched.cancel()
    assert ex.cancelled_job == 1
    assert {reason for _, reason in ex.kills} == {"cancel"}
    statuses = [store[i].status for i in range(120)]  # type: ignore[union-attr]
    assert statuses[:16] == [Status.DONE] * 16
    assert all(s == Status.CANCELLED for s in statuses[16:])
    assert store[16].message == "cancelled while running"  # type: ignore[union-attr]
    assert store[119].message == "cancelled before it started"  # type: ignore[union-attr]
    assert store[0].value == digest(paths[0])  # type: ignore[union-attr]
    assert sched.idle and sched.remaining == 0
