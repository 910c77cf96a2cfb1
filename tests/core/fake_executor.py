"""An in-process :class:`core.executor.base.Executor` for testing the scheduler's policy.

Chunks run right here with the real per-file code (real files, real operation), unless a test
scripts something else for a chunk: a lost worker at some file, an error, a broken executor,
or a chunk that stays running ("held") with a position and beat the test controls, so the
watchdog and the time limit can be driven without killing processes. ``wait(timeout)``
advances a fake clock by ``timeout``: the scheduler's watchdog runs on that clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.executor.base import Busy, ChunkDone, ChunkError, ExecutorBroken, Outcome, WorkerLost
from core.worker import ChunkSpec, Context, run_tasks


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Held:
    """A chunk that keeps running on a fake worker until killed or released."""

    def __init__(self, spec: ChunkSpec, slot: int, position: int = 0, beating: bool = False):
        self.spec = spec
        self.slot = slot
        self.position = position
        self.beating = beating  # the beat grows at every look (a slow but live file)
        self.beat = 0


Script = Callable[[ChunkSpec], "Outcome | str | None"]


class FakeExecutor:
    """``script(spec)`` decides each submitted chunk's fate: ``None`` runs it for real; an
    Outcome is returned as is; ``"hold"`` / ``"hold-beating"`` keeps it running."""

    def __init__(self, workers: int = 2, script: Script | None = None) -> None:
        self.workers = workers
        self.script = script or (lambda spec: None)
        self.clock = FakeClock()
        self.submitted: list[ChunkSpec] = []
        self.held: dict[int, Held] = {}
        self.kills: list[tuple[int, str]] = []
        self.cancelled_job = 0
        self.paused: list[bool] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._outcomes: list[Outcome] = []

    # --- Executor ------------------------------------------------------------------------
    def capacity(self) -> int:
        return self.workers

    def submit(self, spec: ChunkSpec) -> None:
        self.submitted.append(spec)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        fate = self.script(spec)
        if fate is None:
            self._finish(run_here(spec))
        elif isinstance(fate, str):
            slot = next(s for s in range(self.workers + 64) if s not in self._slots())
            self.held[spec.chunk_id] = Held(spec, slot, beating=fate == "hold-beating")
        else:
            self._finish(fate)

    def _slots(self) -> set[int]:
        return {h.slot for h in self.held.values()}

    def _finish(self, outcome: Outcome) -> None:
        self._in_flight -= 1
        self._outcomes.append(outcome)

    def wait(self, timeout: float) -> list[Outcome]:
        self.clock.now += timeout
        out, self._outcomes = self._outcomes, []
        return out

    def busy(self) -> list[Busy]:
        out = []
        for cid, h in self.held.items():
            if h.beating:
                h.beat += 1
            out.append(Busy(h.slot, 4000 + h.slot, cid, h.position, h.beat))
        return out

    def kill(self, slot: int, reason: str) -> None:
        self.kills.append((slot, reason))
        for cid, h in list(self.held.items()):
            if h.slot == slot:
                del self.held[cid]
                self._finish(WorkerLost(cid, 4000 + slot, -9, h.position, reason))

    def cancel_queued(self, chunk_ids: Iterable[int]) -> list[int]:
        return []  # nothing ever waits in a queue here: chunks run (or are held) at once

    def request_cancel(self, job_id: int) -> None:
        self.cancelled_job = job_id

    def set_paused(self, paused: bool) -> None:
        self.paused.append(paused)

    def drain_progress(self, deadline: float) -> list[tuple[int, int, int]]:
        return []

    def worker_pids(self) -> list[int]:
        return []

    # --- for tests -----------------------------------------------------------------------
    def release(self, chunk_id: int) -> None:
        """A held chunk finishes for real now."""
        h = self.held.pop(chunk_id)
        self._finish(run_here(h.spec))


def run_here(spec: ChunkSpec) -> Outcome:
    """Run a chunk in this process with the real per-file code, as a worker would."""
    try:
        result = run_tasks(spec, Context(spec.job_id, None), [0], 0)  # the workers' own loop
    except Exception as e:  # pragma: no cover - run_file catches per-file errors
        return ChunkError(spec.chunk_id, f"{type(e).__name__}: {e}")
    return ChunkDone(spec.chunk_id, result)


def lost_at(position: int, code: int = -9) -> Callable[[ChunkSpec], Outcome]:
    """An outcome maker: the worker died on the chunk's file at ``position``."""
    return lambda spec: WorkerLost(spec.chunk_id, 4242, code, position, None)


__all__ = ["ChunkError", "ExecutorBroken", "FakeExecutor", "Held", "lost_at", "run_here"]
