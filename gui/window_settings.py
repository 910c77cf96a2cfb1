"""Remembering the window between runs: operation, options, workers, geometry, filters.

Everything goes through the window's ``QSettings`` (the user's, or a test's INI file).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

from gui.settings import read_bool, read_int, read_str

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def load_window_settings(w: MainWindow) -> None:
    s = w.settings
    cpu = os.cpu_count() or 1
    w.workers.setValue(read_int(s, "workers", cpu, 1, 2 * cpu))
    w.time_limit.setValue(read_int(s, "time_limit", 0, 0, 24 * 3600))
    for panel in w.panels.values():
        panel.load_settings(s)
    i = w.op_combo.findData(read_str(s, "operation", "checksum"))
    w.op_combo.setCurrentIndex(max(i, 0))
    w.show_panel()
    w.include.setText(read_str(s, "scan/include"))
    w.exclude.setText(read_str(s, "scan/exclude"))
    w.hidden.setChecked(read_bool(s, "scan/hidden", True))
    for key, restore in (
        ("window/geometry", w.restoreGeometry),
        ("window/state", w.restoreState),
        ("window/splitter", w.splitter.restoreState),
    ):
        value = s.value(key)
        if isinstance(value, QByteArray | bytes):
            restore(value)
    if not isinstance(s.value("window/geometry"), QByteArray | bytes):
        w.resize(1280, 800)


def save_window_settings(w: MainWindow) -> None:
    s = w.settings
    s.setValue("workers", w.workers.value())
    s.setValue("time_limit", w.time_limit.value())
    s.setValue("operation", str(w.op_combo.currentData()))
    for panel in w.panels.values():
        panel.save_settings(s)
    s.setValue("scan/include", w.include.text())
    s.setValue("scan/exclude", w.exclude.text())
    s.setValue("scan/hidden", w.hidden.isChecked())
    s.setValue("window/geometry", w.saveGeometry())
    s.setValue("window/state", w.saveState())
    s.setValue("window/splitter", w.splitter.saveState())
    s.sync()
