"""The window's jobs: choosing the operation, Start, Pause, Cancel, Retry, progress, the summary.

:class:`JobController` works on the window's widgets (:class:`gui.window_ui.WindowUI`) and the
list; the job itself runs in :mod:`gui.job_control`.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

from core import APP_NAME
from core.records import Status
from gui import desktop
from gui.file_model import FileModel
from gui.inputs import Snapshot
from gui.job_control import FinishedJob, JobControl, status_text, summary_text
from gui.message_bar import Action
from gui.scan_worker import ScanController
from gui.window_files import FileListController
from gui.window_settings import save_window_settings
from gui.window_ui import WindowUI

log = logging.getLogger(__name__)

CONFIRM_LABEL = "Continue"


class JobController(QObject):
    """Runs the chosen operation over the list and shows how it goes and how it ended.

    ``window`` shows the progress in its title and is saved with the settings at each Start.

    Signals:
        state_changed: a job started, was paused or resumed, moved to cancelling or ended; the
            window updates its actions.
        summary_shown(str): a job ended with this headline (the window tells a user who is
            looking elsewhere).
    """

    state_changed = Signal()
    summary_shown = Signal(str)

    def __init__(
        self,
        ui: WindowUI,
        model: FileModel,
        scans: ScanController,
        jobs: JobControl,
        file_list: FileListController,
        settings: QSettings,
        window: QMainWindow,
    ) -> None:
        super().__init__(window)
        self.ui, self.model, self.scans, self.jobs = ui, model, scans, jobs
        self.file_list = file_list
        self.settings = settings
        self.main_window = window
        self.confirm_box: QMessageBox | None = None  # the question before a job, while open
        self._pending: tuple[str, Any, Snapshot] | None = None

    @Slot()
    def operation_changed(self) -> None:
        self.ui.show_panel()
        self.state_changed.emit()

    @Slot()
    def filter_changed(self) -> None:
        self.model.set_status_filter(self.ui.status_filter.currentData())

    @Slot()
    def start(self) -> None:
        """Run the selected operation on the listed files (Ctrl+Return)."""
        if self.jobs.running or self.scans.scanning:
            return
        if self.confirm_box is not None:  # already asking (the window-modal box is in front)
            return
        self.file_list.settle_inputs()  # the panel proposes outputs from the inputs as they are
        panel = self.ui.current_panel()
        if panel.needs_inputs and self.model.storage_count() == 0:
            self.ui.message_bar.show_message("warning", "Add files or folders first.")
            return
        try:
            options = panel.options()
        except ValueError as e:
            self.ui.message_bar.show_message("warning", str(e))
            return
        snapshot = self.model.snapshot()
        question = panel.confirmation(options, len(snapshot.paths) - len(snapshot.skipped))
        if question is None:
            self.begin_job(panel.operation, options, snapshot)
        else:
            self._ask(panel.title, question, (panel.operation, options, snapshot))

    def _ask(self, title: str, question: str, job: tuple[str, Any, Snapshot]) -> None:
        """Ask once before a job that cannot be undone (deleting sources); it starts only on
        Continue. Window-modal but not blocking (tests and the event loop go on)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.NoButton
        )
        box.setParent(self.main_window, box.windowFlags())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.addButton(CONFIRM_LABEL, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter does not delete anything
        box.setEscapeButton(cancel)
        box.finished.connect(self._answered)
        self.confirm_box, self._pending = box, job
        box.open()

    @Slot()
    def _answered(self) -> None:
        box, self.confirm_box = self.confirm_box, None
        job, self._pending = self._pending, None
        if box is None or job is None:
            return
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is None or clicked.text() != CONFIRM_LABEL:
            self.ui.message_bar.show_message("info", "Not started: nothing was changed.")
            return
        if not self.jobs.running and not self.scans.scanning:
            self.begin_job(*job)

    @Slot()
    def retry_failed(self) -> None:
        """Run the last job's failed and cancelled rows again, keeping the other results."""
        plan = self.jobs.retry_plan()
        last = self.jobs.last
        if plan is not None and last is not None:
            self.begin_job(last.op_name, last.options, plan)

    def begin_job(self, op_name: str, options: Any, inputs: Any) -> None:
        """Run ``op_name`` with ``options`` over ``inputs`` (a snapshot of the list, or a plan)."""
        ui = self.ui
        save_window_settings(self.main_window, ui, self.settings)
        ui.message_bar.hide()
        ui.overall.setValue(0)
        ui.status_label.setText("Preparing…")
        limit = ui.time_limit.value()
        self.jobs.start(op_name, options, inputs, ui.workers.value(), limit or None)
        self.state_changed.emit()

    @Slot()
    def cancel(self) -> None:
        """Cancel the running job (or scan) at once; the engine confirms with ``ended``."""
        if self.jobs.running:
            if not self.jobs.cancelling:
                self.jobs.cancel()
                self.ui.status_label.setText("Cancelling…")
        elif self.scans.scanning:
            self.scans.cancel()
        self.state_changed.emit()

    @Slot()
    def toggle_pause(self) -> None:
        """Pause the running job, or resume it (Ctrl+P); Cancel and quitting still work while
        it is paused (the engine wakes the workers to stop)."""
        jobs = self.jobs
        if not jobs.running or jobs.cancelling:
            return
        if jobs.paused:
            jobs.resume()
        else:
            jobs.pause()
        self.job_ticked()  # the status line says so now, not at the next tick
        self.state_changed.emit()

    @Slot()
    def job_started(self) -> None:
        self.state_changed.emit()

    @Slot()
    def job_ticked(self) -> None:
        t = self.jobs.tracker
        if t is None:
            return
        pct = int(t.fraction * 100)
        overall = self.ui.overall
        # QProgressBar.setValue repaints synchronously, and a synchronous repaint flushes every
        # pending update of the window (the table's too) inside this tick: defer it instead.
        overall.setUpdatesEnabled(False)
        overall.setValue(int(t.fraction * 1000))
        overall.setUpdatesEnabled(True)  # schedules an ordinary update()
        jobs = self.jobs
        prefix = "Cancelling… " if jobs.cancelling else "Paused · " if jobs.paused else ""
        self.ui.status_label.setText(prefix + status_text(t, paused=jobs.paused))
        if jobs.running:
            paused = " (paused)" if jobs.paused else ""
            self.main_window.setWindowTitle(f"{pct}%{paused} — {APP_NAME}")

    @Slot(object)
    def job_ended(self, finished: FinishedJob | None) -> None:
        self.main_window.setWindowTitle(APP_NAME)
        self.file_list.inputs_changed()
        if finished is None:
            self.ui.status_label.setText("Not started")
            message = self.jobs.plan_error or "Could not start."
            self.ui.message_bar.show_message("error", message)
        else:
            self._show_summary(finished)

    def _show_summary(self, job: FinishedJob) -> None:
        t, report = job.tracker, job.report
        headline = summary_text(t, report)
        self.ui.status_label.setText(headline)
        log.info("%s: %s", job.op_name, headline)
        lines = list(report.notes + report.lines) if report is not None else []
        if report is not None and report.error:
            lines.append(report.error)
        actions: list[Action] = []
        panel = self.ui.panels.get(job.op_name)
        outputs = [p for p in (panel.outputs(job.options) if panel else []) if os.path.exists(p)]
        if outputs:
            out = outputs[0]
            if os.path.isdir(out):
                actions.append(("Open output folder", lambda: desktop.open_path(out)))
            else:
                actions.append((f"Open {os.path.basename(out)}", lambda: desktop.open_path(out)))
                actions.append(("Show in folder", lambda: desktop.reveal(out)))
        if self.ui.actions.retry.isEnabled():
            actions.append(("Retry failed", self.retry_failed))
        bad = t.counts[Status.FAILED] or (report is not None and report.error)
        kind = "error" if bad else "warning" if report and report.cancelled else "info"
        self.ui.message_bar.show_message(kind, headline, lines, actions)
        self.summary_shown.emit(headline)
