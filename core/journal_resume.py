"""Resume and retry: a new job over a past job's inputs that takes over the results still good.

:class:`Carried` is the session's ``carry``: on the new job's plan it settles, from the journal,
every row whose file is the one a past job finished (same path, size and ``mtime_ns``, same
options key, output still there), so it is not processed again; the operation's ``finish`` then
sees every row's result as an uninterrupted run would (a checksum manifest comes out the same).
Changed, new and unfinished files are processed; files of the past job that are gone are named
in the plan's notes.

A retry (``retry=True``) processes only the failed rows: cancelled and skipped rows keep their
results too (a cancelled row is finished by ``jobs resume``). Its inputs are the past job's rows
(:func:`retry_entries`), not a new scan.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from core import messages as M
from core.i18n import english
from core.journal import JobRow, Journal, JournalError
from core.operations.base import Plan
from core.records import FileEntry, FileResult, Kind, SkippedEntry, Status
from core.wording import printable

KINDS = {k.slug: k for k in Kind}
STATUS_BY_NAME = {s.name.lower(): s for s in Status}
SHOWN = 5  # names of vanished files shown in the note

Found = tuple[int, int, str, str | None, bytes | None, str | None, int, str | None, int]
"""A past row: (size, mtime_ns, status, kind, output, message, attempt, value, job)."""

CHAIN = 50  # past jobs looked through (a resume of a resume of ...), newest first


class Carried:
    """The good results of job ``source`` for a new job with the options key ``key``.

    A file ``source`` has no result for is looked up in the job it resumed or retried, and so
    on back: a resume that was itself killed before it had written anything must not lose what
    the jobs before it finished."""

    def __init__(
        self,
        journal: Journal,
        source: JobRow,
        key: str,
        *,
        retry: bool = False,
        only: set[str] | None = None,
    ) -> None:
        self.source = source.id
        self.retry = retry
        self.only = only  # process these paths only; every other row keeps its past result
        self.usable = key == source.options_key  # other options: nothing is carried
        self.past: dict[str, Found] = {}
        job: JobRow | None = source
        for _ in range(CHAIN):
            if job is None or job.options_key != source.options_key:
                break
            self._take(journal, job.id)
            job = _origin(journal, job)
        self.rows: dict[int, int] = {}  # new row -> the job its result came from
        self.vanished: list[str] = []
        self.changed = 0

    def _take(self, journal: Journal, job: int) -> None:
        past = self.past
        for (
            _row,
            path,
            size,
            mtime,
            status,
            kind,
            value,
            output,
            message,
            attempt,
            *_,
        ) in journal.results(job):
            name = os.fsdecode(path)
            if name not in past:  # a newer job's result of the file wins
                past[name] = (size, mtime, status, kind, output, message, attempt, value, job)

    def apply(self, plan: Plan) -> Plan:
        settled = {r.index: r for r in plan.settled}
        past, rows = self.past, self.rows
        present = set()
        for t in plan.tasks:
            present.add(t.path)
            hit = past.get(t.path)
            if hit is None or not self.usable:
                continue
            if self.only is not None:
                r = None if t.path in self.only else self._as_was(t.index, hit)
            else:
                r = self._result(t.index, t.size, t.mtime_ns, hit)
            if r is None:
                continue
            settled[t.index] = r
            rows[t.index] = hit[8]
        self.vanished = [p for p in past if p not in present]
        plan.settled = [settled[i] for i in sorted(settled)]
        plan.notes.extend(self._notes())
        return plan

    def _as_was(self, i: int, hit: Found) -> FileResult:
        """Row ``i``'s past result, whatever it was (a retry of some files only)."""
        _size, _mtime, status, kind, output, message, attempt, value, _job = hit
        return self._made(i, status, kind, output, message, attempt, value)

    def _result(self, i: int, size: int, mtime: int, hit: Found) -> FileResult | None:
        """Row ``i``'s result taken over from the past job, or None to process it."""
        old_size, old_mtime, status, kind, output, message, attempt, value, _job = hit
        if status == "done":
            if mtime < 0 or (size, mtime) != (old_size, old_mtime):
                self.changed += 1
                return None
            if output is not None and not os.path.lexists(output):
                return None  # its output was removed since: make it again
        elif not self.retry or status == "failed":
            return None
        return self._made(i, status, kind, output, message, attempt, value)

    @staticmethod
    def _made(
        i: int,
        status: str,
        kind: str | None,
        output: bytes | None,
        message: str | None,
        attempt: int,
        value: str | None,
    ) -> FileResult:
        return FileResult(
            i,
            STATUS_BY_NAME[status],
            value or "",
            message or "",
            os.fsdecode(output) if output is not None else None,
            KINDS.get(kind or "none", Kind.OTHER),
            attempt,
        )

    def _notes(self) -> list[str]:
        notes = []
        if not self.usable:
            notes.append(english(M.OTHER_OPTIONS, job=self.source))
        if self.rows:
            notes.append(english(M.CARRIED, n=len(self.rows), job=self.source))
        if self.changed:
            notes.append(english(M.CHANGED_SINCE, n=self.changed, job=self.source))
        if self.vanished:
            names = ", ".join(printable(p) for p in self.vanished[:SHOWN])
            if len(self.vanished) > SHOWN:
                names = english(M.AND_MORE, names=names, n=len(self.vanished) - SHOWN)
            notes.append(english(M.GONE, n=len(self.vanished), job=self.source, names=names))
        return notes


def _origin(journal: Journal, job: JobRow) -> JobRow | None:
    """The job ``job`` resumed or retried, if it is still in the journal."""
    if job.origin is None or job.how == "run":
        return None
    try:
        return journal.job(job.origin)
    except JournalError:
        return None  # forgotten meanwhile


def retry_entries(journal: Journal, source: JobRow) -> list[Any]:
    """The past job's rows as inputs again, in order, as the files are now (for a retry)."""
    entries: list[FileEntry | SkippedEntry] = []
    for _, raw, size, _m, status, kind, _v, _o, message, *_ in journal.results(source.id):
        path = os.fsdecode(raw)
        if status == "skipped" or (status == "failed" and kind in ("unlistable", "loop")):
            entries.append(
                SkippedEntry(path, message or "", status == "failed", KINDS.get(kind or ""))
            )
            continue
        try:
            st = os.stat(path)
        except OSError:
            entries.append(FileEntry(path, size, 0.0, -1))  # gone: its worker says so
            continue
        if stat.S_ISREG(st.st_mode):
            entries.append(FileEntry(path, st.st_size, st.st_mtime, st.st_mtime_ns))
        else:
            entries.append(SkippedEntry(path, message or "not a regular file"))
    return entries
