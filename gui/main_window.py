"""The main window: adding files, running the chosen operation, showing progress and results.

Behaviour only; widgets are built in :mod:`gui.window_ui`. Long work never runs here: scans run
in :mod:`gui.scan_worker`, jobs in :mod:`gui.bridge` via :mod:`gui.job_control`. Closing while a
job runs asks first, cancels, and closes for real once the engine has confirmed.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
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
    QStackedWidget,
    QSystemTrayIcon,
)

from core import APP_NAME
from gui.file_model import FileModel
from gui.file_table import FileTableView, local_paths
from gui.job_control import JobControl
from gui.message_bar import MessageBar
from gui.panels.base import OperationPanel
from gui.scan_worker import ScanController
from gui.settings import open_settings, read_int
from gui.threads import make_timer
from gui.window_files import FileActions
from gui.window_jobs import JobActions
from gui.window_settings import load_window_settings, save_window_settings
from gui.window_ui import build_actions, build_menus, build_ui

QUIT_LABEL = "Cancel job and quit"


class MainWindow(FileActions, JobActions, QMainWindow):
    """Parabatch's window. ``settings`` defaults to the user's; tests pass an INI file."""

    # Widgets, created by gui.window_ui.build_ui.
    op_combo: QComboBox
    panel_stack: QStackedWidget
    panels: dict[str, OperationPanel]
    workers: QSpinBox
    time_limit: QSpinBox
    include: QLineEdit
    exclude: QLineEdit
    hidden: QCheckBox
    view: FileTableView
    status_filter: QComboBox
    count_label: QLabel
    splitter: QSplitter
    message_bar: MessageBar
    overall: QProgressBar
    start_button: QPushButton
    cancel_button: QPushButton
    status_label: QLabel

    def __init__(self, settings: QSettings | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else open_settings()
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.model = FileModel(self)
        self.model.set_palette(self.palette())
        self.scans = ScanController(self.model, self)
        cpu = os.cpu_count() or 1
        self.jobs = JobControl(self.model, read_int(self.settings, "workers", cpu, 1, 2 * cpu))
        self.jobs.setParent(self)
        self.actions_ = build_actions(self)
        build_ui(self)
        build_menus(self)
        self.quit_box: QMessageBox | None = None
        self._quit_requested = False
        self._shut_down = False
        self._tray: QSystemTrayIcon | None = None
        self._inputs_timer = make_timer(self, 300, self._inputs_changed, single_shot=True)
        self._connect()
        load_window_settings(self)
        self._inputs_changed()
        self._update_state()

    # --- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        a = self.actions_
        a.add_files.triggered.connect(self.add_files_dialog)
        a.add_folder.triggered.connect(self.add_folder_dialog)
        a.remove.triggered.connect(self.remove_selected)
        a.clear.triggered.connect(self.clear)
        a.start.triggered.connect(self.start)
        a.cancel.triggered.connect(self.cancel)
        a.quit.triggered.connect(self.close)
        a.copy.triggered.connect(self.copy_results)
        a.reveal.triggered.connect(self.reveal_selected)
        a.retry.triggered.connect(self.retry_failed)
        for act in (a.start, a.cancel, a.add_files, a.add_folder):
            self.addAction(act)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.op_combo.currentIndexChanged.connect(self._operation_changed)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.view.paths_dropped.connect(self.add_paths)
        self.view.selectionModel().selectionChanged.connect(self._update_state)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._inputs_timer.start)
        for panel in self.panels.values():
            panel.changed.connect(self._update_state)
        self.scans.progress.connect(self._scan_progress)
        self.scans.finished.connect(self._scan_finished)
        self.jobs.started.connect(self._job_started)
        self.jobs.ticked.connect(self._job_ticked)
        self.jobs.ended.connect(self._job_ended)

    def current_panel(self) -> OperationPanel:
        return self.panels[str(self.op_combo.currentData())]

    def _update_state(self) -> None:
        running, scanning = self.jobs.running, self.scans.scanning
        rows = self.model.storage_count()
        selected = self.view.selectionModel().hasSelection()
        panel = self.current_panel()
        a = self.actions_
        a.add_files.setEnabled(not running)
        a.add_folder.setEnabled(not running)
        a.remove.setEnabled(not running and selected)
        a.clear.setEnabled(not running and rows > 0)
        ready = not running and not scanning and (rows > 0 or not panel.needs_inputs)
        a.start.setEnabled(ready)
        a.cancel.setEnabled((running and not self.jobs.cancelling) or scanning)
        a.retry.setEnabled(not running and not scanning and self.jobs.retry_plan() is not None)
        a.copy.setEnabled(selected)
        a.reveal.setEnabled(selected)
        self.start_button.setEnabled(a.start.isEnabled())
        self.cancel_button.setEnabled(a.cancel.isEnabled())
        for w in (self.op_combo, self.panel_stack, self.workers, self.time_limit):
            w.setEnabled(not running)
        self.setAcceptDrops(not running)
        self.view.setAcceptDrops(not running)

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
            self.add_paths(paths)

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
        save_window_settings(self)
        self.shutdown()
        event.accept()

    def _ask_quit(self) -> None:
        if self.quit_box is not None:
            self.quit_box.raise_()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Quit Parabatch?",
            "A job is running. Cancel it and quit?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText("Files already processed keep their results.")
        quit_button = box.addButton(QUIT_LABEL, QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
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
        if clicked is not None and clicked.text() == QUIT_LABEL:
            self._quit_requested = True
            self.scans.cancel()
            self.cancel()
            if not self.jobs.running:
                self.close()

    def shutdown(self) -> None:
        """End scans, timers and worker processes. Idempotent; the window is closing."""
        if self._shut_down:
            return
        self._shut_down = True
        self._inputs_timer.stop()
        self.scans.stop_now()
        self.jobs.shutdown()
        if self._tray is not None:
            self._tray.hide()
