"""One job: the submit/watch loop that runs planned rows on the engine's pools, and the poll that
feeds its tracker.

Threads: ``Job.run()`` (the submit/watch loop) runs in one thread — the GUI's QThread bridge or a
CLI thread — and ``Job.poll()`` (draining progress into the tracker) in another: the GUI timer or
the CLI loop. They share only thread-safe queues and the engine lock that guards which pool
Queues may be drained.

Faults: a dead worker's chunk is written off (the file it was on is retried once, then failed;
its neighbours are resubmitted) and its pool is retired and rebuilt, because a killed worker can
take the Pool's locks with it. Every row ends in exactly one final state; the first final result
of a row wins, so a resubmitted chunk never counts a file twice.
"""

from __future__ import annotations

import collections
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from core import operations
from core.operations.base import Plan
from core.outputs import remove_partials
from core.plan import take_chunk
from core.pool import PoolHandle, describe_exit
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
from core.worker import SLOT_WORDS, ChunkSpec, run_chunk

if TYPE_CHECKING:
    from core.engine import Engine

CANCEL_GRACE = 0.8  # seconds workers get to stop on their own before the pool is terminated
WATCH_INTERVAL = 0.05
MAX_CRASHES = 2  # a file that killed this many workers fails
MAX_ATTEMPTS = 4  # resubmissions of a file because others in its chunk crashed
MAX_BARREN_POOLS = 3  # pools in a row whose workers died before starting any work
DELIVERY_TIMEOUT = 10.0  # a retired pool's chunk that processed everything but never returned


class JobReport(Record):
    """How a job ended: ``lines`` from the operation's finish step, a job-level ``error`` if any,
    whether it was ``cancelled``, and the plan's ``notes``."""

    __slots__ = ("lines", "error", "cancelled", "notes")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.error: str | None = None
        self.cancelled = False
        self.notes: list[str] = []


class _NewRows(list[int]):
    """run() -> poll(): rows were added (their sizes); sent before any of their results."""


_INPUT_DONE = object()  # run() -> poll(): discovery ended, the row count is final

Source = Iterator[Sequence[FileEntry | SkippedEntry]]


class _InFlight:
    """A chunk submitted to a pool and not back yet."""

    __slots__ = ("spec", "handle", "revoked", "done_since")

    def __init__(self, spec: ChunkSpec, handle: PoolHandle) -> None:
        self.spec = spec
        self.handle = handle
        self.revoked = False  # resubmitted elsewhere: its pool lost a worker before it started
        self.done_since: float | None = None  # when its slot said every file was processed


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
    ) -> None:
        self.engine = engine
        self.op_name = op_name
        self.op = operations.get(op_name)
        self.options = options
        self.tasks: list[Task] = plan.tasks
        self.settled = plan.settled
        self.notes = plan.notes
        self.job_id = engine.new_job_id()
        if source is not None and not self.op.streams:
            raise ValueError(f"the {op_name} operation needs all its inputs before it starts")
        if sizes is not None and (source is None or self.tasks):
            raise ValueError("known row sizes go with a source and an empty plan")
        self._source = source
        self._known = sizes is not None  # every row is counted already; the source plans them
        self.tracker = Tracker(sizes if sizes is not None else [t.size for t in self.tasks])
        self.tracker.input_open = source is not None and not self._known
        self.done = threading.Event()
        self.report: JobReport | None = None
        self._cancel = threading.Event()
        # run() -> poll(): a FileResult, a chunk's list of them, _NewRows or _INPUT_DONE
        self._out: collections.deque[Any] = collections.deque()
        self._final = bytearray(self.tracker.n)
        self._results: list[FileResult | None] = [None] * self.tracker.n
        self._remaining = self.tracker.n
        self._completions: queue.SimpleQueue[tuple[int, Any, BaseException | None]] = (
            queue.SimpleQueue()
        )
        self._inflight: dict[int, _InFlight] = {}
        self._retry: collections.deque[tuple[list[Task], int]] = collections.deque()
        self._pending: collections.deque[Task] = collections.deque()  # never submitted yet
        self._crashes: dict[int, int] = {}
        self._barren_pools = 0
        self._attempts: dict[int, int] = {}

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
            for h in self.engine.handles:
                q = h.queue
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
        i = r.index
        if self._final[i]:
            return
        self._final[i] = 1
        self._results[i] = r
        self._remaining -= 1
        self._out.append(r)

    def _end_rows(self, tasks: list[Task], status: Status, message: str) -> None:
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
            results = [r for r in self._results if r is not None]
            report.lines = self.op.finish(self.options, self.tasks, results)
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

    def _next_work(self, h: PoolHandle, busy: int) -> tuple[list[Task], int] | None:
        """Retries first (a suspect alone, then resubmitted neighbours), then fresh chunks. While
        discovery still runs, a chunk that is not full waits for more rows unless a worker of
        ``h`` would otherwise idle (``busy`` chunks are on it)."""
        if self._retry:
            return self._retry.popleft()
        pending, limits = self._pending, self.op.limits
        if not pending:
            return None
        if self._source is not None and len(pending) < limits.max_files and busy >= h.workers:
            return None
        return take_chunk(pending, limits), 1

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
            self._final.extend(bytes(k))
            self._results.extend([None] * k)
            self._remaining += k
            self._out.append(_NewRows([t.size for t in part.tasks]))  # before their results
        self.notes.extend(part.notes)
        for r in part.settled:
            self._emit(r)
        final = self._final
        self._pending.extend(t for t in part.tasks if not final[t.index])

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
        close = getattr(source, "close", None)
        if close is not None:
            close()
        self._out.append(_INPUT_DONE)

    def _loop(self) -> None:
        final = self._final
        self._pending.extend(t for t in self.tasks if not final[t.index])
        with self.engine.lock:
            for h in self.engine.handles:
                h.cancel.clear()
        while self._remaining > 0 or self._source is not None:
            if self._cancel.is_set():
                self._cancel_now()
                return
            if self._source is not None:
                self._pull()  # discovery runs here, between looks at the workers
            self._top_up()
            self._wait_and_handle(0.0 if self._source is not None else WATCH_INTERVAL)
            self._watch()
            idle = not (self._pending or self._retry or self._inflight)
            if idle and self._source is None:
                if self._remaining > 0:
                    raise RuntimeError(f"{self._remaining} rows were never settled")
                return

    def _top_up(self) -> None:
        """Keep about 2 x workers chunks in flight on the current pool."""
        if not self._pending and not self._retry:
            return
        h = self.engine.current_pool()
        if self._cancel.is_set():
            h.cancel.set()
        cap = 2 * h.workers
        busy = sum(1 for f in self._inflight.values() if f.handle is h)
        final = self._final
        while busy < cap and self.engine.free_slots:
            item = self._next_work(h, busy)
            if item is None:
                return
            tasks = [t for t in item[0] if not final[t.index]]
            if tasks:
                self._submit(h, tasks, item[1])
                busy += 1

    def _submit(self, h: PoolHandle, tasks: list[Task], attempt: int) -> None:
        slot = self.engine.free_slots.popleft()
        base = slot * SLOT_WORDS
        slots = self.engine.slots
        slots[base], slots[base + 1], slots[base + 2] = 0, 0, -1
        spec = ChunkSpec(
            self.job_id,
            next(self.engine.chunk_ids),
            attempt,
            slot,
            self.engine.slot_table,
            self.op_name,
            self.options,
            tuple(tasks),
        )
        cid = spec.chunk_id
        self._inflight[cid] = _InFlight(spec, h)
        done = self._completions.put
        h.pool.apply_async(
            run_chunk,
            (spec,),
            callback=lambda res: done((cid, res, None)),
            error_callback=lambda err: done((cid, None, err)),
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
            return  # already written off (lost, or its pool was terminated)
        self.engine.free_slots.append(rec.spec.slot)
        rec.handle.completed += 1
        self._barren_pools = 0
        if err is not None:
            msg = f"internal error in the worker: {type(err).__name__}: {err}"
            self._end_rows(list(rec.spec.tasks), Status.FAILED, msg)
            return
        statuses, values, messages, outputs = results
        final, store, fresh = self._final, self._results, []
        for pos, t in enumerate(rec.spec.tasks):
            i = t.index
            if not final[i]:
                final[i] = 1
                r = FileResult(
                    i,
                    STATUSES[statuses[pos]],
                    values[pos],
                    messages.get(pos, "") if messages else "",
                    outputs.get(pos) if outputs else None,
                )
                store[i] = r
                fresh.append(r)
        self._remaining -= len(fresh)
        self._out.append(fresh)

    def _slot(self, spec: ChunkSpec) -> tuple[int, int, int]:
        base = spec.slot * SLOT_WORDS
        s = self.engine.slots
        return s[base], s[base + 1], s[base + 2]

    def _watch(self) -> None:
        """Find dead workers, write off what they held, retire and end pools as needed."""
        with self.engine.lock:
            handles = list(self.engine.handles)
        for h in handles:
            for pid, code in h.new_deaths():
                self._worker_died(h, pid, code)
        now = time.monotonic()
        for h in handles:
            if not h.retired or h.terminated:
                continue
            running = False
            for rec in [r for r in self._inflight.values() if r.handle is h and not r.revoked]:
                _cid, _pid, pos = self._slot(rec.spec)
                if pos >= len(rec.spec.tasks):
                    rec.done_since = rec.done_since or now
                    if now - rec.done_since > DELIVERY_TIMEOUT:
                        self._write_off(rec, "worker lost", suspect_pos=None)
                        continue
                running = True
            if not running:
                self._end_retired(h)

    def _worker_died(self, h: PoolHandle, pid: int, code: int | None) -> None:
        reason = describe_exit(code)
        if not h.retired:
            h.retired = True
            if not self._pool_did_work(h):
                # Workers that die before doing anything (a broken install, a frozen app without
                # freeze_support) would otherwise be replaced forever: give up after a few pools.
                self._barren_pools += 1
                if self._barren_pools >= MAX_BARREN_POOLS:
                    self._give_up(h, reason)
                    return
            # Chunks queued on this pool but not started may never be picked up (a worker killed
            # while idle holds the task queue's lock): revoke them and run them on a new pool.
            for rec in [r for r in self._inflight.values() if r.handle is h]:
                cid, owner, _ = self._slot(rec.spec)
                if cid != rec.spec.chunk_id or owner == 0:
                    rec.revoked = True
                    self._retry.append(([t for t in rec.spec.tasks], rec.spec.attempt + 1))
        for rec in [r for r in self._inflight.values() if r.handle is h and not r.revoked]:
            cid, owner, pos = self._slot(rec.spec)
            if cid == rec.spec.chunk_id and owner == pid:
                self._write_off(rec, reason, suspect_pos=pos, dead_pid=pid)

    def _pool_did_work(self, h: PoolHandle) -> bool:
        if h.completed:
            return True
        for rec in self._inflight.values():
            if rec.handle is h:
                cid, owner, _ = self._slot(rec.spec)
                if cid == rec.spec.chunk_id and owner != 0:
                    return True
        return False

    def _give_up(self, h: PoolHandle, reason: str) -> None:
        """Fail every unfinished row: worker processes cannot even start."""
        self._end_retired(h)
        self._retry.clear()
        self._close_source()
        self._pending.clear()
        message = (
            f"the worker processes stop as soon as they start ({reason}); "
            "the installation may be broken: see the log, or reinstall Parabatch"
        )
        self._end_rows(self.tasks, Status.FAILED, message)

    def _write_off(
        self, rec: _InFlight, reason: str, suspect_pos: int | None, dead_pid: int | None = None
    ) -> None:
        """A chunk's worker died: fail or retry the file it was on, resubmit the others."""
        self._inflight.pop(rec.spec.chunk_id, None)
        self.engine.free_slots.append(rec.spec.slot)
        tasks = list(rec.spec.tasks)
        if dead_pid is not None:
            remove_partials([t.output for t in tasks if t.output], [dead_pid])
        suspect = (
            tasks[suspect_pos]
            if suspect_pos is not None and 0 <= suspect_pos < len(tasks)
            else None
        )
        others = []
        for t in tasks:
            if self._final[t.index]:
                continue
            if t is suspect:
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
                    self._retry.appendleft(([t], rec.spec.attempt + 1))
                continue
            n = self._attempts.get(t.index, 0) + 1
            self._attempts[t.index] = n
            if n > MAX_ATTEMPTS:
                self._emit(
                    FileResult(t.index, Status.FAILED, message=f"gave up: {reason} repeatedly")
                )
            else:
                others.append(t)
        if others:
            self._retry.append((others, rec.spec.attempt + 1))

    def _end_retired(self, h: PoolHandle) -> list[_InFlight]:
        """Terminate a pool and drop the chunks still on it (a retired pool's are revoked and
        already resubmitted). Temporaries its workers left are removed. Returns the dropped."""
        pids = h.all_pids()
        self.engine.end_pool(h)
        dropped = [r for r in self._inflight.values() if r.handle is h]
        for rec in dropped:
            self._inflight.pop(rec.spec.chunk_id, None)
            self.engine.free_slots.append(rec.spec.slot)
            remove_partials([t.output for t in rec.spec.tasks if t.output], pids)
        return dropped

    def _cancel_now(self) -> None:
        """Stop: workers see the Event; anything not back after a grace period is terminated."""
        self._close_source()
        with self.engine.lock:
            handles = list(self.engine.handles)
        for h in handles:
            h.cancel.set()
        self._pending.clear()
        not_started = [t for t in self.tasks if not self._final[t.index]]
        inflight_rows = {t.index for rec in self._inflight.values() for t in rec.spec.tasks}
        self._end_rows(
            [t for t in not_started if t.index not in inflight_rows],
            Status.CANCELLED,
            "cancelled before it started",
        )
        deadline = time.monotonic() + CANCEL_GRACE
        while self._inflight and time.monotonic() < deadline:
            self._wait_and_handle(WATCH_INTERVAL)
            self._watch()
        for h in {rec.handle for rec in self._inflight.values()}:
            for rec in self._end_retired(h):
                self._end_rows(list(rec.spec.tasks), Status.CANCELLED, "cancelled while running")
        self._end_rows(self.tasks, Status.CANCELLED, "cancelled")  # anything left (retries)
