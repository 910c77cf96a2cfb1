"""The window's file list actions: adding (dialogs, drops, scans), removing, copying, revealing.

A mixin of :class:`gui.main_window.MainWindow`; it only uses the window's widgets, model and
scan controller.
"""

from __future__ import annotations

import logging
import os
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from core.discover import Filters
from core.progress import format_bytes
from gui import desktop
from gui.settings import read_str

if TYPE_CHECKING:
    from gui.main_window import MainWindow

log = logging.getLogger(__name__)


class FileActions:
    """Adding and removing files (mixed into the main window)."""

    def scan_filters(self: MainWindow) -> Filters:
        def split(text: str) -> tuple[str, ...]:
            return tuple(p for p in re.split(r"[\s,;]+", text) if p)

        return Filters(
            split(self.include.text()), split(self.exclude.text()), self.hidden.isChecked()
        )

    @Slot(list)
    def add_paths(self: MainWindow, paths: list[str]) -> None:
        """Add files and folders (folders recursively, with the include/exclude patterns)."""
        if self.jobs.running:
            self.status_label.setText("A job is running: add files when it has ended.")
            return
        self.scans.filters = self.scan_filters()
        self.scans.add(paths)
        self.jobs.warm_up(self.workers.value())
        self._update_state()

    def add_files_dialog(self: MainWindow) -> None:
        start = read_str(self.settings, "last_dir", os.path.expanduser("~"))
        paths, _ = QFileDialog.getOpenFileNames(self, "Add files", start)
        if paths:
            self.settings.setValue("last_dir", os.path.dirname(paths[0]))
            self.add_paths(paths)

    def add_folder_dialog(self: MainWindow) -> None:
        start = read_str(self.settings, "last_dir", os.path.expanduser("~"))
        path = QFileDialog.getExistingDirectory(self, "Add folder", start)
        if path:
            self.settings.setValue("last_dir", path)
            self.add_paths([path])

    def selected_rows(self: MainWindow) -> list[int]:
        """Selected view rows (from selection ranges: cheap even with everything selected)."""
        rows: list[int] = []
        for r in self.view.selectionModel().selection():
            rows.extend(range(r.top(), r.bottom() + 1))
        return sorted(set(rows))

    def remove_selected(self: MainWindow) -> None:
        if not self.jobs.running:
            self.model.remove_view_rows(self.selected_rows())
            self._update_state()

    def clear(self: MainWindow) -> None:
        if not self.jobs.running:
            self.scans.discard()
            self.model.clear()
            self.message_bar.hide()
            self.overall.setValue(0)
            self._update_state()

    def copy_results(self: MainWindow) -> None:
        texts = [self.model.result_text(self.model.storage_row(r)) for r in self.selected_rows()]
        QGuiApplication.clipboard().setText("\n".join(texts))

    def reveal_selected(self: MainWindow) -> None:
        rows = self.selected_rows()
        if rows:
            desktop.reveal(self.model.path(self.model.storage_row(rows[0])))

    def _inputs_changed(self: MainWindow) -> None:
        """Rows were added or removed (debounced): update the count, let panels propose outputs
        (not mid-scan and not while a job shows its rows: the inputs are not settled then)."""
        self._inputs_timer.stop()  # called directly (scan end, Start): no second pass later
        if not self.scans.scanning and not self.jobs.running:
            for panel in self.panels.values():
                panel.set_inputs(self.model.paths)
        n = self.model.storage_count()
        self.count_label.setText(f"{n:,} files · {format_bytes(self.model.total_bytes)}")
        self._update_state()

    @Slot(int, int, int)
    def _scan_progress(self: MainWindow, files: int, skipped: int, folders: int) -> None:
        extra = f", {skipped:,} skipped" if skipped else ""
        self.status_label.setText(f"Scanning… {files:,} files in {folders:,} folders{extra}")

    @Slot(int, bool)
    def _scan_finished(self: MainWindow, added: int, cancelled: bool) -> None:
        verb = "Scan cancelled" if cancelled else "Added"
        self.status_label.setText(f"{verb}: {added:,} new files")
        log.info("%s: %d new files, %d listed", verb, added, self.model.storage_count())
        self.model.resort()
        self._inputs_changed()
        if self._quit_requested and not self.scans.scanning and not self.jobs.running:
            self.close()
