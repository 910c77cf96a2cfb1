"""One job: the submit/watch loop that runs planned rows on the engine's worker pool, and the poll
that feeds its tracker.

Threads: ``Job.run()`` (the submit/watch loop) runs in one thread — the GUI's QThread bridge or a
CLI thread — and ``Job.poll()`` (draining progress into the tracker) in another: the GUI timer or
the CLI loop. They share only thread-safe queues and the engine lock that guards which progress
Queue may be drained.

Faults: a worker that dies fails only its chunk's current file (retried once, then failed; its
neighbours are resubmitted) and is replaced. A worker that makes no progress for the watchdog's
time (stopped, stuck in a system call) or runs one file past the per-file timeout is killed, and
that file fails as hung or timed out. Workers that cannot even start make the job give up, and
every row still ends in exactly one final state. The first final result of a row wins, so a
resubmitted chunk never counts a file twice.
"""

from __future__ import annotations

import collections
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from core import operations
from core.operations.base import Plan
from core.outputs import remove_partials
from core.procpool import PoolBroken, ProcessPool, WorkerLost
from core.progress import RUNNING_MSG, Tracker
from core.records import (
    STATUSES,
    FileEntry,
    FileError,
    FileResult,
    Record,
    SkippedEntry,
    Status,
    Task,
)
from core.results import ResultStore, TaskList
from core.worker import ROW_BEAT, ROW_CHUNK, ROW_POS, ChunkSpec, run_chunk

if TYPE_CHECKING:
    from core.engine import Engine

CANCEL_GRACE = 0.8  # seconds workers get to stop on their own before they are killed
EXIT_WAIT = 2.0  # seconds to wait for killed workers to be reaped before writing them off
WATCH_INTERVAL = 0.05
DRAIN_BUDGET = 1.0  # seconds a stopping job keeps listing what discovery still finds
MAX_CRASHES = 2  # a file that killed this many workers fails
MAX_ATTEMPTS = 4  # resubmissions of a file because others in its chunk crashed
DEFAULT_WATCHDOG = 300.0  # seconds without any progress from a busy worker before it is killed
MAX_WATCH_STEP = 1.0  # a longer gap between watches (this process was stopped) counts as this

# Why the job itself killed a worker (the tag given to ProcessPool.kill).
KILL_TIMEOUT, KILL_HUNG, KILL_CANCEL = "timeout", "hung", "cancel"


def describe_exit(code: int | None) -> str:
    """'worker crashed (signal 11: SIGSEGV)' or 'worker exited unexpectedly with code 1'."""
    import signal

    if code is None:
        return "worker lost"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown signal"
        if -code == getattr(signal, "SIGBUS", None):  # a mapped file shrank while being read
            return f"worker crashed (signal {-code}: {name}, the file may have changed meanwhile)"
        return f"worker crashed (signal {-code}: {name})"
    return f"worker exited unexpectedly with code {code}"


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


class _NewRows(list[int]):
    """run() -> poll(): rows were added (their sizes); sent before any of their results."""


_INPUT_DONE = object()  # run() -> poll(): discovery ended, the row count is final

Source = Iterator[Sequence[FileEntry | SkippedEntry]]


class _InFlight:
    """A chunk submitted to the pool and not back yet."""

    __slots__ = ("spec",)

    def __init__(self, spec: ChunkSpec) -> None:
        self.spec = spec


class _Watch:
    """What the watchdog last saw of one busy worker, in watch-clock seconds."""

    __slots__ = ("chunk", "beat", "beat_at", "pos", "pos_at")

    def __init__(self, chunk: int, beat: int, pos: int, now: float) -> None:
        self.chunk = chunk
        self.beat = beat
        self.beat_at = now
        self.pos = pos
        self.pos_at = now


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
        self.options = options
        # A plan made as columns already (verify's) is taken as it is, not copied.
        self.tasks = plan.tasks if isinstance(plan.tasks, TaskList) else TaskList(plan.tasks)
        self.settled = plan.settled
        self.notes = plan.notes
        self.job_id = engine.new_job_id()
        if source is not None and not self.op.streams:
            raise ValueError(f"the {op_name} operation needs all its inputs before it starts")
        if sizes is not None and (source is None or self.tasks):
            raise ValueError("known row sizes go with a source and an empty plan")
        self._source = source
        self._known = sizes is not None  # every row is counted already; the source plans them
        self._results = ResultStore(len(sizes) if sizes is not None else len(self.tasks))
        # The tracker reads row results from the store this job writes (one owner per datum).
        self.tracker = Tracker(
            sizes if sizes is not None else self.tasks.sizes, results=self._results
        )
        self.tracker.input_open = source is not None and not self._known
        self.done = threading.Event()
        self.report: JobReport | None = None
        self._cancel = threading.Event()
        # run() -> poll(): a FileResult, a chunk's list of them, _NewRows or _INPUT_DONE
        self._out: collections.deque[Any] = collections.deque()
        self._final = self._results.status  # non-zero once a row has its final result
        self._remaining = self.tracker.n
        self._completions: queue.SimpleQueue[tuple[int, Any, BaseException | None]] = (
            queue.SimpleQueue()
        )
        self._inflight: dict[int, _InFlight] = {}
        self._retry: collections.deque[tuple[list[Task], int]] = collections.deque()
        # Rows from here on were never submitted (rows are only appended, and taken in order):
        # a cursor, where a queue of a million tasks would cost a Task object each.
        self._cursor = 0
        self._crashes: dict[int, int] = {}
        self._attempts: dict[int, int] = {}
        self._pool: ProcessPool | None = None
        self._kills: dict[int, tuple[str, int]] = {}  # chunk id -> (why we killed it, position)
        self._watches: dict[int, _Watch] = {}  # by pool slot
        self._clock = 0.0  # watch-clock: seconds this loop ran (gaps capped, see _watch)
        self._last_watch: float | None = None
        self._gave_up: str | None = None

    # --- consumer side -----------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the job to stop. Thread-safe, returns at once; ``done`` is set when it stopped."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def poll(self, budget: float | None = 0.005) -> bool:
        """Drain final results and worker progress into the tracker under a time budget."""
        deadline = time.monotonic() + budget if budget is not None else float("inf")
        tracker, changed = self.tracker, False
        out = self._out
        while out:
            item = out.popleft()
            if type(item) is list:
                tracker.file_results(item)
            elif type(item) is _NewRows:
                tracker.add_rows(item)
            elif item is _INPUT_DONE:
                tracker.input_open = False
            else:
                tracker.file_result(item)
            changed = True
            if time.monotonic() > deadline:
                return changed
        with self.engine.lock:
            q = self.engine.queue
            while q is not None:
                try:
                    msg = q.get_nowait()
                except queue.Empty:
                    break
                if msg[0] == RUNNING_MSG and msg[1] == self.job_id:
                    tracker.file_running(msg[2], msg[3])
                    changed = True
                if time.monotonic() > deadline:
                    return changed
        if self.done.is_set() and not out:
            tracker.mark_ended()
        return changed

    # --- run side ----------------------------------------------------------------------------
    def _emit(self, r: FileResult) -> None:
        if not self._results.put(r):
            return
        self._remaining -= 1
        self._out.append(r)

    def _end_rows(self, tasks: Iterable[Task], status: Status, message: str) -> None:
        for t in tasks:
            self._emit(FileResult(t.index, status, message=message))

    def run(self) -> JobReport:
        """The submit/watch loop. Blocking: call it from a thread that is not the GUI thread."""
        report = JobReport()
        try:
            if self.engine.job is not None:
                raise RuntimeError("the engine is already running a job")
            self.engine.job = self
            for r in self.settled:
                self._emit(r)
            self._loop()
            report.cancelled = self._cancel.is_set()
            if self._gave_up is not None:
                report.error = self._gave_up
            else:
                report.lines = self.op.finish(self.options, self.tasks, self._results.finals())
        except FileError as e:
            report.error = str(e)
        except BaseException as e:
            report.error = f"internal error: {type(e).__name__}: {e}"
            for i in range(len(self._final)):  # every row, planned or not
                self._emit(FileResult(i, Status.FAILED, message=report.error))
            raise
        finally:
            if self.engine.job is self:
                self.engine.job = None
            report.notes = self.notes
            self.report = report
            self.done.set()
        return report

    def _next_work(self, workers: int, busy: int) -> tuple[list[Task], int] | None:
        """Retries first (a suspect alone, then resubmitted neighbours), then fresh chunks. While
        discovery still runs, a chunk that is not full waits for more rows unless a worker would
        otherwise idle (``busy`` chunks are in flight on ``workers`` workers)."""
        if self._retry:
            return self._retry.popleft()
        waiting = len(self.tasks) - self._cursor
        if not waiting:
            return None
        if self._source is not None and waiting < self.op.limits.max_files and busy >= workers:
            return None
        return self._take_rows(), 1

    def _take_rows(self) -> list[Task]:
        """The next chunk of never-submitted rows, by the rules of :func:`core.plan.take_chunk`
        (a large file alone, else small files up to the count and byte limits); rows that
        already ended are passed over."""
        tasks, final, limits = self.tasks, self._final, self.op.limits
        sizes, n, i = tasks.sizes, len(tasks), self._cursor
        large, max_bytes, max_files = limits.large_file, limits.max_bytes, limits.max_files
        rows: list[int] = []
        nbytes = 0
        while i < n:
            if final[i]:
                i += 1
                continue
            size = sizes[i]
            if rows and (size >= large or nbytes + size > max_bytes or len(rows) >= max_files):
                break
            rows.append(i)
            nbytes += size
            i += 1
            if size >= large:
                break
        self._cursor = i
        return [tasks[k] for k in rows]

    def _unsubmitted(self) -> list[Task]:
        """Take every never-submitted row that has not ended (the job stops)."""
        tasks, final = self.tasks, self._final
        left = [tasks[i] for i in range(self._cursor, len(tasks)) if not final[i]]
        self._cursor = len(tasks)
        return left

    def _pull(self) -> None:
        """Plan the next batch from discovery (one batch per call, so results keep flowing)."""
        assert self._source is not None
        batch = next(self._source, None)
        if batch is None:
            self._close_source()
        else:
            self._plan_batch(batch)

    def _plan_batch(self, batch: Sequence[FileEntry | SkippedEntry]) -> None:
        part = self.op.rows(batch, self.options, len(self.tasks))
        k = len(part.tasks)
        self.tasks.extend(part.tasks)
        if self._known:
            if len(self.tasks) > self.tracker.n:
                raise RuntimeError("the source holds more rows than the job was given sizes for")
        else:
            self._results.extend(k)
            self._remaining += k
            self._out.append(_NewRows(self.tasks.sizes[-k:] if k else []))  # before results
        self.notes.extend(part.notes)
        for r in part.settled:
            self._emit(r)
        if self._gave_up is not None:  # no worker can run them: every input still gets a row
            self._end_rows(self._unsubmitted(), Status.FAILED, self._gave_up)

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
        if self._cancel.is_set() or self._gave_up is not None:
            self._drain_source(source)
        close = getattr(source, "close", None)
        if close is not None:
            close()
        self._out.append(_INPUT_DONE)

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

    def _loop(self) -> None:
        while self._remaining > 0 or self._source is not None:
            if self._cancel.is_set():
                self._cancel_now()
                return
            if self._source is not None:
                self._pull()  # discovery runs here, between looks at the workers
            self._top_up()
            self._wait_and_handle(0.0 if self._source is not None else WATCH_INTERVAL)
            self._watch()
            idle = self._cursor >= len(self.tasks) and not (self._retry or self._inflight)
            if idle and self._source is None:
                if self._remaining > 0:
                    raise RuntimeError(f"{self._remaining} rows were never settled")
                return

    def _top_up(self) -> None:
        """Keep about 2 x workers chunks in flight."""
        if self._cursor >= len(self.tasks) and not self._retry:
            return
        if self._gave_up is not None:
            self._retry.clear()
            self._end_rows(self._unsubmitted(), Status.FAILED, self._gave_up)
            return
        pool = self._pool
        if pool is None:
            pool = self._pool = self.engine.current_pool()
        workers = pool.processes
        cap = 2 * workers
        busy = len(self._inflight)
        final = self._final
        while busy < cap:
            item = self._next_work(workers, busy)
            if item is None:
                return
            tasks = [t for t in item[0] if not final[t.index]]
            if tasks:
                self._submit(pool, tasks, item[1])
                busy += 1

    def _submit(self, pool: ProcessPool, tasks: list[Task], attempt: int) -> None:
        cid = next(self.engine.chunk_ids)
        spec = ChunkSpec(self.job_id, cid, attempt, self.op_name, self.options, tuple(tasks))
        self._inflight[cid] = _InFlight(spec)
        done = self._completions.put
        pool.apply_async(
            run_chunk,
            (spec,),
            callback=lambda res: done((cid, res, None)),
            error_callback=lambda err: done((cid, None, err)),
            task_id=cid,
        )

    def _wait_and_handle(self, timeout: float) -> None:
        try:
            if timeout > 0:
                item = self._completions.get(timeout=timeout)
            else:
                item = self._completions.get_nowait()
        except queue.Empty:
            return
        while True:
            self._complete(*item)
            try:
                item = self._completions.get_nowait()
            except queue.Empty:
                return

    def _complete(self, cid: int, results: Any, err: BaseException | None) -> None:
        rec = self._inflight.pop(cid, None)
        if rec is None:
            return  # already written off
        kill = self._kills.pop(cid, None)
        if isinstance(err, WorkerLost):
            self._lost(rec, err, kill)
            return
        if isinstance(err, PoolBroken):
            self._give_up(str(err))
            self._end_rows(list(rec.spec.tasks), Status.FAILED, str(err))
            return
        if err is not None:
            msg = f"internal error in the worker: {type(err).__name__}: {err}"
            self._end_rows(list(rec.spec.tasks), Status.FAILED, msg)
            return
        statuses, values, messages, outputs = results
        final, store, fresh = self._final, self._results, []
        for pos, t in enumerate(rec.spec.tasks):
            i = t.index
            if not final[i]:
                r = FileResult(
                    i,
                    STATUSES[statuses[pos]],
                    values[pos],
                    messages.get(pos, "") if messages else "",
                    outputs.get(pos) if outputs else None,
                )
                store.put(r)
                fresh.append(r)
        self._remaining -= len(fresh)
        self._out.append(fresh)

    # --- the watchdog ------------------------------------------------------------------------
    def _watch(self) -> None:
        """Kill busy workers that ran one file past the timeout, or made no progress at all for
        the watchdog's time. Time is counted by this loop (a gap longer than MAX_WATCH_STEP, as
        when the whole program was stopped with Ctrl-Z, counts as MAX_WATCH_STEP), so a resumed
        program does not kill workers that were stopped along with it."""
        pool = self._pool
        if pool is None or (self.timeout is None and self.watchdog is None):
            return
        now = time.monotonic()
        if self._last_watch is not None:
            self._clock += min(now - self._last_watch, MAX_WATCH_STEP)
        self._last_watch = now
        clock = self._clock
        table = pool.table
        header, row_words = self.engine.table_layout
        seen = {}
        for slot, _pid, cid in pool.busy():
            if cid not in self._inflight or cid in self._kills:
                continue
            base = header + slot * row_words
            beat = table[base + ROW_BEAT]
            pos = table[base + ROW_POS] if table[base + ROW_CHUNK] == cid else -1
            w = self._watches.get(slot)
            if w is None or w.chunk != cid:
                w = self._watches[slot] = _Watch(cid, beat, pos, clock)
            if beat != w.beat:
                w.beat, w.beat_at = beat, clock
            if pos != w.pos:
                w.pos, w.pos_at = pos, clock
            seen[slot] = w
            n = len(self._inflight[cid].spec.tasks)
            on_file = 0 <= pos < n
            if self.timeout is not None and on_file and clock - w.pos_at > self.timeout:
                self._kills[cid] = (KILL_TIMEOUT, pos)
                pool.kill(slot, KILL_TIMEOUT)
            elif self.watchdog is not None and clock - w.beat_at > self.watchdog:
                self._kills[cid] = (KILL_HUNG, pos)
                pool.kill(slot, KILL_HUNG)
        self._watches = seen

    # --- faults ------------------------------------------------------------------------------
    def _lost(self, rec: _InFlight, err: WorkerLost, kill: tuple[str, int] | None) -> None:
        """A chunk's worker died: fail or retry the file it was on, resubmit the others."""
        spec = rec.spec
        tasks = list(spec.tasks)
        remove_partials([t.output for t in tasks if t.output], [err.pid])
        row = err.row
        pos = row[ROW_POS] if row and row[ROW_CHUNK] == spec.chunk_id else -1
        suspect = tasks[pos] if 0 <= pos < len(tasks) else None
        if kill is not None and kill[0] == KILL_CANCEL:
            self._end_rows(tasks, Status.CANCELLED, "cancelled while running")
            return
        if kill is not None and (suspect is None or kill[1] != pos):
            # Killed for a file it had just finished (it moved on meanwhile), or before it began
            # the chunk (stopped while idle): nobody is to blame; run them all again.
            suspect = None
        elif kill is not None and suspect is not None:
            self._emit(FileResult(suspect.index, Status.FAILED, message=self._kill_text(kill[0])))
        others = []
        for t in tasks:
            if self._final[t.index]:
                continue
            if t is suspect:
                self._crashed(t, describe_exit(err.code), spec.attempt)
                continue
            n = self._attempts.get(t.index, 0) + 1
            self._attempts[t.index] = n
            if n > MAX_ATTEMPTS:
                reason = describe_exit(err.code)
                self._emit(
                    FileResult(t.index, Status.FAILED, message=f"gave up: {reason} repeatedly")
                )
            else:
                others.append(t)
        if others:
            self._retry.append((others, spec.attempt + 1))

    def _kill_text(self, kind: str) -> str:
        if kind == KILL_TIMEOUT:
            return (
                f"timed out: still running after {self.timeout:g} s (the per-file time limit); "
                "the worker was stopped. Raise the limit if the file is just big or slow"
            )
        return (
            f"hung: no progress for {self.watchdog:g} s, so its worker was stopped (it was "
            "suspended, or stuck in a system call or a library); the other files went on"
        )

    def _crashed(self, t: Task, reason: str, attempt: int) -> None:
        n = self._crashes.get(t.index, 0) + 1
        self._crashes[t.index] = n
        if n >= MAX_CRASHES:
            self._emit(
                FileResult(
                    t.index,
                    Status.FAILED,
                    message=f"{reason} while processing this file, {n} times; "
                    "the file may be corrupt or trigger a bug in a library",
                )
            )
        else:
            self._retry.appendleft(([t], attempt + 1))

    def _give_up(self, reason: str) -> None:
        """Worker processes cannot start: fail every unfinished row (and every row discovery
        still finds, so each input ends in a final state), and write nothing job-level."""
        if self._gave_up is not None:
            return
        self._gave_up = reason
        self._retry.clear()
        self._cursor = len(self.tasks)
        inflight = list(self._inflight.values())
        self._inflight.clear()
        for rec in inflight:
            self._end_rows(list(rec.spec.tasks), Status.FAILED, reason)
        self._end_rows(self.tasks, Status.FAILED, reason)

    # --- cancel ------------------------------------------------------------------------------
    def _cancel_now(self) -> None:
        """Stop: workers see the flag; anything not back after a grace period is killed."""
        self._close_source()
        pool = self._pool
        self.engine.cancel_job(self.job_id, pool)
        self._cursor = len(self.tasks)
        self._retry.clear()
        if pool is not None and self._inflight:
            for cid in pool.cancel_queued(set(self._inflight)):
                rec = self._inflight.pop(cid)
                self._end_rows(
                    list(rec.spec.tasks), Status.CANCELLED, "cancelled before it started"
                )
        inflight_rows = {t.index for rec in self._inflight.values() for t in rec.spec.tasks}
        self._end_rows(
            [t for t in self.tasks if not self._final[t.index] and t.index not in inflight_rows],
            Status.CANCELLED,
            "cancelled before it started",
        )
        deadline = time.monotonic() + CANCEL_GRACE
        while self._inflight and time.monotonic() < deadline:
            self._wait_and_handle(WATCH_INTERVAL)
        if pool is not None and self._inflight:
            for slot, _pid, cid in pool.busy():
                if cid in self._inflight:
                    self._kills[cid] = (KILL_CANCEL, -1)
                    pool.kill(slot, KILL_CANCEL)
            deadline = time.monotonic() + EXIT_WAIT
            while self._inflight and time.monotonic() < deadline:
                self._wait_and_handle(WATCH_INTERVAL)
        for rec in list(self._inflight.values()):  # a worker that would not even die
            self._end_rows(list(rec.spec.tasks), Status.CANCELLED, "cancelled while running")
        self._inflight.clear()
        self._end_rows(self.tasks, Status.CANCELLED, "cancelled")  # anything left (retries)
