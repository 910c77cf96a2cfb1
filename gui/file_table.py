"""The file table: a ``QTableView`` over :class:`gui.file_model.FileModel` that takes drops.

Drops of files and folders are turned into local paths and handed on (``paths_dropped``);
nothing expensive happens inside the drop handler. An empty table says how to add files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from core.records import Status
from gui.columns import COLUMNS, FOLDER, NAME, PROGRESS, RESULT, SIZE, STATUS
from gui.file_model import FileModel
from gui.progress_delegate import ProgressDelegate

EMPTY_HINT = "Drop files or folders here\nor use Add files (Ctrl+O) and Add folder (Ctrl+Shift+O)"


def local_paths(mime: QMimeData) -> list[str]:
    """The local files and folders a drag carries (remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


class FileTableView(QTableView):
    """Table of input files with painted progress bars; accepts dropped files and folders.

    Signals:
        paths_dropped(list): local paths dropped on the table.
    """

    paths_dropped = Signal(list)

    def __init__(self, model: FileModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName("Files")
        self.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setShowGrid(False)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures a million rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        fm = self.fontMetrics()
        em = fm.horizontalAdvance("M")
        for col, width in ((NAME, 15), (FOLDER, 19), (SIZE, 7), (PROGRESS, 8)):
            self.setColumnWidth(col, width * em)
        # Wide enough for every status word ("Cancelled" was cut to "Can…led" at 6 em).
        words = [s.label for s in Status] + [COLUMNS[STATUS]]
        self.setColumnWidth(STATUS, max(fm.horizontalAdvance(w) for w in words) + em)
        self.setColumnWidth(RESULT, 12 * em)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # start in the order added
        self.setSortingEnabled(True)

    # --- repaint only what is visible ----------------------------------------------------------
    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """A job tick changes a range of rows, often far from what is on screen: repaint only
        the visible rows it touches (the base class repaints the whole viewport for any range)."""
        if QAccessible.isActive():  # screen readers get the base class's change events
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        first = self.rowAt(0)
        if first < 0:
            first = 0
        last = self.rowAt(self.viewport().height() - 1)
        if last < 0:
            last = self.model().rowCount() - 1
        lo, hi = max(first, top_left.row()), min(last, bottom_right.row())
        if lo > hi:
            return
        y0 = self.rowViewportPosition(lo)
        y1 = self.rowViewportPosition(hi) + self.rowHeight(hi)
        self.viewport().update(QRect(0, y0, self.viewport().width(), y1 - y0))

    # --- drops -------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.paths_dropped.emit(paths)

    # --- empty state -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect(),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                EMPTY_HINT,
            )
            painter.end()
