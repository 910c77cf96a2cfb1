"""Code that runs inside a worker process: the Pool initializer and the per-chunk function.

Imported by spawned workers, so it (and everything it imports) stays light and Qt-free. Workers
report through the progress Queue they received once from the pool initializer (a Queue cannot be
an ``apply_async`` argument), and record where they are in their row of the pool's shared table
(:mod:`core.procpool`), so the parent can tell which file a dead or silent worker was on. The
table's header carries the cancel and pause flags: plain words, no lock a dying worker could keep.
"""

from __future__ import annotations

import array
import contextlib
import mmap
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from core import messages as M
from core import operations
from core.errors import describe_error, error_kind
from core.errors import file_kind as _kind
from core.executor.table import CANCELLED_JOB, PAUSED, ROW_BEAT, ROW_POS, WORKER_NICENESS
from core.i18n import english
from core.logsetup import ensure_std_streams
from core.outputs import atomic_write
from core.records import (
    RUNNING_MSG,
    Cancelled,
    FileError,
    FileSkipped,
    Kind,
    Record,
    Status,
    Task,
    TaskColumns,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

# Blocks of 128 KiB stay in the CPU's L2 cache between read and hash: measured here, sha256 runs
# at 1,190 MB/s a core with them against 860 MB/s with 1 MiB blocks. Cancel is still checked
# about every MiB.
BLOCK_SIZE = 128 * 1024
CANCEL_EVERY = 8  # blocks
REPORT_INTERVAL = 0.2  # seconds between progress messages from one worker
ANNOUNCE_SIZE = 4 * 1024 * 1024  # files this big announce themselves as soon as they start

# The shared table's layout (one writer per word, no lock): see core/executor/table.py.
PAUSE_POLL = 0.1  # seconds between looks at the pause flag while paused (no CPU in between)

MAP_MIN_SIZE = 8 * 1024 * 1024  # files this big are memory-mapped (see Context._mapped_blocks)
MAP_STEP = 1024 * 1024  # mapped bytes per block: cancel and progress every MiB, as for reads

_mmap_ok = hasattr(mmap, "MADV_SEQUENTIAL") or os.name == "nt"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_readv: Callable[[int, list[memoryview]], int] | None = getattr(os, "readv", None)

_queue: Any = None


def init_worker(progress_queue: Any) -> None:
    """Pool initializer: keep the shared progress Queue; ignore Ctrl-C and hang-ups.

    A terminal's Ctrl-C (and its closing, SIGHUP) reaches the whole process group; the parent
    alone coordinates the cancel, and workers stop when it says so.
    """
    global _queue
    ensure_std_streams()  # a windowed frozen app on Windows has no stdout/stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if hasattr(os, "nice"):
        # Below the app's own priority: the window (or the command line feeding the workers)
        # gets a core as soon as it needs one, and so do other programs; the workers still use
        # every idle cycle.
        with contextlib.suppress(OSError):
            # Absolute, not os.nice(): the pool may have lowered it already, as the process
            # started (see core.procpool), and the worker must not go lower still.
            target = min(os.getpriority(os.PRIO_PROCESS, os.getppid()) + WORKER_NICENESS, 19)
            os.setpriority(os.PRIO_PROCESS, 0, max(target, os.getpriority(os.PRIO_PROCESS, 0)))
    import multiprocessing  # here: a job run in this process (core.executor.inline) skips it

    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with_parent, args=(parent.sentinel,), name="parent-watch", daemon=True
        ).start()
    _queue = progress_queue


def _exit_with_parent(sentinel: int) -> None:
    """End this worker when the app dies without shutting the pool down (killed, crashed).

    A Pool worker holds both ends of its task pipe, so it would never see the parent go and
    would wait for tasks forever: an orphan. The parent's sentinel becomes ready when it exits.
    """
    import multiprocessing.connection

    multiprocessing.connection.wait([sentinel])
    os._exit(0)


class ChunkSpec(Record):
    """Everything one ``run_chunk`` call needs; picklable and small."""

    __slots__ = ("job_id", "chunk_id", "attempt", "op_name", "options", "tasks")

    def __init__(
        self,
        job_id: int,
        chunk_id: int,
        attempt: int,
        op_name: str,
        options: Any,
        tasks: Sequence[Task],
    ) -> None:
        self.job_id = job_id
        self.chunk_id = chunk_id
        self.attempt = attempt
        self.op_name = op_name
        self.options = options
        self.tasks = tasks

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The tasks travel as columns of plain values: lists of ints and strings pickle in C,
        # where one reduce call per Task would cost the parent a Python call per file.
        tasks = self.tasks
        head = (self.job_id, self.chunk_id, self.attempt)
        if type(tasks) is TaskColumns:  # a slice of the job's columns: they are the columns
            rows = range(tasks.start, tasks.start + len(tasks))
            plain = (rows, tasks.paths, tasks.sizes, tasks.mtimes)
            return _chunk_spec, (head, self.op_name, self.options, plain, None, None)
        outputs = [t.output for t in tasks] if any(t.output for t in tasks) else None
        expected = [t.expected for t in tasks] if any(t.expected for t in tasks) else None
        columns = (
            [t.index for t in tasks],
            [t.path for t in tasks],
            [t.size for t in tasks],
            [t.mtime_ns for t in tasks],
        )
        return _chunk_spec, (head, self.op_name, self.options, columns, outputs, expected)


def _chunk_spec(
    head: tuple[int, int, int],
    op_name: str,
    options: Any,
    columns: tuple[Sequence[int], Sequence[str], Sequence[int], Sequence[int]],
    outputs: list[str | None] | None,
    expected: list[str | None] | None,
) -> ChunkSpec:
    indices, paths, sizes, mtimes = columns
    n = len(indices)
    no = [None] * n
    tasks = tuple(map(Task, indices, paths, sizes, outputs or no, expected or no, mtimes))
    return ChunkSpec(*head, op_name, options, tasks)


class _Unshared:
    """The table of a context used outside a pool (tests, in-process runs): never cancelled."""

    def __getitem__(self, i: int) -> int:
        return -1  # below every job id: never cancelled

    def __setitem__(self, i: int, v: int) -> None:
        pass


def _changed(before: os.stat_result, after: os.stat_result) -> bool:
    return before.st_size != after.st_size or before.st_mtime_ns != after.st_mtime_ns


class Context:
    """The :class:`core.operations.base.WorkerContext` of one worker process.

    ``table`` is the pool's shared table and ``row`` the first word of this worker's row; without
    them (outside a pool) nothing is ever cancelled and nothing is recorded.
    """

    def __init__(
        self,
        job_id: int,
        queue: Any,
        table: Any = None,
        row: int = 0,
        *,
        map_large: bool = True,
    ) -> None:
        self.job_id = job_id
        self._queue = queue
        self._table: Any = table if table is not None else _Unshared()
        self._beat = row + ROW_BEAT
        # Memory-map large files (see _mapped_blocks); off when retrying a chunk after a crash.
        self.map_large = map_large and _mmap_ok
        self._buf = bytearray(BLOCK_SIZE)
        self._view = memoryview(self._buf)
        self._index = -1
        self._last_report = 0.0

    def begin(self, task: Task) -> None:
        """Before each file: look at the cancel and pause flags, beat, and announce the file if
        it is big or progress is due."""
        table = self._table
        if table[CANCELLED_JOB] >= self.job_id:
            raise Cancelled()
        if table[PAUSED] > 0:
            self._wait_while_paused()
        table[self._beat] += 1
        self._index = task.index
        now = time.monotonic()
        if task.size >= ANNOUNCE_SIZE or now - self._last_report >= REPORT_INTERVAL:
            self._send(0, now)

    def restart(self) -> None:
        """A new job: report progress at its first file."""
        self._last_report = 0.0

    def _send(self, done: int, now: float) -> None:
        self._last_report = now
        if self._queue is not None:
            self._queue.put((RUNNING_MSG, self.job_id, self._index, done))

    def check_cancel(self) -> None:
        """Raise Cancelled if the job was cancelled, wait while it is paused, and beat for the
        watchdog. Operations call it between blocks (the block readers here already do)."""
        table = self._table
        if table[CANCELLED_JOB] >= self.job_id:
            raise Cancelled()
        if table[PAUSED] > 0:
            self._wait_while_paused()
        table[self._beat] += 1

    def paused(self) -> bool:
        """Whether the job is paused now (no wait, no beat): an operation that started a
        process looks here to stop it before :meth:`check_cancel` waits out the pause."""
        return bool(self._table[PAUSED] > 0)

    def _wait_while_paused(self) -> None:
        """Paused: sleep (no CPU) until resumed or cancelled. The beat does not move, and the
        parent's watchdog does not count time while the job is paused. A cancel ends a pause
        (the flag is cleared after the cancel is written): it raises here, and nothing runs
        on in between (a stopped command is ended still stopped)."""
        table = self._table
        while table[PAUSED] > 0:
            if table[CANCELLED_JOB] >= self.job_id:
                raise Cancelled()
            time.sleep(PAUSE_POLL)
        if table[CANCELLED_JOB] >= self.job_id:
            raise Cancelled()

    def report_bytes(self, done: int) -> None:
        self._table[self._beat] += 1
        now = time.monotonic()
        if now - self._last_report >= REPORT_INTERVAL:
            self._send(done, now)

    def _open_fd(self, path: str) -> tuple[int, os.stat_result]:
        """(descriptor, status) of a regular file opened for reading."""
        # O_NONBLOCK: a FIFO swapped in after the scan must not block the open; it is refused below.
        # O_NONBLOCK has no effect on reads of a regular file, so it can stay set.
        fd = os.open(path, _OPEN_FLAGS)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise FileSkipped(english(M.NOT_REGULAR, kind=_kind(st.st_mode)), Kind.NOT_REGULAR)
        except BaseException:
            os.close(fd)
            raise
        return fd, st

    def open_source(self, path: str) -> IO[bytes]:
        fd, _st = self._open_fd(path)
        try:
            return os.fdopen(fd, "rb", buffering=0)
        except BaseException:
            os.close(fd)
            raise

    def read_blocks(self, f: IO[bytes]) -> Iterator[memoryview]:
        """The file's blocks; raises FileError if it changed (size, mtime) while being read."""
        fd = f.fileno()
        before = os.fstat(fd)
        yield from self._blocks(f.readinto)  # type: ignore[attr-defined]
        if _changed(before, os.fstat(fd)):
            raise FileError(_CHANGED, Kind.CHANGED)

    def source_blocks(self, path: str) -> Iterator[memoryview]:
        """``open_source`` and ``read_blocks`` in one, on a bare file descriptor: no file object
        per file, which counts when a batch is 100,000s of small files. Raises FileError if the
        file changed (grew, shrank, was rewritten) while it was read."""
        fd, st = self._open_fd(path)
        try:
            size = st.st_size
            if size >= MAP_MIN_SIZE and self.map_large:
                mapped = self._mapped_blocks(fd, size)
                if mapped is not None:
                    yield from mapped
                    if _changed(st, os.fstat(fd)):
                        raise FileError(_CHANGED, Kind.CHANGED)
                    return
            if _readv is None:  # Windows has no readv
                with os.fdopen(os.dup(fd), "rb", buffering=0) as f:
                    yield from self._blocks(f.readinto)  # type: ignore[attr-defined]
            else:
                view = self._view
                bufs = [view]
                n = _readv(fd, bufs)
                if 0 < size <= n < len(view):  # the whole of a small file in one read, as usual
                    yield view[:n]
                elif n:  # more to read (a large file, or one that grew): block by block on
                    yield view if n == len(view) else view[:n]
                    if not n < len(view) or n < size or not size:
                        read = lambda _view: _readv(fd, bufs)  # noqa: E731
                        yield from self._blocks(read, size, n)  # type: ignore[misc]
            if _changed(st, os.fstat(fd)):
                raise FileError(_CHANGED, Kind.CHANGED)
        finally:
            os.close(fd)

    def _mapped_blocks(self, fd: int, size: int) -> Iterator[memoryview] | None:
        """A large file read straight from the page cache through a memory map: no copy into
        the buffer, which hashes two large files on two cores 12% faster here.

        A file truncated while mapped kills the worker with SIGBUS instead of a short read; the
        engine then retries the file once without mapping (``map_large`` off), which reads
        whatever the file holds by then. None if the file cannot be mapped (read it instead).
        """
        try:
            m = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an unmappable file system, or truncated to empty
            return None
        if hasattr(m, "madvise"):
            m.madvise(mmap.MADV_SEQUENTIAL)
        return self._map_steps(m, min(size, len(m)))

    def _map_steps(self, m: mmap.mmap, size: int) -> Iterator[memoryview]:
        view = memoryview(m)
        try:
            for off in range(0, size, MAP_STEP):
                if off:
                    self.check_cancel()
                    self.report_bytes(off)
                block = view[off : off + MAP_STEP]
                yield block
                block.release()
        finally:
            try:
                view.release()
                m.close()
            except BufferError:  # the caller kept a block past its turn: leave it to the GC
                pass

    def _blocks(
        self, readinto: Callable[[memoryview], int], size: int = 0, done: int = 0
    ) -> Iterator[memoryview]:
        """The blocks ``readinto`` gives. ``size``: the file's size when it was opened; a short
        read that reaches it is the end (no read more to see nothing come: a small file costs
        one read, not two). A file that grew meanwhile is caught by the caller's look at its
        size and time after reading; a size of 0 (``/proc`` files) means read to the end.
        ``done``: bytes the caller read (and gave out) already, in one block."""
        view, blocks = self._view, (1 if done else 0)
        full = len(view)
        while True:
            # begin() looked at cancel just before the file; here about every MiB after that.
            if blocks and blocks % CANCEL_EVERY == 0:
                self.check_cancel()
                self.report_bytes(done)
            n = readinto(view)
            if not n:
                return
            done += n
            blocks += 1
            yield view if n == BLOCK_SIZE else view[:n]
            if n < full and done >= size > 0:
                return

    def atomic_output(self, final_path: str) -> AbstractContextManager[IO[bytes]]:
        return atomic_write(final_path)


_CHANGED = M.CHANGED_WHILE_READ


# What a chunk sends back: each file's status (one byte per file, in chunk order), value, the
# messages and outputs of the files that have one (by position), each file's Kind (one byte
# per file), the details of the files that have one (see FileResult.detail), each file's
# running time (float32 seconds, packed) and which worker ran the chunk. Plain built-in types
# pickle many times faster than a record per file, and the parent reads 100,000s of them.
ChunkResult = tuple[
    bytes,
    list[str],
    dict[int, str] | None,
    dict[int, str] | None,
    bytes,
    dict[int, str] | None,
    bytes,
    str,
]

WORKER_NAME: str | None = None
"""Who ran a chunk, in its result: this process's pid (a cluster's worker sets host:pid)."""


def worker_name() -> str:
    global WORKER_NAME
    if WORKER_NAME is None:
        WORKER_NAME = str(os.getpid())
    return WORKER_NAME


_context: Context | None = None


def _worker_context(spec: ChunkSpec) -> Context:
    """This worker's context, kept from chunk to chunk (its buffer and its report clock)."""
    global _context
    if _context is None:
        from core import procpool

        table, row, _header = procpool.worker_row()
        _context = Context(spec.job_id, _queue, table, row)
    ctx = _context
    if ctx.job_id != spec.job_id:
        ctx.job_id = spec.job_id
        ctx.restart()
    # A retried chunk (its worker crashed) reads without memory maps: see Context._mapped_blocks.
    ctx.map_large = spec.attempt == 1 and _mmap_ok
    return ctx


def run_file(
    op: Any, task: Task, options: Any, ctx: Context
) -> tuple[int, str, str, str | None, int, str]:
    """Process one file; every per-file outcome becomes (status, value, message, output, kind,
    detail)."""
    try:
        ctx.begin(task)
        out = op.process(task, options, ctx)
        return Status.DONE, out.value, out.message, out.output, out.kind, ""
    except Cancelled:
        return Status.CANCELLED, "", "cancelled", None, Kind.CANCELLED_RUNNING, ""
    except FileSkipped as e:
        return Status.SKIPPED, "", str(e), None, e.kind, ""
    except FileError as e:
        return Status.FAILED, "", str(e), None, e.kind, e.detail
    except Exception as e:  # one bad file never stops the batch
        if not isinstance(e, OSError | MemoryError):
            import traceback  # only for bugs: not worth its import time at every worker start

            traceback.print_exc()
        return Status.FAILED, "", describe_error(e), None, error_kind(e), ""


def run_chunk(spec: ChunkSpec) -> ChunkResult:
    """Process a chunk file by file; the top-level function ``apply_async`` runs."""
    from core import procpool

    table, row, _header = procpool.worker_row()
    return run_tasks(spec, _worker_context(spec), table, row + ROW_POS)


def run_tasks(spec: ChunkSpec, ctx: Context, table: Any, pos_word: int) -> ChunkResult:
    """The chunk's files in order, each one's position written to ``table[pos_word]`` as it
    starts (the chunk's length once all are processed): the loop every executor's workers run."""
    op = operations.get(spec.op_name)
    options = spec.options
    statuses = bytearray(len(spec.tasks))
    kinds = bytearray(len(spec.tasks))
    values: list[str] = []
    messages: dict[int, str] | None = None
    outputs: dict[int, str] | None = None
    details: dict[int, str] | None = None
    durations = array.array("f")
    took = durations.append
    clock = time.perf_counter
    for pos, task in enumerate(spec.tasks):
        table[pos_word] = pos
        began = clock()
        status, value, message, output, kind, detail = run_file(op, task, options, ctx)
        took(clock() - began)
        statuses[pos] = status
        kinds[pos] = kind
        values.append(value)
        if message:
            if messages is None:
                messages = {}
            messages[pos] = message
        if output is not None:
            if outputs is None:
                outputs = {}
            outputs[pos] = output
        if detail:
            if details is None:
                details = {}
            details[pos] = detail
    table[pos_word] = len(spec.tasks)
    return (
        bytes(statuses),
        values,
        messages,
        outputs,
        bytes(kinds),
        details,
        durations.tobytes(),
        worker_name(),
    )
