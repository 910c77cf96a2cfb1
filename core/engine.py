"""The engine: owns the warm executor (spawn-context worker processes) between jobs and starts
jobs on it.

A job's rows and thread handoffs live in :mod:`core.job`, its policy (retries, the watchdog,
cancel) in :mod:`core.scheduler`, what runs the chunks in :mod:`core.executor.pool`.
:func:`run_job` runs a job to the end from a plain thread, as the CLI and the self-test do.
Nothing here leaves a file behind: the pool's shared table lives in anonymous shared memory.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.executor.base import Executor
from core.executor.dask_address import ClusterAddress, parse_address
from core.executor.pathmap import PathMap
from core.job import DEFAULT_WATCHDOG, Job, JobReport, Source
from core.operations.base import Plan
from core.records import Status
from core.session import Session

if TYPE_CHECKING:
    from core.procpool import ProcessPool

STOP_LOOK = 0.01  # seconds between looks at run_job's should_stop

__all__ = ["DEFAULT_WATCHDOG", "Engine", "Job", "JobReport", "Session", "run_job", "run_session"]


class Engine:
    """Owns the warm executor between jobs. One job at a time.

    ``cluster``: None runs on this computer's worker pool; ``local``, ``local:N`` or
    ``tcp://HOST:PORT`` on a Dask cluster (:mod:`core.executor.dask`, imported only then). A bad
    address raises ValueError here; an unreachable one ClusterError on first use. ``path_map``:
    on a cluster, the folders its workers see at other paths (``--path-map``)."""

    def __init__(
        self,
        workers: int | None = None,
        cluster: str | None = None,
        path_map: PathMap | None = None,
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.cluster: ClusterAddress | None = parse_address(cluster) if cluster else None
        self.path_map = path_map if path_map is not None else PathMap([])
        # A tiny job of an operation that cannot crash the process runs in a thread of this one
        # (core.executor.inline): no worker processes to start. Set by the command line.
        self.inline = False
        self.lock = threading.Lock()  # guards ``_executor`` for drain_progress()
        self._executor: Any = None  # a PoolExecutor, or a DaskExecutor
        self._job_ids = itertools.count(1)
        self.chunk_ids = itertools.count(1)
        self.job: Job | None = None
        self._pool_lock = threading.Lock()  # one thread at a time starts or replaces the pool
        self._closed = False
        self._warming: threading.Thread | None = None
        self._shutdown_lock = threading.Lock()

    # --- the executor ----------------------------------------------------------------------
    def current_executor(self) -> Executor:
        """The executor new work goes to, started (or rebuilt for a new worker count, or after
        its workers could not start) on demand."""
        with self._pool_lock:
            if self._closed:
                raise RuntimeError("the engine was shut down")
            cur = self._executor
            if cur is not None and (cur.broken is not None or not self._fits(cur)):
                self._end_executor()
                cur = None
            if cur is None:
                cur = self._new_executor()
                try:
                    with self.lock:
                        self._executor = cur
                except BaseException:  # a stop signal just now: the new workers end here
                    cur.close()
                    raise
            return cur  # type: ignore[no-any-return]

    def _new_executor(self) -> Any:
        if self.cluster is None:
            if self.inline:
                from core.executor.inline import InlineExecutor

                return InlineExecutor()
            from core.executor.pool import PoolExecutor  # multiprocessing: only when it is used

            return PoolExecutor(self.workers)
        from core.executor.dask import DaskExecutor

        return DaskExecutor(self.cluster, self.workers, path_map=self.path_map)

    def _fits(self, cur: Any) -> bool:
        """The running executor is the one asked for (backend, and a local worker count)."""
        local = not hasattr(cur, "address")  # a PoolExecutor or an InlineExecutor
        if self.cluster is None:
            same_kind = local and cur.inline == self.inline
            return same_kind and (self.inline or cur.workers == self.workers)
        if local or cur.address.text != self.cluster.text:
            return False
        if cur.path_map != self.path_map:
            return False
        return not self.cluster.local or cur.workers == (self.cluster.workers or self.workers)

    def set_cluster(self, cluster: str | None) -> None:
        """Run the next jobs on ``cluster`` (None: this computer); the executor changes at the
        next job."""
        self.cluster = parse_address(cluster) if cluster else None

    def check_visible(self, paths: Sequence[str]) -> None:
        """On a cluster: ClusterError if its workers cannot see ``paths`` (a sample of the
        inputs). Nothing to check on this computer."""
        if self.cluster is not None:
            self.current_executor().check_visible(list(paths))  # type: ignore[attr-defined]

    def current_pool(self) -> ProcessPool:
        """The current executor's process pool (for diagnostics and tests)."""
        pool: ProcessPool = self.current_executor().pool  # type: ignore[attr-defined]
        return pool

    def _end_executor(self) -> None:
        with self.lock:  # a drain_progress() in another thread never sees it half closed
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.close()

    def drain_progress(self, deadline: float) -> list[tuple[int, int, int]]:
        """Progress messages (job id, row, bytes done) of the current executor's workers."""
        with self.lock:
            ex = self._executor
        return ex.drain_progress(deadline) if ex is not None else []

    def cancel_job(self, job_id: int) -> None:
        """Tell the workers to stop job ``job_id`` (and any older one) at their next look."""
        ex = self._executor
        if ex is not None:
            ex.request_cancel(job_id)

    def warm_up(self) -> None:
        """Start the worker processes now, so that the next job does not wait for them."""
        self.current_executor()

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
        ex = self._executor
        return ex.worker_pids() if ex is not None else []

    def all_worker_pids(self) -> list[int]:
        """Every worker process the current executor ever started (live or dead)."""
        ex = self._executor
        return ex.all_worker_pids() if ex is not None else []

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
                self._end_executor()

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
    should_stop: Callable[[], bool] | None = None,
) -> tuple[Job, JobReport]:
    """Run planned rows (and, for a streaming operation, the ``source`` batches after them) to
    the end: :func:`run_session` of a :class:`core.session.Session` over them."""
    session = Session(
        engine, op_name, options, plan, timeout=timeout, watchdog=watchdog, source=source
    )
    return run_session(session, on_tick, tick, should_stop=should_stop)


def run_session(
    session: Session,
    on_tick: Callable[[Job], None] | None = None,
    tick: float = 0.1,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[Job, JobReport]:
    """Run a session to the end from a plain thread (the CLI, the self-test): plan it here if it
    is not planned yet, its run loop in a helper thread, :meth:`Session.tick` here.

    ``should_stop`` is asked every 10 ms; once it says yes the job is cancelled (the command
    line passes :func:`core.stopsignals.pending`, so a stop signal never interrupts a tick half
    way). A KeyboardInterrupt here (plain Ctrl-C in a program of its own) cancels the job too.
    Either way the call waits for the job to stop; the report then says ``interrupted`` and
    every row is final.
    """
    job = session.job or session.plan()
    box: dict[str, BaseException] = {}

    def target() -> None:
        try:
            session.run()
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=target, name="parabatch-job", daemon=True)
    t.start()
    interrupted = False
    while True:
        try:
            # A stop request is looked at every STOP_LOOK seconds, so that it cancels the job
            # at once; results and progress are taken in every ``tick``.
            look = min(tick, STOP_LOOK) if should_stop is not None else tick
            next_tick = time.monotonic() + tick
            while not job.done.wait(look):
                if should_stop is not None and not interrupted and should_stop():
                    interrupted = True
                    session.cancel()
                if time.monotonic() < next_tick:
                    continue
                next_tick = time.monotonic() + tick
                session.tick(0.02)
                if on_tick is not None:
                    on_tick(job)
            break
        except KeyboardInterrupt:
            interrupted = True
            session.cancel()
    while True:  # the job has ended: collect the last results, whatever signals come now
        try:
            t.join()
            session.tick(None)
            if on_tick is not None:
                on_tick(job)
            break
        except KeyboardInterrupt:
            interrupted = True
    if "error" in box:
        raise box["error"]
    assert job.report is not None
    if interrupted and not job.tracker.counts[Status.CANCELLED]:
        # The stop came as the job ended: every file had finished (and the job's own output,
        # a manifest, was written), so the job is reported as what it was, not as interrupted.
        interrupted = False
    job.report.interrupted = interrupted
    return job, job.report
