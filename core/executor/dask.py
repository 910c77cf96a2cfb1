"""DaskExecutor: the :class:`core.executor.base.Executor` of a Dask distributed cluster.

Either a cluster the app starts and owns (``local``/``local:N``: a ``LocalCluster`` of worker
processes on 127.0.0.1, closed with the executor) or a scheduler someone runs (``tcp://...``).
What this module must get right, by the costs measured on Dask 2026.8 (issue 15):

- A task round trip costs 11-14 ms, so one Dask task runs a *bundle* of the scheduler's chunks,
  sized by the work it holds (bytes, plus a fixed cost per file) to about ``TARGET_SECONDS`` at
  the rate learnt from earlier bundles; :meth:`DaskExecutor.capacity` asks the scheduler for as
  many chunks as two bundles per worker thread take.
- Progress and "file started" come as worker events (``log_event``/``subscribe_topic``: tens of
  thousands a second, never blocking the task); they also say which worker runs which chunk and
  where it is, for :meth:`busy` and for the file a lost worker is blamed for.
- ``Future.cancel`` does not stop a running task: cancel and pause are ``distributed.Event``
  objects the workers look at (:mod:`core.executor.dask_worker`).
- On the app's own cluster a lost worker fails its task at once (allowed failures 0) and the
  scheduler resubmits, as locally. A user's cluster may rerun a task by itself: a bundle seen
  starting on a second worker means the first was lost, and it is treated so (the rerun is
  dropped; every output is written atomically, so a rerun changes no bytes).
- With a path map (``--path-map LOCAL=REMOTE``) chunks go out with the workers' paths, and the
  visibility check looks for those; outputs and messages come back with this computer's paths,
  so nothing above the executor sees a worker's path.

Dask is imported only here and in :mod:`core.executor.dask_worker`: only when a job runs on a
cluster.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from typing import Any

from core.executor import dask_worker
from core.executor.base import (
    Busy,
    ChunkDone,
    ChunkError,
    ExecutorBroken,
    Outcome,
    WorkerLost,
    drain,
)
from core.executor.dask_address import (
    CONNECT_TIMEOUT,
    ClusterAddress,
    ClusterError,
    distributed,
    parse_address,
    require_dask,
)
from core.executor.pathmap import PathMap
from core.records import Task
from core.worker import ChunkSpec

TARGET_SECONDS = 0.5  # of work in one Dask task (its round trip costs 11-14 ms)
ALONE_SECONDS = 0.1  # a chunk of this much work is a task of its own (load balance first)
FILE_UNITS = 64 * 1024  # a file's fixed cost (open, stat, result) in bytes of hashing
FIRST_RATE = 256 * 1024 * 1024  # work units a second a thread is assumed to do (capacity only)
LEARN_SECONDS = 0.02  # of work seen before an operation's rate is trusted
MAX_BUNDLE = 64  # chunks in one task
SAMPLE = 8  # inputs a worker stats before a job's first task
CHECK_TIMEOUT = 10.0  # seconds for a worker to answer a check

_log = logging.getLogger(__name__)


def units(spec: ChunkSpec) -> int:
    """The expected work of a chunk: its bytes and a fixed cost per file."""
    return sum(t.size for t in spec.tasks) + FILE_UNITS * len(spec.tasks)


class _Bundle:
    """One Dask task: its chunks, its future, and where its worker is (from its events)."""

    __slots__ = (
        "key",
        "specs",
        "units",
        "op_name",
        "future",
        "worker",
        "address",
        "pid",
        "chunk",
        "pos",
        "beat",
        "ended",
        "killed",
    )

    def __init__(self, key: str, specs: list[ChunkSpec]) -> None:
        self.key = key
        self.specs = specs
        self.units = sum(units(s) for s in specs)
        self.op_name = specs[0].op_name
        self.future: Any = None
        self.worker: tuple[int, int] | None = None  # (pid, thread) once it started
        self.address = ""
        self.pid = 0
        self.chunk = -1  # the chunk it is on, from its last event
        self.pos = -1
        self.beat = 0
        self.ended = False  # its outcomes were given (or it was withdrawn)
        self.killed: int | None = None  # the exit code when this executor ended its worker


def version_problems(mine: dict[str, Any], theirs: dict[str, dict[str, Any]]) -> str | None:
    """A sentence naming the workers whose Parabatch or operations differ from ``mine``."""
    bad = []
    for address, info in sorted(theirs.items()):
        if info.get("parabatch") != mine["parabatch"]:
            bad.append(f"{address} has Parabatch {info.get('parabatch')}")
        elif [tuple(x) for x in info.get("operations", [])] != [
            tuple(x) for x in mine["operations"]
        ]:
            bad.append(f"{address} has other operations")
    if not bad:
        return None
    return (
        f"the cluster's workers do not run this Parabatch ({mine['parabatch']}): "
        + "; ".join(bad)
        + ". Install the same version on every worker and restart them"
    )


class DaskExecutor:
    """Runs chunks on a Dask cluster; see the module docstring. ``workers``: the worker count of
    a ``local`` cluster given without one; ``path_map``: the folders the workers see at other
    paths (chunks go out with their paths, results come back with this computer's)."""

    def __init__(
        self,
        address: str | ClusterAddress,
        workers: int = 2,
        *,
        check: bool = True,
        path_map: PathMap | None = None,
    ) -> None:
        require_dask()
        self.address = parse_address(address) if isinstance(address, str) else address
        self.path_map = path_map if path_map is not None else PathMap([])
        self.workers = self.address.workers or workers  # a local cluster's processes
        self.token = f"parabatch-{uuid.uuid4().hex[:12]}"
        self._cluster: Any = None
        self._client: Any = None
        self._lock = threading.Lock()
        self._outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self._progress: deque[tuple[int, int, int]] = deque()
        self._pending: list[ChunkSpec] = []
        self._bundles: dict[str, _Bundle] = {}
        self._bundle_of: dict[int, _Bundle] = {}  # chunk id -> its bundle
        self._slots: dict[tuple[int, int], int] = {}  # (pid, thread) -> slot number
        self._rates: dict[str, float] = {}  # op -> work units a second of one thread
        self._unlearnt: dict[str, tuple[int, float]] = {}  # op -> work and seconds too few yet
        self._chunk_units: dict[str, float] = {}  # op -> typical units of one chunk
        self._checked: dict[int, str | None] = {}  # job id -> why its files cannot be seen
        self._keys = itertools.count(1)
        self._threads = 1
        self.broken: str | None = None
        self._closed = False
        # Held around each future.cancel() and around the client's close: a cancel that runs
        # while the client closes leaves Dask's coroutine never awaited (a warning at exit).
        self._cancelling = threading.Lock()
        try:
            self._connect(check)
        except BaseException:
            self.close()
            raise

    # --- connect -----------------------------------------------------------------------------
    def _connect(self, check: bool) -> None:
        import dask

        dist = distributed()
        Client, Event = dist.Client, dist.Event
        if self.address.local:
            LocalCluster = dist.LocalCluster
            # A lost worker fails its task at once: the job's scheduler resubmits, and blames.
            # Dask's workers get MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap
            # threshold: every big buffer (a decoded photo) is then mapped and faulted in anew,
            # 10-15% more CPU on image work (measured here). Ours keep glibc's default.
            settings = {
                "distributed.scheduler.allowed-failures": 0,
                "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
            }
            with dask.config.set(settings):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                )
            self._client = Client(self._cluster, timeout=CONNECT_TIMEOUT)
        else:
            try:
                self._client = Client(
                    self.address.address, timeout=CONNECT_TIMEOUT, set_as_default=False
                )
            except (OSError, TimeoutError) as e:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {self.address.text} within "
                    f"{CONNECT_TIMEOUT:g} s ({e}); is it running, and is the address right?"
                ) from None
        if check:
            self.check_versions()
        self._threads = max(1, self.threads())
        self._pause = Event(dask_worker.pause_name(self.token), client=self._client)
        self._client.subscribe_topic(self.token, self._on_event)

    def info(self) -> dict[str, Any]:
        """The cluster's workers: address -> threads, memory limit, pid."""
        workers = self._client.scheduler_info(n_workers=-1).get("workers", {})
        return {
            a: {"threads": w.get("nthreads", 0), "memory": w.get("memory_limit", 0)}
            for a, w in workers.items()
        }

    def threads(self) -> int:
        """Worker threads in the cluster now (what the window shows as its worker count)."""
        return int(sum(w["threads"] for w in self.info().values()))

    def worker_versions(self) -> dict[str, dict[str, Any]]:
        """Each worker's :func:`core.executor.dask_worker.describe_worker`."""
        try:
            result: dict[str, dict[str, Any]] = self._client.run(
                dask_worker.describe_worker, wait=True
            )
        except Exception as e:  # the workers cannot even import Parabatch
            raise ClusterError(
                "the cluster's workers cannot run Parabatch (is it installed there, the same "
                f"version as here?): {type(e).__name__}: {e}"
            ) from None
        return result

    def check_versions(self) -> None:
        """ClusterError naming the workers whose Parabatch or operations differ from ours."""
        problem = version_problems(dask_worker.describe_worker(), self.worker_versions())
        if problem is not None:
            raise ClusterError(problem)

    def check_visible(self, paths: list[str]) -> None:
        """ClusterError if a worker cannot see one of ``paths`` (a sample of the inputs)."""
        problem = self._visibility(paths)
        if problem is not None:
            raise ClusterError(problem)

    def _visibility(self, paths: list[str]) -> str | None:
        if not paths:
            return None
        to_remote = self.path_map.to_remote
        paths = [to_remote(os.path.abspath(p)) for p in paths]
        try:
            future = self._client.submit(dask_worker.missing_paths, paths, pure=False)
            missing = future.result(timeout=CHECK_TIMEOUT)
        except Exception as e:
            return f"could not ask the cluster's workers about the inputs: {type(e).__name__}: {e}"
        if not missing:
            return None
        here = self.path_map.to_local(missing[0])
        where = ""
        if self.path_map:
            where = f" ({here} here)" if here != missing[0] else " (under no --path-map folder)"
        how = (
            f"; the path map given ({self.path_map}) does not lead the workers to them: check "
            "each --path-map LOCAL=REMOTE"
            if self.path_map
            else "; where the workers mount it at another path, give --path-map LOCAL=REMOTE"
        )
        return (
            f"the cluster's workers cannot see {missing[0]}{where}"
            + (f" (and {len(missing) - 1} more of {len(paths)} looked at)" if missing[1:] else "")
            + ": the inputs must be on a file system the workers share with this computer"
            + how
        )

    # --- the Executor protocol ---------------------------------------------------------------
    def capacity(self) -> int:
        """Two bundles a worker thread: as many chunks as that takes (the scheduler keeps
        twice this many in flight)."""
        per = 4
        if self._chunk_units:
            op, size = next(reversed(self._chunk_units.items()))
            rate = self._rates.get(op, FIRST_RATE)
            per = max(1, min(MAX_BUNDLE, int(rate * TARGET_SECONDS / max(size, 1.0))))
        return self._threads * per

    def submit(self, spec: ChunkSpec) -> None:
        if self.broken is not None:
            self._outcomes.put(ExecutorBroken(spec.chunk_id, self.broken))
            return
        if spec.job_id not in self._checked:
            self._checked = {spec.job_id: self._visibility(_sample(spec))}
        problem = self._checked[spec.job_id]
        if problem is not None:
            self._outcomes.put(ExecutorBroken(spec.chunk_id, problem))
            return
        spec = _absolute(spec)
        if self.path_map:
            spec = _to_remote(spec, self.path_map)
        size = float(units(spec))
        old = self._chunk_units.pop(spec.op_name, size)
        self._chunk_units[spec.op_name] = 0.8 * old + 0.2 * size
        self._pending.append(spec)

    def _flush(self) -> None:
        """Turn submitted chunks into Dask tasks: full bundles at once, the rest only while a
        worker thread would otherwise wait (spread over the idle ones)."""
        pending = self._pending
        while pending:
            free = 2 * self._threads - len(self._bundles)
            if pending[0].attempt > 1:  # a retry runs alone: it may crash its worker again
                self._send([pending.pop(0)])
                continue
            rate = self._rates.get(pending[0].op_name)
            if rate is None:
                # How fast this operation goes is not known yet (hashing is 1 GB/s, a photo
                # 30 MB/s, a command anything): one chunk a task, to idle threads only, until
                # the first results tell; a guess could put minutes of work in one task.
                if free <= 0:
                    return
                self._send([pending.pop(0)])
                continue
            target = rate * TARGET_SECONDS
            alone = rate * ALONE_SECONDS  # a chunk this big is a task of its own
            total, n, full = 0, 0, False
            while n < len(pending) and n < MAX_BUNDLE and pending[n].attempt == 1:
                size = units(pending[n])
                if n and size >= alone:
                    full = True  # it waits for the next task
                    break
                total += size
                n += 1
                if total >= target or size >= alone:
                    full = True
                    break
            if not full and n == len(pending):
                if free <= 0:
                    return
                n = max(1, -(-n // free))  # spread over the idle threads
            self._send(pending[:n])
            del pending[:n]

    def _send(self, specs: list[ChunkSpec]) -> None:
        key = f"{self.token}-{next(self._keys)}"
        bundle = _Bundle(key, specs)
        with self._lock:
            self._bundles[key] = bundle
            for s in specs:
                self._bundle_of[s.chunk_id] = bundle
        try:
            bundle.future = self._client.submit(
                dask_worker.run_bundle, self.token, specs, key=key, pure=False, retries=0
            )
        except Exception as e:
            self._broken(f"the Dask scheduler cannot take work: {type(e).__name__}: {e}")
            return
        bundle.future.add_done_callback(lambda f, b=bundle: self._on_done(b, f))

    def wait(self, timeout: float) -> list[Outcome]:
        self._flush()
        return drain(self._outcomes, timeout)

    def busy(self) -> list[Busy]:
        with self._lock:
            return [
                Busy(self._slots[b.worker], b.pid, b.chunk, b.pos, b.beat)
                for b in self._bundles.values()
                if b.worker is not None and not b.ended and b.chunk >= 0
            ]

    def kill(self, slot: int, reason: str) -> None:
        with self._lock:
            running = [
                b
                for b in self._bundles.values()
                if b.worker is not None and not b.ended and self._slots[b.worker] == slot
            ]
        for b in running:
            self._end_worker(b)
            self._lost(b)

    def _end_worker(self, b: _Bundle) -> None:
        if self._cluster is not None and b.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(b.pid, signal.SIGKILL)
            b.killed = -signal.SIGKILL
        else:  # a user's cluster: the worker ends itself (its nanny starts another)
            with contextlib.suppress(Exception):
                self._client.run(dask_worker.exit_now, workers=[b.address], wait=False)

    def cancel_queued(self, chunk_ids: Iterable[int]) -> list[int]:
        ids = set(chunk_ids)
        taken = [s.chunk_id for s in self._pending if s.chunk_id in ids]
        self._pending = [s for s in self._pending if s.chunk_id not in ids]
        with self._lock:
            idle = [
                b
                for b in self._bundles.values()
                if b.worker is None and not b.ended and all(s.chunk_id in ids for s in b.specs)
            ]
            for b in idle:
                self._forget(b)
        for b in idle:
            self._cancel_future(b)
            taken.extend(s.chunk_id for s in b.specs)
        return taken

    def request_cancel(self, job_id: int) -> None:
        with contextlib.suppress(Exception):  # a lost scheduler: nothing runs there anyway
            name = dask_worker.cancel_name(self.token, job_id)
            distributed().Event(name, client=self._client).set()

    def set_paused(self, paused: bool) -> None:
        with contextlib.suppress(Exception):
            if paused:
                self._pause.set()
            else:
                self._pause.clear()

    def drain_progress(self, deadline: float) -> list[tuple[int, int, int]]:
        out = []
        pop = self._progress.popleft
        try:
            while True:
                out.append(pop())
                if len(out) % 256 == 0 and time.monotonic() > deadline:
                    break
        except IndexError:
            pass
        return out

    def worker_pids(self) -> list[int]:
        """The local cluster's worker processes (a user's cluster: none here)."""
        if self._cluster is None or self._client is None:
            return []
        with contextlib.suppress(Exception):
            return sorted(self._client.run(os.getpid).values())
        return []

    def all_worker_pids(self) -> list[int]:
        return self.worker_pids()

    # --- what comes back ---------------------------------------------------------------------
    def _on_event(self, event: tuple[float, list[Any]]) -> None:
        """A worker event (on the client's event loop): progress, and where each bundle is."""
        msg = event[1]
        index = msg[dask_worker.EV_INDEX]
        if index >= 0:
            self._progress.append((msg[dask_worker.EV_JOB], index, msg[dask_worker.EV_DONE]))
        rerun = None
        with self._lock:
            b = self._bundle_of.get(msg[dask_worker.EV_CHUNK])
            if b is None or b.ended:
                return
            worker = (msg[dask_worker.EV_PID], msg[dask_worker.EV_THREAD])
            if b.worker is not None and b.worker != worker:
                rerun = b  # Dask reran it elsewhere: its first worker was lost (or its result)
            else:
                if b.worker is None:
                    b.worker = worker
                    b.pid = worker[0]
                    b.address = msg[dask_worker.EV_ADDRESS]
                    self._slots.setdefault(worker, len(self._slots))
                b.chunk = msg[dask_worker.EV_CHUNK]
                b.pos = msg[dask_worker.EV_POS]
                b.beat += 1
        if rerun is not None:  # the first run's last event says where it was only if precise
            self._lost(rerun, blame=all(s.attempt > 1 for s in rerun.specs))

    def _on_done(self, b: _Bundle, future: Any) -> None:
        """The task ended (in Dask's callback thread)."""
        with self._lock:
            if b.ended:
                return
        status = future.status
        if status == "finished":
            try:
                seconds, results = future.result()
            except Exception as e:  # the result could not be fetched
                self._errored(b, f"{type(e).__name__}: {e}")
                return
            try:
                local = [self._to_local(r) for r in results]
            except Exception as e:  # a bug here must fail the chunks, not leave them waiting
                self._errored(b, f"{type(e).__name__}: {e}")
                return
            self._learn(b, seconds)
            with self._lock:
                self._forget(b)
            for spec, result in zip(b.specs, local, strict=True):
                self._outcomes.put(ChunkDone(spec.chunk_id, result))
            return
        if status == "cancelled":
            self._broken(f"the Dask scheduler at {self.address.text} was lost")
            return
        error = future.exception()
        if isinstance(error, distributed().KilledWorker):
            # A task whose result was lost with its worker is rerun without a failure counted;
            # if it is lost again before it starts, its old events say nothing about this loss.
            last = getattr(getattr(error, "last_worker", None), "address", None)
            self._lost(b, blame=last is None or last == b.address)
        else:
            self._errored(b, f"{type(error).__name__}: {error}")

    def _learn(self, b: _Bundle, seconds: float) -> None:
        """The operation's rate (work units a second of one thread), from its bundles' times;
        short ones say little (mostly fixed costs): they count only, added up, while the rate is
        not known yet."""
        old = self._rates.get(b.op_name)
        if old is not None and seconds < LEARN_SECONDS:
            return
        work, took = self._unlearnt.pop(b.op_name, (0, 0.0))
        work, took = work + b.units, took + seconds
        if took < LEARN_SECONDS:
            self._unlearnt[b.op_name] = (work, took)
            return
        rate = work / took
        self._rates[b.op_name] = rate if old is None else 0.6 * old + 0.4 * rate

    def _forget(self, b: _Bundle) -> None:
        """Under the lock: the bundle's outcomes are given (or it is withdrawn)."""
        b.ended = True
        self._bundles.pop(b.key, None)
        for s in b.specs:
            if self._bundle_of.get(s.chunk_id) is b:
                del self._bundle_of[s.chunk_id]

    def _lost(self, b: _Bundle, *, blame: bool = True) -> None:
        """The bundle's worker is gone: every chunk comes back as WorkerLost, with the
        position its events last gave (chunks before it were processed, those after not);
        without ``blame``, as never started (all resubmitted, nobody blamed)."""
        with self._lock:
            if b.ended:
                return
            self._forget(b)
        self._cancel_future(b)  # a rerun Dask started by itself is dropped
        chunks = [s.chunk_id for s in b.specs]
        seen = chunks.index(b.chunk) if blame and b.chunk >= 0 else 0
        if not blame:
            b.pos = -1
        for k, spec in enumerate(b.specs):
            pos = len(spec.tasks) if k < seen else (b.pos if k == seen else -1)
            self._outcomes.put(WorkerLost(spec.chunk_id, b.pid, b.killed, pos, None))

    def _to_local(self, result: Any) -> Any:
        """A chunk's result (:data:`core.worker.ChunkResult`) with this computer's paths in its
        outputs and messages."""
        pm = self.path_map
        if not pm:
            return result
        out = list(result)  # statuses, values, messages, outputs, kinds, then per-file texts
        for i, part in enumerate(out):
            if i >= 2 and isinstance(part, dict):
                turn = pm.to_local if i == 3 else pm.local_text
                out[i] = {k: turn(v) for k, v in part.items()}
        return tuple(out)

    def _errored(self, b: _Bundle, error: str) -> None:
        error = self.path_map.local_text(error)
        with self._lock:
            self._forget(b)
        for spec in b.specs:
            self._outcomes.put(ChunkError(spec.chunk_id, error))

    def _broken(self, reason: str) -> None:
        """The scheduler is gone: everything in flight, and all that comes, is broken."""
        self.broken = self.broken or reason
        with self._lock:
            gone = list(self._bundles.values())
            for b in gone:
                self._forget(b)
        for b in gone:
            for spec in b.specs:
                self._outcomes.put(ExecutorBroken(spec.chunk_id, self.broken))

    def _cancel_future(self, b: _Bundle) -> None:
        """Cancel the bundle's Dask future, unless the client is closed or closing."""
        with self._cancelling:
            if self._closed:
                return
            with contextlib.suppress(Exception):
                b.future.cancel()

    # --- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Disconnect; the app's own cluster is shut down (no worker process is left)."""
        with self._cancelling:  # a cancel in progress ends first; none starts after this
            if self._closed:
                return
            self._closed = True
        client, cluster = self._client, self._cluster
        if client is not None:
            with self._lock:
                for b in self._bundles.values():
                    b.ended = True  # the callbacks of cancelled futures change nothing now
            with contextlib.suppress(Exception):
                client.unsubscribe_topic(self.token)
            with contextlib.suppress(Exception):
                client.close(timeout=CONNECT_TIMEOUT)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=CONNECT_TIMEOUT)


def _sample(spec: ChunkSpec) -> list[str]:
    """Up to SAMPLE inputs of the chunk, spread over it."""
    tasks = spec.tasks
    step = max(1, len(tasks) // SAMPLE)
    return [t.path for t in tasks[::step][:SAMPLE]]


def _absolute(spec: ChunkSpec) -> ChunkSpec:
    """The spec with absolute paths: a worker's current folder is not the app's."""
    tasks = spec.tasks
    if all(os.path.isabs(t.path) and (not t.output or os.path.isabs(t.output)) for t in tasks):
        return spec
    absolute = os.path.abspath
    fixed = tuple(
        Task(
            t.index,
            absolute(t.path),
            t.size,
            absolute(t.output) if t.output else t.output,
            t.expected,
            t.mtime_ns,
        )
        for t in tasks
    )
    return ChunkSpec(spec.job_id, spec.chunk_id, spec.attempt, spec.op_name, spec.options, fixed)


def _to_remote(spec: ChunkSpec, path_map: PathMap) -> ChunkSpec:
    """The spec (absolute paths) with its inputs and outputs as the workers see them."""
    remote = path_map.to_remote
    fixed = tuple(
        Task(
            t.index,
            remote(t.path),
            t.size,
            remote(t.output) if t.output else t.output,
            t.expected,
            t.mtime_ns,
        )
        for t in spec.tasks
    )
    return ChunkSpec(spec.job_id, spec.chunk_id, spec.attempt, spec.op_name, spec.options, fixed)
