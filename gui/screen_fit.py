"""Keeping the window on its screen: never larger than the screen's available area (whatever
the scale factor), and inside it; a first start takes a comfortable size that fits."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FIRST_SIZE = QSize(1280, 800)  # a first start's size, where the screen has room for it


def available(window: QWidget) -> QRect | None:
    """The available area (without panels and docks) of the window's screen, in its pixels."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def fit_to_screen(window: QWidget, first: bool = False) -> None:
    """Shrink ``window`` to the available area and move it inside it; ``first``: no saved
    geometry, so take :data:`FIRST_SIZE` where it fits."""
    area = available(window)
    if area is None:
        return
    if first:
        window.resize(FIRST_SIZE)
    frame = window.frameGeometry().size() - window.geometry().size()  # 0 before it is shown
    room = area.size() - frame
    size = window.size().boundedTo(room).expandedTo(window.minimumSize())
    if size != window.size():
        window.resize(size)
    geo = window.frameGeometry()
    x = min(max(geo.x(), area.left()), max(area.left(), area.right() + 1 - geo.width()))
    y = min(max(geo.y(), area.top()), max(area.top(), area.bottom() + 1 - geo.height()))
    if (x, y) != (geo.x(), geo.y()):
        window.move(x, y)
