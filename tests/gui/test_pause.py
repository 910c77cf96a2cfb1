"""Pause and resume from the window, with real worker processes: paused workers use no CPU and
finish no file, Cancel and quitting still work while paused, and a resumed job ends right.

The slow test operation (``tests.fault_ops:SlowOperation``) keeps the workers busy on each block,
so a pause lands mid-file. Waits are ``qtbot.waitUntil`` with deadlines (the event loop runs
meanwhile), never ``sleep``.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from PySide6.QtCore import Qt

from core.records import Status
from gui.main_window import QUIT_LABEL
from tests.conftest import child_processes
from tests.gui.conftest import add_and_wait, make_files

SLOW = "tests.fault_ops:SlowOperation"
MIB = 1024 * 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")
SETTLE = 0.4  # seconds a worker's CPU time must stand still to count as stopped
PAUSED_LOOK = 1.5  # seconds the paused workers are watched
PAUSED_SHARE = 0.02  # most CPU a paused worker may show (a busy one shows about 100%)


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])  # fields after "(comm)" start at field 3


def total_cpu(pids: list[int]) -> int:
    return sum(cpu_ticks(p) for p in pids)


def wait_for(qtbot, seconds: float, look=None) -> None:
    """Run the event loop for ``seconds`` (a deadline condition, not a sleep), calling
    ``look`` on every round."""
    deadline = time.monotonic() + seconds

    def done() -> bool:
        if look is not None:
            look()
        return time.monotonic() >= deadline

    qtbot.waitUntil(done, timeout=int(seconds * 1000) + 5000)


def wait_until_still(qtbot, pids: list[int], timeout: float) -> float:
    """Wait until the workers' CPU time stands still for SETTLE seconds; returns how long
    that took from now (including the SETTLE)."""
    t0 = time.monotonic()
    last = [total_cpu(pids), time.monotonic()]

    def still() -> bool:
        now, ticks = time.monotonic(), total_cpu(pids)
        if ticks != last[0]:
            last[:] = [ticks, now]
            return False
        return now - last[1] >= SETTLE

    qtbot.waitUntil(still, timeout=int(timeout * 1000))
    return time.monotonic() - t0


def start_slow(qtbot, window, rounds: int) -> None:
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.begin_job(SLOW, rounds, window.model.snapshot())


def counts(window):
    t = window.jobs.tracker
    assert t is not None
    window.jobs.runner.drain()  # public: take in what is waiting now, not at the next tick
    return t.counts


def test_pause_is_offered_only_while_a_job_runs(qtbot, window, tmp_path: Path) -> None:
    pause = window.actions_.pause
    assert not pause.isEnabled() and not window.pause_button.isEnabled()
    assert pause.shortcut().toString() == "Ctrl+P"
    assert "(Ctrl+P)" in pause.toolTip() and "(Ctrl+P)" in window.pause_button.toolTip()
    assert pause in window.actions()  # the shortcut works wherever the focus is
    make_files(tmp_path / "in", [4 * MIB] * 2)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert not window.pause_button.isEnabled()
    start_slow(qtbot, window, 40)
    assert window.pause_button.isEnabled() and window.pause_button.text() == "Pause"
    with qtbot.waitSignal(window.jobs.ended, timeout=30_000):
        pass
    assert not window.pause_button.isEnabled() and window.pause_button.text() == "Pause"


def test_paused_workers_use_no_cpu_and_finish_nothing(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [4 * MIB] * 8)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.workers.setValue(2)
    # About a second per file on this machine, so the job is still early on when it pauses
    # (40 rounds is 0.1 s a file here: the job could end before the pause).
    start_slow(qtbot, window, 400)
    engine = window.jobs.engine
    qtbot.waitUntil(lambda: len(engine.worker_pids()) == 2, timeout=10_000)
    pids = engine.worker_pids()
    qtbot.waitUntil(lambda: counts(window)[Status.DONE] >= 1, timeout=30_000)
    busy = total_cpu(pids)
    wait_for(qtbot, 0.5)
    busy_share = (total_cpu(pids) - busy) / (CLK_TCK * 0.5 * len(pids))
    assert busy_share > 10 * PAUSED_SHARE, (
        f"the workers are not busy ({busy_share:.0%} of a core each)"
    )

    # The shortcut, as a user presses it (a window shortcut needs the window active).
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.jobs.paused
    assert window.pause_button.text() == "Resume" and "Resume" in window.pause_button.toolTip()
    assert window.status_label.text().startswith("Paused · ")
    assert window.cancel_button.isEnabled()
    stopped_in = wait_until_still(qtbot, pids, timeout=5)
    assert stopped_in < 1.0 + SETTLE + 0.5, f"workers took {stopped_in:.2f} s to stop"

    done = counts(window)[Status.DONE]  # anything that ended before the pause is in now
    assert 1 <= done < len(files)
    cpu = total_cpu(pids)

    seen: list[tuple[int, int]] = []  # (CPU ticks used since the pause settled, files done)

    def look() -> None:
        seen.append((total_cpu(pids) - cpu, counts(window)[Status.DONE]))

    wait_for(qtbot, PAUSED_LOOK, look)
    assert len(seen) > 10
    # Paused workers look at the pause flag 10 times a second and sleep in between; the kernel
    # charges CPU time in whole ticks, so allow a stray tick or two, nothing like working.
    share = seen[-1][0] / (CLK_TCK * PAUSED_LOOK * len(pids))
    assert share < PAUSED_SHARE, f"paused workers used {share:.1%} of a core each"
    assert {n for _, n in seen} == {done}, "a file finished while paused"
    status = window.status_label.text()
    assert status.startswith("Paused · ") and "ETA" not in status and "/s" not in status
    assert "(paused)" in window.windowTitle()
    assert set(window.jobs.engine.worker_pids()) == set(pids)  # paused, not killed

    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        window.pause_button.click()  # Resume
        assert not window.jobs.paused and window.pause_button.text() == "Pause"
        qtbot.waitUntil(lambda: total_cpu(pids) > cpu + 1, timeout=5000)
    m = window.model
    for i in range(len(files)):
        assert m.status(i) == Status.DONE, m.result_text(i)
        assert m.result_text(i) == hashlib.sha256(Path(m.path(i)).read_bytes()).hexdigest()
    assert window.message_bar.headline.text().startswith("Finished in")


def pause_and_wait(qtbot, window) -> list[int]:
    qtbot.waitUntil(lambda: counts(window)[Status.RUNNING] > 0, timeout=20_000)
    pids = window.jobs.engine.worker_pids()
    assert pids
    window.actions_.pause.trigger()
    wait_until_still(qtbot, pids, timeout=5)
    return pids


def test_cancel_while_paused_stops_within_a_second(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [6 * MIB] * 4)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 200)
    pause_and_wait(qtbot, window)
    t0 = time.monotonic()
    with qtbot.waitSignal(window.jobs.ended, timeout=5000):
        window.cancel_button.click()
        assert window.status_label.text() == "Cancelling…"
        assert not window.pause_button.isEnabled()
    assert time.monotonic() - t0 < 2.0
    states = [window.model.status(i) for i in range(4)]
    assert Status.CANCELLED in states and Status.RUNNING not in states
    assert Status.PENDING not in states
    assert window.message_bar.headline.text().startswith("Cancelled in")
    assert window.pause_button.text() == "Pause" and not window.pause_button.isEnabled()


def test_quitting_while_paused_cancels_and_leaves_no_process(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [6 * MIB] * 4)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 200)
    pause_and_wait(qtbot, window)
    window.close()
    qtbot.waitUntil(
        lambda: window.quit_box is not None and window.quit_box.isVisible(), timeout=5000
    )
    button = next(b for b in window.quit_box.buttons() if b.text() == QUIT_LABEL)
    t0 = time.monotonic()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert time.monotonic() - t0 < 3.0
    qtbot.waitUntil(lambda: child_processes() == [], timeout=5000)


def test_application_quit_while_paused_leaves_nothing(qtbot, window, tmp_path: Path) -> None:
    """``aboutToQuit`` with a paused job: ``shutdown`` cancels (which wakes the workers) and
    waits without the event loop."""
    make_files(tmp_path / "in", [6 * MIB] * 4)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 200)
    pause_and_wait(qtbot, window)
    t0 = time.monotonic()
    window.shutdown()
    assert time.monotonic() - t0 < 3.0
    assert child_processes() == []
