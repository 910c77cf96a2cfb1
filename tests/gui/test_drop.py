"""Adding files: a real drop of a folder on the table, patterns, duplicates, the live scan."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import add_and_wait, make_files


def drop_urls(target, paths: list[Path]) -> QDropEvent:
    """Send a real drag-enter and drop carrying file URLs to ``target`` (a viewport)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(target.rect().center())
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, drop)
    return drop


def test_dropping_a_folder_adds_its_files_recursively(qtbot, window, tmp_path: Path) -> None:
    top = make_files(tmp_path / "in", [10, 20, 30])
    deep = make_files(tmp_path / "in" / "sub" / "deeper", [40, 50], prefix="g")
    with qtbot.waitSignal(window.scans.finished, timeout=10_000):
        drop = drop_urls(window.view.viewport(), [tmp_path / "in"])
    assert drop.isAccepted()
    paths = sorted(window.model.paths)
    assert paths == sorted(str(p) for p in top + deep)
    assert window.model.rowCount() == 5
    assert window.model.total_bytes == 150
    qtbot.waitUntil(lambda: window.count_label.text().startswith("5 files"), timeout=2000)


def test_a_second_drop_adds_no_duplicates(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [1, 2, 3])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    with qtbot.waitSignal(window.scans.finished, timeout=10_000) as done:
        drop_urls(window.view.viewport(), [tmp_path / "in", files[0]])
    assert done.args[0] == 0
    assert window.model.rowCount() == 3


def test_include_and_exclude_patterns_apply_to_folders(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [1, 2], prefix="keep")
    (tmp_path / "in" / "notes.txt").write_text("x")
    make_files(tmp_path / "in" / "node_modules", [3], prefix="keep")
    window.include.setText("*.bin")
    window.exclude.setText("node_modules")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    names = sorted(Path(p).name for p in window.model.paths)
    assert names == ["keep000.bin", "keep001.bin"]


def test_removed_rows_can_be_added_again(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [1, 2, 3])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.view.selectRow(1)
    removed = window.model.path(1)
    window.actions_.remove.trigger()
    assert window.model.rowCount() == 2 and removed not in window.model.paths
    add_and_wait(qtbot, window, [removed])
    assert window.model.rowCount() == 3


def test_scanning_100k_files_keeps_the_window_responsive(qtbot, window, tmp_path: Path) -> None:
    """A big folder scans off the GUI thread: the event loop keeps ticking meanwhile."""
    folder = tmp_path / "many"
    for d in range(100):
        sub = folder / f"d{d:03d}"
        sub.mkdir(parents=True)
        for i in range(1000):
            (sub / f"{i}").touch()
    from tests.gui.heartbeat import Heartbeat

    with Heartbeat(window) as beat:
        add_and_wait(qtbot, window, [str(folder)], timeout=120_000)
    assert window.model.rowCount() == 100_000
    assert beat.beats > 5
    # No freeze: repaints run between batches (a loaded CI machine adds its own hiccups).
    assert beat.max_gap < 0.4, f"the event loop stalled for {beat.max_gap * 1000:.0f} ms"


def test_dropping_anywhere_on_the_window_adds(qtbot, window, tmp_path: Path) -> None:
    """Not only the table: a drop on any part of the window (here a label of the sidebar
    area) reaches the window, which adds the folder the same way."""
    make_files(tmp_path / "in" / "deep", [1, 2])
    with qtbot.waitSignal(window.scans.finished, timeout=10_000):
        drop = drop_urls(window.count_label, [tmp_path / "in"])
    assert drop.isAccepted()
    assert window.model.rowCount() == 2
