"""Cancelling, closing during a job, and a worker killed mid-file — with real processes.

The slow test operation (``tests.fault_ops:SlowOperation``) hashes each block many times, so a
few MiB keep a worker busy long enough to act mid-file; it goes through the window's own path
(``begin_job``, what Start calls once the panel gave its options).
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

from PySide6.QtCore import Qt

from core.records import Status
from gui.main_window import QUIT_LABEL
from gui.threads import running_threads
from tests.conftest import child_processes
from tests.gui.conftest import add_and_wait, make_files

SLOW = "tests.fault_ops:SlowOperation"
MIB = 1024 * 1024


def start_slow(qtbot, window, rounds: int) -> None:
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.begin_job(SLOW, rounds, window.model.snapshot())


def tracker(window):
    t = window.jobs.tracker
    assert t is not None
    return t


def test_cancel_keeps_finished_rows_and_cancels_the_rest(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [256 * 1024] * 2 + [6 * MIB] * 6)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    rounds = 60
    start_slow(qtbot, window, rounds)
    qtbot.waitUntil(lambda: tracker(window).counts[Status.DONE] >= 2, timeout=30_000)
    with qtbot.waitSignal(window.jobs.ended, timeout=5_000):
        window.cancel_button.click()
        assert window.status_label.text() == "Cancelling…"  # immediate feedback
        assert not window.cancel_button.isEnabled()
    m = window.model
    states = [m.status(i) for i in range(len(files))]
    assert Status.CANCELLED in states and Status.PENDING not in states
    assert Status.RUNNING not in states
    for i, st in enumerate(states):
        if st == Status.DONE:  # finished rows keep their results
            assert m.result_text(i) == hashlib.sha256(files[i].read_bytes()).hexdigest()
    assert window.message_bar.headline.text().startswith("Cancelled in")
    assert window.start_button.isEnabled()
    assert window.journal.resume_action.isEnabled()  # the cancelled rows can run again
    assert window.message_bar.button("Resume") is not None
    assert window.message_bar.button("Retry failed") is None  # nothing failed
    window.shutdown()
    assert child_processes() == []


def test_closing_during_a_job_cancels_and_leaves_no_process(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [6 * MIB] * 4)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 200)
    qtbot.waitUntil(lambda: tracker(window).counts[Status.RUNNING] > 0, timeout=20_000)
    assert window.jobs.engine.worker_pids()
    window.close()  # the title bar's close button, or Quit
    assert window.isVisible(), "closing must ask first while a job runs"
    qtbot.waitUntil(
        lambda: window.quit_box is not None and window.quit_box.isVisible(), timeout=5000
    )
    box = window.quit_box
    button = next(b for b in box.buttons() if b.text() == QUIT_LABEL)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert not window.jobs.running
    qtbot.waitUntil(lambda: child_processes() == [], timeout=5000)


def test_keep_running_answer_keeps_the_job(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [4 * MIB] * 2)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 100)
    window.close()
    qtbot.waitUntil(
        lambda: window.quit_box is not None and window.quit_box.isVisible(), timeout=5000
    )
    window.quit_box.reject()  # "Keep running" (Esc)
    qtbot.waitUntil(lambda: window.quit_box is None, timeout=5000)
    assert window.isVisible() and window.jobs.running and not window.jobs.cancelling


def test_closing_with_no_job_quits_at_once(qtbot, window) -> None:
    window.close()
    assert not window.isVisible()
    assert child_processes() == []


def test_killed_worker_fails_only_its_row(qtbot, window, tmp_path: Path) -> None:
    """The engine retries a file once after its worker died; a second death fails the row
    with the signal as the reason, and every other row still gets done."""
    big = make_files(tmp_path / "in", [24 * MIB], prefix="big")[0]
    small = make_files(tmp_path / "in", [64 * 1024] * 6, prefix="small")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.workers.setValue(1)
    m = window.model
    row = m.paths.index(str(big))
    start_slow(qtbot, window, 60)
    runner = window.jobs.runner
    t = tracker(window)

    def progress() -> int:
        runner.drain()  # public: drain now rather than at the next tick
        return t.partial[row]

    qtbot.waitUntil(lambda: progress() >= 6 * MIB, timeout=30_000)
    (first,) = window.jobs.engine.worker_pids()
    before = t.partial[row]
    os.kill(first, signal.SIGKILL)
    # The retry starts the file from zero in a new worker (large files announce themselves).
    qtbot.waitUntil(lambda: progress() < before, timeout=30_000)
    (second,) = [p for p in window.jobs.engine.worker_pids() if p != first]
    os.kill(second, signal.SIGKILL)
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        pass
    assert m.status(row) == Status.FAILED
    assert m.result_text(row).startswith("worker crashed (signal 9")
    for i, f in enumerate(m.paths):
        if i != row:
            assert m.status(i) == Status.DONE, m.result_text(i)
            assert m.result_text(i) == hashlib.sha256(Path(f).read_bytes()).hexdigest()
    assert len(small) == len(m.paths) - 1


def test_quitting_the_application_mid_job_leaves_nothing(qtbot, window, tmp_path: Path) -> None:
    """``aboutToQuit`` (say, the session ends) calls ``shutdown`` with a job still running:
    it cancels, waits for the run loop and ends the workers without the event loop."""
    make_files(tmp_path / "in", [6 * MIB] * 4)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 200)
    qtbot.waitUntil(lambda: tracker(window).counts[Status.RUNNING] > 0, timeout=20_000)
    window.shutdown()
    assert child_processes() == []
    assert not any(t.isRunning() for t in running_threads())
