"""The window's job actions: choosing the operation, Start, Cancel, Retry, progress, summary.

A mixin of :class:`gui.main_window.MainWindow`; the job itself runs in :mod:`gui.job_control`.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QSizePolicy, QSystemTrayIcon

from core import APP_NAME
from core.records import Status
from gui import desktop
from gui.job_control import FinishedJob, status_text, summary_text
from gui.window_settings import save_window_settings

if TYPE_CHECKING:
    from gui.main_window import MainWindow

log = logging.getLogger(__name__)


class JobActions:
    """Running jobs from the window (mixed into the main window)."""

    def _operation_changed(self: MainWindow) -> None:
        self.show_panel()
        self._update_state()

    def show_panel(self: MainWindow) -> None:
        """Show the current operation's panel; the stack takes that panel's height, not the
        tallest panel's (hidden pages are given an ignored size policy)."""
        current = self.current_panel()
        for panel in self.panels.values():
            policy = (
                QSizePolicy.Policy.Preferred if panel is current else QSizePolicy.Policy.Ignored
            )
            panel.setSizePolicy(policy, policy)
        self.panel_stack.setCurrentWidget(current)
        self.panel_stack.adjustSize()

    def _filter_changed(self: MainWindow) -> None:
        self.model.set_status_filter(self.status_filter.currentData())

    def start(self: MainWindow) -> None:
        """Run the selected operation on the listed files (Ctrl+Return)."""
        if self.jobs.running or self.scans.scanning:
            return
        if self._inputs_timer.isActive():  # rows changed since the panels last looked
            self._inputs_timer.stop()
            self._inputs_changed()  # the panel proposes outputs from the inputs as they are now
        panel = self.current_panel()
        if panel.needs_inputs and self.model.storage_count() == 0:
            self.message_bar.show_message("warning", "Add files or folders first.")
            return
        try:
            options = panel.options()
        except ValueError as e:
            self.message_bar.show_message("warning", str(e))
            return
        self.begin_job(panel.operation, options, self.model.snapshot())

    def retry_failed(self: MainWindow) -> None:
        """Run the last job's failed and cancelled rows again, keeping the other results."""
        plan = self.jobs.retry_plan()
        last = self.jobs.last
        if plan is not None and last is not None:
            self.begin_job(last.op_name, last.options, plan)

    def begin_job(self: MainWindow, op_name: str, options: Any, inputs: Any) -> None:
        """Run ``op_name`` with ``options`` over ``inputs`` (a snapshot of the list, or a plan)."""
        save_window_settings(self)
        self.message_bar.hide()
        self.overall.setValue(0)
        self.status_label.setText("Preparing…")
        limit = self.time_limit.value()
        self.jobs.start(op_name, options, inputs, self.workers.value(), limit or None)
        self._update_state()

    def cancel(self: MainWindow) -> None:
        """Cancel the running job (or scan) at once; the engine confirms with ``ended``."""
        if self.jobs.running:
            if not self.jobs.cancelling:
                self.jobs.cancel()
                self.status_label.setText("Cancelling…")
        elif self.scans.scanning:
            self.scans.cancel()
        self._update_state()

    def _job_started(self: MainWindow) -> None:
        self._update_state()

    def _job_ticked(self: MainWindow) -> None:
        t = self.jobs.tracker
        if t is None:
            return
        pct = int(t.fraction * 100)
        # QProgressBar.setValue repaints synchronously, and a synchronous repaint flushes every
        # pending update of the window (the table's too) inside this tick: defer it instead.
        self.overall.setUpdatesEnabled(False)
        self.overall.setValue(int(t.fraction * 1000))
        self.overall.setUpdatesEnabled(True)  # schedules an ordinary update()
        prefix = "Cancelling… " if self.jobs.cancelling else ""
        self.status_label.setText(prefix + status_text(t))
        if self.jobs.running:
            self.setWindowTitle(f"{pct}% — {APP_NAME}")

    def _job_ended(self: MainWindow, finished: FinishedJob | None) -> None:
        self.setWindowTitle(APP_NAME)
        self._inputs_changed()
        if finished is None:
            self.status_label.setText("Not started")
            self.message_bar.show_message("error", self.jobs.plan_error or "Could not start.")
        else:
            self._show_summary(finished)
        if self._quit_requested:
            self.close()

    def _show_summary(self: MainWindow, job: FinishedJob) -> None:
        t, report = job.tracker, job.report
        headline = summary_text(t, report)
        self.status_label.setText(headline)
        log.info("%s: %s", job.op_name, headline)
        lines = list(report.notes + report.lines) if report is not None else []
        if report is not None and report.error:
            lines.append(report.error)
        actions: list[tuple[str, Any]] = []
        panel = self.panels.get(job.op_name)
        outputs = [p for p in (panel.outputs(job.options) if panel else []) if os.path.exists(p)]
        if outputs:
            out = outputs[0]
            if os.path.isdir(out):
                actions.append(("Open output folder", lambda: desktop.open_path(out)))
            else:
                actions.append((f"Open {os.path.basename(out)}", lambda: desktop.open_path(out)))
                actions.append(("Show in folder", lambda: desktop.reveal(out)))
        if self.actions_.retry.isEnabled():
            actions.append(("Retry failed", self.retry_failed))
        bad = t.counts[Status.FAILED] or (report is not None and report.error)
        kind = "error" if bad else "warning" if report and report.cancelled else "info"
        self.message_bar.show_message(kind, headline, lines, actions)
        self._notify(headline)

    def _notify(self: MainWindow, text: str) -> None:
        """Tell a user who is looking elsewhere that the job ended."""
        if self.isActiveWindow():
            return
        QApplication.alert(self)
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            tray = self._tray
            if tray is None:
                tray = self._tray = QSystemTrayIcon(self.windowIcon(), self)
            tray.show()
            tray.showMessage(APP_NAME, text, QSystemTrayIcon.MessageIcon.Information)
