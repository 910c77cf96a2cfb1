"""The window's jobs: choosing the operation, Start, Pause, Cancel, Retry, progress, the summary.

:class:`JobController` works on the window's widgets (:class:`gui.window_ui.WindowUI`) and the
list; the job itself runs in :mod:`gui.job_control`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

from core import APP_NAME
from core.i18n import message_for_people
from core.records import Status
from gui import desktop
from gui.file_model import FileModel
from gui.i18n import translate
from gui.inputs import Snapshot
from gui.job_control import FinishedJob, JobControl, status_text, summary_text
from gui.message_bar import Action
from gui.panels.base import CONTINUE, Question
from gui.scan_worker import ScanController
from gui.window_files import FileListController
from gui.window_settings import save_window_settings
from gui.window_ui import WindowUI

log = logging.getLogger(__name__)

CONFIRM_LABEL = CONTINUE


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
        self._pending: tuple[str, Snapshot, list[tuple[Any, Any]]] | None = None
        self.start_when_listed = False  # Start was asked for while a folder was being listed
        self._listed: tuple[int, int] = (0, 0)  # rows and generation of the list at Start
        self.replaced_note: str | None = None  # the job's rows replaced the list: it says so

    @Slot()
    def operation_changed(self) -> None:
        self.ui.message_bar.dismiss_hint()
        self.ui.show_panel()
        self.state_changed.emit()

    @Slot()
    def filter_changed(self) -> None:
        self.model.set_status_filter(self.ui.status_filter.currentData())

    @Slot()
    def start(self) -> None:
        """Run the selected operation on the listed files (Ctrl+Return); while a folder is
        still being listed, start once it is (the job needs every row's size)."""
        if self.jobs.running:
            return
        if self.scans.scanning:
            self.start_when_listed = True
            self.ui.message_bar.show_hint(
                "info",
                translate(
                    "JobController",
                    "Still listing files: the job starts once the listing ends (Esc stops it).",
                ),
            )
            return
        self.start_when_listed = False
        if self.confirm_box is not None:  # already asking (the window-modal box is in front)
            return
        self.file_list.settle_inputs()  # the panel proposes outputs from the inputs as they are
        panel = self.ui.current_panel()
        if panel.needs_inputs and self.model.storage_count() == 0:
            self.ui.message_bar.show_hint(
                "warning", translate("JobController", "Add files or folders first.")
            )
            return
        try:
            options = panel.options()
        except ValueError as e:
            self.ui.message_bar.show_hint("warning", str(e))
            return
        snapshot = self.model.snapshot()
        leave_out = panel.leave_out(options)
        if leave_out is not None:
            snapshot = dataclasses.replace(snapshot, leave_out=leave_out)
        question = panel.question(options, snapshot.rows - snapshot.skipped_count)
        if question is None:
            self.begin_job(panel.operation, options, snapshot)
        else:
            self._ask(panel.display_title(), question, panel.operation, snapshot)

    @Slot(int, bool)
    def scan_finished(self, added: int, cancelled: bool) -> None:
        """Start asked for while listing: start now, or say why not."""
        if not self.start_when_listed or self.scans.scanning:
            return
        self.start_when_listed = False
        if cancelled:
            self.ui.message_bar.show_hint(
                "info", translate("JobController", "Not started: the listing was stopped.")
            )
        else:
            self.start()

    def _ask(self, title: str, question: Question, op_name: str, snapshot: Snapshot) -> None:
        """Ask once before a job (sources deleted, a manifest replaced); it starts only on one
        of the question's answers. Window-modal but not blocking (the event loop goes on)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, question.text, QMessageBox.StandardButton.NoButton
        )
        box.setParent(self.main_window, box.windowFlags())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        if question.informative:
            box.setInformativeText(question.informative)
        buttons = [
            box.addButton(label, QMessageBox.ButtonRole.AcceptRole) for label, _ in question.answers
        ]
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter does not delete or replace anything
        box.setEscapeButton(cancel)
        box.finished.connect(self._answered)
        answers = [(b, options) for b, (_, options) in zip(buttons, question.answers, strict=True)]
        self.confirm_box, self._pending = box, (op_name, snapshot, answers)
        box.open()

    @Slot()
    def _answered(self) -> None:
        box, self.confirm_box = self.confirm_box, None
        job, self._pending = self._pending, None
        if box is None or job is None:
            return
        clicked = box.clickedButton()
        box.deleteLater()
        op_name, snapshot, answers = job
        options = next((o for b, o in answers if b is clicked), None)
        if options is None:
            self.ui.message_bar.show_message(
                "info", translate("JobController", "Not started: nothing was changed.")
            )
            return
        if not self.jobs.running and not self.scans.scanning:
            self.begin_job(op_name, options, snapshot)

    @Slot()
    def retry_failed(self) -> None:
        """Run the last job's failed rows again, keeping the other results."""
        self._rerun(self.jobs.retry_plan(), "retry")

    @Slot()
    def resume(self) -> None:
        """Run the rows the last job left unfinished (cancelled), keeping the other results."""
        self._rerun(self.jobs.resume_plan(), "resume")

    def _rerun(self, plan: Any, how: str) -> None:
        last = self.jobs.last
        if plan is not None and last is not None:
            number = last.recorder.job_number if last.recorder is not None else None
            self.begin_job(last.op_name, last.options, plan, origin=number, how=how)

    def begin_job(self, op_name: str, options: Any, inputs: Any, **rerun: Any) -> None:
        """Run ``op_name`` with ``options`` over ``inputs`` (a snapshot of the list, or a plan);
        ``rerun``: a resume's or retry's ``carry``, ``origin``, ``how``, ``given``."""
        ui = self.ui
        save_window_settings(self.main_window, ui, self.settings)
        ui.message_bar.hide()
        self._listed = (self.model.storage_count(), self.model.generation)
        self.replaced_note = None
        ui.overall.setValue(0)
        ui.status_label.setText(translate("JobController", "Preparing…"))
        limit = ui.time_limit.value()
        self.jobs.start(op_name, options, inputs, ui.workers.value(), limit or None, **rerun)
        self.state_changed.emit()

    @Slot()
    def cancel(self) -> None:
        """Cancel the running job (or scan) at once; the engine confirms with ``ended``."""
        if self.jobs.running:
            if not self.jobs.cancelling:
                self.jobs.cancel()
                self.ui.status_label.setText(translate("JobController", "Cancelling…"))
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
        listed, generation = self._listed
        if listed and self.model.generation != generation:  # verify lists its manifest's rows
            rows = self.model.storage_count()
            self.replaced_note = translate(
                "JobController",
                "The list shows the %Ln file(s) the manifest lists instead of the {listed} "
                "listed before; add those again to process them.",
                "",
                rows,
            ).format(listed=f"{listed:,}")
            self.ui.message_bar.show_message("info", self.replaced_note)
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
        text = status_text(t, paused=jobs.paused)
        if jobs.cancelling:
            text = translate("JobController", "Cancelling… {status}").format(status=text)
        elif jobs.paused:
            text = translate("JobController", "Paused · {status}").format(status=text)
        self.ui.status_label.setText(text)
        if jobs.running:
            title = (
                translate("JobController", "{percent}% (paused) — {app}")
                if jobs.paused
                else translate("JobController", "{percent}% — {app}")
            )
            self.main_window.setWindowTitle(title.format(percent=pct, app=APP_NAME))

    @Slot(object)
    def job_ended(self, finished: FinishedJob | None) -> None:
        self.main_window.setWindowTitle(APP_NAME)
        self.file_list.inputs_changed()
        if finished is None:
            self.ui.status_label.setText(translate("JobController", "Not started"))
            error = self.jobs.plan_error
            message = (
                message_for_people(error)
                if error
                else translate("JobController", "Could not start.")
            )
            self.ui.message_bar.show_message("error", message)
        else:
            self._show_summary(finished)

    def hand_over(self, how: Callable[[str], bool], path: str) -> None:
        """Open or reveal ``path`` on the desktop; say so in the window when nothing took it
        (no file manager: only stderr said it before)."""
        if not how(path):
            self.ui.status_label.setText(desktop.cannot_open(path))

    def _show_summary(self, job: FinishedJob) -> None:
        t, report = job.tracker, job.report
        headline = summary_text(t, report)
        self.ui.status_label.setText(headline)
        log.info("%s: %s", job.op_name, headline)
        lines = (
            [message_for_people(x) for x in report.notes + report.lines]
            if report is not None
            else []
        )
        if self.replaced_note:
            lines.append(self.replaced_note)
        if report is not None and report.error:
            lines.append(message_for_people(report.error))
        actions: list[Action] = []
        panel = self.ui.panels.get(job.op_name)
        outputs = [p for p in (panel.outputs(job.options) if panel else []) if os.path.exists(p)]
        if outputs:
            out = outputs[0]
            if os.path.isdir(out):
                actions.append(
                    (
                        translate("JobController", "Open output folder"),
                        lambda: self.hand_over(desktop.open_path, out),
                    )
                )
            else:
                open_it = lambda: self.hand_over(desktop.open_path, out)  # noqa: E731
                name = os.path.basename(out)
                actions.append(
                    (translate("JobController", "Open {name}").format(name=name), open_it)
                )
                reveal = lambda: self.hand_over(desktop.reveal, out)  # noqa: E731
                actions.append((translate("JobController", "Show in folder"), reveal))
        if self.jobs.can_resume():  # a cancel left rows: "Retry failed" would misname it
            actions.append((translate("JobController", "Resume"), self.resume))
        if self.jobs.can_retry():
            actions.append((translate("JobController", "Retry failed"), self.retry_failed))
        bad = t.counts[Status.FAILED] or (report is not None and report.error)
        kind = "error" if bad else "warning" if report and report.cancelled else "info"
        self.ui.message_bar.show_message(kind, headline, lines, actions)
        self.summary_shown.emit(headline)
