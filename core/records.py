"""Plain, picklable records that cross the process boundary and end up in reports.

They are slotted classes with hand-written ``__init__``, not dataclasses: worker processes import
this module, and importing ``dataclasses`` (with ``inspect``) and building each dataclass costs a
worker tens of milliseconds at start. 100,000s are made per job, so they are not frozen either
(a frozen one costs four times as much to create): treat them as read-only all the same.
"""

from __future__ import annotations

import enum
from array import array
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

# Worker -> parent progress message (a small tuple; always far below PIPE_BUF so a pipe write is
# atomic): (RUNNING_MSG, job_id, file_index, bytes_done_in_that_file)
RUNNING_MSG = 0


class Status(enum.IntEnum):
    """The life of one input file. The last four are final: every input ends in exactly one."""

    PENDING = 0
    RUNNING = 1
    DONE = 2
    FAILED = 3
    SKIPPED = 4
    CANCELLED = 5

    @property
    def final(self) -> bool:
        return self >= Status.DONE

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Kind(enum.IntEnum):
    """Why a file ended as it did, for programs (the journal, counts, retry planning): the
    sentence for people is made from it and its details, and nothing parses a sentence back.
    The names are stable (the journal and --json store ``kind.slug``)."""

    NONE = 0  # done, nothing to say
    # skipped
    NOT_REGULAR = 1  # a FIFO, socket, device or folder
    OUTPUT_EXISTS = 2  # the output is there and the policy says skip
    IS_OUTPUT = 3  # the job's own output (the manifest being written)
    NOT_SUPPORTED = 4  # not a file this operation handles (a video given to the image operation)
    ALREADY_IN_TARGET = 5  # already what the output would be (text in the target encoding)
    # failed
    MISSING = 10  # vanished since it was listed / not found
    UNREADABLE = 11  # permission, I/O error, name too long...
    CHANGED = 12  # changed while being read
    MISMATCH = 13  # checksum does not match
    NOT_AN_IMAGE = 14
    DAMAGED = 15  # undecodable or corrupt data
    TOO_LARGE = 16  # over a size or pixel limit (decompression-bomb guard)
    OUTPUT_FAILED = 17  # the output could not be written
    REFUSED = 18  # the operation refuses it (would overwrite its source, outside the folder...)
    IMPROPER_LINE = 19  # a manifest line that cannot be checked
    UNLISTABLE = 20  # a folder whose files could not be listed
    LOOP = 21  # a symbolic link loop
    NOT_TEXT = 22  # binary data where text was expected (NUL bytes, an image, an archive)
    UNENCODABLE = 23  # text the chosen output encoding has no form for
    CRASHED_WORKER = 30
    TIMED_OUT = 31  # past the per-file time limit
    HUNG = 32  # no progress for the watchdog's time
    GAVE_UP = 33  # resubmitted too often because others in its chunk crashed
    CANNOT_START = 34  # workers cannot start (a broken installation)
    INTERNAL = 35  # a bug: please report it
    OTHER = 39
    # cancelled
    CANCELLED_BEFORE_START = 40
    CANCELLED_RUNNING = 41
    # done, with a remark
    GREW = 60  # the output is larger than its input (compressing what was compressed already)
    RENAMED = 63  # the output went under a numbered name: the planned one was taken
    OVERWROTE = 64  # the output replaced a file that was there (the "overwrite" policy)
    LOW_CONFIDENCE = 61  # the text encoding was detected with doubt: check the output
    REPLACED = 62  # undecodable bytes (or unencodable characters) were replaced

    @property
    def slug(self) -> str:
        """``"crashed-worker"``: the stable name written to journals and JSON."""
        return self.name.lower().replace("_", "-")


KIND_BY_VALUE = {int(k): k for k in Kind}


class Record:
    """Equality and ``repr`` from ``__slots__``, as a dataclass would give."""

    __slots__: tuple[str, ...] = ()
    __hash__ = None  # type: ignore[assignment]  # mutable: like a dataclass with eq

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{n}={v!r}" for n, v in zip(self.__slots__, self._values(), strict=True)
        )
        return f"{type(self).__name__}({fields})"


class FileEntry(Record):
    """A regular file found by discovery. ``path`` is absolute; undecodable bytes survive as
    surrogate escapes (``os.fsencode`` gives the original bytes back)."""

    __slots__ = ("path", "size", "mtime", "mtime_ns")

    def __init__(self, path: str, size: int, mtime: float, mtime_ns: int = -1) -> None:
        self.path = path
        self.size = size
        self.mtime = mtime
        self.mtime_ns = mtime_ns  # exact (the file's identity); -1 when not known


class SkippedEntry(Record):
    """Something discovery saw but will not process (FIFO, socket, broken link, loop...).

    ``error`` marks an input that should have been processed and could not be (a folder that
    cannot be listed): its row fails instead of being skipped, so the job's outcome says that
    some input was not processed."""

    __slots__ = ("path", "reason", "error", "kind")

    def __init__(
        self, path: str, reason: str, error: bool = False, kind: Kind | None = None
    ) -> None:
        self.path = path
        self.reason = reason
        self.error = error
        self.kind = kind if kind is not None else (Kind.UNREADABLE if error else Kind.NOT_REGULAR)


class Task(Record):
    """One file's work inside a job. ``index`` is the file's row in the job (0-based).

    ``output`` is the planned output path (outputs are planned before Start, never mid-batch);
    ``expected`` carries per-file input such as the digest a verify job checks against.
    ``(path, size, mtime_ns)`` is the file's identity when it was planned (``mtime_ns`` -1: not
    known); it stays in the parent (workers look at the file as it is).
    """

    __slots__ = ("index", "path", "size", "output", "expected", "mtime_ns")

    def __init__(
        self,
        index: int,
        path: str,
        size: int,
        output: str | None = None,
        expected: str | None = None,
        mtime_ns: int = -1,
    ) -> None:
        self.index = index
        self.path = path
        self.size = size
        self.output = output
        self.expected = expected
        self.mtime_ns = mtime_ns

    def __reduce__(self) -> tuple[type[Task], tuple[Any, ...]]:
        return Task, (self.index, self.path, self.size, self.output, self.expected, self.mtime_ns)


class TaskColumns(Sequence[Task]):
    """Tasks of rows that follow each other from ``start``, none with an output or an expected
    value (a checksum job's), as columns: planning a batch of 20,000 files then makes no Task
    each, and the job's task list takes the columns as they are (``Task`` records are made for
    whoever iterates)."""

    __slots__ = ("start", "paths", "sizes", "mtimes")

    def __init__(
        self, start: int, paths: list[str], sizes: Sequence[int], mtimes: Sequence[int]
    ) -> None:
        if not len(paths) == len(sizes) == len(mtimes):
            raise ValueError("the columns of a task batch differ in length")
        self.start = start
        self.paths = paths
        self.sizes = sizes
        self.mtimes = mtimes

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.paths)))]
        if i < 0:
            i += len(self.paths)
        return Task(self.start + i, self.paths[i], self.sizes[i], None, None, self.mtimes[i])

    def __iter__(self) -> Iterator[Task]:
        n = len(self.paths)
        rows = range(self.start, self.start + n)
        none = repeat(None, n), repeat(None, n)  # one each: map pulls from both per row
        return map(Task, rows, self.paths, self.sizes, *none, self.mtimes)


class FileResult(Record):
    """How one file ended. ``value`` is the operation's answer (a digest, "OK", "1024x768"),
    ``message`` a sentence for the user when it did not simply succeed, ``kind`` the reason
    for programs (see :class:`Kind`), ``attempt`` which try of the file gave this result.
    ``detail``: more for whoever looks closer, as a JSON object of plain fields (a failed
    command's running time, exit code and output tails, see :data:`DETAIL_KEYS`); empty, as for
    nearly every row, when there is nothing more. ``duration``: seconds the worker spent on it
    (None: not processed, or not measured); ``worker``: which worker process did (its pid, or
    host:pid on a cluster; empty when none did)."""

    __slots__ = (
        "index",
        "status",
        "value",
        "message",
        "output",
        "kind",
        "attempt",
        "detail",
        "duration",
        "worker",
    )

    def __init__(
        self,
        index: int,
        status: Status,
        value: str = "",
        message: str = "",
        output: str | None = None,
        kind: Kind = Kind.NONE,
        attempt: int = 1,
        detail: str = "",
        duration: float | None = None,
        worker: str = "",
    ) -> None:
        self.index = index
        self.status = status
        self.value = value
        self.message = message
        self.output = output
        self.kind = kind
        self.attempt = attempt
        self.detail = detail
        self.duration = duration
        self.worker = worker

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _result, (
            self.index,
            int(self.status),
            self.value,
            self.message,
            self.output,
            int(self.kind),
            self.attempt,
            self.detail,
            self.duration,
            self.worker,
        )


STATUSES = tuple(Status)  # Status by value, without the cost of calling the enum
_INDEX, _STATUS = attrgetter("index"), attrgetter("status")


class ResultBatch(Sequence[FileResult]):
    """The results of one chunk as the worker sent them, column by column: what nearly every
    chunk is (each file has a value and a kind, none has a message, output or detail). It is a
    sequence of :class:`FileResult` made on demand, for whoever wants records, while the result
    store, the tracker's feed and the journal read its columns: 20,000 files' results then cost
    the parent no object each (about a tenth of its CPU on a checksum job of small files).

    ``rows``: the row numbers (a ``range`` when they follow each other, as a chunk's do);
    ``statuses`` and ``kinds`` a byte per row (Status and Kind values, every status final);
    ``durations`` each file's seconds (``array("f")``); ``attempt`` and ``worker`` the chunk's."""

    __slots__ = ("rows", "statuses", "values", "kinds", "durations", "attempt", "worker")

    def __init__(
        self,
        rows: Sequence[int],
        statuses: bytes,
        values: list[str],
        kinds: bytes,
        durations: Sequence[float],
        attempt: int,
        worker: str,
    ) -> None:
        if not len(rows) == len(statuses) == len(values) == len(kinds) == len(durations):
            raise ValueError("the columns of a result batch differ in length")
        self.rows = rows
        self.statuses = statuses
        self.values = values
        self.kinds = kinds
        self.durations = durations
        self.attempt = attempt
        self.worker = worker

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.rows)))]
        return FileResult(
            self.rows[i],
            STATUSES[self.statuses[i]],
            self.values[i],
            "",
            None,
            KIND_BY_VALUE[self.kinds[i]],
            self.attempt,
            "",
            self.durations[i],
            self.worker,
        )

    def __iter__(self) -> Iterator[FileResult]:
        n = len(self.rows)
        return map(
            FileResult,
            self.rows,
            map(STATUSES.__getitem__, self.statuses),
            self.values,
            repeat("", n),
            repeat(None, n),
            map(KIND_BY_VALUE.__getitem__, self.kinds),
            repeat(self.attempt, n),
            repeat("", n),
            self.durations,
            repeat(self.worker, n),
        )


def rows_and_statuses(results: Sequence[FileResult]) -> tuple[array[int], bytes]:
    """The results' row numbers and statuses (a Status value a byte) as two compact columns,
    in two C calls: the per-batch form of what the tracker and the journal read."""
    if type(results) is ResultBatch:
        return array("q", results.rows), bytes(results.statuses)
    return array("q", map(_INDEX, results)), bytes(map(_STATUS, results))


def _result(
    index: int,
    status: int,
    value: str,
    message: str,
    output: str | None,
    kind: int,
    attempt: int,
    detail: str = "",
    duration: float | None = None,
    worker: str = "",
) -> FileResult:
    return FileResult(
        index,
        STATUSES[status],
        value,
        message,
        output,
        KIND_BY_VALUE[kind],
        attempt,
        detail,
        duration,
        worker,
    )


# The fields a result's ``detail`` may have (others are kept and shown as they are):
# ``seconds`` running time, ``exit`` exit status (negative: killed by that signal),
# ``stderr`` / ``stdout`` the last lines of a program's outputs.
DETAIL_KEYS = ("seconds", "exit", "stderr", "stdout")


class FileError(Exception):
    """A per-file failure with a sentence the user can act on, and its :class:`Kind`; the batch
    goes on."""

    def __init__(self, message: str = "", kind: Kind = Kind.OTHER, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail  # see FileResult.detail


class FileSkipped(Exception):
    """The file is deliberately not processed (e.g. output exists and the policy is skip)."""

    def __init__(self, message: str = "", kind: Kind = Kind.NOT_REGULAR) -> None:
        super().__init__(message)
        self.kind = kind


class Cancelled(Exception):
    """Raised inside a worker when the job's cancel event is set."""
