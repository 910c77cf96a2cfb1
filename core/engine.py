"""The engine: owns the warm spawn-context worker pool between jobs and starts jobs on it.

The per-job logic (submission, the worker watch, retries, cancel) lives in :mod:`core.job`.
:func:`run_job` runs a job to the end from a plain thread, as the CLI and the self-test do.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import mmap
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Any

from core.job import Job, JobReport, Source
from core.operations.base import Plan
from core.pool import PoolHandle
from core.worker import SLOT_WORDS

__all__ = ["Engine", "Job", "JobReport", "run_job"]

SLOTS = 1024  # rows of the shared slot table: far more than chunks ever in flight


class Engine:
    """Owns the warm worker pool between jobs. One job at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.lock = threading.Lock()  # guards ``handles``: who may be drained
        self.handles: list[PoolHandle] = []
        self._current: PoolHandle | None = None
        self._generations = itertools.count(1)
        self._job_ids = itertools.count(1)
        self.chunk_ids = itertools.count(1)
        self._dir = tempfile.mkdtemp(prefix="parabatch-")
        self.slot_table = os.path.join(self._dir, "slots")
        with open(self.slot_table, "wb") as f:
            f.write(bytes(SLOTS * SLOT_WORDS * 8))
        with open(self.slot_table, "r+b") as f:
            self._mmap = mmap.mmap(f.fileno(), 0)
        self.slots = memoryview(self._mmap).cast("q")
        self.free_slots = collections.deque(range(SLOTS))
        self.job: Job | None = None
        self._pool_lock = threading.Lock()  # one thread at a time starts or replaces the pool
        self._closed = False
        self._warming: threading.Thread | None = None
        self._shutdown_lock = threading.Lock()

    # --- pools -------------------------------------------------------------------------------
    def current_pool(self) -> PoolHandle:
        """The pool new work goes to, started (or rebuilt for a new worker count) on demand."""
        with self._pool_lock:
            if self._closed:
                raise RuntimeError("the engine was shut down")
            cur = self._current
            if cur is not None and (cur.retired or cur.terminated or cur.workers != self.workers):
                if not cur.retired:
                    self.end_pool(cur)
                cur = None
            if cur is None:
                cur = PoolHandle(self.workers, next(self._generations))
                with self.lock:
                    self.handles.append(cur)
                self._current = cur
            return cur

    def warm_up(self) -> None:
        """Start the worker processes now, so that the next job does not wait for them."""
        self.current_pool()

    def warm_up_in_background(self) -> None:
        """:meth:`warm_up` in a short-lived thread (starting processes takes tens of ms, too
        long for a GUI thread). Safe to call at any time; a running job's pool is left alone."""
        if self.job is not None or self._closed:
            return
        if self._warming is not None and self._warming.is_alive():
            return
        self._warming = threading.Thread(target=self._warm, name="parabatch-warm-up", daemon=True)
        self._warming.start()

    def _warm(self) -> None:
        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            self.warm_up()

    def end_pool(self, h: PoolHandle) -> None:
        with self.lock:  # a poll() in another thread never drains a Queue being discarded
            if h in self.handles:
                self.handles.remove(h)
        h.terminate()
        if self._current is h:
            self._current = None

    def worker_pids(self) -> list[int]:
        with self.lock:
            handles = list(self.handles)
        return [pid for h in handles for pid in h.pids()]

    def new_job_id(self) -> int:
        return next(self._job_ids)

    def new_job(
        self,
        op_name: str,
        options: Any,
        plan: Plan,
        source: Source | None = None,
        sizes: Sequence[int] | None = None,
    ) -> Job:
        return Job(self, op_name, options, plan, source, sizes)

    def shutdown(self) -> None:
        """Terminate every pool and reap its workers: no child process outlives this.
        Idempotent, and safe from several threads (a second call waits for the first)."""
        with self._shutdown_lock:
            with self._pool_lock:  # waits for a warm-up that is starting processes
                self._closed = True
            if self._warming is not None:
                self._warming.join()
            with self.lock:
                handles = list(self.handles)
            for h in handles:
                self.end_pool(h)
            self._current = None
            with contextlib.suppress(BufferError, ValueError):
                self.slots.release()
                self._mmap.close()
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def run_job(
    engine: Engine,
    op_name: str,
    options: Any,
    plan: Plan,
    on_tick: Callable[[Job], None] | None = None,
    tick: float = 0.1,
    source: Source | None = None,
) -> tuple[Job, JobReport]:
    """Run a job to the end from a plain thread: ``run()`` in a helper thread, ``poll()`` here.
    ``source``: more rows, discovered while the job runs (see :class:`Job`).

    A KeyboardInterrupt here cancels the job, waits for it to stop, and is re-raised.
    """
    job = engine.new_job(op_name, options, plan, source)
    box: dict[str, BaseException] = {}

    def target() -> None:
        try:
            job.run()
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=target, name="parabatch-job", daemon=True)
    t.start()
    interrupted: BaseException | None = None
    while True:
        try:
            while not job.done.wait(tick):
                job.poll(0.02)
                job.tracker.tick()
                if on_tick is not None:
                    on_tick(job)
            break
        except KeyboardInterrupt as e:
            interrupted = e
            job.cancel()
    t.join()
    job.poll(None)
    job.tracker.mark_ended()
    if on_tick is not None:
        on_tick(job)
    if "error" in box:
        raise box["error"]
    if interrupted is not None:
        raise interrupted
    assert job.report is not None
    return job, job.report
