"""The contract every operation fulfils.

An operation is one module in ``core/operations`` holding a subclass of :class:`Operation`: its
options (a picklable class, such as a frozen dataclass), the pure per-file function that runs
inside a worker process, the parent-side planning and finishing steps, and its command-line
arguments. Register it with one line in ``core/operations/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from operator import attrgetter
from typing import IO, TYPE_CHECKING, Any, ClassVar, Protocol, TextIO

from core.i18n import _
from core.records import (
    FileEntry,
    FileResult,
    Kind,
    Record,
    SkippedEntry,
    Status,
    Task,
    TaskColumns,
)
from core.results import TaskList

_PATH, _SIZE, _MTIME_NS = attrgetter("path"), attrgetter("size"), attrgetter("mtime_ns")
_PIECE = 16384  # entries per C call: a GUI thread waiting for the GIL waits for one piece only


def _file_columns(
    entries: Sequence[FileEntry | SkippedEntry],
) -> tuple[list[str], list[int], list[int]] | None:
    """The paths, sizes and mtime_ns of ``entries`` when none is skipped (else None), a C call
    per column and piece."""
    paths: list[str] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    for k in range(0, len(entries), _PIECE):
        piece = entries[k : k + _PIECE]
        if SkippedEntry in set(map(type, piece)):
            return None
        paths += map(_PATH, piece)
        sizes += map(_SIZE, piece)
        mtimes += map(_MTIME_NS, piece)
    return paths, sizes, mtimes


if TYPE_CHECKING:  # annotations only: worker processes import this module and start faster
    import argparse
    from contextlib import AbstractContextManager


class WorkerContext(Protocol):
    """What a worker offers the per-file function (implemented in ``core/worker.py``)."""

    def open_source(self, path: str) -> IO[bytes]:
        """Open a source read-only; refuses anything that is not a regular file, never blocks."""

    def read_blocks(self, f: IO[bytes]) -> Iterator[memoryview]:
        """Yield the file in blocks of 128 KiB (one reused buffer): reports bytes, checks
        cancel about every MiB. A yielded view is only valid until the next one."""

    def source_blocks(self, path: str) -> Iterator[memoryview]:
        """Open a source as :meth:`open_source` does and yield it as :meth:`read_blocks` does,
        with no file object in between (the fast path for reading a whole file)."""

    def check_cancel(self) -> None:
        """Raise :class:`core.records.Cancelled` if the job was cancelled; wait (no CPU)
        while it is paused."""

    def paused(self) -> bool:
        """Whether the job is paused now, without waiting: an operation running a process of
        its own stops it before :meth:`check_cancel` waits out the pause."""

    def report_bytes(self, done: int) -> None:
        """Tell the progress display how many bytes of the current file are done (throttled)."""

    def atomic_output(self, final_path: str) -> AbstractContextManager[IO[bytes]]:
        """Write to a temporary file beside ``final_path``; it is ``os.replace``d into place only
        when the block exits normally, and removed otherwise."""


class Outcome(Record):
    """What the per-file function returns on success. ``kind``: a remark programs can count (a
    done file that grew when compressed...), :attr:`Kind.NONE` when there is nothing to say."""

    __slots__ = ("value", "output", "message", "kind")

    def __init__(
        self,
        value: str = "",
        output: str | None = None,
        message: str = "",
        kind: Kind = Kind.NONE,
    ) -> None:
        self.value = value
        self.output = output
        self.message = message
        self.kind = kind


class Plan(Record):
    """The parent-side plan of a job.

    ``tasks`` holds one task per row of the job, ``tasks[i].index == i``. Rows settled before
    Start (a FIFO skipped by discovery, an output that exists under the "skip" policy) have their
    final result in ``settled`` and are not run. ``notes`` are warnings to show before the run.
    ``remarks``: what the plan decided for rows that will run (row -> Kind, such as
    :attr:`Kind.RENAMED`); a row that ends done carries it as its kind, so the job can report
    what happened to the files that really were processed, not what was planned.
    """

    __slots__ = ("tasks", "settled", "notes", "remarks")

    def __init__(
        self,
        tasks: list[Task] | TaskList | TaskColumns,
        settled: list[FileResult] | None = None,
        notes: list[str] | None = None,
        remarks: dict[int, Kind] | None = None,
    ) -> None:
        self.tasks = tasks
        self.settled = settled if settled is not None else []
        self.notes = notes if notes is not None else []
        self.remarks = remarks if remarks is not None else {}


class ChunkLimits(Record):
    """How the planner groups this operation's files (small files share a chunk): at most
    ``max_files`` files and ``max_bytes`` bytes; a file of ``large_file`` bytes or more is alone."""

    __slots__ = ("max_files", "max_bytes", "large_file")

    def __init__(
        self,
        max_files: int = 256,
        max_bytes: int = 32 * 1024 * 1024,
        large_file: int = 8 * 1024 * 1024,
    ) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.large_file = large_file


class Operation:
    """Base class: override what your operation needs. Instances must be cheap and stateless."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    help: ClassVar[str] = ""
    options_type: ClassVar[type[Any]] = object
    limits: ClassVar[ChunkLimits] = ChunkLimits()

    inline_safe: ClassVar[bool] = False
    """True when :meth:`process` cannot crash or wedge the process whatever the file holds (it
    only reads bytes through the standard library and C code that takes any input, like
    hashing): a tiny job of it may then run in the command line's own process instead of on
    spawned workers (:mod:`core.executor.inline`)."""

    # --- parent side -------------------------------------------------------------------------
    streams: ClassVar[bool] = False
    """True when rows can be planned batch by batch (no decision about one row depends on
    others), through :meth:`rows`, with exactly one row per entry in entry order: the CLI then
    starts on the first files while it still scans for the rest, and the window while it still
    plans the rest."""

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        """Turn discovered inputs into tasks (and settle some up front). Default: :meth:`rows`.

        Raise :class:`core.records.FileError` for bad job-level input (e.g. an unreadable
        manifest to verify)."""
        return self.rows(entries, options, 0)

    def rows(self, entries: Sequence[FileEntry | SkippedEntry], options: Any, start: int) -> Plan:
        """Tasks for ``entries`` numbered from ``start``: one row each, skipped entries settled as
        skipped with discovery's reason. A streaming operation gets each batch through here."""
        columns = _file_columns(entries)
        if columns is not None:  # files only (the usual batch): its columns, in C
            return Plan(TaskColumns(start, *columns))
        plan = Plan([])
        tasks, settled = plan.tasks, plan.settled
        assert isinstance(tasks, list)
        for i, e in enumerate(entries, start):
            if type(e) is SkippedEntry:
                tasks.append(Task(i, e.path, 0))
                status = Status.FAILED if e.error else Status.SKIPPED  # type: ignore[union-attr]
                settled.append(
                    FileResult(i, status, message=e.reason, kind=e.kind)  # type: ignore[union-attr]
                )
            else:
                tasks.append(Task(i, e.path, e.size, mtime_ns=e.mtime_ns))  # type: ignore[union-attr]
        return plan

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        """Run once after all files ended (e.g. write the manifest). Returns lines for the user.

        Raise :class:`core.records.FileError` if the job-level output could not be written."""
        return []

    # --- worker side -------------------------------------------------------------------------
    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        raise NotImplementedError

    # --- what the job reads, and what a dry run is ------------------------------------------
    input: ClassVar[str] = "paths"
    """What the job reads: ``"paths"`` (files and folders, scanned) or ``"manifest"`` (one file
    naming the inputs, read by :meth:`plan`; the command line takes it as its one argument)."""

    has_dry_run: ClassVar[bool] = False
    """True when :meth:`dry_run` can list what would be written, without writing anything."""

    def dry_run(
        self, entries: Sequence[FileEntry | SkippedEntry], options: Any
    ) -> list[tuple[str, str | None, str]]:
        """(input, output or None, note) for every entry (see :attr:`has_dry_run`)."""
        raise NotImplementedError

    # --- command line ------------------------------------------------------------------------
    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add this operation's options to its sub-command."""

    def print_results(self, out: TextIO, options: Any, tasks: Sequence[Task], results: Any) -> bool:
        """Write the job's human-readable results to the command line's standard output (not
        with ``--json``, which is the same for every operation). ``results`` is the job's
        :class:`core.results.ResultStore`. Returns True when that output already names every
        failed file (else the command line lists them on standard error). Default: nothing."""
        return False

    def interrupted_text(self, options: Any) -> str:
        """What an interrupted job left, after "N of M files were finished; " (command line), in
        the language in use (:func:`core.i18n._`)."""
        return _("their outputs are in place, no partial output was left")

    def options_from_args(self, args: argparse.Namespace) -> Any:
        return self.options_type()
