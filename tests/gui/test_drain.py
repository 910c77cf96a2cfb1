"""The GUI's share of a job stays small: appending 100,000 rows, and one drain tick that finds
everything a whole job produced waiting at once."""

from __future__ import annotations

import time
from pathlib import Path

from core.records import FileEntry, Status
from gui.file_model import STATUS, FileModel
from tests.gui.conftest import add_and_wait, make_files, run_and_wait


def test_100k_rows_append_quickly(qtbot, window) -> None:
    model = window.model
    batches = [
        [FileEntry(f"/data/set{b:02d}/IMG_{i:05d}.jpg", i, 0.0) for i in range(2000)]
        for b in range(50)
    ]
    t0 = time.perf_counter()
    for batch in batches:
        model.append(batch)
    elapsed = time.perf_counter() - t0
    assert model.rowCount() == 100_000
    assert elapsed < 1.0, f"appending 100k rows took {elapsed:.2f} s"
    t0 = time.perf_counter()
    model.sort(0)
    assert time.perf_counter() - t0 < 2.0
    assert model.index(0, 0).data() == "IMG_00000.jpg"


def test_one_tick_with_everything_waiting_stays_short(qtbot, window, tmp_path: Path) -> None:
    folder = tmp_path / "small"
    make_files(folder, [i % 300 for i in range(6000)])
    add_and_wait(qtbot, window, [str(folder)])
    with qtbot.waitSignal(window.jobs.started, timeout=20_000):
        window.start_button.click()
    runner = window.jobs.runner
    job = runner.job
    # Block the GUI thread until the workers are done: every result and progress message of
    # the job is now queued, the worst case for one tick.
    assert job.done.wait(60)
    assert job.tracker.counts[Status.PENDING] == 6000  # nothing drained yet
    t0 = time.perf_counter()
    runner.drain()
    tick = time.perf_counter() - t0
    assert tick < 0.05, f"one tick took {tick * 1000:.1f} ms"
    assert job.tracker.counts[Status.PENDING] < 6000  # it did drain, under its budget
    with qtbot.waitSignal(window.jobs.ended, timeout=20_000):
        pass
    assert window.model.index(5999, STATUS).data() == "Done"


def test_sync_emits_one_range_per_tick(qtbot) -> None:
    from core.progress import Tracker
    from core.records import FileResult

    model = FileModel()
    model.append([FileEntry(f"/d/{i}", 10, 0.0) for i in range(1000)])
    tracker = Tracker([10] * 1000)
    model.attach(tracker)
    for i in (10, 500, 20):
        tracker.file_result(FileResult(i, Status.DONE, "x"))
    tracker.file_running(30, 5)
    spans = []
    model.dataChanged.connect(lambda a, b: spans.append((a.row(), b.row())))
    model.sync()
    assert spans == [(10, 500)]
    assert model.index(30, 4).data() == "50%"
    model.sync()
    assert spans == [(10, 500)]  # nothing changed: nothing emitted


def test_input_is_handled_between_a_ticks_drain_and_its_repaint(
    qtbot, window, tmp_path: Path
) -> None:
    """A tick takes results in, and the table is synced (and repainted) on the next turn of the
    event loop: an event posted right after the drain (as input arriving during it) is handled
    before the sync, not after a drain and a repaint back to back."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    folder = tmp_path / "small"
    make_files(folder, [i % 300 for i in range(20_000)])  # the job lasts several ticks
    add_and_wait(qtbot, window, [str(folder)])
    order: list[str] = []

    class Input(QObject):
        def event(self, e: QEvent) -> bool:
            if e.type() == QEvent.Type.User:
                order.append("input")
                return True
            return super().event(e)

    posted = Input()

    def after_drain() -> None:  # connected after the runner's own slot: runs right after it
        order.append("drained")
        QCoreApplication.postEvent(posted, QEvent(QEvent.Type.User))

    def started() -> None:
        runner = window.jobs.runner
        session, tick = runner.session, runner.session.tick

        def watched_tick(budget: float | None) -> bool:  # observed, not changed
            order.append("tick")
            return tick(budget)

        session.tick = watched_tick  # type: ignore[method-assign]
        runner._timer.timeout.connect(after_drain)

    window.jobs.started.connect(started)
    window.model.dataChanged.connect(lambda *_: order.append("synced"))
    run_and_wait(qtbot, window)
    ticks = [i for i, what in enumerate(order) if what == "tick"]
    ends = [*ticks[1:], len(order)]
    changed = [i for i, end in zip(ticks, ends, strict=True) if "synced" in order[i:end]]
    assert len(changed) >= 2, f"too few ticks changed rows: {order[:40]}"
    for i in changed[:-1]:  # the job's last tick is its end, which shows everything at once
        assert order[i : i + 4] == ["tick", "drained", "input", "synced"], order[i : i + 5]


def test_the_window_shows_a_job_started_before_its_planning_thread_runs(
    qtbot, window, tmp_path: Path
) -> None:
    """Start repaints the window (Cancel enabled, the status) first, and the job's planning
    thread starts on the next turn of the event loop: it does not compete with that repaint
    for the GIL (at a million rows the two together were the start's longest stall)."""
    from PySide6.QtCore import QEvent, QObject

    folder = tmp_path / "few"
    make_files(folder, list(range(20)))
    add_and_wait(qtbot, window, [str(folder)])
    paints: list[bool] = []  # for each repaint of Cancel: whether the job's thread ran yet

    class Watch(QObject):
        def eventFilter(self, obj: QObject, e: QEvent) -> bool:
            if e.type() == QEvent.Type.Paint and window.jobs.runner is not None:
                paints.append(window.jobs.runner.running)
            return False

    watch = Watch()
    window.cancel_button.installEventFilter(watch)
    with qtbot.waitSignal(window.jobs.ended, timeout=30_000) as ended:
        window.start_button.click()
        assert window.cancel_button.isEnabled() and not window.jobs.runner.running
    window.cancel_button.removeEventFilter(watch)
    assert paints and paints[0] is False  # painted as started before the thread was there
    assert ended.args[0].tracker.counts[Status.DONE] == 20
