"""Running the window's jobs on a Dask cluster (issue 15): real Dask processes on 127.0.0.1."""

from __future__ import annotations

import hashlib
import importlib.util
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings

from core.records import Status
from gui.columns import RESULT, STATUS
from gui.main_window import MainWindow
from tests.conftest import child_processes
from tests.gui.conftest import add_and_wait, make_files, run_and_wait, stop_everything
from tests.support import in_ci

if importlib.util.find_spec("distributed") is None and not in_ci():
    pytest.skip("needs dask[distributed] (the dask extra)", allow_module_level=True)


def choose_dask(w: MainWindow, address: str) -> None:
    w.ui.run_on.setCurrentIndex(w.ui.run_on.findData("dask"))
    w.ui.cluster_address.setText(address)


def test_window_runs_a_checksum_job_on_a_local_dask_cluster(qtbot, window, tmp_path) -> None:
    before = {pid for pid, _ in child_processes()}
    files = make_files(tmp_path / "in", [0, 10, 70_000, 2 * 1024 * 1024, 5, 6])
    local_count = window.workers.value()
    choose_dask(window, "local:2")
    assert window.ui.cluster_address.isEnabled() and not window.workers.isEnabled()
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert not window.start_button.isEnabled()  # not connected yet: Start waits for a Test
    assert "press Test" in window.ui.cluster_info.text()
    window.ui.cluster_test.click()
    assert window.cluster.testing  # off the GUI thread: the click returned at once
    qtbot.waitUntil(lambda: not window.cluster.testing, timeout=60_000)
    assert "2 workers, 2 threads" in window.ui.cluster_info.text(), window.ui.cluster_info.text()
    assert window.workers.value() == 2
    assert window.jobs.engine.cluster is not None and window.jobs.engine.cluster.text == "local:2"
    assert window.start_button.isEnabled()
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.report.error is None
    assert finished.tracker.counts[Status.DONE] == len(files)
    m = window.model
    for row in range(m.rowCount()):
        assert m.index(row, STATUS).data() == "Done"
        path = m.path(m.storage_row(row))
        assert m.index(row, RESULT).data() == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    assert window.overall.value() == window.overall.maximum()
    # Back to this computer: the cluster is shut down off the GUI thread, the count comes back.
    window.ui.run_on.setCurrentIndex(window.ui.run_on.findData("local"))
    assert window.jobs.engine.cluster is None and window.workers.value() == local_count
    assert window.workers.isEnabled() and not window.ui.cluster_address.isEnabled()
    qtbot.waitUntil(lambda: not window.cluster._retiring, timeout=30_000)
    qtbot.waitUntil(
        lambda: not [c for c in child_processes() if c[0] not in before and "dask" in c[1]],
        timeout=10_000,
    )


def test_dead_address_says_why_quickly_and_start_refuses(qtbot, window, tmp_path) -> None:
    make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    choose_dask(window, "tcp://127.0.0.1:1")
    t0 = time.monotonic()
    window.ui.cluster_test.click()
    qtbot.waitUntil(lambda: not window.cluster.testing, timeout=10_000)
    assert time.monotonic() - t0 < 6.0
    text = window.ui.cluster_info.text()
    assert "Cannot use the cluster at tcp://127.0.0.1:1" in text and "scheduler" in text, text
    assert window.jobs.engine.cluster is None  # still this computer's engine
    assert not window.start_button.isEnabled() and not window.actions_.start.isEnabled()
    window.start()  # even called directly, nothing runs on a cluster nobody reached
    assert window.jobs.engine.cluster is None
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=20_000)


def test_bad_address_is_refused_at_once(qtbot, window) -> None:
    choose_dask(window, "udp://nowhere")
    window.ui.cluster_test.click()
    assert not window.cluster.testing
    assert "not a cluster address" in window.ui.cluster_info.text()


def test_choice_is_remembered(qtbot, settings: QSettings) -> None:
    w = MainWindow(settings)
    w.show()
    w.workers.setValue(3)
    choose_dask(w, "tcp://127.0.0.1:8786")
    stop_everything(qtbot, w)
    w.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(w), timeout=5000)
    assert settings.value("workers") in (3, "3")
    w = MainWindow(settings)
    try:
        assert w.ui.run_on.currentData() == "dask"
        assert w.ui.cluster_address.text() == "tcp://127.0.0.1:8786"
        assert w.ui.cluster_address.isEnabled() and not w.workers.isEnabled()
        w.ui.run_on.setCurrentIndex(w.ui.run_on.findData("local"))
        assert w.workers.value() == 3
    finally:
        w.close()
        w.deleteLater()
        qtbot.waitUntil(lambda: not shiboken6.isValid(w), timeout=5000)
