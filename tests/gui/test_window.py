"""The window's own behaviour: settings, shortcuts, accessibility, context menu, title."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QSpinBox,
    QStyle,
)

from core.records import Status
from gui.columns import STATUS
from gui.main_window import MainWindow
from tests.gui.conftest import add_and_wait, make_files, run_and_wait, stop_everything


def test_settings_survive_a_restart(qtbot, settings: QSettings) -> None:
    w = MainWindow(settings)
    w.show()
    w.workers.setValue(1)
    w.op_combo.setCurrentIndex(w.op_combo.findData("verify"))
    w.exclude.setText(".git *.tmp")
    w.panels["checksum"].algorithm.setCurrentIndex(
        w.panels["checksum"].algorithm.findData("sha512")
    )
    w.resize(760, 640)  # the offscreen screen is 800x800
    size = w.size()
    stop_everything(qtbot, w)
    w2 = MainWindow(settings)
    w2.show()
    try:
        assert w2.workers.value() == 1
        assert w2.op_combo.currentData() == "verify"
        assert w2.panel_stack.currentWidget() is w2.panels["verify"]
        assert w2.exclude.text() == ".git *.tmp"
        assert w2.panels["checksum"].algorithm.currentData() == "sha512"
        assert w2.size() == size
    finally:
        stop_everything(qtbot, w2)


def test_worker_count_range_and_engine(qtbot, window) -> None:
    cpu = os.cpu_count() or 1
    assert window.workers.minimum() == 1 and window.workers.maximum() == 4 * cpu


def test_worker_count_and_time_limit_keep_their_own_width(qtbot, window) -> None:
    """The two number fields sit in compact rows (field, then space), not stretched to the
    sidebar's width like the operation selector, however wide the sidebar is made."""
    narrow = window.op_combo.width()
    window.splitter.setSizes([2000, 1])  # as wide as the table lets it be
    qtbot.waitUntil(lambda: window.op_combo.width() > narrow, timeout=5000)
    for spin in (window.workers, window.time_limit):
        assert spin.width() == spin.sizeHint().width(), spin.accessibleName()
        assert spin.width() < window.op_combo.width() / 2, spin.accessibleName()
    assert window.time_limit.x() == window.workers.x()  # one column of fields


def test_status_column_shows_every_status_in_full(window) -> None:
    """No status word is elided ("Cancelled" once showed as "Can…led")."""
    view = window.view
    fm = view.fontMetrics()
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    for status in Status:
        assert fm.horizontalAdvance(status.label) + margin <= view.columnWidth(STATUS), status


def test_shortcuts(window) -> None:
    a = window.actions_
    assert a.add_files.shortcut() == QKeySequence("Ctrl+O")
    assert a.add_folder.shortcut() == QKeySequence("Ctrl+Shift+O")
    assert a.start.shortcut() == QKeySequence("Ctrl+Return")
    assert a.cancel.shortcut() == QKeySequence("Esc")
    assert a.remove.shortcut() == QKeySequence(QKeySequence.StandardKey.Delete)
    assert a.quit.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)


def test_controls_have_accessible_names(window) -> None:
    for cls in (QComboBox, QLineEdit, QSpinBox, QAbstractButton):
        for w in window.findChildren(cls):
            if w.isVisibleTo(window) and w.parent() is not None:
                if isinstance(w, QLineEdit) and isinstance(w.parent(), QComboBox | QSpinBox):
                    continue  # the editor inside a combo box or spin box
                if w.metaObject().className() in ("QToolBarExtension", "QScrollBar"):
                    continue
                name = w.accessibleName() or (w.text() if hasattr(w, "text") else "")
                assert name, f"{w.metaObject().className()} {w.objectName()} has no name"


def test_copy_result_and_title_during_job(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    titles: list[str] = []
    window.windowTitleChanged.connect(titles.append)
    run_and_wait(qtbot, window)
    assert titles[-1] == "Parabatch"
    window.view.selectAll()
    window.actions_.copy.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    rows = [line.split("\t") for line in lines]
    assert [r[0] for r in rows] == ["f000.bin", "f001.bin"]  # name, folder, status, result
    assert all(r[1] == str(tmp_path / "in") and r[2] == "Done" and len(r[3]) == 64 for r in rows)


def test_start_without_files_explains(qtbot, window) -> None:
    assert not window.start_button.isEnabled()
    window.start()  # e.g. through the shortcut, racing the button state
    assert window.message_bar.isVisible()
    assert "Add files" in window.message_bar.headline.text()


def test_clear_during_scan_drops_late_batches(qtbot, window, tmp_path: Path) -> None:
    for d in range(20):
        make_files(tmp_path / "in" / f"d{d}", [1] * 200)
    with qtbot.waitSignal(window.scans.finished, timeout=20_000):
        window.add_paths([str(tmp_path / "in")])
        window.clear()
    assert window.model.rowCount() == 0
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert window.model.rowCount() == 4000  # nothing stuck in the duplicate filter


def test_panels_look_at_new_inputs_once_when_the_scan_ends(qtbot, window, tmp_path) -> None:
    """The scan's end updates the panels' proposals at once; no debounced second pass follows
    (it cost Start 30 ms per 20,000 files, recomputing what had just been computed)."""
    make_files(tmp_path / "in", [1, 2, 3])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert window.panels["checksum"].default_manifest() is not None
    assert not window.file_list.inputs_timer.isActive()


def test_no_attribute_shadows_a_qt_virtual(window) -> None:
    """PySide looks C++ virtual overrides up by name on the *instance*: an attribute called
    ``span`` on a model is "called" by every paint (QAbstractItemModel::span) and crashes the
    process in shiboken's error path. No attribute of ours may carry a Qt method's name."""
    objects = [window, window.model, window.view, window.scans, window.jobs, window.message_bar]
    objects += [window.file_list, window.job_controller]
    objects += list(window.panels.values())
    for obj in objects:
        qt_bases = [c for c in type(obj).__mro__ if c.__module__.startswith("PySide6")]
        for name in vars(obj):
            if isinstance(getattr(type(obj), name, None), Signal):
                continue  # PySide caches bound signals in the instance
            clash = [c.__name__ for c in qt_bases if hasattr(c, name)]
            assert not clash, f"{type(obj).__name__}.{name} shadows {clash[0]}.{name}"


def test_the_options_take_the_height_of_the_panel_shown(qtbot, window) -> None:
    """Not the tallest panel's: the image panel is hidden behind the compress panel, and both
    have a word-wrapped preview (a height for their width)."""
    heights = {}
    for op in ("image", "compress", "checksum"):
        window.op_combo.setCurrentIndex(window.op_combo.findData(op))
        panel = window.panels[op]
        qtbot.waitUntil(lambda p=panel: window.panel_stack.height() == p.sizeHint().height())
        heights[op] = window.panel_stack.height()
    assert heights["checksum"] < heights["compress"] < heights["image"]
