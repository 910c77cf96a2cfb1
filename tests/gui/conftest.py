"""GUI test fixtures: a window on a throw-away settings file, real files, and a check that no
test leaves a QThread or an active QTimer of ours behind."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QStandardPaths

from gui.inputs import common_folder
from gui.main_window import MainWindow
from gui.threads import active_timers, running_threads


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does may reach the user's settings or log folders."""
    monkeypatch.setenv("PARABATCH_SETTINGS", str(tmp_path / "env-settings.ini"))
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture(autouse=True)
def no_qt_leftovers(qapp: object) -> Iterator[None]:
    """Fail a test that leaves one of our threads running or timers active."""
    yield
    threads = [t.objectName() for t in running_threads()]
    timers = [f"{t.parent().__class__.__name__}:{t.interval()}ms" for t in active_timers()]
    for t in active_timers():
        t.stop()  # fail this test, not every test after it
    assert not threads, f"QThreads left running: {threads}"
    assert not timers, f"QTimers left active: {timers}"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def stop_everything(qtbot, w: MainWindow) -> None:
    """Cancel whatever runs, wait for the engine to confirm, then close for real."""
    if w.quit_box is not None:
        w.quit_box.reject()
    w.scans.discard()
    w.jobs.cancel()
    qtbot.waitUntil(lambda: not w.jobs.running and not w.scans.scanning, timeout=20_000)
    w.close()
    assert w.isHidden()


@pytest.fixture
def window(qtbot, settings: QSettings) -> Iterator[MainWindow]:
    """A shown window. Not handed to ``qtbot.addWidget``: pytest-qt would close and delete it
    before this fixture's teardown, under a job that may still be running."""
    w = MainWindow(settings)
    w.show()
    yield w
    stop_everything(qtbot, w)
    w.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(w), timeout=5000)


def add_and_wait(qtbot, w: MainWindow, paths: list[str], timeout: int = 20_000) -> None:
    """Add paths through the window (as Add folder does) and wait for the scan to end."""
    with qtbot.waitSignal(w.scans.finished, timeout=timeout):
        w.add_paths(paths)
    qtbot.waitUntil(lambda: not w.scans.scanning, timeout=timeout)


def run_and_wait(
    qtbot, w: MainWindow, start: Callable[[], None] | None = None, timeout: int = 60_000
):
    """Start (the Start button by default) and wait until the job ended; returns its record."""
    with qtbot.waitSignal(w.jobs.ended, timeout=timeout) as blocker:
        (start or w.start_button.click)()
    return blocker.args[0]


def make_files(folder: Path, sizes: list[int], prefix: str = "f", seed: int = 7) -> list[Path]:
    """Files of the given sizes with varied content (no two alike)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, size in enumerate(sizes):
        p = folder / f"{prefix}{i:03d}.bin"
        block = (f"{seed}:{i}:".encode() * (size // 4 + 8))[:size]
        p.write_bytes(block if size < 4096 else os.urandom(size))
        out.append(p)
    return out


def inputs(paths: Sequence[str]) -> tuple[Sequence[str], str | None]:
    """A panel's ``set_inputs`` arguments for ``paths``, as the window gives them."""
    return paths, common_folder(paths)
