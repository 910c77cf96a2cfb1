"""The History window: past jobs from the journal, one job's per-file results, and what can be
done with a job (Resume, Retry failed, Export, Delete).

Everything it reads or changes goes through :class:`gui.journal_calls.JournalCalls` (its own
thread, its own connection); a job's results come in batches, so a job of 100,000 files shows
its first rows at once and the window never stops. Resume and Retry are only asked for here
(:attr:`HistoryWindow.rerun`): the main window runs them.
"""

from __future__ import annotations

import argparse
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core import operations
from core.i18n import message_for_people
from core.journal import JobRow, Journal
from core.journal_cli import _export
from gui.history_models import JobsModel, ResultsModel, listed_files, load_results
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.journal_calls import JournalCall, JournalCalls

EXPORT_FILTERS = {
    QT_TRANSLATE_NOOP("History", "CSV, one row per file (*.csv)"): "csv",
    QT_TRANSLATE_NOOP("History", "JSON document (*.json)"): "json",
    QT_TRANSLATE_NOOP("History", "Job log, tab-separated like GNU parallel's (*.joblog *.tsv)"): (
        "joblog"
    ),
}
DELETE_LABEL = QT_TRANSLATE_NOOP("History", "Delete job")


def can_resume(job: JobRow) -> bool:
    """A job that ended without finishing every file: cancelled, interrupted, or failed."""
    return job.ending in ("cancelled", "interrupted", "failed")


def can_retry(job: JobRow) -> bool:
    return job.ending is not None and job.failed > 0


def _table(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setHighlightSections(False)
    return view


class HistoryWindow(QWidget):
    """Past jobs and their results. ``path``: the journal (None: core's default).

    Signals:
        rerun(object, bool): run this :class:`core.journal.JobRow` again, resuming it (False)
            or retrying its failed files (True).
        changed: jobs were deleted.
    """

    rerun = Signal(object, bool)
    changed = Signal()
    retention_changed = Signal(int, int)  # jobs kept, days (0: any age)

    def __init__(
        self,
        path: str | None = None,
        parent: QWidget | None = None,
        retention: tuple[int, float] | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.path = path
        self.setWindowTitle(translate("History", "Job history — Parabatch"))
        self.setObjectName("history-window")
        self.calls = JournalCalls(self)
        self.jobs = JobsModel(self)
        self.results = ResultsModel(self)
        self.jobs_view = _table(self.jobs)
        self.jobs_view.setAccessibleName(translate("History", "Past jobs"))
        self.results_view = _table(self.results)
        self.results_view.setAccessibleName(translate("History", "Results of the selected job"))
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results_view.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(translate("History", "Loading…"))
        self.status.setAccessibleName(translate("History", "History status"))
        self.results_label = QLabel(translate("History", "Choose a job to see its files."))
        self.resume_button = QPushButton(translate("History", "&Resume"))
        self.resume_button.setToolTip(
            translate(
                "History",
                "Process the files this job did not finish; files it finished that are unchanged "
                "since are taken from the history, not processed again",
            )
        )
        self.retry_button = QPushButton(translate("History", "Retry &failed"))
        self.retry_button.setToolTip(
            translate("History", "Run this job's failed files again; keep its other results")
        )
        self.export_button = QPushButton(translate("History", "&Export…"))
        self.export_button.setToolTip(
            translate("History", "Save this job's results as CSV, JSON or a job log")
        )
        self.delete_button = QPushButton(translate("History", "&Delete…"))
        self.delete_button.setToolTip(
            translate("History", "Remove this job and its results from the history")
        )
        self.refresh_button = QPushButton(translate("History", "Re&fresh"))
        close = QPushButton(translate("History", "Close"))
        close.clicked.connect(self.close)
        self.delete_box: QMessageBox | None = None
        self.running_elsewhere = False  # a job runs in the main window: no Resume or Retry
        self._generation = 0
        self._loading: JournalCall | None = None
        self._want: int | None = None  # the job to select once the list is in

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.jobs_view)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.results_label)
        lower_layout.addWidget(self.results_view, 1)
        splitter.addWidget(lower)
        splitter.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        for b in (self.resume_button, self.retry_button, self.export_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._retention_row(retention))
        layout.addLayout(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)

        self.jobs_view.selectionModel().selectionChanged.connect(self._job_selected)
        self.resume_button.clicked.connect(self.resume)
        self.retry_button.clicked.connect(self.retry)
        self.export_button.clicked.connect(self.export_dialog)
        self.delete_button.clicked.connect(self.ask_delete)
        self.refresh_button.clicked.connect(self.refresh)
        self.resize(1000, 640)
        self.update_buttons()

    def _retention_row(self, retention: tuple[int, float] | None) -> QHBoxLayout:
        """How much history is kept: the newest N jobs, and jobs of the last D days."""
        jobs, days = retention if retention is not None else (200, 0.0)
        self.keep_jobs = QSpinBox()
        self.keep_jobs.setRange(1, 100_000)
        self.keep_jobs.setValue(jobs)
        self.keep_jobs.setAccessibleName(translate("History", "Jobs kept"))
        self.keep_days = QSpinBox()
        self.keep_days.setRange(0, 36_500)
        self.keep_days.setValue(round(days))
        self.keep_days.setSpecialValueText(translate("History", "any age"))
        self.keep_days.setSuffix(translate("History", " days"))
        self.keep_days.setAccessibleName(translate("History", "Days a job is kept"))
        before = QLabel(translate("History", "&Keep the newest"))
        before.setBuddy(self.keep_jobs)
        middle = QLabel(translate("History", "jobs, up to an a&ge of"))
        middle.setBuddy(self.keep_days)
        tip = translate(
            "History",
            "Older jobs are forgotten, and the file compacted, when the next job ends",
        )
        row = QHBoxLayout()
        for w in (before, self.keep_jobs, middle, self.keep_days):
            w.setToolTip(tip)
            row.addWidget(w)
        row.addStretch(1)
        self.retention_enabled = retention is not None
        for w in (before, self.keep_jobs, middle, self.keep_days):
            w.setVisible(self.retention_enabled)
        self.keep_jobs.valueChanged.connect(self._retention_edited)
        self.keep_days.valueChanged.connect(self._retention_edited)
        return row

    @Slot()
    def _retention_edited(self) -> None:
        self.retention_changed.emit(self.keep_jobs.value(), self.keep_days.value())

    # --- the list of jobs --------------------------------------------------------------------
    @Slot()
    def refresh(self, select: int | None = None) -> None:
        """Read the jobs again (off the GUI thread); ``select`` a job once they are in."""
        current = self.selected_job()
        self._want = select if select is not None else (current.id if current else None)
        self.status.setText(translate("History", "Loading…"))
        self.calls.call(self.path, _list_jobs, self._jobs_read, sweep=True)

    @Slot(object, str)
    def _jobs_read(self, jobs: list[JobRow] | None, error: str) -> None:
        if jobs is None:
            self.status.setText(
                translate("History", "The history cannot be read: {error}").format(error=error)
            )
            return
        self.jobs.set_jobs(jobs)
        n = len(jobs)
        self.status.setText(
            translate("History", "%Ln past job(s)", "", n)
            if jobs
            else translate("History", "No jobs yet.")
        )
        self.jobs_view.resizeColumnsToContents()
        row = self.jobs.row_of(self._want) if self._want is not None else None
        if row is None and jobs:
            row = 0
        if row is not None:
            self.jobs_view.selectRow(row)
        else:
            self._show_job(None)

    def selected_job(self) -> JobRow | None:
        rows = self.jobs_view.selectionModel().selectedRows()
        return self.jobs.job(rows[0].row()) if rows else None

    @Slot(QItemSelection, QItemSelection)
    def _job_selected(self, *_: Any) -> None:
        self._show_job(self.selected_job())

    # --- one job's results -------------------------------------------------------------------
    def _show_job(self, job: JobRow | None) -> None:
        self._generation += 1
        if self._loading is not None:
            self._loading.stopped.set()
            self._loading = None
        self.results.clear(job.id if job else None)
        self.update_buttons()
        if job is None:
            self.results_label.setText(translate("History", "Choose a job to see its files."))
            return
        self.results_label.setText(
            translate("History", "Job {job}: loading its files…").format(job=job.id)
        )
        self._loading = self.calls.call(
            self.path,
            load_results(job.id, self._generation),
            self._results_loaded,
            self._results_batch,
        )

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @Slot(object)
    def _results_batch(self, piece: tuple[int, list[tuple[str, str, str, str, str]]]) -> None:
        generation, rows = piece
        if generation == self._generation:
            self.results.append(rows)
            n = self.results.rowCount()
            self.results_label.setText(translate("History", "Loading… %Ln file(s)", "", n))

    @Slot(object, str)
    def _results_loaded(self, out: tuple[int, int] | None, error: str) -> None:
        if out is None:
            self.results_label.setText(
                translate("History", "The job's files cannot be read: {error}").format(error=error)
            )
            self._loading = None
            return
        generation, n = out
        if generation != self._generation:
            return
        self._loading = None
        job = self.selected_job()
        if job is None:
            return
        self.results_view.resizeColumnToContents(1)
        self.results_view.resizeColumnToContents(2)
        if self.results_view.columnWidth(0) < 300:
            self.results_view.setColumnWidth(0, 420)
        total = listed_files(job)
        if total > n:
            text = translate("History", "Job {job}: %Ln file(s) ({never} never finished)", "", n)
        else:
            text = translate("History", "Job {job}: %Ln file(s)", "", n)
        self.results_label.setText(text.format(job=job.id, never=f"{total - n:,}"))

    # --- actions -----------------------------------------------------------------------------
    def update_buttons(self) -> None:
        job = self.selected_job()
        free = not self.running_elsewhere
        self.resume_button.setEnabled(job is not None and free and can_resume(job))
        self.retry_button.setEnabled(job is not None and free and can_retry(job))
        self.export_button.setEnabled(job is not None)
        self.delete_button.setEnabled(job is not None and job.ending is not None)

    def set_running(self, running: bool) -> None:
        """A job runs in the main window (or ended): Resume and Retry wait for it."""
        self.running_elsewhere = running
        self.update_buttons()

    @Slot()
    def resume(self) -> None:
        job = self.selected_job()
        if job is not None and self.resume_button.isEnabled():
            self.rerun.emit(job, False)

    @Slot()
    def retry(self) -> None:
        job = self.selected_job()
        if job is not None and self.retry_button.isEnabled():
            self.rerun.emit(job, True)

    @Slot()
    def export_dialog(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        filters = {translate("History", label): fmt for label, fmt in EXPORT_FILTERS.items()}
        path, chosen = QFileDialog.getSaveFileName(
            self,
            translate("History", "Export job results"),
            f"parabatch-job-{job.id}.csv",
            ";;".join(filters),
        )
        if path:
            self.export(job, path, filters.get(chosen, "csv"))

    def export(self, job: JobRow, path: str, fmt: str) -> None:
        """Write job ``job``'s results to ``path`` as ``fmt`` (csv, json, joblog) with the
        command line's export code, off the GUI thread."""
        self.status.setText(translate("History", "Exporting job {job}…").format(job=job.id))

        def work(journal: Journal, call: JournalCall) -> str:
            args = argparse.Namespace(format=fmt, output=path)
            if _export(args, journal, journal.job(job.id)) != 0:
                return translate("History", "{path} cannot be written").format(path=path)
            return ""

        self._export_path = path
        self.calls.call(self.path, work, self._exported)

    @Slot(object, str)
    def _exported(self, problem: str | None, error: str) -> None:
        why = error or problem
        if why:
            self.status.setText(
                translate("History", "Not exported: {why}").format(why=message_for_people(why))
            )
        else:
            self.status.setText(
                translate("History", "Exported to {path}").format(path=self._export_path)
            )

    @Slot()
    def ask_delete(self) -> None:
        job = self.selected_job()
        if job is None or self.delete_box is not None:
            return
        files = job.files
        question = translate(
            "History", "Delete job {job} ({operation}, %Ln file(s)) from the history?", "", files
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            translate("History", DELETE_LABEL),
            question.format(job=job.id, operation=operations.title(job.operation)),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText(
            translate("History", "Its results cannot be shown, exported or resumed afterwards.")
        )
        box.addButton(translate("History", DELETE_LABEL), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(self._delete_answered)
        self.delete_box = box
        self._deleting = job.id
        box.open()

    @Slot()
    def _delete_answered(self) -> None:
        box, self.delete_box = self.delete_box, None
        if box is None:
            return
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is None or box.buttonRole(clicked) != QMessageBox.ButtonRole.DestructiveRole:
            return
        number = self._deleting

        def work(journal: Journal, call: JournalCall) -> int:
            n = journal.forget([number])
            journal.compact()
            return n

        self.status.setText(translate("History", "Deleting job {job}…").format(job=number))
        self.calls.call(self.path, work, self._deleted)

    @Slot(object, str)
    def _deleted(self, n: int | None, error: str) -> None:
        if n is None:
            self.status.setText(translate("History", "Not deleted: {error}").format(error=error))
            return
        self.changed.emit()
        self.refresh()

    def shutdown(self) -> None:
        """Stop loading and wait for the journal threads (the application is quitting)."""
        if self.delete_box is not None:
            self.delete_box.reject()
        self.calls.stop_all()

    def closeEvent(self, event: Any) -> None:
        if self._loading is not None:
            self._loading.stopped.set()
        super().closeEvent(event)


def _list_jobs(journal: Journal, call: JournalCall) -> list[JobRow]:
    return journal.jobs()
