"""The engine: owns the warm spawn-context worker pool between jobs and starts jobs on it.

The per-job logic (submission, the watchdog, retries, cancel) lives in :mod:`core.job`; the pool
that survives killed, crashed and stopped workers in :mod:`core.procpool`. :func:`run_job` runs a
job to the end from a plain thread, as the CLI and the self-test do. Nothing here leaves a file
behind: the pool's shared table lives in anonymous shared memory.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from core import worker
from core.job import DEFAULT_WATCHDOG, Job, JobReport, Source
from core.operations.base import Plan
from core.procpool import ProcessPool, ProgressQueue, ensure_resource_tracker

__all__ = ["DEFAULT_WATCHDOG", "Engine", "Job", "JobReport", "run_job"]


class Engine:
    """Owns the warm worker pool between jobs. One job at a time."""

    table_layout = (worker.HEADER_WORDS, worker.ROW_WORDS)

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.lock = threading.Lock()  # guards ``queue``: the progress Queue that may be drained
        self.queue: Any = None
        self._pool: ProcessPool | None = None
        self._job_ids = itertools.count(1)
        self.chunk_ids = itertools.count(1)
        self.job: Job | None = None
        self._pool_lock = threading.Lock()  # one thread at a time starts or replaces the pool
        self._closed = False
        self._warming: threading.Thread | None = None
        self._shutdown_lock = threading.Lock()

    # --- pools -------------------------------------------------------------------------------
    def current_pool(self) -> ProcessPool:
        """The pool new work goes to, started (or rebuilt for a new worker count, or after its
        workers could not start) on demand."""
        with self._pool_lock:
            if self._closed:
                raise RuntimeError("the engine was shut down")
            cur = self._pool
            if cur is not None and (cur.broken is not None or cur.processes != self.workers):
                self._end_pool()
                cur = None
            if cur is None:
                ensure_resource_tracker()  # before the Queue's locks register with it
                q = ProgressQueue(multiprocessing.get_context("spawn"))
                header, row = self.table_layout
                cur = ProcessPool(
                    self.workers, worker.init_worker, (q,), header_words=header, row_words=row
                )
                with self.lock:
                    self.queue = q
                self._pool = cur
            return cur

    def _end_pool(self) -> None:
        pool = self._pool
        if pool is None:
            return
        with self.lock:  # a poll() in another thread never drains a Queue being discarded
            q, self.queue = self.queue, None
        self._pool = None
        pool.close()
        if q is not None:
            q.close()
            q.cancel_join_thread()

    def cancel_job(self, job_id: int, pool: ProcessPool | None = None) -> None:
        """Tell the workers to stop job ``job_id`` (and any older one) at their next look."""
        pool = pool or self._pool
        if pool is not None:
            table = pool.table
            table[worker.CANCELLED_JOB] = max(table[worker.CANCELLED_JOB], job_id)

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

    def worker_pids(self) -> list[int]:
        pool = self._pool
        return pool.pids() if pool is not None else []

    def all_worker_pids(self) -> list[int]:
        """Every worker process the current pool ever started (live or dead)."""
        pool = self._pool
        return pool.all_pids() if pool is not None else []

    def new_job_id(self) -> int:
        return next(self._job_ids)

    def new_job(
        self,
        op_name: str,
        options: Any,
        plan: Plan,
        source: Source | None = None,
        sizes: Sequence[int] | None = None,
        *,
        timeout: float | None = None,
        watchdog: float | None = DEFAULT_WATCHDOG,
    ) -> Job:
        return Job(self, op_name, options, plan, source, sizes, timeout=timeout, watchdog=watchdog)

    def shutdown(self) -> None:
        """Stop the pool and reap its workers: no child process outlives this. Bounded (every
        wait has a limit; stopped workers are killed). Idempotent, and safe from several threads
        (a second call waits for the first)."""
        with self._shutdown_lock:
            with self._pool_lock:  # waits for a warm-up that is starting processes
                self._closed = True
            if self._warming is not None:
                self._warming.join()
            with self._pool_lock:
                self._end_pool()

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
    *,
    timeout: float | None = None,
    watchdog: float | None = DEFAULT_WATCHDOG,
) -> tuple[Job, JobReport]:
    """Run a job to the end from a plain thread: ``run()`` in a helper thread, ``poll()`` here.
    ``source``: more rows, discovered while the job runs (see :class:`Job`).

    A KeyboardInterrupt here (Ctrl-C, or a signal handler that raises it) cancels the job and
    waits for it to stop; the report then says ``interrupted`` and every row is final.
    """
    job = engine.new_job(op_name, options, plan, source, timeout=timeout, watchdog=watchdog)
    box: dict[str, BaseException] = {}

    def target() -> None:
        try:
            job.run()
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=target, name="parabatch-job", daemon=True)
    t.start()
    interrupted = False
    while True:
        try:
            while not job.done.wait(tick):
                job.poll(0.02)
                job.tracker.tick()
                if on_tick is not None:
                    on_tick(job)
            break
        except KeyboardInterrupt:
            interrupted = True
            job.cancel()
    while True:  # the job has ended: collect the last results, whatever signals come now
        try:
            t.join()
            job.poll(None)
            job.tracker.mark_ended()
            if on_tick is not None:
                on_tick(job)
            break
        except KeyboardInterrupt:
            interrupted = True
    if "error" in box:
        raise box["error"]
    assert job.report is not None
    job.report.interrupted = interrupted
    return job, job.report
