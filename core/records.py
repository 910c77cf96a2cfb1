"""Plain, picklable records that cross the process boundary and end up in reports.

They are slotted classes with hand-written ``__init__``, not dataclasses: worker processes import
this module, and importing ``dataclasses`` (with ``inspect``) and building each dataclass costs a
worker tens of milliseconds at start. 100,000s are made per job, so they are not frozen either
(a frozen one costs four times as much to create): treat them as read-only all the same.
"""

from __future__ import annotations

import enum
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

    __slots__ = ("path", "size", "mtime")

    def __init__(self, path: str, size: int, mtime: float) -> None:
        self.path = path
        self.size = size
        self.mtime = mtime


class SkippedEntry(Record):
    """Something discovery saw but will not process (FIFO, socket, broken link, loop...).

    ``error`` marks an input that should have been processed and could not be (a folder that
    cannot be listed): its row fails instead of being skipped, so the job's outcome says that
    some input was not processed."""

    __slots__ = ("path", "reason", "error")

    def __init__(self, path: str, reason: str, error: bool = False) -> None:
        self.path = path
        self.reason = reason
        self.error = error


class Task(Record):
    """One file's work inside a job. ``index`` is the file's row in the job (0-based).

    ``output`` is the planned output path (outputs are planned before Start, never mid-batch);
    ``expected`` carries per-file input such as the digest a verify job checks against.
    """

    __slots__ = ("index", "path", "size", "output", "expected")

    def __init__(
        self,
        index: int,
        path: str,
        size: int,
        output: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.index = index
        self.path = path
        self.size = size
        self.output = output
        self.expected = expected

    def __reduce__(self) -> tuple[type[Task], tuple[int, str, int, str | None, str | None]]:
        return Task, (self.index, self.path, self.size, self.output, self.expected)


class FileResult(Record):
    """How one file ended. ``value`` is the operation's answer (a digest, "OK", "1024x768"),
    ``message`` a sentence for the user when it did not simply succeed."""

    __slots__ = ("index", "status", "value", "message", "output")

    def __init__(
        self,
        index: int,
        status: Status,
        value: str = "",
        message: str = "",
        output: str | None = None,
    ) -> None:
        self.index = index
        self.status = status
        self.value = value
        self.message = message
        self.output = output

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _result, (self.index, int(self.status), self.value, self.message, self.output)


STATUSES = tuple(Status)  # Status by value, without the cost of calling the enum


def _result(index: int, status: int, value: str, message: str, output: str | None) -> FileResult:
    return FileResult(index, STATUSES[status], value, message, output)


class FileError(Exception):
    """A per-file failure with a sentence the user can act on; the batch goes on."""


class FileSkipped(Exception):
    """The file is deliberately not processed (e.g. output exists and the policy is skip)."""


class Cancelled(Exception):
    """Raised inside a worker when the job's cancel event is set."""
