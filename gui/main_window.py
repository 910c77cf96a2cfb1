"""The main window: events and wiring; what the window does lives in its parts.

:class:`gui.window_ui.WindowUI` builds the widgets and actions, :class:`gui.window_files.
FileListController` adds and removes files, :class:`gui.window_jobs.JobController` runs jobs. Long
work never runs here: scans run in :mod:`gui.scan_worker`, jobs in :mod:`gui.bridge` via
:mod:`gui.job_control`. Closing while a job runs asks first, cancels, and closes for real once the
engine has confirmed.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QSystemTrayIcon,
)

from core import APP_NAME
from gui.about import HelpMenu
from gui.cluster_choice import ClusterChoice
from gui.file_model import FileModel
from gui.file_table import FileTableView, local_paths
from gui.follow import RunningFollower
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.job_control import FinishedJob, JobControl
from gui.message_bar import MessageBar
from gui.notify import DesktopNotifier
from gui.panels import available_panels
from gui.panels.base import OperationPanel
from gui.scan_worker import ScanController
from gui.settings import open_settings, read_int
from gui.threads import TimerFactory, make_timer
from gui.window_files import FileListController
from gui.window_jobs import JobController
from gui.window_journal import JournalController
from gui.window_settings import load_window_settings, save_window_settings
from gui.window_ui import MAX_WORKERS_PER_CPU, Actions, PanelStack, WindowUI, show_paused

QUIT_LABEL = QT_TRANSLATE_NOOP("MainWindow", "Cancel job and quit")
QUIT_NOW = QT_TRANSLATE_NOOP("MainWindow", "Quit")


def job_ended_behind(box: QMessageBox) -> None:
    """The quit question was open when the job ended: ask plainly whether to quit now."""
    box.setText(translate("MainWindow", "The job has ended."))
    box.setInformativeText(translate("MainWindow", "Quit Parabatch now?"))
    for button in box.buttons():
        if box.buttonRole(button) == QMessageBox.ButtonRole.AcceptRole:
            button.setText(translate("MainWindow", QUIT_NOW))
            button.setProperty("quit_now", True)
        else:
            button.setText(translate("MainWindow", "Don't quit"))


class MainWindow(QMainWindow):
    """Parabatch's window. ``settings`` defaults to the user's; tests pass an INI file, and
    ``timers`` to drive the window's throttled parts with fake timers."""

    def __init__(
        self,
        settings: QSettings | None = None,
        parent: Any = None,
        *,
        timers: TimerFactory = make_timer,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else open_settings()
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.model = FileModel(self)
        self.model.set_palette(self.palette())
        self.scans = ScanController(self.model, self, timers=timers)
        cpu = os.cpu_count() or 1
        workers = read_int(self.settings, "workers", cpu, 1, MAX_WORKERS_PER_CPU * cpu)
        self.jobs = JobControl(self.model, workers, timers=timers)
        self.jobs.setParent(self)
        self.ui = WindowUI(self, self.model)
        self.cluster = ClusterChoice(self.ui, self.jobs, self)
        self.quit_box: QMessageBox | None = None
        self._quit_requested = False
        self._shut_down = False
        self._tray: QSystemTrayIcon | None = None
        self.notifier = DesktopNotifier(self)  # where there is no tray (GNOME, Wayland)
        self.file_list = FileListController(
            self.ui, self.model, self.scans, self.jobs, self.settings, self, timers=timers
        )
        self.job_controller = JobController(
            self.ui, self.model, self.scans, self.jobs, self.file_list, self.settings, self
        )
        self.journal = JournalController(
            self.ui, self.jobs, self.job_controller, self.settings, self, timers=timers
        )
        self.follower = RunningFollower(
            self.ui.view, self.model, self.ui.follow, self.ui.current_label
        )
        self.help = HelpMenu(self, self.ui.status_label)  # the menu bar's last menu
        self._connect()
        load_window_settings(self, self.ui, self.settings)
        self.ui.update_workers_note()
        self.file_list.inputs_changed()
        self._update_state()
        self.journal.check_interrupted()  # off the GUI thread; a bar offers to resume

    # --- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        ui, a, files, job = self.ui, self.ui.actions, self.file_list, self.job_controller
        a.add_files.triggered.connect(files.add_files_dialog)
        a.add_folder.triggered.connect(files.add_folder_dialog)
        a.remove.triggered.connect(files.remove_selected)
        a.clear.triggered.connect(files.clear)
        a.start.triggered.connect(job.start)
        a.cancel.triggered.connect(job.cancel)
        a.pause.triggered.connect(job.toggle_pause)
        a.quit.triggered.connect(self.close)
        a.copy.triggered.connect(files.copy_results)
        a.copy_path.triggered.connect(files.copy_paths)
        a.reveal.triggered.connect(files.reveal_selected)
        a.retry.triggered.connect(job.retry_failed)
        for act in (a.start, a.pause, a.cancel, a.add_files, a.add_folder):
            self.addAction(act)
        ui.start_button.clicked.connect(job.start)
        ui.cancel_button.clicked.connect(job.cancel)
        ui.pause_button.clicked.connect(job.toggle_pause)
        ui.op_combo.currentIndexChanged.connect(job.operation_changed)
        ui.op_combo.currentIndexChanged.connect(ui.update_workers_note)
        ui.workers.valueChanged.connect(ui.update_workers_note)
        ui.status_filter.currentIndexChanged.connect(job.filter_changed)
        ui.status_filter.currentIndexChanged.connect(files.update_count)
        ui.view.paths_dropped.connect(files.add_paths)
        ui.view.selectionModel().selectionChanged.connect(self._update_state)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(files.inputs_timer.start)
        for panel in ui.panels.values():
            panel.changed.connect(self._update_state)
            panel.changed.connect(ui.message_bar.dismiss_hint)
        files.state_changed.connect(self._update_state)
        job.state_changed.connect(self._update_state)
        self.cluster.state_changed.connect(self._update_state)
        job.summary_shown.connect(self._notify)
        self.notifier.activated.connect(self.bring_forward)
        self.scans.progress.connect(files.scan_progress)
        self.scans.finished.connect(files.scan_finished)
        self.scans.finished.connect(self._scan_finished)  # after the list took the scan's end
        self.scans.finished.connect(job.scan_finished)  # a Start asked for while listing
        self.jobs.started.connect(job.job_started)
        self.jobs.started.connect(self.follower.job_started)
        self.jobs.ticked.connect(self.follower.tick)
        self.jobs.ended.connect(self.follower.job_ended)
        self.jobs.ended.connect(files.job_ended)  # later scans leave its outputs out
        self.jobs.ticked.connect(job.job_ticked)
        self.jobs.ended.connect(job.job_ended)
        self.jobs.ended.connect(self._job_ended)  # after the summary

    @Slot()
    def _update_state(self) -> None:
        """Enable what can be done now. Runs on every selection and option change: no loop
        over the rows here (Retry asks the last job's counts, not its plan)."""
        ui, a = self.ui, self.ui.actions
        running, scanning = self.jobs.running, self.scans.scanning
        rows = self.model.storage_count()
        selected = ui.view.selectionModel().hasSelection()
        panel = ui.current_panel()
        a.add_files.setEnabled(not running)
        a.add_folder.setEnabled(not running)
        a.remove.setEnabled(not running and selected)
        a.clear.setEnabled(not running and rows > 0)
        # While listing, Start is taken and runs once the listing ends (it says so).
        ready = not running and (rows > 0 or scanning or not panel.needs_inputs)
        ready = ready and self.cluster.ready  # a chosen cluster must be connected (Test)
        a.start.setEnabled(ready)
        a.cancel.setEnabled((running and not self.jobs.cancelling) or scanning)
        a.pause.setEnabled(running and not self.jobs.cancelling)
        show_paused(a, ui.pause_button, self.jobs.paused)
        a.retry.setEnabled(
            not running and not scanning and self.cluster.ready and self.jobs.can_retry()
        )
        self.journal.update_state()
        a.copy.setEnabled(selected)
        a.copy_path.setEnabled(selected)
        a.reveal.setEnabled(selected)
        ui.start_button.setEnabled(a.start.isEnabled())
        ui.cancel_button.setEnabled(a.cancel.isEnabled())
        ui.pause_button.setEnabled(a.pause.isEnabled())
        for w in (ui.op_combo, ui.panel_stack, ui.time_limit):
            w.setEnabled(not running)
        self.cluster.update_state(running)  # the workers field too (a cluster's is fixed)
        self.setAcceptDrops(not running)
        ui.view.setAcceptDrops(not running)

    @Slot(int, bool)
    def _scan_finished(self, added: int, cancelled: bool) -> None:
        if self._quit_requested and not self.scans.scanning and not self.jobs.running:
            self.close()

    @Slot(object)
    def _job_ended(self, finished: FinishedJob | None) -> None:
        if self._quit_requested:
            self.close()
        elif self.quit_box is not None:  # asked while it ran: the question is about it no more
            job_ended_behind(self.quit_box)

    @Slot(str)
    def _notify(self, text: str) -> None:
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
        else:
            self.notifier.notify(text)

    @Slot()
    def bring_forward(self) -> None:
        """Show, raise and activate the window (a notification of ours was clicked)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # --- window events -----------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_palette(self.palette())
        elif (
            event.type() == QEvent.Type.ActivationChange
            and self.isActiveWindow()
            and self._tray is not None
        ):
            self._tray.hide()
        super().changeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()) and not self.jobs.running:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.file_list.add_paths(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.jobs.running or self.scans.scanning:
            event.ignore()
            if self._quit_requested:
                return
            if self.jobs.running:
                self._ask_quit()
            else:
                self._quit_requested = True
                self.scans.discard()
            return
        save_window_settings(self, self.ui, self.settings)
        self.shutdown()
        event.accept()

    def _ask_quit(self) -> None:
        if self.quit_box is not None:
            self.quit_box.raise_()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            translate("MainWindow", "Quit Parabatch?"),
            translate("MainWindow", "A job is running. Cancel it and quit?"),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        panel = self.ui.panels.get(self.jobs.op_name or "")
        box.setInformativeText((panel or OperationPanel).cancel_text())
        quit_button = box.addButton(
            translate("MainWindow", QUIT_LABEL), QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(translate("MainWindow", "Keep running"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(quit_button)
        box.finished.connect(self._quit_answered)
        self.quit_box = box
        box.open()

    @Slot()
    def _quit_answered(self) -> None:
        box, self.quit_box = self.quit_box, None
        if box is None:
            return
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is None or box.buttonRole(clicked) != QMessageBox.ButtonRole.AcceptRole:
            return  # keep running, or don't quit
        if clicked.property("quit_now"):
            self._quit_requested = True
            self.close()
        else:  # cancel the job and quit
            self._quit_requested = True
            self.scans.cancel()
            self.job_controller.cancel()
            if not self.jobs.running:
                self.close()

    def shutdown(self) -> None:
        """End scans, timers and worker processes. Idempotent; the window is closing."""
        if self._shut_down:
            return
        self._shut_down = True
        self.file_list.inputs_timer.stop()
        self.scans.stop_now()
        self.journal.shutdown()
        self.cluster.shutdown()  # a test under way, engines being shut down
        self.jobs.shutdown()
        if self._tray is not None:
            self._tray.hide()
        self.notifier.shutdown()

    # --- the parts, as tests and scripts reach them ------------------------------------------
    @staticmethod
    def panel_names() -> list[str]:
        """The operations the window offers (those with a panel)."""
        return [name for name, _ in available_panels()]

    @property
    def actions_(self) -> Actions:
        return self.ui.actions

    @property
    def op_combo(self) -> QComboBox:
        return self.ui.op_combo

    @property
    def panel_stack(self) -> PanelStack:
        return self.ui.panel_stack

    @property
    def panels(self) -> dict[str, OperationPanel]:
        return self.ui.panels

    @property
    def workers(self) -> QSpinBox:
        return self.ui.workers

    @property
    def time_limit(self) -> QSpinBox:
        return self.ui.time_limit

    @property
    def include(self) -> QLineEdit:
        return self.ui.include

    @property
    def exclude(self) -> QLineEdit:
        return self.ui.exclude

    @property
    def hidden(self) -> QCheckBox:
        return self.ui.hidden

    @property
    def view(self) -> FileTableView:
        return self.ui.view

    @property
    def status_filter(self) -> QComboBox:
        return self.ui.status_filter

    @property
    def count_label(self) -> QLabel:
        return self.ui.count_label

    @property
    def splitter(self) -> QSplitter:
        return self.ui.splitter

    @property
    def message_bar(self) -> MessageBar:
        return self.ui.message_bar

    @property
    def overall(self) -> QProgressBar:
        return self.ui.overall

    @property
    def start_button(self) -> QPushButton:
        return self.ui.start_button

    @property
    def pause_button(self) -> QPushButton:
        return self.ui.pause_button

    @property
    def cancel_button(self) -> QPushButton:
        return self.ui.cancel_button

    @property
    def status_label(self) -> QLabel:
        return self.ui.status_label

    def current_panel(self) -> OperationPanel:
        return self.ui.current_panel()

    def add_paths(self, paths: list[str]) -> None:
        """Add files and folders, as a drop or Add folder does."""
        self.file_list.add_paths(paths)

    def clear(self) -> None:
        self.file_list.clear()

    def start(self) -> None:
        self.job_controller.start()

    def cancel(self) -> None:
        self.job_controller.cancel()

    def begin_job(self, op_name: str, options: Any, inputs: Any) -> None:
        self.job_controller.begin_job(op_name, options, inputs)
