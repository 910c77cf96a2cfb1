"""The Help menu: About Parabatch and the documentation (gui/about.py)."""

from __future__ import annotations

import platform
import tomllib
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QObject, QUrl, Slot, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu

import core
from gui import about

ROOT = Path(__file__).resolve().parents[2]


def mnemonic(text: str) -> str:
    i = text.replace("&&", "").find("&")
    return text.replace("&&", "")[i + 1].lower() if i >= 0 else ""


def help_menu(window) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    assert menus[-1] is window.help.menu  # Help comes last, as everywhere
    return window.help.menu


def test_help_menu_has_documentation_and_about_with_unique_mnemonics(window) -> None:
    menu = help_menu(window)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["&Documentation", "&About Parabatch", "About &Qt"]
    keys = [mnemonic(t) for t in texts]
    assert all(keys) and len(set(keys)) == len(keys)
    bar = [a.text() for a in window.menuBar().actions()]
    assert "&Help" in bar
    top = [mnemonic(t) for t in bar]
    assert all(top) and len(set(top)) == len(top), bar  # Alt+H is the Help menu's alone


def test_about_shows_the_real_versions_and_licence(qtbot, window) -> None:
    window.help.about_action.trigger()
    dialog = window.help.dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"{core.APP_NAME} {core.__version__}" in text
    assert f"Licence: {project['license']['text']}" in text
    assert f"Qt: {qVersion()}" in text
    assert f"PySide6: {PySide6.__version__}" in text
    assert f"Python: {platform.python_version()}" in text
    assert project["license"]["text"] == about.LICENCE  # what a frozen app (no metadata) says
    dialog.copy_versions()
    assert QApplication.clipboard().text() == text
    window.help.about_action.trigger()
    assert window.help.dialog is dialog  # one box, brought back
    dialog.reject()
    assert not dialog.isVisible()


class UrlCatcher(QObject):
    """Stands where the web browser would: Qt hands it the URLs it is asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_documentation_opens_the_docs(window) -> None:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")
    try:
        window.help.docs_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert catcher.urls == [about.DOCS_URL]
    assert "No web browser" not in window.status_label.text()


@pytest.mark.qt_log_ignore(r"^This plugin does not support QPlatformServices::openUrl")
def test_documentation_that_cannot_be_opened_is_said_in_the_window(window) -> None:
    """The offscreen platform, like a desktop without a browser, opens nothing."""
    window.help.docs_action.trigger()
    assert window.status_label.text() == (
        f"No web browser could open the documentation; it is at {about.DOCS_URL}"
    )
