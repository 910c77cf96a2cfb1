"""The scheduler: which rows run where and what happens when something goes wrong.

It keeps about :data:`IN_FLIGHT` chunks per worker slot in flight on an
:class:`core.executor.base.Executor`, and decides what each outcome means:
- a lost worker fails only the file it was on (retried once alone, then failed), and its chunk's
  other files are resubmitted;
- a worker silent for the watchdog's time, or past the per-file time limit, is killed, and that
  file fails as hung or timed out;
- an executor whose workers cannot start makes the job give up: every remaining row fails.
Every final result goes into the :class:`core.results.ResultStore` (the first result of a row
wins) and to the job's sink. Nothing here knows processes, Qt or the job's thread handoffs; the
policy is unit-tested against an in-process fake executor (tests/core/fake_executor.py).
"""

from __future__ import annotations

import array
import collections
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from core import messages as M
from core.executor.base import ChunkDone, ChunkError, Executor, ExecutorBroken, Outcome, WorkerLost
from core.i18n import english
from core.operations.base import ChunkLimits
from core.outputs import remove_partials
from core.plan import next_chunk
from core.records import (
    KIND_BY_VALUE,
    STATUSES,
    FileResult,
    Kind,
    ResultBatch,
    Status,
    Task,
    TaskColumns,
)
from core.results import ResultStore, TaskList
from core.worker import ChunkSpec

CANCEL_GRACE = 0.8  # seconds workers get to stop on their own before they are killed
EXIT_WAIT = 2.0  # seconds to wait for killed workers to come back before writing them off
WATCH_INTERVAL = 0.05
MAX_CRASHES = 2  # a file that killed this many workers fails
MAX_ATTEMPTS = 4  # resubmissions of a file because others in its chunk crashed
DEFAULT_WATCHDOG = 300.0  # seconds without any progress from a busy worker before it is killed
MAX_WATCH_STEP = 1.0  # a longer gap between watches (this process was stopped) counts as this

_NOT_STARTED = "cancelled before it started"

# Why the scheduler itself killed a worker (the tag given to Executor.kill).
KILL_TIMEOUT, KILL_HUNG, KILL_CANCEL = "timeout", "hung", "cancel"


def describe_exit(code: int | None) -> str:
    """'worker crashed (signal 11: SIGSEGV)' or 'worker exited unexpectedly with code 1'."""
    import signal

    if code is None:
        return M.WORKER_LOST
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = M.UNKNOWN_SIGNAL
        if -code == getattr(signal, "SIGBUS", None):  # a mapped file shrank while being read
            return english(M.WORKER_CRASHED_BUS, signal=-code, name=name)
        return english(M.WORKER_CRASHED, signal=-code, name=name)
    return english(M.WORKER_EXITED, code=code)


class _Watch:
    """What the watchdog last saw of one busy worker, in watch-clock seconds."""

    __slots__ = ("chunk", "beat", "beat_at", "pos", "pos_at")

    def __init__(self, chunk: int, beat: int, pos: int, now: float) -> None:
        self.chunk = chunk
        self.beat = beat
        self.beat_at = now
        self.pos = pos
        self.pos_at = now


# Chunks kept in flight per worker slot. Two would do if the threads that hand chunks over ran
# the moment they could; in the window they wait for the GIL behind the GUI thread (up to the
# 5 ms switch interval per handoff), and a chunk of small files takes about that long to hash,
# so with two the workers stood idle a third of the time (measured: 0.47 s of a 20,000-file job).
IN_FLIGHT = 4


class Scheduler:
    """Runs the rows of one job on ``executor``. Called from the job's run thread only, except
    :meth:`set_paused` (any thread).

    ``tasks`` and ``results`` are the job's columns: rows are appended to both by the job's
    planning and are taken here in order (never-submitted rows from a cursor). ``on_results``
    gets every batch of final results after they were stored.
    """

    def __init__(
        self,
        executor: Executor,
        *,
        job_id: int,
        op_name: str,
        options: Any,
        limits: ChunkLimits,
        tasks: TaskList,
        results: ResultStore,
        on_results: Callable[[Sequence[FileResult]], None],
        chunk_ids: Iterator[int],
        timeout: float | None = None,
        watchdog: float | None = DEFAULT_WATCHDOG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.executor = executor
        self._now = clock  # injectable: tests drive the watchdog without waiting
        self.job_id = job_id
        self.op_name = op_name
        self.options = options
        self.limits = limits
        self.tasks = tasks
        self.results = results
        self._on_results = on_results
        self._chunk_ids = chunk_ids
        self.timeout = timeout or None
        self.watchdog = watchdog or None
        self.gave_up: str | None = None
        self._cursor = 0  # rows from here on were never submitted
        self._inflight: dict[int, ChunkSpec] = {}
        self._retry: collections.deque[tuple[list[Task], int]] = collections.deque()
        self._crashes: dict[int, int] = {}
        self._attempts: dict[int, int] = {}
        self._kills: dict[int, tuple[str, int]] = {}  # chunk id -> (why we killed it, position)
        self._watches: dict[int, _Watch] = {}  # by slot
        self._clock = 0.0  # watch-clock: seconds the loop ran (gaps capped, pauses left out)
        self._last_watch: float | None = None
        self.paused = False

    # --- results -----------------------------------------------------------------------------
    @property
    def remaining(self) -> int:
        """Rows that have no final result yet."""
        return len(self.results) - self.results.final_count

    @property
    def idle(self) -> bool:
        """Nothing to submit and nothing in flight."""
        return self._cursor >= len(self.tasks) and not self._retry and not self._inflight

    def record(self, results: Iterable[FileResult]) -> None:
        """Store final results (a row's first wins) and pass the new ones to the sink."""
        fresh = self.results.put_all(results)
        if fresh:
            self._on_results(fresh)

    def end(self, tasks: Iterable[Task], status: Status, message: str, kind: Kind) -> None:
        """Give each of ``tasks`` that has not ended ``status`` with ``message`` and ``kind``."""
        self.record(FileResult(t.index, status, message=message, kind=kind) for t in tasks)

    def take_unsubmitted(self) -> list[Task]:
        """Every never-submitted row that has not ended (the job stops, or gives up)."""
        tasks, final = self.tasks, self.results.status
        left = [tasks[i] for i in range(self._cursor, len(tasks)) if not final[i]]
        self._cursor = len(tasks)
        return left

    # --- the loop ----------------------------------------------------------------------------
    def step(self, *, streaming: bool) -> None:
        """One turn: top up, take what came back (waiting briefly unless rows are still
        streaming in), watch the busy workers."""
        self._top_up(streaming)
        self._handle(self.executor.wait(0.0 if streaming else WATCH_INTERVAL))
        self._watch()

    def set_paused(self, paused: bool) -> None:
        """Workers wait between blocks; the watchdog's clock stands still meanwhile."""
        self.paused = paused
        self.executor.set_paused(paused)

    def _top_up(self, streaming: bool) -> None:
        """Keep about IN_FLIGHT x workers chunks in flight."""
        if self._cursor >= len(self.tasks) and not self._retry:
            return
        if self.gave_up is not None:
            self._retry.clear()
            self.end(self.take_unsubmitted(), Status.FAILED, self.gave_up, Kind.CANNOT_START)
            return
        workers = self.executor.capacity()
        busy = len(self._inflight)
        final = self.results.status
        while busy < IN_FLIGHT * workers:
            item = self._next_work(workers, busy, streaming)
            if item is None:
                return
            tasks = item[0]
            if type(tasks) is not TaskColumns or any(final[tasks.start : tasks.start + len(tasks)]):
                tasks = [t for t in tasks if not final[t.index]]
            if tasks:
                self._submit(tasks, item[1])
                busy += 1

    def _next_work(
        self, workers: int, busy: int, streaming: bool
    ) -> tuple[Sequence[Task], int] | None:
        """Retries first (a suspect alone, then resubmitted neighbours), then fresh chunks. While
        rows still stream in, a chunk that is not full waits for more rows unless a worker would
        otherwise idle."""
        if self._retry:
            return self._retry.popleft()
        waiting = len(self.tasks) - self._cursor
        if not waiting:
            return None
        if streaming and waiting < self.limits.max_files and busy >= workers:
            return None
        return self._take_rows(), 1

    def _take_rows(self) -> Sequence[Task]:
        """The next chunk of never-submitted rows (:func:`core.plan.next_chunk`); rows that
        already ended are passed over."""
        tasks = self.tasks
        rows, self._cursor = next_chunk(tasks.sizes, self._cursor, self.limits, self.results.status)
        return tasks.take(rows)

    def _submit(self, tasks: Sequence[Task], attempt: int) -> None:
        cid = next(self._chunk_ids)
        if type(tasks) is not TaskColumns:  # (columns are handed on as they are)
            tasks = tuple(tasks)
        spec = ChunkSpec(self.job_id, cid, attempt, self.op_name, self.options, tasks)
        self._inflight[cid] = spec
        self.executor.submit(spec)

    def _handle(self, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            spec = self._inflight.pop(o.chunk_id, None)
            if spec is None:
                continue  # already written off (or another job's)
            kill = self._kills.pop(o.chunk_id, None)
            if type(o) is ChunkDone:
                self._done(spec, o.result)
            elif type(o) is WorkerLost:
                self._lost(spec, o, kill)
            elif type(o) is ExecutorBroken:
                self.give_up(o.reason)
                self.end(spec.tasks, Status.FAILED, o.reason, Kind.CANNOT_START)
            else:
                assert type(o) is ChunkError
                message = f"internal error in the worker: {o.error}"
                self.end(spec.tasks, Status.FAILED, message, Kind.INTERNAL)

    def _done(self, spec: ChunkSpec, result: Any) -> None:
        statuses, values, messages, outputs, kinds, details, times, worker = result
        durations = array.array("f")  # each file's running time (see core.worker.ChunkResult)
        durations.frombytes(times)
        final, attempt = self.results.status, spec.attempt
        tasks = spec.tasks
        rows: Sequence[int]
        if type(tasks) is TaskColumns:
            rows = range(tasks.start, tasks.start + len(tasks))
        else:
            rows = [t.index for t in tasks]
            if rows and rows[-1] - rows[0] == len(rows) - 1 and rows == sorted(rows):
                rows = range(rows[0], rows[-1] + 1)
        if not (messages or outputs or details):  # the usual chunk: values and kinds only
            if not any(map(final.__getitem__, rows)):  # and none of its rows ended meanwhile
                self.record(ResultBatch(rows, statuses, values, kinds, durations, attempt, worker))
                return
            fresh = [
                FileResult(i, STATUSES[st], v, "", None, KIND_BY_VALUE[k], attempt, "", d, worker)
                for i, st, v, k, d in zip(rows, statuses, values, kinds, durations, strict=True)
                if not final[i]
            ]
        else:
            fresh = [
                FileResult(
                    i,
                    STATUSES[statuses[pos]],
                    values[pos],
                    messages.get(pos, "") if messages else "",
                    outputs.get(pos) if outputs else None,
                    KIND_BY_VALUE[kinds[pos]],
                    attempt,
                    details.get(pos, "") if details else "",
                    durations[pos],
                    worker,
                )
                for pos, i in enumerate(rows)
                if not final[i]
            ]
        self.record(fresh)

    # --- the watchdog ------------------------------------------------------------------------
    def _watch(self) -> None:
        """Kill busy workers that ran one file past the time limit, or made no progress at all
        for the watchdog's time. Time is counted by this loop (a gap longer than MAX_WATCH_STEP,
        as when the whole program was stopped with Ctrl-Z, counts as MAX_WATCH_STEP; a paused
        job's time not at all), so a resumed program does not kill its workers."""
        if self.timeout is None and self.watchdog is None:
            return
        now = self._now()
        if self._last_watch is not None and not self.paused:
            self._clock += min(now - self._last_watch, MAX_WATCH_STEP)
        self._last_watch = now
        clock = self._clock
        seen = {}
        for b in self.executor.busy():
            spec = self._inflight.get(b.chunk_id)
            if spec is None or b.chunk_id in self._kills:
                continue
            w = self._watches.get(b.slot)
            if w is None or w.chunk != b.chunk_id:
                w = self._watches[b.slot] = _Watch(b.chunk_id, b.beat, b.position, clock)
            if b.beat != w.beat:
                w.beat, w.beat_at = b.beat, clock
            if b.position != w.pos:
                w.pos, w.pos_at = b.position, clock
            seen[b.slot] = w
            on_file = 0 <= b.position < len(spec.tasks)
            if self.timeout is not None and on_file and clock - w.pos_at > self.timeout:
                self._kills[b.chunk_id] = (KILL_TIMEOUT, b.position)
                self.executor.kill(b.slot, KILL_TIMEOUT)
            elif self.watchdog is not None and clock - w.beat_at > self.watchdog:
                self._kills[b.chunk_id] = (KILL_HUNG, b.position)
                self.executor.kill(b.slot, KILL_HUNG)
        self._watches = seen

    # --- faults ------------------------------------------------------------------------------
    def _lost(self, spec: ChunkSpec, lost: WorkerLost, kill: tuple[str, int] | None) -> None:
        """A chunk's worker died: fail or retry the file it was on, resubmit the others."""
        tasks = list(spec.tasks)
        remove_partials([t.output for t in tasks if t.output], [lost.pid])
        pos = lost.position
        suspect = tasks[pos] if 0 <= pos < len(tasks) else None
        if kill is not None and kill[0] == KILL_CANCEL:
            self.end(tasks, Status.CANCELLED, "cancelled while running", Kind.CANCELLED_RUNNING)
            return
        if kill is not None and (suspect is None or kill[1] != pos):
            # Killed for a file it had just finished (it moved on meanwhile), or before it began
            # the chunk (stopped while idle): nobody is to blame; run them all again.
            suspect = None
        elif kill is not None and suspect is not None:
            message = self._kill_text(kill[0])
            kind = Kind.TIMED_OUT if kill[0] == KILL_TIMEOUT else Kind.HUNG
            self.record(
                [FileResult(suspect.index, Status.FAILED, "", message, None, kind, spec.attempt)]
            )
        final = self.results.status
        others = []
        for t in tasks:
            if final[t.index]:
                continue
            if t is suspect:
                self._crashed(t, describe_exit(lost.code), spec.attempt)
                continue
            n = self._attempts.get(t.index, 0) + 1
            self._attempts[t.index] = n
            if n > MAX_ATTEMPTS:
                message = english(M.GAVE_UP, reason=describe_exit(lost.code))
                self.record(
                    [FileResult(t.index, Status.FAILED, "", message, None, Kind.GAVE_UP, n)]
                )
            else:
                others.append(t)
        if others:
            self._retry.append((others, spec.attempt + 1))

    def _kill_text(self, kind: str) -> str:
        if kind == KILL_TIMEOUT:
            return english(M.TIMED_OUT, seconds=f"{self.timeout:g}")
        return english(M.HUNG, seconds=f"{self.watchdog:g}")

    def _crashed(self, t: Task, reason: str, attempt: int) -> None:
        n = self._crashes.get(t.index, 0) + 1
        self._crashes[t.index] = n
        if n >= MAX_CRASHES:
            message = english(M.CRASHED_TIMES, reason=reason, n=n)
            kind = Kind.CRASHED_WORKER
            self.record([FileResult(t.index, Status.FAILED, "", message, None, kind, attempt)])
        else:
            self._retry.appendleft(([t], attempt + 1))

    def give_up(self, reason: str) -> None:
        """Workers cannot start: fail every unfinished row (rows planned later fail as they
        come, so that each input ends in a final state)."""
        if self.gave_up is not None:
            return
        self.gave_up = reason
        self._retry.clear()
        self._cursor = len(self.tasks)
        inflight = list(self._inflight.values())
        self._inflight.clear()
        for spec in inflight:
            self.end(spec.tasks, Status.FAILED, reason, Kind.CANNOT_START)
        self.end(self.tasks, Status.FAILED, reason, Kind.CANNOT_START)

    # --- cancel ------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop: workers see the flag; chunks not started are withdrawn; anything not back
        after a grace period is killed. Every row ends (finished ones keep their result)."""
        ex = self.executor
        ex.request_cancel(self.job_id)
        if self.paused:
            self.set_paused(False)  # paused workers must wake up to see the cancel
        self._cursor = len(self.tasks)
        self._retry.clear()
        withdrawn: set[int] = set()
        if self._inflight:
            withdrawn = set(ex.cancel_queued(list(self._inflight)))
            for cid in withdrawn:
                spec = self._inflight.pop(cid)
                self.end(spec.tasks, Status.CANCELLED, _NOT_STARTED, Kind.CANCELLED_BEFORE_START)
        running = {t.index for spec in self._inflight.values() for t in spec.tasks}
        final = self.results.status
        self.end(
            (t for t in self.tasks if not final[t.index] and t.index not in running),
            Status.CANCELLED,
            _NOT_STARTED,
            Kind.CANCELLED_BEFORE_START,
        )
        self._drain_for(CANCEL_GRACE)
        # Still busy on this job: a chunk in flight, or one withdrawn as queued that a worker
        # took up meanwhile (it would otherwise run on with nobody waiting for it).
        strays = [b for b in ex.busy() if b.chunk_id in self._inflight or b.chunk_id in withdrawn]
        for b in strays:
            if b.chunk_id in self._inflight:
                self._kills[b.chunk_id] = (KILL_CANCEL, -1)
            ex.kill(b.slot, KILL_CANCEL)
        if strays:
            self._drain_for(EXIT_WAIT)
        for spec in list(self._inflight.values()):  # a worker that would not even die
            self.end(
                spec.tasks, Status.CANCELLED, "cancelled while running", Kind.CANCELLED_RUNNING
            )
        self._inflight.clear()
        # anything left (retries)
        self.end(self.tasks, Status.CANCELLED, "cancelled", Kind.CANCELLED_BEFORE_START)

    def _drain_for(self, seconds: float) -> None:
        deadline = self._now() + seconds
        while self._inflight and self._now() < deadline:
            self._handle(self.executor.wait(WATCH_INTERVAL))
