"""InlineExecutor: a tiny job's chunks run in a thread of this process, with no worker to spawn.

Starting two spawned workers costs a command-line run about 0.1-0.2 s of a 2-core machine, a
hundred times what hashing two small files takes. A job whose whole work is a few milliseconds
(see :func:`fits_inline`) of an operation that cannot crash the process (``Operation.inline_safe``:
it only reads bytes through the standard library, like hashing) runs here instead, through the
same :func:`core.worker.run_tasks` loop, table layout, cancel and pause flags as a pool worker.

What a thread cannot do is die: :meth:`InlineExecutor.kill` (the scheduler's time limit and
watchdog) gives the chunk up as lost and carries on in a fresh thread; the stuck one is left to
end on its own (a daemon: it never holds the process up at exit). That is also why only tiny
jobs of safe operations come here: a crash would take the whole process with it.
"""

from __future__ import annotations

import collections
import os
import queue
import threading
from collections.abc import Iterable
from typing import Any

from core import worker
from core.executor.base import Busy, ChunkDone, ChunkError, Outcome, WorkerLost, drain
from core.executor.table import ROW_BEAT, ROW_CHUNK, ROW_POS, SharedTable
from core.records import RUNNING_MSG

INLINE_MAX_FILES = 64
INLINE_MAX_BYTES = 32 * 1024 * 1024  # ~30 ms of sha256 on one core here


def fits_inline(files: int, total_bytes: int) -> bool:
    """Whether a job this small is better run in this process than on spawned workers."""
    return files <= INLINE_MAX_FILES and total_bytes <= INLINE_MAX_BYTES


class InlineExecutor:
    """One slot, served by a thread of this process (see the module docstring)."""

    workers = 1
    inline = True
    broken: str | None = None

    def __init__(self) -> None:
        self.table = SharedTable([0] * SharedTable.size(1))
        # What the Context puts its progress messages on, for drain_progress.
        self._progress: queue.SimpleQueue[tuple[int, int, int, int]] = queue.SimpleQueue()
        self._outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._todo: collections.deque[Any] = collections.deque()
        self._wake = threading.Condition(self._lock)
        self._running: Any = None  # the spec the serving thread is on
        self._generation = 0  # a killed thread's generation is past: its result is dropped
        self._closed = False
        self._thread: threading.Thread | None = None

    # --- the Executor protocol ---------------------------------------------------------------
    def capacity(self) -> int:
        return 1

    def submit(self, spec: Any) -> None:
        with self._lock:
            self._todo.append(spec)
            if self._thread is None:
                self._start_thread()
            self._wake.notify()

    def wait(self, timeout: float) -> list[Outcome]:
        return drain(self._outcomes, timeout)

    def busy(self) -> list[Busy]:
        with self._lock:
            spec = self._running
        if spec is None:
            return []
        words = self.table.words
        base = SharedTable.row(0)
        return [Busy(0, os.getpid(), spec.chunk_id, words[base + ROW_POS], words[base + ROW_BEAT])]

    def kill(self, slot: int, reason: str) -> None:
        with self._lock:
            spec = self._running
            if spec is None:
                return
            position = self.table.words[SharedTable.row(0) + ROW_POS]
            self._running = None
            self._generation += 1  # the stuck thread's outcome, if it ever comes, is dropped
            self._outcomes.put(WorkerLost(spec.chunk_id, os.getpid(), None, position, reason))
            self._start_thread()

    def cancel_queued(self, chunk_ids: Iterable[int]) -> list[int]:
        wanted = set(chunk_ids)
        with self._lock:
            kept = [s for s in self._todo if s.chunk_id not in wanted]
            withdrawn = [s.chunk_id for s in self._todo if s.chunk_id in wanted]
            self._todo = collections.deque(kept)
        return withdrawn

    def request_cancel(self, job_id: int) -> None:
        self.table.cancel(job_id)

    def set_paused(self, paused: bool) -> None:
        self.table.set_paused(paused)

    def drain_progress(self, deadline: float) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        get = self._progress.get_nowait
        try:
            while True:
                tag, job_id, row, done = get()
                if tag == RUNNING_MSG:
                    out.append((job_id, row, done))
        except queue.Empty:
            pass
        return out

    def worker_pids(self) -> list[int]:
        return []  # no worker process: the chunks run in this one

    def all_worker_pids(self) -> list[int]:
        return []

    def close(self) -> None:
        """Stop serving: queued chunks are dropped; a chunk running now ends at its next look
        at the cancel flag (the job cancelled it before it got here) or is left to its daemon
        thread."""
        with self._lock:
            self._closed = True
            self._todo.clear()
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(1.0)

    # --- the serving thread ------------------------------------------------------------------
    def _start_thread(self) -> None:
        """A new serving thread (lock held)."""
        thread = threading.Thread(
            target=self._serve, args=(self._generation,), name="parabatch-inline", daemon=True
        )
        self._thread = thread
        thread.start()

    def _serve(self, generation: int) -> None:
        words = self.table.words
        base = SharedTable.row(0)
        ctx: worker.Context | None = None
        while True:
            with self._lock:
                while not self._todo and not self._closed and generation == self._generation:
                    self._wake.wait()
                if self._closed or generation != self._generation:
                    return
                spec = self._todo.popleft()
                self._running = spec
                words[base + ROW_CHUNK] = spec.chunk_id
                words[base + ROW_POS] = -1
            if ctx is None:
                ctx = worker.Context(spec.job_id, self._progress, words, base)
            elif ctx.job_id != spec.job_id:
                ctx.job_id = spec.job_id
                ctx.restart()
            ctx.map_large = False  # no SIGBUS may reach this process: plain reads only
            outcome: Outcome
            try:
                result = worker.run_tasks(spec, ctx, words, base + ROW_POS)
                outcome = ChunkDone(spec.chunk_id, result)
            except BaseException as e:  # a bug: the scheduler fails the chunk's files
                outcome = ChunkError(spec.chunk_id, f"{type(e).__name__}: {e}")
            with self._lock:
                if generation != self._generation:
                    return  # given up as lost meanwhile (kill): a newer thread serves now
                self._running = None
                self._outcomes.put(outcome)
