"""One job: its rows (planned up front, or batch by batch while discovery runs), the run thread
that drives the :class:`core.scheduler.Scheduler`, and the poll that feeds the tracker.

Threads: ``Job.run()`` runs in one thread (the GUI's QThread bridge or a CLI thread) and
``Job.poll()`` in another (the GUI timer or the CLI loop). They share the job's result store
(written by the run thread only) and a deque of small tagged messages; progress messages come
from the executor, drained by the poll side. Retry, watchdog, timeout and cancel policy is the
scheduler's; what runs the chunks is the engine's executor.
"""

from __future__ import annotations

import collections
import threading
import time
from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from core import operations
from core.operations.base import Plan
from core.progress import Tracker
from core.records import (
    FileEntry,
    FileError,
    FileResult,
    Kind,
    Record,
    SkippedEntry,
    Status,
    rows_and_statuses,
)
from core.results import ResultSink, ResultStore, TaskList
from core.scheduler import DEFAULT_WATCHDOG, Scheduler, describe_exit

if TYPE_CHECKING:
    from core.engine import Engine

__all__ = ["DEFAULT_WATCHDOG", "Job", "JobReport", "Source", "describe_exit"]

DRAIN_BUDGET = 1.0  # seconds a stopping job keeps listing what discovery still finds


class JobReport(Record):
    """How a job ended: ``lines`` from the operation's finish step, a job-level ``error`` if any
    (then the finish step did not run: nothing job-level was written), whether it was
    ``cancelled``, and the plan's ``notes``."""

    __slots__ = ("lines", "error", "cancelled", "notes", "interrupted")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.error: str | None = None
        self.cancelled = False
        self.notes: list[str] = []
        self.interrupted = False  # cancelled by a signal (Ctrl-C, SIGTERM, SIGHUP)


# --- run() -> poll(): small tagged messages, in order ----------------------------------------


class RowsAdded(Record):
    """Rows were planned (their sizes); always sent before any of their results."""

    __slots__ = ("sizes",)

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = sizes


class ResultsIn(Record):
    """Final results, as the scheduler stored them: their rows and statuses, all the tracker
    needs (the results are in the job's store). Compact on purpose: while a busy window catches
    up, a backlog of 100,000 results as objects made each garbage collection walk them all."""

    __slots__ = ("rows", "statuses")

    def __init__(self, rows: array[int], statuses: bytes) -> None:
        self.rows = rows
        self.statuses = statuses


class InputClosed(Record):
    """Discovery ended: the row count is final."""

    __slots__ = ()


Source = Iterator[Sequence[FileEntry | SkippedEntry]]


class Job:
    """One run of an operation over planned rows. See the module docstring for threading.

    With a ``source`` (batches of discovered entries, for an operation that ``streams``), rows are
    planned and started while discovery still runs: the first files are processed while the rest
    are still being found. The tracker grows as rows arrive (``tracker.input_open`` until then).

    With ``sizes`` too, the source holds rows already listed (the window's list at Start): the
    job and its tracker have all their rows from the start, so the first files are hashed while
    the rest are still being planned, and a view can show every row at once. Such a source is
    planned to its end even on cancel, so that every row has its task.
    """

    def __init__(
        self,
        engine: Engine,
        op_name: str,
        options: Any,
        plan: Plan,
        source: Source | None = None,
        sizes: Sequence[int] | None = None,
        *,
        timeout: float | None = None,
        watchdog: float | None = DEFAULT_WATCHDOG,
    ) -> None:
        self.engine = engine
        self.timeout = timeout or None  # per-file limit in seconds (None: no limit)
        self.watchdog = watchdog or None  # seconds without progress before a worker is killed
        self.op_name = op_name
        self.op = operations.get(op_name)
        self.limits = self.op.limits  # how files are grouped into chunks (see Session)
        self.options = options
        # A plan made as columns already (verify's) is taken as it is, not copied.
        self.tasks = plan.tasks if isinstance(plan.tasks, TaskList) else TaskList(plan.tasks)
        self.settled = plan.settled
        self.notes = plan.notes
        self.remarks = plan.remarks  # row -> Kind a done result of that row carries
        self.job_id = engine.new_job_id()
        if source is not None and not self.op.streams:
            raise ValueError(f"the {op_name} operation needs all its inputs before it starts")
        if sizes is not None and (source is None or self.tasks):
            raise ValueError("known row sizes go with a source and an empty plan")
        self._source = source
        self._known = sizes is not None  # every row is counted already; the source plans them
        self._results = ResultStore(len(sizes) if sizes is not None else len(self.tasks))
        # The tracker reads row results from the store the scheduler writes (one owner).
        self.tracker = Tracker(
            sizes if sizes is not None else self.tasks.sizes, results=self._results
        )
        self.tracker.input_open = source is not None and not self._known
        self.done = threading.Event()
        self.report: JobReport | None = None
        self._cancel = threading.Event()
        self._paused = False
        self._out: collections.deque[RowsAdded | ResultsIn | InputClosed] = collections.deque()
        self._sched: Scheduler | None = None
        self.sinks: list[ResultSink] = []  # besides the tracker's feed (see add_sink)

    # --- consumer side -----------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the job to stop. Thread-safe, returns at once; ``done`` is set when it stopped."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def pause(self) -> None:
        """Workers stop between blocks (within about a second) and use no CPU until resumed;
        a command a worker runs ("run") is SIGSTOPped with its process group. Thread-safe; the
        per-file time limit and the watchdog do not count paused time."""
        self._set_paused(True)

    def resume(self) -> None:
        self._set_paused(False)

    @property
    def paused(self) -> bool:
        return self._paused

    def _set_paused(self, paused: bool) -> None:
        self._paused = paused
        sched = self._sched
        if sched is not None:
            sched.set_paused(paused)

    @property
    def rows_submitted(self) -> int:
        """Rows handed to workers (or passed over as ended) so far."""
        sched = self._sched
        return sched._cursor if sched is not None else 0

    def poll(self, budget: float | None = 0.005) -> bool:
        """Drain final results and worker progress into the tracker under a time budget."""
        deadline = time.monotonic() + budget if budget is not None else float("inf")
        tracker, changed = self.tracker, False
        out = self._out
        while out:
            item = out.popleft()
            kind = type(item)
            if kind is ResultsIn:
                tracker.file_statuses(item.rows, item.statuses)  # type: ignore[union-attr]
            elif kind is RowsAdded:
                tracker.add_rows(item.sizes)  # type: ignore[union-attr]
            else:
                tracker.input_open = False
            changed = True
            if time.monotonic() > deadline:
                return changed
        job_id = self.job_id
        for msg_job, index, done in self.engine.drain_progress(deadline):
            if msg_job == job_id:
                tracker.file_running(index, done)
                changed = True
        return changed

    @property
    def drained(self) -> bool:
        """The run loop has returned and :meth:`poll` has taken in everything it sent."""
        return self.done.is_set() and not self._out

    def add_sink(self, sink: ResultSink) -> None:
        """Have ``sink`` receive every final result (call before :meth:`run`)."""
        self.sinks.append(sink)

    # --- run side ----------------------------------------------------------------------------
    def _sink(self, results: Sequence[FileResult]) -> None:
        remarks = self.remarks
        if remarks:  # what the plan decided for these rows, on the ones that were done
            results = list(results)  # records to change (a ResultBatch makes them on demand)
            kinds = self._results.kinds
            for r in results:
                remark = remarks.get(r.index)
                if remark is not None and r.status is Status.DONE and r.kind == Kind.NONE:
                    r.kind = remark
                    kinds[r.index] = remark
        self._out.append(ResultsIn(*rows_and_statuses(results)))  # the tracker's feed (poll)
        for sink in self.sinks:
            sink.accept(results)

    def run(self) -> JobReport:
        """The run loop. Blocking: call it from a thread that is not the GUI thread."""
        report = JobReport()
        try:
            if self.engine.job is not None:
                raise RuntimeError("the engine is already running a job")
            self.engine.job = self
            sched = self._sched = Scheduler(
                self.engine.current_executor(),
                job_id=self.job_id,
                op_name=self.op_name,
                options=self.options,
                limits=self.limits,
                tasks=self.tasks,
                results=self._results,
                on_results=self._sink,
                chunk_ids=self.engine.chunk_ids,
                timeout=self.timeout,
                watchdog=self.watchdog,
            )
            if self._paused:
                sched.set_paused(True)
            sched.record(self.settled)
            self._loop(sched)
            report.cancelled = self._cancel.is_set()
            if sched.gave_up is not None:
                report.error = sched.gave_up
            else:
                report.lines = self.op.finish(self.options, self.tasks, self._results.finals())
        except FileError as e:
            report.error = str(e)
        except BaseException as e:
            report.error = f"internal error: {type(e).__name__}: {e}"
            store = self._results
            failed = [
                FileResult(i, Status.FAILED, message=report.error, kind=Kind.INTERNAL)
                for i in range(len(store))
                if not store.final(i)
            ]
            for r in failed:
                store.put(r)
            self._sink(failed)
            raise
        finally:
            if self.engine.job is self:
                self.engine.job = None
            report.notes = self.notes
            self.report = report
            self.done.set()
        return report

    def _loop(self, sched: Scheduler) -> None:
        while sched.remaining > 0 or self._source is not None:
            if self._cancel.is_set():
                self._close_source()
                sched.cancel()
                return
            if self._source is not None:
                self._pull()  # discovery runs here, between looks at the workers
            sched.step(streaming=self._source is not None)
            if sched.idle and self._source is None:
                if sched.remaining > 0:
                    raise RuntimeError(f"{sched.remaining} rows were never settled")
                return

    # --- planning while running ----------------------------------------------------------------
    def _pull(self) -> None:
        """Plan the next batch from discovery (one batch per call, so results keep flowing)."""
        assert self._source is not None
        batch = next(self._source, None)
        if batch is None:
            self._close_source()
        else:
            self._plan_batch(batch)

    def _plan_batch(self, batch: Sequence[FileEntry | SkippedEntry]) -> None:
        sched = self._sched
        assert sched is not None
        part = self.op.rows(batch, self.options, len(self.tasks))
        k = len(part.tasks)
        self.tasks.extend(part.tasks)
        if self._known:
            if len(self.tasks) > self.tracker.n:
                raise RuntimeError("the source holds more rows than the job was given sizes for")
        else:
            self._results.extend(k)
            self._out.append(RowsAdded(self.tasks.sizes[-k:] if k else []))  # before results
        self.notes.extend(part.notes)
        sched.record(part.settled)
        if sched.gave_up is not None:  # no worker can run them: every input still gets a row
            sched.end(sched.take_unsubmitted(), Status.FAILED, sched.gave_up, Kind.CANNOT_START)

    def _close_source(self) -> None:
        """No more rows come: discovery ended, or the job stops (then discovery is closed, or
        rows already listed are planned to the end without running, so each has its task)."""
        source, self._source = self._source, None
        if source is None:
            return
        if self._known:  # rows already listed: planning the rest is cheap (no discovery)
            for batch in source:
                self._plan_batch(batch)
            if len(self.tasks) != self.tracker.n:
                raise RuntimeError(
                    f"the source held {len(self.tasks)} rows, not the {self.tracker.n} announced"
                )
            return
        sched = self._sched
        if self._cancel.is_set() or (sched is not None and sched.gave_up is not None):
            self._drain_source(source)
        close = getattr(source, "close", None)
        if close is not None:
            close()
        self._out.append(InputClosed())

    def _drain_source(self, source: Source) -> None:
        """A stopping job still gives the inputs discovery would find next a row (cancelled or
        failed), so that every input ends in a final state; within a time budget, so that a
        huge tree does not delay a cancel (then the report says the list is incomplete)."""
        deadline = time.monotonic() + DRAIN_BUDGET
        for batch in source:
            self._plan_batch(batch)
            if time.monotonic() > deadline:
                self.notes.append(
                    "the job stopped before every folder was scanned: files not found yet are "
                    "not listed"
                )
                return
