"""Remembering the window between runs: operation, options, workers, where jobs run, geometry,
filters, the language (read at start by :mod:`gui.i18n`).

Everything goes through the window's ``QSettings`` (the user's, or a test's INI file).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

from gui.i18n import LANGUAGE_KEY, chosen
from gui.screen_fit import fit_to_screen
from gui.settings import read_bool, read_int, read_str
from gui.window_ui import WindowUI


def load_window_settings(window: QMainWindow, ui: WindowUI, s: QSettings) -> None:
    """Restore the fields of ``ui`` and the geometry of ``window`` from ``s``."""
    cpu = os.cpu_count() or 1
    ui.workers.setValue(read_int(s, "workers", cpu, 1, ui.workers.maximum()))
    ui.time_limit.setValue(read_int(s, "time_limit", 0, 0, 24 * 3600))
    ui.cluster_address.setText(read_str(s, "cluster/address"))
    ui.run_on.setCurrentIndex(max(ui.run_on.findData(read_str(s, "cluster/run_on", "local")), 0))
    for panel in ui.panels.values():
        panel.load_settings(s)
    i = ui.op_combo.findData(read_str(s, "operation", "checksum"))
    ui.op_combo.setCurrentIndex(max(i, 0))
    ui.show_panel()
    ui.include.setText(read_str(s, "scan/include"))
    ui.exclude.setText(read_str(s, "scan/exclude"))
    ui.hidden.setChecked(read_bool(s, "scan/hidden", True))
    ui.set_language_choice(chosen(s))
    for key, restore in (
        ("window/geometry", window.restoreGeometry),
        ("window/state", window.restoreState),
        ("window/splitter", ui.splitter.restoreState),
    ):
        value = s.value(key)
        if isinstance(value, QByteArray | bytes):
            restore(value)
    fit_to_screen(window, first=not isinstance(s.value("window/geometry"), QByteArray | bytes))


def save_window_settings(window: QMainWindow, ui: WindowUI, s: QSettings) -> None:
    """Store the fields of ``ui`` and the geometry of ``window`` in ``s``."""
    # The local count, not the cluster's threads the field shows while a cluster is chosen.
    s.setValue("workers", ui.local_workers if ui.local_workers is not None else ui.workers.value())
    s.setValue("cluster/run_on", str(ui.run_on.currentData()))
    s.setValue("cluster/address", ui.cluster_address.text().strip())
    s.setValue("time_limit", ui.time_limit.value())
    s.setValue("operation", str(ui.op_combo.currentData()))
    for panel in ui.panels.values():
        panel.save_settings(s)
    s.setValue("scan/include", ui.include.text())
    s.setValue("scan/exclude", ui.exclude.text())
    s.setValue("scan/hidden", ui.hidden.isChecked())
    s.setValue(LANGUAGE_KEY, ui.language_choice())
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("window/splitter", ui.splitter.saveState())
    s.sync()
