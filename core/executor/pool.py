"""PoolExecutor: the :class:`core.executor.base.Executor` of one machine's worker processes.

Everything about processes lives here and in :mod:`core.procpool` (the pool that survives killed,
crashed and stopped workers): the spawn context, the progress Queue handed to workers through the
pool initializer (a Queue cannot be an ``apply_async`` argument), and the shared table whose
layout :mod:`core.executor.table` writes down once for both sides.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Iterable
from typing import Any

from core import procpool, worker
from core.executor.base import (
    Busy,
    ChunkDone,
    ChunkError,
    ExecutorBroken,
    Outcome,
    WorkerLost,
    drain,
)
from core.executor.table import HEADER_WORDS, ROW_CHUNK, ROW_POS, ROW_WORDS, SharedTable
from core.records import RUNNING_MSG


class PoolExecutor:
    """``workers`` local worker processes, warm from creation until :meth:`close`."""

    inline = False

    def __init__(self, workers: int) -> None:
        procpool.ensure_resource_tracker()  # before the Queue's locks register with it
        self.workers = workers
        self._queue: Any = procpool.ProgressQueue(multiprocessing.get_context("spawn"))
        self._pool = procpool.ProcessPool(
            workers,
            worker.init_worker,
            (self._queue,),
            header_words=HEADER_WORDS,
            row_words=ROW_WORDS,
        )
        try:
            self.table = SharedTable(self._pool.table)
            self._outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
            self._drain_lock = threading.Lock()  # one drainer, and never while the Queue closes
            self._closed = False
        except BaseException:  # a stop signal: nobody holds this executor to close it
            self._pool.terminate()
            raise

    @property
    def broken(self) -> str | None:
        """Why the workers cannot start, once they could not."""
        return self._pool.broken

    @property
    def pool(self) -> procpool.ProcessPool:
        return self._pool

    # --- the Executor protocol ---------------------------------------------------------------
    def capacity(self) -> int:
        return self._pool.processes

    def submit(self, spec: Any) -> None:
        cid = spec.chunk_id
        put = self._outcomes.put
        self._pool.apply_async(
            worker.run_chunk,
            (spec,),
            callback=lambda result: put(ChunkDone(cid, result)),
            error_callback=lambda err: put(self._outcome(cid, err)),
            task_id=cid,
        )

    @staticmethod
    def _outcome(cid: int, err: BaseException) -> Outcome:
        if isinstance(err, procpool.WorkerLost):
            row = err.row
            pos = row[ROW_POS] if row and row[ROW_CHUNK] == cid else -1
            return WorkerLost(cid, err.pid, err.code, pos, err.reason)
        if isinstance(err, procpool.PoolBroken):
            return ExecutorBroken(cid, str(err))
        return ChunkError(cid, f"{type(err).__name__}: {err}")

    def wait(self, timeout: float) -> list[Outcome]:
        return drain(self._outcomes, timeout)

    def busy(self) -> list[Busy]:
        table = self.table
        out = []
        for slot, pid, cid in self._pool.busy():
            chunk, pos, beat = table.read_row(slot)
            out.append(Busy(slot, pid, cid, pos if chunk == cid else -1, beat))
        return out

    def kill(self, slot: int, reason: str) -> None:
        self._pool.kill(slot, reason)

    def cancel_queued(self, chunk_ids: Iterable[int]) -> list[int]:
        return self._pool.cancel_queued(set(chunk_ids))

    def request_cancel(self, job_id: int) -> None:
        self.table.cancel(job_id)

    def set_paused(self, paused: bool) -> None:
        self.table.set_paused(paused)

    def drain_progress(self, deadline: float) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        with self._drain_lock:
            q = self._queue
            if q is None:
                return out
            while True:
                try:
                    msg = q.get_nowait()
                except queue.Empty:
                    break
                if msg[0] == RUNNING_MSG:
                    out.append((msg[1], msg[2], msg[3]))
                if time.monotonic() > deadline:
                    break
        return out

    def worker_pids(self) -> list[int]:
        return self._pool.pids()

    def all_worker_pids(self) -> list[int]:
        return self._pool.all_pids()

    # --- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every worker (bounded: idle ones exit, the rest are killed) and drop the Queue."""
        if self._closed:
            return
        self._closed = True
        self._pool.close()
        with self._drain_lock:  # a drain in another thread never reads a Queue being closed
            q, self._queue = self._queue, None
        q.close()
        q.cancel_join_thread()
