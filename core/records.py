"""Plain, picklable records that cross the process boundary and end up in reports.

Everything here is a small frozen dataclass or an enum: cheap to pickle, easy to write to a table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


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


# The per-file records below are not frozen: 100,000s are made per job, and a frozen dataclass
# costs four times as much to create. Treat them as read-only all the same.


@dataclass(slots=True)
class FileEntry:
    """A regular file found by discovery. ``path`` is absolute; undecodable bytes survive as
    surrogate escapes (``os.fsencode`` gives the original bytes back)."""

    path: str
    size: int
    mtime: float


@dataclass(slots=True)
class SkippedEntry:
    """Something discovery saw but will not process (FIFO, socket, broken link, loop...)."""

    path: str
    reason: str


@dataclass(slots=True)
class Task:
    """One file's work inside a job. ``index`` is the file's row in the job (0-based).

    ``output`` is the planned output path (outputs are planned before Start, never mid-batch);
    ``expected`` carries per-file input such as the digest a verify job checks against.
    """

    index: int
    path: str
    size: int
    output: str | None = None
    expected: str | None = None

    def __reduce__(self) -> tuple[type[Task], tuple[int, str, int, str | None, str | None]]:
        # A plain tuple pickles several times faster than a slots dataclass's default.
        return Task, (self.index, self.path, self.size, self.output, self.expected)


@dataclass(slots=True)
class FileResult:
    """How one file ended. ``value`` is the operation's answer (a digest, "OK", "1024x768"),
    ``message`` a sentence for the user when it did not simply succeed.

    Not frozen, like the records above.
    """

    index: int
    status: Status
    value: str = ""
    message: str = ""
    output: str | None = None

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
