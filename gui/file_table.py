"""The file table: a ``QTableView`` over :class:`gui.file_model.FileModel` that takes drops.

Drops of files and folders are turned into local paths and handed on (``paths_dropped``);
nothing expensive happens inside the drop handler. An empty table says how to add files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAccessible,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from core.progress import format_bytes
from core.records import Status
from gui.columns import COLUMNS, FOLDER, NAME, PROGRESS, RESULT, SIZE, STATUS
from gui.file_model import FileModel
from gui.i18n import QT_TRANSLATE_NOOP, status_label, translate
from gui.progress_delegate import ProgressDelegate

EMPTY_HINT = QT_TRANSLATE_NOOP(
    "FileTable",
    "Drop files or folders here\nor use Add files (Ctrl+O) and Add folder (Ctrl+Shift+O)",
)


def local_paths(mime: QMimeData) -> list[str]:
    """The local files and folders a drag carries (remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


class ElideEndDelegate(QStyledItemDelegate):
    """Messages cut at their end ("cancelled before it st…"), not in their middle; the full
    text is the cell's tooltip. Paths keep the view's middle elision (both ends matter)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight  # type: ignore[attr-defined]


class FileTableView(QTableView):
    """Table of input files with painted progress bars; accepts dropped files and folders.

    Signals:
        paths_dropped(list): local paths dropped on the table.
    """

    paths_dropped = Signal(list)

    def __init__(self, model: FileModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(translate("FileTable", "Files"))
        self.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self))
        self.setItemDelegateForColumn(RESULT, ElideEndDelegate(self))
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
        em = self._em = fm.horizontalAdvance("M")
        for col, width in ((NAME, 15), (FOLDER, 19), (SIZE, 6), (PROGRESS, 6)):
            self.setColumnWidth(col, width * em)
        # Name and Folder give way when the table is narrow, so that Status, Progress and
        # Result stay in view; these are the widths they go back to (the user's, once resized).
        self._preferred = {NAME: 15 * em, FOLDER: 19 * em}
        self._fitting = False
        header.sectionResized.connect(self._user_resized)
        # Wide enough for every status word ("Cancelled" was cut to "Can…led" at 6 em).
        words = [status_label(s) for s in Status] + [translate("FileModel", COLUMNS[STATUS])]
        self.setColumnWidth(STATUS, max(fm.horizontalAdvance(w) for w in words) + em)
        # Wide enough for a size in full: with a CJK font "M" is narrow next to its digits.
        size = fm.horizontalAdvance(format_bytes(888.8 * 1024**2)) + em  # "888.8 MB"
        self.setColumnWidth(SIZE, max(6 * em, size))
        self.setColumnWidth(RESULT, 8 * em)  # the last column: it takes the rest of the width
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # start in the order added
        self.setSortingEnabled(True)

    # --- columns that fit ---------------------------------------------------------------------
    def _user_resized(self, column: int, old: int, new: int) -> None:
        if not self._fitting and column in self._preferred:
            self._preferred[column] = new

    def fit_columns(self) -> None:
        """Shrink Name and Folder (not below 4 em) so that the columns after them, and 8 em of
        Result, fit in the visible width; give them back their width when there is room."""
        em = self._em
        room = self.viewport().width()
        bar = self.verticalScrollBar()
        if (
            not bar.isVisible()
            and self.model().rowCount() * self.verticalHeader().defaultSectionSize()
            > self.viewport().height()
        ):
            room -= bar.sizeHint().width()  # it is about to appear
        fixed = sum(self.columnWidth(c) for c in (SIZE, STATUS, PROGRESS)) + 8 * em
        want = self._preferred[NAME] + self._preferred[FOLDER]
        spare = max(room - fixed, 8 * em)
        scale = min(1.0, spare / want) if want else 1.0
        self._fitting = True
        try:
            for col in (NAME, FOLDER):
                self.setColumnWidth(col, max(4 * em, int(self._preferred[col] * scale)))
        finally:
            self._fitting = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

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
                translate("FileTable", EMPTY_HINT),
            )
            painter.end()
