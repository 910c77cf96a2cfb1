"""What runs inside a Dask worker: a bundle of chunks, with progress as worker events and the
cancel and pause flags read from ``distributed.Event`` objects.

A Dask task costs 11-14 ms of round trip, so one task runs a *bundle* of the scheduler's chunks
(about half a second of work). The worker context and the per-file loop are the Pool's own
(:class:`core.worker.Context`, :func:`core.worker.run_tasks`); only their table and their
progress queue differ: :class:`_Link` plays both. Reading an Event costs about 2 ms (a round
trip to the scheduler), so the flags are looked at no more than every ``LOOK_INTERVAL``.

Imported by Dask workers (and by the app only when it runs on a cluster).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from core.executor.dask_address import distributed
from core.executor.table import CANCELLED_JOB, HEADER_WORDS, PAUSED, ROW_BEAT, ROW_POS
from core.worker import ChunkResult, ChunkSpec, Context, run_tasks

LOOK_INTERVAL = 0.25  # seconds between looks at the cancel and pause Events
POS_WORD = HEADER_WORDS + ROW_POS
BEAT_WORD = HEADER_WORDS + ROW_BEAT

# An event's message (msgpack: a list of plain values), in this order.
EV_JOB, EV_CHUNK, EV_POS, EV_INDEX, EV_DONE, EV_PID, EV_THREAD, EV_ADDRESS = range(8)


def cancel_name(token: str, job_id: int) -> str:
    return f"{token}-cancel-{job_id}"


def pause_name(token: str) -> str:
    return f"{token}-paused"


class _Flags:
    """One job's cancel and pause flags in this worker process, looked up at most every
    LOOK_INTERVAL (shared by the process's threads: a stale value only delays a look)."""

    def __init__(self, token: str, job_id: int) -> None:
        event = distributed().Event
        self._cancel = event(cancel_name(token, job_id))
        self._pause = event(pause_name(token))
        self.job_id = job_id
        self.cancelled = False
        self.paused = False
        self._next = 0.0

    def look(self) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + LOOK_INTERVAL
        if not self.cancelled:
            self.cancelled = bool(self._cancel.is_set())
        self.paused = not self.cancelled and bool(self._pause.is_set())


_flags: dict[tuple[str, int], _Flags] = {}
_flags_lock = threading.Lock()


def _flags_for(token: str, job_id: int) -> _Flags:
    key = (token, job_id)
    with _flags_lock:
        flags = _flags.get(key)
        if flags is None:
            for old in [k for k in _flags if k[0] == token]:  # one job at a time per app
                del _flags[old]
            flags = _flags[key] = _Flags(token, job_id)
        return flags


class _Link:
    """The table and progress queue of one chunk's :class:`core.worker.Context`: the cancel and
    pause words come from the job's Events; positions and progress go out as worker events.

    ``precise`` (a retried chunk: its crash must be pinned on the right file): every file is
    announced as it starts, and the chunk's end, each delivered to the scheduler before the
    file is touched (a synchronous ``Client.log_event``, about 2 ms; a plain worker event waits
    a few ms in the worker's send buffer, and a crash loses it). Otherwise files are announced
    as the Pool's progress is (throttled, and every large file), which keeps 100,000s of small
    files cheap; a worker lost then is blamed on the last file announced, approximately."""

    __slots__ = ("_log", "_topic", "_flags", "_spec", "_head", "_tail", "pos", "beat", "precise")

    def __init__(self, worker: Any, topic: str, flags: _Flags, spec: ChunkSpec) -> None:
        self.precise = spec.attempt > 1
        self._log = distributed().get_client().log_event if self.precise else worker.log_event
        self._topic = topic
        self._flags = flags
        self._spec = spec
        self._head = [spec.job_id, spec.chunk_id]
        self._tail = [os.getpid(), threading.get_ident(), worker.address]
        self.pos = -1
        self.beat = 0

    def __getitem__(self, i: int) -> int:
        if i == CANCELLED_JOB:
            flags = self._flags
            flags.look()
            return flags.job_id if flags.cancelled else -1
        if i == PAUSED:
            flags = self._flags
            flags.look()
            return 1 if flags.paused else 0
        return self.beat if i == BEAT_WORD else self.pos

    def __setitem__(self, i: int, value: int) -> None:
        if i == BEAT_WORD:
            self.beat = value
            return
        self.pos = value
        if self.precise:
            tasks = self._spec.tasks
            self._emit(tasks[value].index if value < len(tasks) else -1, 0)

    def put(self, msg: tuple[Any, ...]) -> None:
        """The Context's progress message (kind, job id, row, bytes done)."""
        done = msg[3]
        if self.precise and not done:
            return  # announced already, at its position
        self._emit(msg[2], done)

    def _emit(self, index: int, done: int) -> None:
        self._log(self._topic, [*self._head, self.pos, index, done, *self._tail])

    def started(self) -> None:
        """The chunk began (before its first file)."""
        self._emit(-1, 0)


def run_bundle(token: str, specs: list[ChunkSpec]) -> tuple[float, list[ChunkResult]]:
    """The Dask task: run ``specs`` one after the other; (seconds it took, their results)."""
    worker = distributed().get_worker()
    began = time.perf_counter()
    out = []
    for spec in specs:
        link = _Link(worker, token, _flags_for(token, spec.job_id), spec)
        link.started()
        ctx = Context(spec.job_id, link, link, HEADER_WORDS, map_large=spec.attempt == 1)
        out.append(run_tasks(spec, ctx, link, POS_WORD))
    return time.perf_counter() - began, out


def describe_worker() -> dict[str, Any]:
    """What the app compares on connect: this worker's Parabatch and its operations."""
    import platform

    from core import __version__
    from core.operations import REGISTRY

    return {
        "parabatch": __version__,
        "operations": sorted(REGISTRY.items()),
        "python": platform.python_version(),
        "pid": os.getpid(),
    }


def missing_paths(paths: list[str]) -> list[str]:
    """Those of ``paths`` this worker cannot see."""
    return [p for p in paths if not os.path.lexists(p)]


def exit_now() -> None:
    """End this worker process at once (its nanny, if any, starts a new one)."""
    os._exit(1)
