"""Plain helpers about the listed inputs: a snapshot to plan from, and the folder the table shows
paths relative to. No Qt here (natural order is :func:`core.discover.natural_key`, as discovery
uses it)."""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from core import pieces
from core.records import FileEntry, Kind, SkippedEntry, Task

if TYPE_CHECKING:
    from core.session import Inputs


@dataclass(frozen=True)
class Snapshot:
    """The listed inputs at Start, detached from the model (planning runs off the GUI thread):
    the :class:`core.session.Inputs` a window's job runs on (every row's size known up front).

    Made in no time on the GUI thread: ``source`` holds the model's own columns (paths, sizes,
    mtimes, skipped rows), which only ever grow in place (clearing or removing rows makes new
    ones), and ``rows`` how many of them were listed at Start. The first look at :attr:`paths`
    and the others, from the planning thread, copies those rows, :data:`core.pieces.PIECE` at a time
    (rows the GUI thread appends meanwhile come after them, and rows never change in place): a
    million rows' copy cost the GUI thread 20 ms at every Start, and one C call of it, on the
    planning thread, still held the GIL (and the window) 13 ms.

    ``leave_out``: the panel's test of each path (see :meth:`gui.panels.base.OperationPanel.
    leave_out`), run here, on the planning thread, not at Start on the GUI thread."""

    source: tuple[list[str], array[int], array[int], dict[int, str]]
    rows: int
    skipped_count: int
    leave_out: Callable[[str], str | None] | None = None

    @classmethod
    def of(
        cls,
        paths: list[str],
        sizes: array[int],
        mtimes: array[int],
        skipped: dict[int, str],
    ) -> Snapshot:
        """A snapshot of all of these rows (whose columns only grow from now on)."""
        return cls((paths, sizes, mtimes, skipped), len(paths), len(skipped))

    @cached_property
    def _detached(self) -> tuple[list[str], array[int], array[int], dict[int, str]]:
        paths, sizes, mtimes, skipped = self.source
        n = self.rows
        later = dict(skipped)  # rows appended since may have added keys: copy, then drop
        kept = (
            later if len(later) == self.skipped_count else {i: r for i, r in later.items() if i < n}
        )
        copy = pieces.extend
        return copy([], paths, n), copy(array("q"), sizes, n), copy(array("q"), mtimes, n), kept

    @property
    def paths(self) -> list[str]:
        return self._detached[0]

    @property
    def sizes(self) -> array[int]:
        return self._detached[1]

    @property
    def mtimes(self) -> array[int]:  # st_mtime_ns (-1: not known)
        return self._detached[2]

    @property
    def skipped(self) -> dict[int, str]:
        return self._detached[3]

    def entries(self, start: int = 0, stop: int | None = None) -> list[FileEntry | SkippedEntry]:
        """The inputs in row order (rows ``start`` to ``stop``), for an operation's ``plan``."""
        skipped, leave_out = self.skipped, self.leave_out
        out: list[FileEntry | SkippedEntry] = []
        rows = zip(
            self.paths[start:stop], self.sizes[start:stop], self.mtimes[start:stop], strict=True
        )
        for i, (p, size, ns) in enumerate(rows, start):
            reason = skipped.get(i) if skipped else None
            if reason is not None:
                out.append(SkippedEntry(p, reason))
            elif leave_out is not None and (why := leave_out(p)) is not None:
                out.append(SkippedEntry(p, why, kind=Kind.IS_OUTPUT))
            else:
                out.append(FileEntry(p, size, ns / 1e9 if ns >= 0 else 0.0, ns))
        return out

    def batches(self, size: int = 1000) -> Iterator[list[FileEntry | SkippedEntry]]:
        """:meth:`entries` a batch at a time, for a job that starts while it plans."""
        for start in range(0, len(self.paths), size):
            yield self.entries(start, start + size)

    def matches(self, tasks: Sequence[Task]) -> bool:
        """Whether a job's rows are exactly these inputs, in this order."""
        return len(tasks) == len(self.paths) and all(
            t.path == p for t, p in zip(tasks, self.paths, strict=True)
        )


if TYPE_CHECKING:

    def _as_inputs(snapshot: Snapshot) -> Inputs:  # mypy: a Snapshot is a session's Inputs
        return snapshot


def common_folder(paths: Sequence[str]) -> str | None:
    """The deepest folder holding every path, or None for no paths.

    Uses only the smallest and largest path, compared in C; still, that is 30 ms of held GIL for a
    million paths, so the window keeps the answer as rows come and go (:class:`FolderSpan`).
    """
    if not paths:
        return None
    # Character-wise on purpose: the prefix of the extremes is the prefix of all; dirname()
    # then cuts it back to a whole folder ("/a/b" of "/a/b/x" and "/a/bc" gives "/a").
    prefix = os.path.commonprefix([min(paths), max(paths)])  # noqa: RUF071
    return os.path.dirname(prefix) or None


class FolderSpan:
    """Tracks the smallest and largest path seen, hence the deepest folder holding them all.

    The Folder column shows each file's folder relative to that folder's parent, so
    ``/home/ann/Archive/Photos/2024`` reads ``Archive/Photos/2024``.
    """

    def __init__(self) -> None:
        self.lo: str | None = None
        self.hi: str | None = None
        self.cut = 0  # characters to drop from a folder to make it relative
        self.root: str | None = None  # the deepest folder holding every path (None: no paths)

    def reset(self, paths: Sequence[str] = ()) -> None:
        self.lo = self.hi = self.root = None
        self.cut = 0
        self.extend(paths)

    def extend(self, paths: Sequence[str]) -> bool:
        """Take more paths into account; returns whether the display folder changed."""
        if not paths:
            return False
        lo, hi = min(paths), max(paths)
        self.lo = lo if self.lo is None else min(self.lo, lo)
        self.hi = hi if self.hi is None else max(self.hi, hi)
        self.root = common_folder([self.lo, self.hi])
        parent = os.path.dirname(self.root or "")
        cut = len(parent) + (0 if parent.endswith(("/", "\\")) or not parent else 1)
        changed = cut != self.cut
        self.cut = cut
        return changed

    def folder(self, path: str) -> str:
        return os.path.dirname(path)[self.cut :]
