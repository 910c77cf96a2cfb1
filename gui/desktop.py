"""Handing files to the desktop: open a file or folder, reveal a file in the file manager."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices

from gui.i18n import translate


def open_path(path: str) -> bool:
    """Open a file with its default application, or a folder in the file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def cannot_open(path: str) -> str:
    """What the window says when no application or file manager took ``path``."""
    if os.path.isdir(path):
        text = translate(
            "Desktop", "No file manager or application could open the folder; it is {path}"
        )
    else:
        text = translate(
            "Desktop", "No file manager or application could open the file; it is {path}"
        )
    return text.format(path=path)


def reveal(path: str) -> bool:
    """Show ``path`` selected in the platform's file manager (its folder, where unsupported)."""
    native = os.path.normpath(path)
    if sys.platform == "win32":
        return QProcess.startDetached("explorer.exe", [f"/select,{native}"])[0]
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", native])[0]
    if _freedesktop_show(native):
        return True
    return open_path(os.path.dirname(native) or native)


def _freedesktop_show(path: str) -> bool:
    """org.freedesktop.FileManager1.ShowItems over the session bus (GNOME, KDE, Xfce...)."""
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    iface = QDBusInterface(
        "org.freedesktop.FileManager1",
        "/org/freedesktop/FileManager1",
        "org.freedesktop.FileManager1",
        bus,
    )
    if not iface.isValid():
        return False
    reply = iface.call("ShowItems", [QUrl.fromLocalFile(path).toString()], "")
    return not reply.errorName()
