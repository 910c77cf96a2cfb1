"""The window's file list: adding (dialogs, drops, scans), removing, copying, revealing.

A manifest opened on its own (``parabatch SHA256SUMS``, a drop, Open with) is not listed as a
file to process: it switches the window to Verify with that manifest chosen.

:class:`FileListController` works on the window's widgets (:class:`gui.window_ui.WindowUI`), the
model and the scan controller; it reads the job control only to refuse changes while a job runs.
"""

from __future__ import annotations

import logging
import os
import re

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from core import manifest
from core.discover import Filters
from core.progress import format_bytes
from gui import desktop
from gui.file_model import FileModel
from gui.i18n import QT_TRANSLATE_NOOP, status_label, translate
from gui.job_control import FinishedJob, JobControl
from gui.scan_worker import ScanController
from gui.settings import read_str
from gui.threads import TimerFactory, make_timer
from gui.window_ui import WindowUI

log = logging.getLogger(__name__)

CLEAR_LABEL = QT_TRANSLATE_NOOP("FileList", "Clear the list")
INPUTS_SETTLE_MS = 300  # rows added or removed: the panels look at the inputs this much later
OUTPUT_FOLDERS_KEY = "outputs/folders"
KEEP_OUTPUT_FOLDERS = 50


def read_list(settings: QSettings, key: str) -> list[str]:
    """A list of strings from ``settings`` (QSettings gives a str for a one-item list)."""
    value = settings.value(key, [])
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value] if isinstance(value, list) else []


def files_text(n: int) -> str:
    """ "1 file", "20,000 files"."""
    return translate("FileList", "%Ln file(s)", "", n)


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
        self.offered_generation = -1  # the model's generation the panels last saw
        self.clear_box: QMessageBox | None = None  # "Clear the list?" while it is open
        self.clear_button: object = None  # its "Clear the list" button
        # Where jobs wrote their outputs (remembered across runs, the latest few).
        self.output_folders: set[str] = set(read_list(settings, OUTPUT_FOLDERS_KEY))

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
            self.ui.status_label.setText(
                translate("FileList", "A job is running: add files when it has ended.")
            )
            return
        if len(paths) == 1 and self.open_manifest(paths[0]):
            return
        self.scans.filters = self.scan_filters()
        self.scans.skip_under = self.outputs_to_skip(paths)
        self.scans.add(paths)
        self.jobs.warm_up(self.ui.workers.value())
        self.state_changed.emit()

    def outputs_to_skip(self, paths: list[str]) -> tuple[str, ...]:
        """The output folders of earlier jobs, as prefixes a scan of ``paths`` leaves out (not
        one the user adds itself, or adds a file or folder inside)."""
        wanted = [os.path.abspath(p) for p in paths]
        return tuple(
            folder + os.sep
            for folder in sorted(self.output_folders)
            if not any(p == folder or p.startswith(folder + os.sep) for p in wanted)
        )

    @Slot(object)
    def job_ended(self, finished: FinishedJob | None) -> None:
        """Remember where the job wrote (a folder of outputs) so later scans leave it out."""
        if finished is None:
            return
        panel = self.ui.panels.get(finished.op_name)
        naming = getattr(finished.options, "naming", None)
        folder = getattr(naming, "output_dir", None)
        if panel is not None and folder and os.path.isdir(folder):
            folder = os.path.normpath(folder)
            kept = [f for f in read_list(self.settings, OUTPUT_FOLDERS_KEY) if f != folder]
            kept = [folder, *kept][:KEEP_OUTPUT_FOLDERS]
            self.settings.setValue(OUTPUT_FOLDERS_KEY, kept)
            self.output_folders = set(kept)

    def open_manifest(self, path: str) -> bool:
        """A checksum manifest opened on its own: choose Verify with it (True), instead of
        listing it as a file to convert or hash (False: not a manifest)."""
        verify = self.ui.panels.get("verify")
        if verify is None or not os.path.isfile(path):
            return False
        if manifest.algorithm_from_filename(path) is None:
            return False
        combo = self.ui.op_combo
        combo.setCurrentIndex(combo.findData("verify"))
        verify.manifest.set_text(path)  # type: ignore[attr-defined]
        self.ui.message_bar.show_hint(
            "info",
            translate(
                "FileList", "{name} is a checksum manifest: Start verifies the files it lists."
            ).format(name=os.path.basename(path)),
        )
        self.state_changed.emit()
        return True

    @Slot()
    def add_files_dialog(self) -> None:
        start = read_str(self.settings, "last_dir", os.path.expanduser("~"))
        paths, _ = QFileDialog.getOpenFileNames(
            self.dialog_parent, translate("FileList", "Add files"), start
        )
        if paths:
            self.settings.setValue("last_dir", os.path.dirname(paths[0]))
            self.add_paths(paths)

    @Slot()
    def add_folder_dialog(self) -> None:
        start = read_str(self.settings, "last_dir", os.path.expanduser("~"))
        path = QFileDialog.getExistingDirectory(
            self.dialog_parent, translate("FileList", "Add folder"), start
        )
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
        """Empty the list; a list that shows a job's results asks first (no undo)."""
        if self.jobs.running or self.clear_box is not None:
            return
        n = self.model.storage_count()
        last = self.jobs.last
        has_results = last is not None and last.generation == self.model.generation
        if not has_results:
            self.clear_now()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            translate("FileList", "Clear the list?"),
            translate("FileList", "Remove all %Ln file(s) from the list?", "", n),
            QMessageBox.StandardButton.NoButton,
        )
        box.setParent(self.dialog_parent, box.windowFlags())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setInformativeText(
            translate(
                "FileList",
                "Their statuses and results are no longer shown (the files themselves are kept).",
            )
        )
        self.clear_button = box.addButton(
            translate("FileList", CLEAR_LABEL), QMessageBox.ButtonRole.DestructiveRole
        )
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.finished.connect(self._clear_answered)
        self.clear_box = box
        box.open()

    @Slot()
    def _clear_answered(self) -> None:
        box, self.clear_box = self.clear_box, None
        if box is None:
            return
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is not None and clicked is self.clear_button:
            self.clear_now()

    def clear_now(self) -> None:
        if not self.jobs.running:
            self.scans.discard()
            self.model.clear()
            self.ui.message_bar.hide()
            self.ui.overall.setValue(0)
            self.state_changed.emit()

    def row_text(self, i: int) -> str:
        """A storage row as one tab-separated line: name, folder, status, full result."""
        m = self.model
        path = m.path(i)
        r = m.result(i)
        result = m.result_text(i)
        if r is not None and r.value and r.value not in result:  # a failed row's digest
            result = f"{result} ({r.value})" if result else r.value
        status = status_label(m.status(i))
        fields = (os.path.basename(path), os.path.dirname(path), status, result)
        return "\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields)

    @Slot()
    def copy_results(self) -> None:
        """Ctrl+C: the selected rows, in full, as tab-separated lines."""
        rows = [self.model.storage_row(r) for r in self.selected_rows()]
        QGuiApplication.clipboard().setText("\n".join(self.row_text(i) for i in rows))

    @Slot()
    def copy_paths(self) -> None:
        """The selected rows' full paths, one a line."""
        rows = [self.model.storage_row(r) for r in self.selected_rows()]
        QGuiApplication.clipboard().setText("\n".join(self.model.path(i) for i in rows))

    @Slot()
    def reveal_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            path = self.model.path(self.model.storage_row(rows[0]))
            if not desktop.reveal(path):
                self.ui.status_label.setText(desktop.cannot_open(path))

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
            self.ui.message_bar.dismiss_hint()  # it was about the list as it was
            # Only for rows the panels have not seen: at the end of a job whose rows are the
            # list, a million paths looked at again by every panel froze the window. Their
            # common folder is the model's (kept as rows come): min() and max() of a million
            # paths hold the GIL for 30 ms, once per panel, as a scan of them ended.
            if self.model.generation != self.offered_generation:
                self.offered_generation = self.model.generation
                for panel in self.ui.panels.values():
                    panel.set_inputs(self.model.paths, self.model.folders.root)
        self.update_count()
        self.state_changed.emit()

    @Slot()
    def update_count(self) -> None:
        """ "3 files · 12.0 MB", or "1 of 3 files shown · 12.0 MB" under a status filter."""
        n, shown = self.model.storage_count(), self.model.rowCount()
        size = format_bytes(self.model.total_bytes)
        if shown == n:
            self.ui.count_label.setText(
                translate("FileList", "%Ln file(s) · {size}", "", n).format(size=size)
            )
        else:
            self.ui.count_label.setText(
                translate("FileList", "{shown} of %Ln file(s) shown · {size}", "", n).format(
                    shown=f"{shown:,}", size=size
                )
            )

    @Slot(int, int, int)
    def scan_progress(self, files: int, skipped: int, folders: int) -> None:
        where = translate("FileList", "%Ln folder(s)", "", folders)
        if skipped:
            text = translate(
                "FileList", "Scanning… %Ln file(s) in {folders}, {skipped} skipped", "", files
            )
        else:
            text = translate("FileList", "Scanning… %Ln file(s) in {folders}", "", files)
        self.ui.status_label.setText(text.format(folders=where, skipped=f"{skipped:,}"))

    @Slot(int, bool)
    def scan_finished(self, added: int, cancelled: bool) -> None:
        if cancelled:
            text = translate("FileList", "Scan cancelled: %Ln file(s)", "", added)
        else:
            text = translate("FileList", "Added: %Ln file(s)", "", added)
        self.ui.status_label.setText(text)
        verb = "Scan cancelled" if cancelled else "Added"
        log.info("%s: %d new files, %d listed", verb, added, self.model.storage_count())
        self.model.resort()
        self.inputs_changed()
