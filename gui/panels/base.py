"""The contract every operation's options panel fulfils, and small helpers panels share.

A panel is a ``QWidget`` subclass, found from its operation: ``PANEL`` in
``gui/panels/NAME_panel.py`` (see :mod:`gui.panels`). The window asks it for the operation's
options dataclass at Start, tells it the listed inputs so it can propose default outputs, and lets
it persist its fields. Panels never run work themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gui.i18n import QT_TRANSLATE_NOOP, translate

CONTINUE = QT_TRANSLATE_NOOP("Panels", "Continue")


@dataclass
class Question:
    """What Start asks once before a job: ``text``, and the answers that start it, each with
    the options it starts with (Cancel is always offered and starts nothing)."""

    text: str
    answers: list[tuple[str, Any]] = field(default_factory=list)
    informative: str = ""


class OperationPanel(QWidget):
    """Base of options panels.

    Subclasses set ``operation`` (the core operation's registry name) and ``title`` (what the
    operation selector shows, marked with ``QT_TRANSLATE_NOOP("Panels", ...)``; the window
    shows :meth:`display_title`), and implement :meth:`options`.

    Signals:
        changed: the user changed an option (the window re-validates and remembers settings).
    """

    operation: ClassVar[str] = ""
    title: ClassVar[str] = ""
    needs_inputs: ClassVar[bool] = True  # False: the job's rows come from elsewhere (verify)
    cpu_bound: ClassVar[bool] = False  # True: more workers than CPU cores only slow it down
    cancel_note: ClassVar[str] = QT_TRANSLATE_NOOP(
        "Panels", "Files already processed keep their results."
    )
    """What a cancel keeps, as the quit question says it (see :meth:`cancel_text`)."""

    changed = Signal()

    @classmethod
    def display_title(cls) -> str:
        """``title`` in the window's language (a plugin's title as it is, if not translated)."""
        return translate("Panels", cls.title)

    @classmethod
    def cancel_text(cls) -> str:
        """``cancel_note`` in the window's language."""
        return translate("Panels", cls.cancel_note)

    def options(self) -> Any:
        """The operation's options dataclass for a job over the current inputs.

        Raises:
            ValueError: an option is invalid; the message is shown to the user as is.
        """
        raise NotImplementedError

    def validate(self) -> str | None:
        """A sentence saying what to fix before Start, or None when the options are usable."""
        try:
            self.options()
        except ValueError as e:
            return str(e)
        return None

    def load_settings(self, settings: QSettings) -> None:
        """Restore the fields from ``settings`` (use :meth:`key` for key names)."""

    def save_settings(self, settings: QSettings) -> None:
        """Store the fields in ``settings``."""

    def confirmation(self, options: Any, files: int) -> str | None:
        """A question to ask once before a job with ``options`` over ``files`` listed files
        starts (say, sources will be deleted); None: start without asking."""
        return None

    def question(self, options: Any, files: int) -> Question | None:
        """What to ask before the job starts (default: :meth:`confirmation`, answered with
        Continue); None: start without asking."""
        text = self.confirmation(options, files)
        answer = translate("Panels", CONTINUE)
        return None if text is None else Question(text, [(answer, options)])

    def leave_out(self, options: Any) -> Callable[[str], str | None] | None:
        """A test run on each listed path as the job is planned: the reason it is left out
        (listed as skipped), or None to take it; None: take every file."""
        return None

    def set_inputs(self, paths: Sequence[str], root: str | None) -> None:
        """The listed input files changed (may be a million paths: keep this cheap); ``root``:
        the deepest folder holding them all (see :func:`gui.inputs.common_folder`)."""

    def outputs(self, options: Any) -> list[str]:
        """Files or folders worth opening after a job run with ``options`` (manifest, folder)."""
        return []

    def key(self, name: str) -> str:
        return f"panels/{self.operation}/{name}"


def free_path(path: str) -> str:
    """``path`` if nothing exists there, else the first free ``NAME-2.EXT``, ``NAME-3.EXT``..."""
    if not os.path.lexists(path):
        return path
    stem, ext = os.path.splitext(path)
    n = 2
    while os.path.lexists(f"{stem}-{n}{ext}"):
        n += 1
    return f"{stem}-{n}{ext}"


class PathField(QWidget):
    """A line edit for a path with a Browse… button.

    Signals:
        changed: the text changed (typed, pasted or browsed).
    """

    changed = Signal()

    def __init__(self, mode: str, caption: str, name_filter: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        if mode not in ("open", "save", "folder"):
            raise ValueError(f"unknown mode {mode!r}")
        self.mode, self.caption, self.name_filter = mode, caption, name_filter
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName(caption)
        self.start_hint = ""  # where Browse starts while the field is empty (set_placeholder)
        self.button = QPushButton(translate("Panels", "Browse…"), self)
        self.button.setAccessibleName(translate("Panels", "Browse for {what}").format(what=caption))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.edit.textChanged.connect(self.changed)
        self.button.clicked.connect(self.browse)

    def text(self) -> str:
        return self.edit.text().strip()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def set_placeholder(self, text: str, start: str = "") -> None:
        """Show ``text`` while the field is empty; Browse then starts at ``start``."""
        self.edit.setPlaceholderText(text)
        self.start_hint = start

    def browse(self) -> None:
        start = self.text() or self.start_hint
        if self.mode == "folder":
            path = QFileDialog.getExistingDirectory(self, self.caption, start)
        elif self.mode == "save":
            path, _ = QFileDialog.getSaveFileName(self, self.caption, start, self.name_filter)
        else:
            path, _ = QFileDialog.getOpenFileName(self, self.caption, start, self.name_filter)
        if path:
            self.set_text(os.path.normpath(path))


class DeleteSources(QCheckBox):
    """ "Delete sources after success": off unless ticked (never remembered across sessions),
    and a job that deletes asks once before it starts (:meth:`question`)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(translate("Panels", "Delete sources after success"), parent)
        self.setAccessibleName(translate("Panels", "Delete sources after success"))
        self.setToolTip(
            translate(
                "Panels",
                "Delete each source file once its output was written, read back and checked to "
                "give the same bytes (SHA-256). Failed, skipped or cancelled files keep their "
                "sources.",
            )
        )

    @staticmethod
    def question(options: Any, files: int) -> str | None:
        """The question Start asks when ``options`` delete sources, else None."""
        if not getattr(options, "delete_sources", False):
            return None
        return translate(
            "Panels",
            "%Ln source file(s) will be deleted after [its output is|their outputs are] verified. "
            "Continue?",
            "",
            files,
        )
