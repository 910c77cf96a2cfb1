"""The executor seam: what a job's scheduler needs from whatever runs its chunks.

An executor runs picklable :class:`core.worker.ChunkSpec` objects with the top-level
:func:`core.worker.run_chunk` somewhere, and reports back in small tagged records: a chunk's
outcome, and which worker is busy with what (so the scheduler can apply its watchdog and
time limits). Retry, blame and timeout *policy* are the scheduler's; an executor only runs,
reports and kills. Nothing here knows about jobs, rows or operations.
"""

from __future__ import annotations

import queue
from collections.abc import Iterable
from typing import Any, Protocol

from core.records import Record


class ChunkDone(Record):
    """The chunk came back: ``result`` is what ``run_chunk`` returned."""

    __slots__ = ("chunk_id", "result")

    def __init__(self, chunk_id: int, result: Any) -> None:
        self.chunk_id = chunk_id
        self.result = result


class ChunkError(Record):
    """``run_chunk`` raised (a bug, or the chunk could not be loaded): ``error`` says what."""

    __slots__ = ("chunk_id", "error")

    def __init__(self, chunk_id: int, error: str) -> None:
        self.chunk_id = chunk_id
        self.error = error


class WorkerLost(Record):
    """The worker running the chunk ended before returning it.

    ``position``: the file of the chunk it was on (-1: it had not started one; the chunk's
    length: it had processed them all). ``code``: its exit code (negative: the signal).
    ``reason``: the tag given to :meth:`Executor.kill` when the executor was asked to end it,
    ``None`` when it died of something else."""

    __slots__ = ("chunk_id", "pid", "code", "position", "reason")

    def __init__(
        self, chunk_id: int, pid: int, code: int | None, position: int, reason: str | None
    ) -> None:
        self.chunk_id = chunk_id
        self.pid = pid
        self.code = code
        self.position = position
        self.reason = reason


class ExecutorBroken(Record):
    """The executor cannot run anything (its workers cannot start): ``reason`` says why."""

    __slots__ = ("chunk_id", "reason")

    def __init__(self, chunk_id: int, reason: str) -> None:
        self.chunk_id = chunk_id
        self.reason = reason


Outcome = ChunkDone | ChunkError | WorkerLost | ExecutorBroken


class Busy(Record):
    """A worker running a chunk now: where it is (``position``) and its progress ``beat``,
    a counter that grows with every file and every MiB it processes."""

    __slots__ = ("slot", "pid", "chunk_id", "position", "beat")

    def __init__(self, slot: int, pid: int, chunk_id: int, position: int, beat: int) -> None:
        self.slot = slot
        self.pid = pid
        self.chunk_id = chunk_id
        self.position = position
        self.beat = beat


class Executor(Protocol):
    """Runs chunks. ``submit``/``wait``/``busy``/``kill``/``cancel_queued`` are called from the
    job's run thread; ``drain_progress`` from the thread that shows progress; ``request_cancel``
    from any thread."""

    def capacity(self) -> int:
        """Worker slots (the scheduler keeps a few chunks in flight for each)."""

    def submit(self, spec: Any) -> None:
        """Run ``run_chunk(spec)``; its outcome comes out of :meth:`wait`."""

    def wait(self, timeout: float) -> list[Outcome]:
        """Outcomes that arrived, waiting up to ``timeout`` seconds for the first."""

    def busy(self) -> list[Busy]:
        """Every worker running a chunk now."""

    def kill(self, slot: int, reason: str) -> None:
        """End the worker on ``slot`` now; its chunk comes back as WorkerLost(reason=...)."""

    def cancel_queued(self, chunk_ids: Iterable[int]) -> list[int]:
        """Withdraw those of ``chunk_ids`` that no worker took yet; returns the withdrawn."""

    def request_cancel(self, job_id: int) -> None:
        """Workers stop ``job_id`` (and older jobs) at their next look (thread-safe)."""

    def set_paused(self, paused: bool) -> None:
        """Workers wait between blocks while paused, using no CPU (thread-safe)."""

    def drain_progress(self, deadline: float) -> list[tuple[int, int, int]]:
        """(job id, row, bytes done) messages that arrived, taken until ``deadline``."""

    def worker_pids(self) -> list[int]:
        """Live worker processes (where the executor has local ones)."""


def drain(outcomes: queue.SimpleQueue[Outcome], timeout: float) -> list[Outcome]:
    """What an executor's outcome queue holds: waits up to ``timeout`` seconds for the first
    (none if ``timeout`` is 0), then takes whatever else is there without waiting."""
    out: list[Outcome] = []
    get = outcomes.get_nowait
    try:
        out.append(outcomes.get(timeout=timeout) if timeout > 0 else get())
        while True:
            out.append(get())
    except queue.Empty:
        pass
    return out
