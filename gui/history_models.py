"""The History window's two models: past jobs, and one job's per-file results.

:class:`JobsModel` holds :class:`core.journal.JobRow` values, newest first. :class:`ResultsModel`
holds a job's results in columns (no object per row), appended batch by batch as a loader thread
reads them (:func:`load_results`), so 100,000 rows never stop the window.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from core import operations
from core.i18n import message_for_people
from core.journal import JobRow, Journal
from core.kind_names import kind_name
from core.progress import format_duration
from core.wording import printable
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.result_detail import detail_text

Index = QModelIndex | QPersistentModelIndex
RESULT_BATCH = 5000  # rows a loader hands over at a time
JOB_COLUMNS = (  # headers, shown translated (context "History")
    QT_TRANSLATE_NOOP("History", "Job"),
    QT_TRANSLATE_NOOP("History", "Operation"),
    QT_TRANSLATE_NOOP("History", "Started"),
    QT_TRANSLATE_NOOP("History", "Duration"),
    QT_TRANSLATE_NOOP("History", "How it ended"),
    QT_TRANSLATE_NOOP("History", "Files"),
    QT_TRANSLATE_NOOP("History", "Done"),
    QT_TRANSLATE_NOOP("History", "Failed"),
    QT_TRANSLATE_NOOP("History", "Skipped"),
    QT_TRANSLATE_NOOP("History", "Cancelled"),
)
RESULT_COLUMNS = (
    QT_TRANSLATE_NOOP("History", "File"),
    QT_TRANSLATE_NOOP("History", "Status"),
    QT_TRANSLATE_NOOP("History", "Kind"),
    QT_TRANSLATE_NOOP("History", "Result"),
)
# A job's state and how it reran another, as the journal stores them -> shown.
_STATES = {
    "finished": QT_TRANSLATE_NOOP("History", "finished"),
    "cancelled": QT_TRANSLATE_NOOP("History", "cancelled"),
    "failed": QT_TRANSLATE_NOOP("History", "failed"),
    "interrupted": QT_TRANSLATE_NOOP("History", "interrupted"),
    "running": QT_TRANSLATE_NOOP("History", "running"),
}
_STATUSES = {  # a file's status as the journal stores it -> shown
    "done": QT_TRANSLATE_NOOP("History", "done"),
    "failed": QT_TRANSLATE_NOOP("History", "failed"),
    "skipped": QT_TRANSLATE_NOOP("History", "skipped"),
    "cancelled": QT_TRANSLATE_NOOP("History", "cancelled"),
}
_NUMBER_COLUMNS = frozenset({0, 5, 6, 7, 8, 9})


def when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "—"


def ending_text(job: JobRow) -> str:
    """How a job ended, and what it reran ("cancelled", "finished (resume of job 3)")."""
    text = translate("History", _STATES.get(job.state, job.state))
    if job.error:
        error = message_for_people(job.error)
        text = translate("History", "failed: {error}").format(error=error)
    if job.origin:
        if job.how == "resume":
            how = translate("History", " (resume of job {job})")
        elif job.how == "retry":
            how = translate("History", " (retry of job {job})")
        else:
            how = translate("History", " ({how} of job {job})")
        text += how.format(how=job.how, job=job.origin)
    return text


def listed_files(job: JobRow) -> int:
    """How many files the job had: its rows, or the files listed when it started (an
    interrupted job has rows only for what it finished)."""
    try:
        listed = json.loads(job.inputs).get("listed")
    except (ValueError, AttributeError):
        listed = None
    return max(job.files, listed) if isinstance(listed, int) else job.files


class JobsModel(QAbstractTableModel):
    """Past jobs, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.jobs: list[JobRow] = []

    def set_jobs(self, jobs: Sequence[JobRow]) -> None:
        self.beginResetModel()
        self.jobs = sorted(jobs, key=lambda j: j.id, reverse=True)
        self.endResetModel()

    def job(self, row: int) -> JobRow:
        return self.jobs[row]

    def row_of(self, number: int) -> int | None:
        return next((i for i, j in enumerate(self.jobs) if j.id == number), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(JOB_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("History", JOB_COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMBER_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        j = self.jobs[index.row()]
        if col == 0:
            return str(j.id)
        if col == 1:  # the operation's title, in the window's language (exports keep the name)
            title = operations.title(j.operation)
            if role == Qt.ItemDataRole.ToolTipRole and title != j.operation:
                return f"{title} ({j.operation})"
            return title
        if col == 2:
            return when(j.started)
        if col == 3:
            return format_duration(j.ended - j.started) if j.ended else "—"
        if col == 4:
            return ending_text(j)
        counts = (listed_files(j), j.done, j.failed, j.skipped, j.cancelled)
        return f"{counts[col - 5]:,}"


class ResultsModel(QAbstractTableModel):
    """One job's per-file results, appended in batches (see :func:`load_results`)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.job: int | None = None
        self.paths: list[str] = []
        self.statuses: list[str] = []
        self.kinds: list[str] = []
        self.texts: list[str] = []
        self.details: dict[int, str] = {}  # rows with more to show on hover (a command's output)

    def clear(self, job: int | None = None) -> None:
        self.beginResetModel()
        self.job = job
        self.paths, self.statuses, self.kinds, self.texts = [], [], [], []
        self.details = {}
        self.endResetModel()

    def append(self, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
        if not rows:
            return
        n = len(self.paths)
        self.beginInsertRows(QModelIndex(), n, n + len(rows) - 1)
        for i, (path, status, kind, text, detail) in enumerate(rows, n):
            self.paths.append(path)
            self.statuses.append(status)
            self.kinds.append(kind)
            self.texts.append(text)
            if detail:
                self.details[i] = detail
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.paths)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RESULT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("History", RESULT_COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        c, r = index.column(), index.row()
        if c == 1:  # "done" as the journal stores it -> the status as the window names it
            status = self.statuses[r]
            return translate("History", _STATUSES[status]) if status in _STATUSES else status
        if c == 2:  # "crashed-worker" as the journal stores it -> the kind's name for people
            return kind_name(self.kinds[r])
        if c == 3:  # core's sentence, in the window's language (an export stays English)
            text = message_for_people(self.texts[r])
            more = self.details.get(r) if role == Qt.ItemDataRole.ToolTipRole else None
            return f"{text}\n\n{detail_text(more)}" if more and detail_text(more) else text
        return (self.paths, self.statuses, self.kinds, self.texts)[c][r]


def load_results(job: int, generation: int) -> Any:
    """A loader of job ``job``'s results for :class:`gui.journal_calls.JournalCall`: hands
    ``(generation, rows)`` out every :data:`RESULT_BATCH` rows; returns ``(generation, n)``."""

    def work(journal: Journal, call: Any) -> tuple[int, int]:
        batch: list[tuple[str, str, str, str, str]] = []
        n = 0
        for row in journal.results(job):
            _row, raw, _s, _m, status, kind, value, output, message = row[:9]
            detail = row[13] or ""
            if call.stopped.is_set():
                break
            text = message or value or ""
            if not text and output is not None:
                text = printable(os.fsdecode(output))
            batch.append((printable(os.fsdecode(raw)), status, kind or "", text, detail))
            if len(batch) >= RESULT_BATCH:
                call.partial.emit((generation, batch))
                n += len(batch)
                batch = []
        if batch:
            call.partial.emit((generation, batch))
            n += len(batch)
        return generation, n

    return work
