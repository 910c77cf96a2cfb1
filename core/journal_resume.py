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

from core.journal import JobRow, Journal
from core.operations.base import Plan
from core.records import FileEntry, FileResult, Kind, SkippedEntry, Status
from core.wording import plural, printable

KINDS = {k.slug: k for k in Kind}
STATUS_BY_NAME = {s.name.lower(): s for s in Status}
SHOWN = 5  # names of vanished files shown in the note

Found = tuple[int, int, str, str | None, bytes | None, str | None, int, str | None]
"""A past row: (size, mtime_ns, status, kind, output, message, attempt, value)."""


class Carried:
    """The good results of job ``source`` for a new job with the options key ``key``."""

    def __init__(self, journal: Journal, source: JobRow, key: str, *, retry: bool = False) -> None:
        self.source = source.id
        self.retry = retry
        self.usable = key == source.options_key  # other options: nothing is carried
        self.past: dict[str, Found] = {}
        for (
            row,
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
        ) in journal.results(source.id):
            del row
            self.past[os.fsdecode(path)] = (
                size,
                mtime,
                status,
                kind,
                output,
                message,
                attempt,
                value,
            )
        self.rows: dict[int, int] = {}  # new row -> the job its result came from
        self.vanished: list[str] = []
        self.changed = 0

    def apply(self, plan: Plan) -> Plan:
        settled = {r.index: r for r in plan.settled}
        past, rows = self.past, self.rows
        present = set()
        for t in plan.tasks:
            present.add(t.path)
            hit = past.get(t.path)
            if hit is None or not self.usable:
                continue
            r = self._result(t.index, t.size, t.mtime_ns, hit)
            if r is None:
                continue
            settled[t.index] = r
            rows[t.index] = self.source
        self.vanished = [p for p in past if p not in present]
        plan.settled = [settled[i] for i in sorted(settled)]
        plan.notes.extend(self._notes())
        return plan

    def _result(self, i: int, size: int, mtime: int, hit: Found) -> FileResult | None:
        """Row ``i``'s result taken over from the past job, or None to process it."""
        old_size, old_mtime, status, kind, output, message, attempt, value = hit
        if status == "done":
            if mtime < 0 or (size, mtime) != (old_size, old_mtime):
                self.changed += 1
                return None
            if output is not None and not os.path.lexists(output):
                return None  # its output was removed since: make it again
        elif not self.retry or status == "failed":
            return None
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
            notes.append(f"job {self.source} ran with other options: every file is processed again")
        if self.rows:
            notes.append(
                f"{plural(len(self.rows), 'file')} finished in job {self.source} and unchanged "
                "since: taken from the journal, not processed again"
            )
        if self.changed:
            notes.append(
                f"{plural(self.changed, 'file')} changed since job {self.source}: processed again"
            )
        if self.vanished:
            names = ", ".join(printable(p) for p in self.vanished[:SHOWN])
            more = f" and {len(self.vanished) - SHOWN} more" if len(self.vanished) > SHOWN else ""
            notes.append(
                f"{plural(len(self.vanished), 'file')} of job {self.source} "
                f"{'is' if len(self.vanished) == 1 else 'are'} gone (moved or deleted): "
                f"{names}{more}"
            )
        return notes


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
