"""An inline message bar above the progress bar: job summaries and problems to fix.

Non-modal on purpose: a summary never blocks the window (or a test), and the user can keep
working with it in view. Buttons are created per message from (label, callback) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import translate

Action = tuple[str, Callable[[], Any]]


class MessageBar(QFrame):
    """A framed box with an icon, a headline, detail lines and action buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(translate("MessageBar", "Job summary"))
        self.icon = QLabel(self)
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.close_button = QToolButton(self)
        self.close_button.setAutoRaise(True)
        self.close_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton)
        )
        self.close_button.setAccessibleName(translate("MessageBar", "Dismiss"))
        self.close_button.setToolTip(translate("MessageBar", "Dismiss"))
        self.close_button.clicked.connect(self.hide)
        self._buttons: list[QPushButton] = []
        self.hint = False  # the message is about the state at the time (see :meth:`show_hint`)
        self._button_row = QHBoxLayout()
        self._button_row.addStretch(1)
        text = QVBoxLayout()
        text.addWidget(self.headline)
        text.addWidget(self.details)
        text.addLayout(self._button_row)
        row = QHBoxLayout(self)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(
        self,
        kind: str,
        headline: str,
        details: Sequence[str] = (),
        actions: Sequence[Action] = (),
    ) -> None:
        """Show ``kind`` ("info", "warning" or "error") with a headline, lines and buttons."""
        self.hint = False
        icons = {
            "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
            "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
            "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
        }
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(icons[kind]).pixmap(size, size))
        self.headline.setText(headline)
        shown = list(details[:12])
        if len(details) > 12:
            more = len(details) - 12
            shown.append(translate("MessageBar", "… and %Ln more line(s)", "", more))
        self.details.setText("\n".join(shown))
        self.details.setVisible(bool(shown))
        for b in self._buttons:
            self._button_row.removeWidget(b)
            b.deleteLater()
        self._buttons = []
        for label, callback in actions:
            button = QPushButton(label, self)
            button.clicked.connect(callback)
            self._button_row.insertWidget(self._button_row.count() - 1, button)
            self._buttons.append(button)
        self.show()

    def show_hint(self, kind: str, headline: str) -> None:
        """A message about the state it was said in ("Choose the manifest..."): it goes away
        with :meth:`dismiss_hint` once that state changes (another operation, other files)."""
        self.show_message(kind, headline)
        self.hint = True

    def dismiss_hint(self) -> None:
        """Hide the message if it is a hint (a job's summary stays)."""
        if self.hint:
            self.hint = False
            self.hide()

    def button(self, label: str) -> QPushButton | None:
        """The action button with this label (for tests and keyboard users)."""
        return next((b for b in self._buttons if b.text() == label), None)
