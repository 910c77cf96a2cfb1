"""Keeping the running files in view, and naming them in the status bar.

:class:`RunningFollower` scrolls the table to the files being worked on at each job tick while
"Follow running files" is ticked (ticked when a job starts, unticked as soon as the user scrolls
the table), and shows the current files' names next to the status line. Files too small to report
progress are never seen running (their results come with their chunk's): then the table follows
the first file not yet done, where the work is.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QAbstractItemView, QAbstractSlider, QCheckBox, QLabel

from core.records import Status
from gui.file_model import FileModel
from gui.file_table import FileTableView
from gui.i18n import translate

NAMED = 3  # running files named in the status bar; the rest are counted
CONTEXT_ROWS = 2  # rows left above the first running file when the table scrolls to it


class RunningFollower(QObject):
    """Follows the running rows of ``model`` in ``view`` while ``toggle`` is ticked, and names
    them in ``label``."""

    def __init__(
        self, view: FileTableView, model: FileModel, toggle: QCheckBox, label: QLabel
    ) -> None:
        super().__init__(view)
        self.view, self.model, self.toggle, self.label = view, model, toggle, label
        self.running = False
        toggle.setEnabled(False)
        view.verticalScrollBar().actionTriggered.connect(self._user_scrolled)
        view.viewport().installEventFilter(self)  # the wheel over the rows

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and self.running:
            self.toggle.setChecked(False)
        return False

    @Slot(int)
    def _user_scrolled(self, action: int) -> None:
        """A scroll bar move by the user (not ours: ours set the value, with no action)."""
        if self.running and action != QAbstractSlider.SliderAction.SliderNoAction.value:
            self.toggle.setChecked(False)

    @Slot()
    def job_started(self) -> None:
        self.running = True
        self.toggle.setEnabled(True)
        self.toggle.setChecked(True)
        self.tick()

    @Slot(object)
    def job_ended(self, finished: object = None) -> None:
        self.running = False
        self.toggle.setEnabled(False)
        self.label.clear()

    @Slot()
    def tick(self) -> None:
        if not self.running:
            return
        rows = self.model.running_rows(NAMED + 1)
        self.label.setText(current_text(self.model, rows))
        if self.toggle.isChecked():
            target = rows[0] if rows else self.model.first_pending()
            if target is not None:
                self.scroll_to(target)

    def scroll_to(self, storage_row: int) -> None:
        """Bring the row into view (a few rows of context above it), unless it is in view."""
        row = self.model.view_row(storage_row)
        if row < 0:
            return
        view = self.view
        top = view.rowAt(0)
        bottom = view.rowAt(view.viewport().height() - 1)
        if top <= row and (bottom < 0 or row < bottom):
            return
        index = self.model.index(max(row - CONTEXT_ROWS, 0), 0)
        view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)


def current_text(model: FileModel, rows: list[int]) -> str:
    """ "Working on a.jpg, b.jpg and 5 more" (the count from the job's tracker)."""
    if not rows:
        return ""
    t = model.tracker
    running = t.counts[Status.RUNNING] if t is not None else len(rows)
    names = [os.path.basename(model.path(i)) for i in rows[:NAMED]]
    more = running - len(names)
    shown = translate("Follow", ", ").join(names)
    if more > 0:
        text = translate("Follow", "Working on {names} and %Ln more", "", more)
    else:
        text = translate("Follow", "Working on {names}")
    return text.format(names=shown)
