"""A spawn-context process pool with ``multiprocessing.Pool``'s ``apply_async`` shape that no
worker fault can hang.

Why not ``multiprocessing.Pool`` (measured here, CPython 3.11): its workers share one task queue
and one result queue, each guarded by a cross-process lock. A worker killed while idle dies
holding the task queue's lock, one killed while sending a result holds the result queue's lock,
and ``Pool.terminate()`` then waits for that lock forever; ``terminate()`` also joins workers it
only sent SIGTERM, so a stopped (SIGSTOP) worker hangs it too; and an ``AsyncResult`` of a killed
worker never completes (bpo-22393). None of that can be fixed from outside the Pool.

Here every worker has a pipe of its own and a thread in the parent that feeds it one task at a
time, so nothing is shared that a dying worker could leave locked:

- a worker that dies (killed, crashed, ``os._exit``) fails only the task it held, with
  :class:`WorkerLost` (its pid, exit code and its row of the shared table as it was), and is
  replaced by a fresh process on the same slot;
- :meth:`ProcessPool.kill` and :meth:`ProcessPool.terminate` use SIGKILL, which ends stopped
  processes too, and every wait is bounded;
- on Linux each worker gets SIGKILL when its slot thread (the one that started it) ends, so no
  worker outlives the app, even a stopped one (``PR_SET_PDEATHSIG``);
- workers that die before they are ready, or on their first task before starting it, again and
  again with no task completed meanwhile, mark the pool *broken* (:class:`PoolBroken`): a
  broken installation is told apart from workers killed from outside (by their signal).

A shared table (``RawArray`` of int64: a header, then one row per slot) needs no lock either:
each word has one writer. The progress Queue handed to workers through the initializer is a
:class:`ProgressQueue`: a ``multiprocessing.Queue`` without its cross-process write lock (see
there). This module knows nothing of jobs or files; :mod:`core.worker` gives the words meaning.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.queues
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from core import messages as M
from core.i18n import english

START_TIMEOUT = 60.0  # seconds a new worker may take to import and initialize
EXIT_TIMEOUT = 2.0  # seconds to wait for a killed process to be reaped
IDLE_CHECK = 0.5  # seconds between looks at whether an idle worker is still alive
INIT_FAILED = 3  # exit code of a worker whose initializer raised
MAX_BROKEN_STARTS = 3  # workers in a row that die by themselves before they are ready
MAX_KILLED_STARTS = 30  # ... or are killed from outside before they are ready
# Signals that mean "killed from outside" (a user, a test, the OOM killer), not a broken install.
EXTERNAL_SIGNALS = frozenset(
    getattr(signal, name)
    for name in ("SIGKILL", "SIGTERM", "SIGINT", "SIGHUP")
    if hasattr(signal, name)
)


class WorkerLost(Exception):
    """The worker running a task ended before it returned a result.

    ``code`` is its exit code (negative: the signal), ``row`` its row of the shared table as it
    was when it died, ``reason`` the tag given to :meth:`ProcessPool.kill` when the pool itself
    killed it (``None`` when it died of something else).
    """

    def __init__(self, pid: int, code: int | None, row: tuple[int, ...], reason: str | None):
        super().__init__(pid, code, row, reason)
        self.pid = pid
        self.code = code
        self.row = row
        self.reason = reason


class PoolBroken(Exception):
    """Worker processes cannot start (they die before they are ready); ``str()`` says why."""


class RemoteError(Exception):
    """A task raised something that could not be sent back as itself."""


class _NoLock:
    """Stands in for a Queue's write lock: acquiring it always succeeds at once."""

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        return True

    def release(self) -> None:
        pass


class ProgressQueue(multiprocessing.queues.Queue):  # type: ignore[type-arg]
    """A ``multiprocessing.Queue`` whose writers take no cross-process lock.

    ``Queue`` guards its pipe's write end with a shared lock, and a worker killed while holding
    it would silence every other worker for good. Progress messages are small tuples, far below
    ``PIPE_BUF`` (4096 bytes), and a pipe write that small is atomic on POSIX: messages cannot
    interleave or be cut, so the lock guards nothing. Only the parent reads (its read lock stays).
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx=ctx)
        if sys.platform != "win32":  # Windows writes whole messages through its own pipe API
            self._wlock = _NoLock()


def _lower_priority(pid: int | None) -> None:
    """Give a worker that is starting its lower priority at once, not once it has imported
    everything: booting workers then do not slow the app listing the files they will work on
    (measured: a window's 20,000-file listing took 0.30 s beside them, 0.2 s alone)."""
    set_priority = getattr(os, "setpriority", None)
    if pid is None or set_priority is None:
        return
    from core.executor.table import WORKER_NICENESS

    with contextlib.suppress(OSError):
        own = os.getpriority(os.PRIO_PROCESS, 0)
        set_priority(os.PRIO_PROCESS, pid, min(own + WORKER_NICENESS, 19))


def ensure_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (once) with SIGHUP blocked.

    The tracker shares the app's process group and ignores only SIGINT and SIGTERM: closing the
    terminal (SIGHUP to the group) would kill it, and its replacement then prints tracebacks
    for every semaphore it never saw. A blocked signal stays blocked across exec, and the
    tracker unblocks only the two it ignores. Thread-safe (the mask is per thread)."""
    if not hasattr(signal, "pthread_sigmask") or not hasattr(signal, "SIGHUP"):
        return
    from multiprocessing import resource_tracker

    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
    try:
        resource_tracker.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --- the worker process ----------------------------------------------------------------------

_table: memoryview | None = None  # in a worker: the shared table
_slot = -1  # in a worker: its slot
_row_words = 0
_header_words = 0


def worker_row() -> tuple[memoryview, int, int]:
    """In a worker: (the shared table, the first word of this worker's row, the header size)."""
    assert _table is not None, "not in a worker of a ProcessPool"
    return _table, _header_words + _slot * _row_words, _header_words


def _set_parent_death_signal(parent: int) -> None:
    """Linux: SIGKILL this process when the thread that started it ends (the pool's slot thread,
    which lives as long as the pool). Works on a stopped process, unlike any watch thread.

    Set as the worker's first act; a worker stopped in the moments before (still starting
    Python) and the app then killed would stay stopped until continued, when it exits at once
    (its parent is gone)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(0)


def _worker_main(
    conn: Any,
    parent: int,
    slot: int,
    table: Any,
    layout: tuple[int, int],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    global _table, _slot, _header_words, _row_words
    _set_parent_death_signal(parent)
    _table = memoryview(table).cast("B").cast("q")
    _slot = slot
    _header_words, _row_words = layout
    try:
        if initializer is not None:
            initializer(*initargs)
    except BaseException:
        import traceback

        traceback.print_exc()
        os._exit(INIT_FAILED)
    try:
        conn.send(None)  # ready
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                raise
            except Exception as e:  # the task did not unpickle here (the parent maps the reply)
                conn.send((None, False, RemoteError(f"cannot load the task: {e!r}")))
                continue
            if msg is None:
                break
            task_id, func, args = msg
            try:
                reply: tuple[Any, ...] = (task_id, True, func(*args))
            except Exception as e:
                reply = (task_id, False, e)
            try:
                conn.send(reply)
            except (BrokenPipeError, ConnectionResetError):
                raise
            except Exception as e:  # the result or the exception did not pickle
                conn.send((task_id, False, RemoteError(f"{type(e).__name__}: {e}")))
    except (EOFError, OSError):
        pass  # the parent went away
    # No interpreter shutdown: nothing here needs finalizing, and a Queue's feeder thread could
    # otherwise wait at exit for a parent that no longer reads.
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(0)


# --- the parent side -------------------------------------------------------------------------


class _Task:
    __slots__ = ("task_id", "func", "args", "callback", "error_callback")

    def __init__(
        self,
        task_id: int,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        callback: Callable[[Any], None] | None,
        error_callback: Callable[[BaseException], None] | None,
    ) -> None:
        self.task_id = task_id
        self.func = func
        self.args = args
        self.callback = callback
        self.error_callback = error_callback

    def fail(self, err: BaseException) -> None:
        if self.error_callback is not None:
            _call(self.error_callback, err)

    def succeed(self, value: Any) -> None:
        if self.callback is not None:
            _call(self.callback, value)


def _call(fn: Callable[[Any], None], arg: Any) -> None:
    """Run a callback; one that raises must not end the slot thread (and with it the worker)."""
    try:
        fn(arg)
    except Exception:
        import traceback

        traceback.print_exc()


class _Slot:
    """One worker place: its current process, pipe and task, and the thread that feeds it."""

    __slots__ = ("index", "process", "conn", "task", "kill_reason", "pids", "thread", "started")

    def __init__(self, index: int) -> None:
        self.started = threading.Event()  # its first process was started (or the pool closed)
        self.index = index
        self.process: Any = None
        self.conn: Any = None
        self.task: _Task | None = None
        self.kill_reason: str | None = None
        self.pids: list[int] = []  # every process this slot ever started
        self.thread: threading.Thread | None = None


class ProcessPool:
    """``processes`` spawn-context workers that run ``apply_async`` tasks one at a time each.

    Callbacks run in the pool's threads, as with ``multiprocessing.Pool``: keep them short
    (put the result on a queue). ``row_words`` words per slot and ``header_words`` before them
    form the shared table (:attr:`table`), zeroed at start.
    """

    def __init__(
        self,
        processes: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        header_words: int = 0,
        row_words: int = 0,
        start_timeout: float = START_TIMEOUT,
        max_killed_starts: int = MAX_KILLED_STARTS,
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self.processes = processes
        self._initializer = initializer
        self._initargs = initargs
        self._layout = (header_words, row_words)
        self._start_timeout = start_timeout
        self._max_killed_starts = max_killed_starts
        self._raw = self._ctx.RawArray("q", max(1, header_words + processes * row_words))
        self.table = memoryview(self._raw).cast("B").cast("q")
        self._lock = threading.Condition()
        self._queue: collections.deque[_Task] = collections.deque()
        self._closing = False
        self.broken: str | None = None
        self._bad_starts = 0  # workers in a row that died by themselves before ready
        self._killed_starts = 0  # workers in a row killed from outside before ready
        self.ready = threading.Event()  # set once any worker is ready
        self.ready_count = 0  # processes that became ready, over the pool's life
        self._slots = [_Slot(i) for i in range(processes)]
        try:
            self._start_slots()
        except BaseException:  # a stop signal (KeyboardInterrupt) while the workers start:
            # end the ones started, as a pool nobody holds is never terminated, and one the
            # program left mid-spawn at its exit would fail to read what it was sent.
            self.terminate()
            raise

    def _start_slots(self) -> None:
        for s in self._slots:
            s.thread = threading.Thread(
                target=self._serve, args=(s,), name=f"parabatch-worker-{s.index}", daemon=True
            )
            s.thread.start()
        for s in self._slots:  # processes exist when this returns (they may still be importing)
            s.started.wait(START_TIMEOUT)

    # --- public --------------------------------------------------------------------------
    def apply_async(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...] = (),
        callback: Callable[[Any], None] | None = None,
        error_callback: Callable[[BaseException], None] | None = None,
        *,
        task_id: int = 0,
    ) -> None:
        """Queue ``func(*args)`` for the next free worker. ``task_id`` is written to the slot's
        first word when a worker takes the task (0 if not given)."""
        task = _Task(task_id, func, args, callback, error_callback)
        with self._lock:
            if self._closing or self.broken is not None:
                err: BaseException = PoolBroken(self.broken or M.POOL_SHUT_DOWN)
            else:
                self._queue.append(task)
                self._lock.notify()
                return
        task.fail(err)

    def wait_ready(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` worker processes became ready; False at timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self.ready_count >= count, timeout)

    def cancel_queued(self, task_ids: set[int]) -> list[int]:
        """Take the tasks with these ids off the queue (not started yet); returns their ids."""
        with self._lock:
            kept = [t for t in self._queue if t.task_id not in task_ids]
            removed = [t.task_id for t in self._queue if t.task_id in task_ids]
            self._queue = collections.deque(kept)
        return removed

    def busy(self) -> list[tuple[int, int, int]]:
        """(slot, pid, task id) of every worker running a task now."""
        out = []
        with self._lock:
            for s in self._slots:
                if s.task is not None and s.process is not None and s.kill_reason is None:
                    out.append((s.index, s.process.pid, s.task.task_id))
        return out

    def kill(self, slot: int, reason: str) -> None:
        """SIGKILL the worker on ``slot``; its task fails with ``WorkerLost(reason=reason)``."""
        with self._lock:
            s = self._slots[slot]
            proc = s.process
            if proc is None or s.kill_reason is not None:
                return
            s.kill_reason = reason
        _kill(proc)

    def pids(self) -> list[int]:
        """Live worker processes."""
        with self._lock:
            return [
                s.process.pid
                for s in self._slots
                if s.process is not None and s.process.exitcode is None
            ]

    def all_pids(self) -> list[int]:
        """Every process this pool ever started (for cleaning up what dead ones left)."""
        with self._lock:
            return [pid for s in self._slots for pid in s.pids]

    def terminate(self, timeout: float = EXIT_TIMEOUT) -> None:
        """Kill every worker (SIGKILL: stopped ones too), fail queued tasks, reap. Bounded."""
        self._shutdown(graceful=False, timeout=timeout)

    def close(self, timeout: float = 1.0) -> None:
        """Let idle workers exit on their own, kill what is still there after ``timeout``."""
        self._shutdown(graceful=True, timeout=timeout)

    # --- slot threads --------------------------------------------------------------------
    def _shutdown(self, graceful: bool, timeout: float) -> None:
        with self._lock:
            self._closing = True
            queued, self._queue = list(self._queue), collections.deque()
            self._lock.notify_all()
            procs = [s.process for s in self._slots if s.process is not None]
            if not graceful:
                for s in self._slots:
                    s.kill_reason = s.kill_reason or "shutdown"
        for t in queued:
            t.fail(PoolBroken(M.POOL_SHUT_DOWN))
        if not graceful:
            for p in procs:
                _kill(p)
        deadline = time.monotonic() + timeout
        for s in self._slots:
            if s.thread is not None:
                s.thread.join(max(0.0, deadline - time.monotonic()))
        for s in self._slots:  # whatever did not exit by itself
            p = s.process
            if p is not None and p.exitcode is None:
                _kill(p)
        for s in self._slots:
            if s.thread is not None:
                s.thread.join(EXIT_TIMEOUT)

    def _serve(self, s: _Slot) -> None:
        """Start a worker on this slot, feed it tasks, replace it when it dies."""
        while True:
            with self._lock:
                if self._closing or self.broken is not None:
                    return
            ok = self._start(s)
            if ok:
                self._feed(s)
            self._reap(s)
            if not ok:
                self._after_bad_start()

    def _start(self, s: _Slot) -> bool:
        """Start a process on ``s`` and wait until it is ready. False if it died first."""
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker_main,
            args=(
                child_conn,
                os.getpid(),
                s.index,
                self._raw,
                self._layout,
                self._initializer,
                self._initargs,
            ),
            name=f"parabatch-worker-{s.index}",
            daemon=True,
        )
        with self._lock:
            if self._closing:
                parent_conn.close()
                child_conn.close()
                s.started.set()
                return False
            try:
                proc.start()
            finally:
                s.started.set()
            _lower_priority(proc.pid)
            s.process, s.conn, s.kill_reason = proc, parent_conn, None
            s.pids.append(proc.pid or 0)
        child_conn.close()  # the worker holds the only other end: its death is our EOF
        timed_out = False
        try:
            if parent_conn.poll(self._start_timeout):
                ready = parent_conn.recv() is None
            else:
                ready, timed_out = False, True
        except (EOFError, OSError):
            ready = False  # it died before it was ready
        if not ready:
            if timed_out and s.kill_reason is None:
                s.kill_reason = "start timeout"
            _kill(proc)
            proc.join(EXIT_TIMEOUT)
            self._note_failed_start(proc.exitcode, s.kill_reason)
            return False
        with self._lock:
            self.ready_count += 1
            self._lock.notify_all()
        self.ready.set()
        return True

    def _after_bad_start(self) -> None:
        """Fail the queued tasks if the pool just broke (outside the lock: callbacks)."""
        with self._lock:
            if self.broken is None or not self._queue:
                return
            queued, self._queue = list(self._queue), collections.deque()
        err = PoolBroken(self.broken)
        for t in queued:
            t.fail(err)

    def _note_failed_start(self, code: int | None, reason: str | None) -> None:
        with self._lock:
            if self._closing or reason == "shutdown":
                return
            if code is not None and code < 0 and -code in EXTERNAL_SIGNALS and reason is None:
                self._killed_starts += 1
                if self._killed_starts >= self._max_killed_starts:
                    said = english(M.KILLED_AT_START, exit=_exit_text(code), n=self._killed_starts)
                    self._break(said)
            else:
                self._bad_starts += 1
                if self._bad_starts >= MAX_BROKEN_STARTS:
                    what = M.DID_NOT_START if reason else _exit_text(code)
                    self._break(english(M.STOP_AT_START, exit=what))

    def _break(self, reason: str) -> None:
        """Under the lock: no more workers (the queued tasks fail in _after_bad_start)."""
        self.broken = reason
        self._lock.notify_all()

    def _feed(self, s: _Slot) -> None:
        conn, proc = s.conn, s.process
        header, row = self._layout
        base = header + s.index * row
        table = self.table
        completed = 0  # tasks this process finished
        while True:
            with self._lock:
                while not self._queue and not self._closing and s.kill_reason is None:
                    if self._dead_while_idle(conn):
                        break
                    self._lock.wait(IDLE_CHECK)
                if self._closing or s.kill_reason is not None:
                    task = None
                elif self._dead_while_idle(conn):
                    return  # died while idle: _serve reaps it and starts another
                else:
                    task = self._queue.popleft()
                    s.task = task
                    if row:
                        table[base] = task.task_id
                        table[base + 1] = -1
            if task is None:
                with contextlib.suppress(OSError):
                    conn.send(None)  # exit when idle (a killed one is gone already)
                return
            try:
                conn.send((task.task_id, task.func, task.args))
                reply = conn.recv()
            except (EOFError, OSError):
                snapshot = tuple(table[base : base + row]) if row else ()
                proc.join(EXIT_TIMEOUT)
                with self._lock:
                    s.task = None
                    reason = s.kill_reason
                if not completed and (not row or snapshot[1] == -1) and reason is None:
                    # Died on its first task before even starting it (the task's module killed
                    # it as it loaded, say): for the give-up rule, that is a failed start.
                    self._note_failed_start(proc.exitcode, None)
                task.fail(WorkerLost(proc.pid, proc.exitcode, snapshot, reason))
                self._after_bad_start()
                return
            except BaseException as e:  # the task itself did not pickle
                with self._lock:
                    s.task = None
                task.fail(e)
                continue
            with self._lock:
                s.task = None
                self._bad_starts = self._killed_starts = 0
            completed += 1
            _task_id, ok, value = reply
            if ok:
                task.succeed(value)
            else:
                task.fail(value)

    @staticmethod
    def _dead_while_idle(conn: Any) -> bool:
        """An idle worker never writes, so a readable pipe means it ended (EOF)."""
        try:
            return bool(conn.poll(0))
        except (OSError, EOFError):
            return True

    def _reap(self, s: _Slot) -> None:
        proc, conn = s.process, s.conn
        if proc is not None:
            proc.join(EXIT_TIMEOUT)
            if proc.exitcode is None:
                _kill(proc)
                proc.join(EXIT_TIMEOUT)
        with self._lock:
            s.process = s.conn = None
        if proc is not None:
            with contextlib.suppress(ValueError):  # still running (uninterruptible): let it be
                proc.close()
        if conn is not None:
            conn.close()


def _kill(proc: Any) -> None:
    """SIGKILL (TerminateProcess on Windows): also ends a stopped process."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if proc.exitcode is None:
            proc.kill()


def _exit_text(code: int | None) -> str:
    if code is None:
        return M.NO_EXIT_CODE
    if code < 0:
        try:
            return english(M.EXIT_SIGNAL_NAMED, signal=-code, name=signal.Signals(-code).name)
        except ValueError:
            return english(M.EXIT_SIGNAL, signal=-code)
    return english(M.EXIT_CODE, code=code)
