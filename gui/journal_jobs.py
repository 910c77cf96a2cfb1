"""The window's jobs in the journal: a Recorder per job, and resume/retry of a past job.

:class:`JobJournal` is the window's choice (on by default, a setting turns it off); it gives each
job a :class:`core.journal_writer.Recorder`, whose own thread does every write. What a window's
job records as its inputs is every listed file in row order (``paths``), so that ``jobs resume``
(here or on the command line) plans the same rows in the same order and a checksum manifest comes
out as an uninterrupted run's. :class:`Identified` gives the listed files their exact
``mtime_ns`` (the list keeps what discovery read), the identity resume compares.

:class:`Rerun` is both the inputs and the carry of a resume or retry of a journal job: it opens
the journal when the session plans, on the job's thread, never on the GUI thread.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from core import operations
from core.discover import Filters, Scanner
from core.job import DEFAULT_WATCHDOG
from core.journal import JobRow, Journal, JournalError, default_keep, default_keep_days
from core.journal_resume import Carried, retry_entries
from core.journal_writer import Recorder
from core.operations.base import Plan
from core.options import options_key
from core.records import FileEntry, SkippedEntry, Task
from gui.inputs import Snapshot
from gui.settings import read_bool

if TYPE_CHECKING:
    from core.job import Job
    from core.session import Inputs, Session

Entry = FileEntry | SkippedEntry
ENABLED_KEY = "journal/enabled"
KEEP_JOBS_KEY = "journal/keep_jobs"  # the newest jobs kept
KEEP_DAYS_KEY = "journal/keep_days"  # and jobs of the last days (0: any age)
JOURNAL_WAIT = 10.0  # seconds quitting waits for a journal's last writes


class JobJournal:
    """Whether and where the window records its jobs (``path`` None: core's default, which
    follows ``$PARABATCH_JOURNAL``)."""

    def __init__(self, settings: QSettings, path: str | None = None) -> None:
        self.settings = settings
        self.path = path

    @property
    def enabled(self) -> bool:
        return read_bool(self.settings, ENABLED_KEY, True)

    def set_enabled(self, on: bool) -> None:
        self.settings.setValue(ENABLED_KEY, on)

    @property
    def keep_jobs(self) -> int:
        try:
            return max(1, int(str(self.settings.value(KEEP_JOBS_KEY, default_keep()))))
        except (TypeError, ValueError):
            return default_keep()

    @property
    def keep_days(self) -> float:
        try:
            return max(0.0, float(str(self.settings.value(KEEP_DAYS_KEY, default_keep_days()))))
        except (TypeError, ValueError):
            return default_keep_days()

    def set_retention(self, jobs: int, days: float) -> None:
        """Keep the newest ``jobs`` jobs, and forget ended jobs older than ``days`` days (0:
        whatever their age), from the next job's end on."""
        self.settings.setValue(KEEP_JOBS_KEY, int(jobs))
        self.settings.setValue(KEEP_DAYS_KEY, float(days))

    def _keep(self) -> dict[str, Any]:
        return {"keep": self.keep_jobs, "keep_days": self.keep_days}

    def recorder(
        self,
        op_name: str,
        inputs: Any,
        timeout: float | None,
        *,
        origin: int | None = None,
        how: str = "run",
        given: dict[str, Any] | None = None,
    ) -> tuple[Any, Recorder | None]:
        """The inputs to plan from and the job's recorder (None when recording is off).
        ``given``: what the job was given (a resume records its past job's), else the list."""
        if not self.enabled:
            return inputs, None
        if given is not None:
            return inputs, Recorder(self.path, given, origin=origin, how=how, **self._keep())
        given = {"cwd": os.getcwd(), "timeout": timeout, "watchdog": DEFAULT_WATCHDOG}
        listed = None
        if operations.get(op_name).input == "paths":
            listed = inputs
            if isinstance(inputs, Snapshot):
                inputs = Identified(inputs)
        return inputs, WindowRecorder(
            self.path, given, listed, origin=origin, how=how, **self._keep()
        )


class WindowRecorder(Recorder):
    """A recorder whose given inputs are the listed files in row order, but for those the
    operation leaves out (its own outputs), worked out when the job starts, on its thread.
    ``paths`` are named files, which a scan always takes in the order named, so ``jobs
    resume`` plans the same rows, here and on the command line."""

    def __init__(
        self,
        path: str | None,
        given: dict[str, Any],
        listed: Snapshot | Plan | None,
        **kw: Any,
    ) -> None:
        super().__init__(path, given, **kw)
        self.listed = listed

    def start(self, session: Session, job: Job) -> None:
        listed, self.listed = self.listed, None
        if listed is not None:
            if isinstance(listed, Plan):
                paths = [t.path for t in listed.tasks]
            else:
                out = listed.leave_out
                paths = [p for p in listed.paths if out is None or out(p) is None]
            self.inputs.update(
                paths=paths, include=[], exclude=[], listed=len(paths), front="window"
            )
        super().start(session, job)


class Identified:
    """A :class:`gui.inputs.Snapshot` whose files all carry their ``mtime_ns``: the list keeps
    the one discovery read; a file listed without it is looked at on the job's thread (one
    that changed since it was listed gets -1, not known, so a later resume processes it again)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    @property
    def paths(self) -> list[str]:
        return self.snapshot.paths

    @property
    def sizes(self) -> Sequence[int] | None:
        return self.snapshot.sizes

    def entries(self) -> list[Entry]:
        return _identify(self.snapshot.entries())

    def batches(self) -> Iterator[Sequence[Entry]]:
        for batch in self.snapshot.batches():
            yield _identify(batch)

    def matches(self, tasks: Sequence[Task]) -> bool:
        return self.snapshot.matches(tasks)


def _identify(entries: list[Entry]) -> list[Entry]:
    out: list[Entry] = []
    for e in entries:
        if isinstance(e, FileEntry) and e.mtime_ns < 0:  # listed without it: look now
            try:
                st = os.stat(e.path)
            except OSError:
                st = None
            if st is not None and st.st_size == e.size and st.st_mtime == e.mtime:
                e = FileEntry(e.path, e.size, e.mtime, st.st_mtime_ns)
        out.append(e)
    return out


class Rerun:
    """Resume (``retry`` False) or retry job ``source`` of the journal at ``path``: the
    session's inputs (:meth:`entries`) and its carry (:meth:`apply`). Both run on the job's
    thread, the journal being opened there."""

    sizes = None

    def __init__(self, path: str | None, source: JobRow, options: Any, retry: bool) -> None:
        self.path = path
        self.source = source
        self.options = options
        self.retry = retry
        self.given: dict[str, Any] = json.loads(source.inputs)
        self.carried: Carried | None = None

    @property
    def rows(self) -> dict[int, int]:
        """Rows taken over from the past job (the recorder marks them)."""
        return self.carried.rows if self.carried is not None else {}

    def entries(self) -> list[Entry]:
        try:
            with Journal.open(self.path) as journal:
                source = journal.job(self.source.id)
                key = options_key(source.operation, self.options)
                self.carried = Carried(journal, source, key, retry=self.retry)
                if self.retry:
                    return list(retry_entries(journal, source))
                self.given = journal.inputs(source)  # with its listed paths, wherever stored
        except JournalError as e:
            raise ValueError(str(e)) from None
        if operations.get(self.source.operation).input != "paths":
            return []
        given = self.given
        cwd = given.get("cwd") or os.getcwd()  # the command line records names as typed
        named = [os.path.join(cwd, p) for p in given.get("paths", [])]
        paths = [p for p in named if os.path.lexists(p)]  # gone: noted by the carry
        filters = Filters(tuple(given.get("include", ())), tuple(given.get("exclude", ())))
        found: list[Entry] = []
        for batch in Scanner(paths, filters).batches():
            found.extend(batch)
        return found

    def batches(self) -> Iterator[Sequence[Entry]]:
        yield self.entries()

    def matches(self, tasks: Sequence[Task]) -> bool:
        return False  # the table shows the job's rows

    def apply(self, plan: Plan) -> Plan:
        assert self.carried is not None, "entries() first"
        return self.carried.apply(plan)


if TYPE_CHECKING:

    def _as_inputs(a: Identified, b: Rerun) -> tuple[Inputs, Inputs]:
        return a, b
