"""The Help menu: the documentation, and About Parabatch (version, licence, Qt and Python).

:class:`HelpMenu` adds the menu to the window's menu bar; :class:`AboutDialog` is the About box.
The versions are read where they live: ``core.__version__`` (pyproject takes its version from
there), the licence from the installed package's metadata, Qt's at run time.
"""

from __future__ import annotations

import importlib.metadata
import platform

import PySide6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Slot, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from core import APP_NAME, __version__

translate = QCoreApplication.translate

DOCS_URL = "https://github.com/parabatch/parabatch#readme"
DISTRIBUTION = "parabatch"
# pyproject's licence, for a frozen app (it carries no package metadata); a test keeps them equal.
LICENCE = "MIT"


def licence() -> str:
    """The licence the installed package declares (pyproject's ``license``)."""
    try:
        meta = importlib.metadata.metadata(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return LICENCE
    found = meta.get_all("License-Expression") or meta.get_all("License") or [LICENCE]
    return str(found[0])


def versions() -> list[tuple[str, str]]:
    """(what, version) for the About box and bug reports."""
    return [
        (APP_NAME, __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
    ]


class AboutDialog(QDialog):
    """The About box: what Parabatch is, its version and licence, and what it runs on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("AboutDialog", "About {app}").format(app=APP_NAME))
        title = QLabel(f"<b>{APP_NAME} {__version__}</b>", self)
        title.setTextFormat(Qt.TextFormat.RichText)
        blurb = QLabel(translate("AboutDialog", "Process large batches of files in parallel."))
        blurb.setWordWrap(True)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        rows = [(translate("AboutDialog", "Licence:"), "licence", licence())]
        rows += [(f"{what}:", what, version) for what, version in versions()]
        for label, key, value in rows:
            field = QLabel(value, self)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, field)
            self.fields[key] = field
        link = QLabel(f'<a href="{DOCS_URL}">{DOCS_URL}</a>', self)
        link.setTextFormat(Qt.TextFormat.RichText)
        link.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton(
            translate("AboutDialog", "Copy &versions"), QDialogButtonBox.ButtonRole.ActionRole
        )
        copy.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addLayout(form)
        layout.addWidget(link)
        layout.addWidget(buttons)

    def text(self) -> str:
        """Everything the box says, one ``what: value`` a line (what Copy versions copies)."""
        lines = [f"{APP_NAME} {__version__}"]
        lines.append(f"{translate('AboutDialog', 'Licence:')} {self.fields['licence'].text()}")
        lines += [f"{what}: {self.fields[what].text()}" for what, _ in versions()[1:]]
        return "\n".join(lines)

    @Slot()
    def copy_versions(self) -> None:
        QApplication.clipboard().setText(self.text())


class HelpMenu(QObject):
    """The window's Help menu. ``status`` is where a documentation that cannot be opened is
    said (as Show in folder does)."""

    def __init__(self, window: QMainWindow, status: QLabel) -> None:
        super().__init__(window)
        self.window = window
        self.status = status
        self.dialog: AboutDialog | None = None
        self.menu = window.menuBar().addMenu(translate("HelpMenu", "&Help"))
        self.docs_action = QAction(translate("HelpMenu", "&Documentation"), window)
        self.docs_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.docs_action.setStatusTip(
            translate("HelpMenu", "Open the documentation in a web browser")
        )
        self.about_action = QAction(
            translate("HelpMenu", "&About {app}").format(app=APP_NAME), window
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_qt_action = QAction(translate("HelpMenu", "About &Qt"), window)
        self.about_qt_action.setMenuRole(QAction.MenuRole.AboutQtRole)
        self.menu.addAction(self.docs_action)
        self.menu.addSeparator()
        self.menu.addActions([self.about_action, self.about_qt_action])
        window.addAction(self.docs_action)  # F1 works wherever the focus is
        self.docs_action.triggered.connect(self.open_docs)
        self.about_action.triggered.connect(self.show_about)
        self.about_qt_action.triggered.connect(QApplication.aboutQt)

    @Slot()
    def open_docs(self) -> bool:
        if QDesktopServices.openUrl(QUrl(DOCS_URL)):
            return True
        self.status.setText(
            translate(
                "HelpMenu", "No web browser could open the documentation; it is at {url}"
            ).format(url=DOCS_URL)
        )
        return False

    @Slot()
    def show_about(self) -> AboutDialog:
        if self.dialog is None:
            self.dialog = AboutDialog(self.window)
        if self.dialog.isVisible():
            self.dialog.activateWindow()  # already open: bring it back
        else:
            self.dialog.open()
        return self.dialog
