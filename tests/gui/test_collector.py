"""The garbage collector is kept off the window's rows while a folder is listed or a job runs
(a full collection walked a million rows on the scan's thread, freezing the window 90 ms every
few hundred ms), and given everything back afterwards, so nothing is kept from it for good."""

from __future__ import annotations

import gc
from pathlib import Path

from gui import collector
from gui.main_window import MainWindow
from tests.gui.conftest import add_and_wait, make_files, run_and_wait


def test_each_owner_holds_the_collector_off_until_its_own_release() -> None:
    scan, job = object(), object()
    collector.park(scan)
    collector.park(job)
    assert gc.get_freeze_count() > 0
    collector.release(scan)
    collector.release(scan)  # twice is harmless: the job still holds it
    assert collector.parked() and gc.get_freeze_count() > 0
    collector.release(job)
    assert not collector.parked() and gc.get_freeze_count() == 0


def test_a_listing_and_a_job_park_the_collector_and_give_it_back(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    make_files(tmp_path / "in", [100] * 30)
    during: list[bool] = []
    window.scans.progress.connect(lambda *_: during.append(collector.parked()))
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert during and all(during)
    assert not collector.parked() and gc.get_freeze_count() == 0

    combo = window.ui.op_combo
    combo.setCurrentIndex(combo.findData("checksum"))
    assert combo.currentData() == "checksum"
    window.jobs.started.connect(lambda: during.append(collector.parked()))
    during.clear()
    run_and_wait(qtbot, window)
    assert during == [True]
    assert not collector.parked() and gc.get_freeze_count() == 0
