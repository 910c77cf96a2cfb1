"""The file table's columns and custom roles, and the tint of failed rows.

Shared by the model, the painting delegate and the view; Qt-only, no state.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from gui.i18n import QT_TRANSLATE_NOOP

COLUMNS = (  # headers, shown translated (context "FileModel")
    QT_TRANSLATE_NOOP("FileModel", "Name"),
    QT_TRANSLATE_NOOP("FileModel", "Folder"),
    QT_TRANSLATE_NOOP("FileModel", "Size"),
    QT_TRANSLATE_NOOP("FileModel", "Status"),
    QT_TRANSLATE_NOOP("FileModel", "Progress"),
    QT_TRANSLATE_NOOP("FileModel", "Result"),
)
NAME, FOLDER, SIZE, STATUS, PROGRESS, RESULT = range(len(COLUMNS))
PROGRESS_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # float 0..1 for a running row, else None
STATUS_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # the row's core.records.Status as an int
PATH_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # the full path


def failed_tint(palette: QPalette) -> QColor:
    """The background of failed rows: the palette's base colour shifted towards red, more on
    dark palettes so it stays visible, never so much that the text loses contrast."""
    base = palette.color(QPalette.ColorRole.Base)
    dark = base.lightnessF() < 0.5
    hue = QColor.fromHsvF(0.0, 0.85, 0.85)
    t = 0.30 if dark else 0.18
    return QColor.fromRgbF(
        base.redF() + (hue.redF() - base.redF()) * t,
        base.greenF() + (hue.greenF() - base.greenF()) * t,
        base.blueF() + (hue.blueF() - base.blueF()) * t,
    )
