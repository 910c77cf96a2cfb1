"""The window's file list: adding (dialogs, drops, scans), removing, copying, revealing.

:class:`FileListController` works on the window's widgets (:class:`gui.window_ui.WindowUI`), the
model and the scan controller; it reads the job control only to refuse changes while a job runs.
"""

from __future__ import annotations

import logging
import os
import re

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from core.discover import Filters
from core.progress import format_bytes
from gui import desktop
from gui.file_model import FileModel
from gui.job_control import JobControl
from gui.scan_worker import ScanController
from gui.settings import read_str
from gui.threads import TimerFactory, make_timer
from gui.window_ui import WindowUI

log = logging.getLogger(__name__)

INPUTS_SETTLE_MS = 300  # rows added or removed: the panels look at the inputs this much later


class FileListController(QObject):
    """Adds files to the list and removes them; tells the panels what is listed.

    ``window`` is the parent of the file dialogs (and of this object); ``timers`` makes the
    debounce timer of :meth:`inputs_changed` (tests pass fakes).

    Signals:
        state_changed: the list or a scan changed; the window updates its actions.
    """

    state_changed = Signal()

    def __init__(
        self,
        ui: WindowUI,
        model: FileModel,
        scans: ScanController,
        jobs: JobControl,
        settings: QSettings,
        window: QWidget,
        *,
        timers: TimerFactory = make_timer,
    ) -> None:
        super().__init__(window)
        self.ui, self.model, self.scans, self.jobs = ui, model, scans, jobs
        self.settings = settings
        self.dialog_parent = window
        self.inputs_timer = timers(self, INPUTS_SETTLE_MS, self.inputs_changed, single_shot=True)

    def scan_filters(self) -> Filters:
        """The include/exclude patterns and the hidden-files switch, for folder scans."""

        def split(text: str) -> tuple[str, ...]:
            return tuple(p for p in re.split(r"[\s,;]+", text) if p)

        ui = self.ui
        return Filters(split(ui.include.text()), split(ui.exclude.text()), ui.hidden.isChecked())

    @Slot(list)
    def add_paths(self, paths: list[str]) -> None:
        """Add files and folders (folders recursively, with the include/exclude patterns)."""
        if self.jobs.running:
            self.ui.status_label.setText("A job is running: add files when it has ended.")
            return
        self.scans.filters = self.scan_filters()
        self.scans.add(paths)
        self.jobs.warm_up(self.ui.workers.value())
        self.state_changed.emit()

    @Slot()
    def add_files_dialog(self) -> None:
        start = read_str(self.settings, "last_dir", os.path.expanduser("~"))
        paths, _ = QFileDialog.getOpenFileNames(self.dialog_parent, "Add files", start)
        if paths:
            self.settings.setValue("last_dir", os.path.dirname(paths[0]))
            self.add_paths(paths)

    @Slot()
    def add_folder_dialog(self) -> None:
        start = read_str(self.settings, "last_dir", os.path.expanduser("~"))
        path = QFileDialog.getExistingDirectory(self.dialog_parent, "Add folder", start)
        if path:
            self.settings.setValue("last_dir", path)
            self.add_paths([path])

    def selected_rows(self) -> list[int]:
        """Selected view rows (from selection ranges: cheap even with everything selected)."""
        rows: list[int] = []
        for r in self.ui.view.selectionModel().selection():  # type: ignore[attr-defined]
            rows.extend(range(r.top(), r.bottom() + 1))
        return sorted(set(rows))

    @Slot()
    def remove_selected(self) -> None:
        if not self.jobs.running:
            self.model.remove_view_rows(self.selected_rows())
            self.state_changed.emit()

    @Slot()
    def clear(self) -> None:
        if not self.jobs.running:
            self.scans.discard()
            self.model.clear()
            self.ui.message_bar.hide()
            self.ui.overall.setValue(0)
            self.state_changed.emit()

    @Slot()
    def copy_results(self) -> None:
        texts = [self.model.result_text(self.model.storage_row(r)) for r in self.selected_rows()]
        QGuiApplication.clipboard().setText("\n".join(texts))

    @Slot()
    def reveal_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            desktop.reveal(self.model.path(self.model.storage_row(rows[0])))

    def settle_inputs(self) -> None:
        """Run a pending :meth:`inputs_changed` now (Start: the inputs as they are now)."""
        if self.inputs_timer.isActive():  # rows changed since the panels last looked
            self.inputs_changed()

    @Slot()
    def inputs_changed(self) -> None:
        """Rows were added or removed (debounced): update the count, let panels propose outputs
        (not mid-scan and not while a job shows its rows: the inputs are not settled then)."""
        self.inputs_timer.stop()  # called directly (scan end, Start): no second pass later
        if not self.scans.scanning and not self.jobs.running:
            for panel in self.ui.panels.values():
                panel.set_inputs(self.model.paths)
        n = self.model.storage_count()
        self.ui.count_label.setText(f"{n:,} files · {format_bytes(self.model.total_bytes)}")
        self.state_changed.emit()

    @Slot(int, int, int)
    def scan_progress(self, files: int, skipped: int, folders: int) -> None:
        extra = f", {skipped:,} skipped" if skipped else ""
        self.ui.status_label.setText(f"Scanning… {files:,} files in {folders:,} folders{extra}")

    @Slot(int, bool)
    def scan_finished(self, added: int, cancelled: bool) -> None:
        verb = "Scan cancelled" if cancelled else "Added"
        self.ui.status_label.setText(f"{verb}: {added:,} new files")
        log.info("%s: %d new files, %d listed", verb, added, self.model.storage_count())
        self.model.resort()
        self.inputs_changed()
