"""Running jobs through the window with real worker processes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core import manifest
from core.records import Status
from gui.columns import RESULT, STATUS
from tests.gui.conftest import add_and_wait, make_files, run_and_wait


def sha256(p: Path | str) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def test_checksum_job_ends_with_every_row_done(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [0, 1, 100, 70_000, 3 * 1024 * 1024, 9 * 1024 * 1024])
    make_files(tmp_path / "in" / "sub", [5, 6, 7], prefix="s")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    n = window.model.rowCount()
    assert n == 9
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.report.error is None
    m = window.model
    for row in range(n):
        assert m.index(row, STATUS).data() == "Done"
        assert m.index(row, RESULT).data() == sha256(m.path(m.storage_row(row)))
    assert window.overall.value() == window.overall.maximum()
    assert window.overall.text() == "100%"
    assert "9 done, 0 failed, 0 skipped of 9" in window.message_bar.headline.text()
    # The default manifest: SHA256SUMS in the inputs' common folder, checkable by coreutils.
    sums = tmp_path / "in" / "SHA256SUMS"
    listed = dict(reversed(line.split("  ", 1)) for line in sums.read_text().splitlines())
    assert listed["f003.bin"] == sha256(files[3]) and listed["sub/s000.bin"]
    assert window.message_bar.button("Open SHA256SUMS") is not None
    assert window.windowTitle() == "Parabatch"


def test_adding_files_boots_the_workers_the_job_then_uses(qtbot, window, tmp_path) -> None:
    """Start is likely after an add: the worker processes boot in the background meanwhile."""
    make_files(tmp_path / "in", [10, 20, 30])
    window.workers.setValue(2)
    engine = window.jobs.engine
    assert engine.worker_pids() == []
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    qtbot.waitUntil(lambda: len(engine.worker_pids()) == 2, timeout=10_000)
    warmed = set(engine.worker_pids())
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.tracker.counts[Status.DONE] == 3
    assert set(engine.worker_pids()) == warmed  # the job ran on the pool started at the add


def test_default_manifest_never_overwrites(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [10, 20])
    (tmp_path / "in" / "SHA256SUMS").write_text("precious\n")
    add_and_wait(
        qtbot, window, [str(tmp_path / "in" / "f000.bin"), str(tmp_path / "in" / "f001.bin")]
    )
    window.start_button.click()  # an existing manifest: Start asks (replace / keep both)
    box = window.job_controller.confirm_box
    assert box is not None and "SHA256SUMS already exists" in box.text()
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        next(b for b in box.buttons() if b.text() == "Keep both").click()
    assert (tmp_path / "in" / "SHA256SUMS").read_text() == "precious\n"
    assert (tmp_path / "in" / "SHA256SUMS-2").is_file()


def test_verify_rows_come_from_the_manifest(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [10, 20, 30, 40])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)
    files[1].write_bytes(b"changed")
    files[2].unlink()
    window.clear()  # the list may stay empty: verify reads its rows from the manifest
    window.op_combo.setCurrentIndex(window.op_combo.findData("verify"))
    window.panels["verify"].manifest.set_text(str(tmp_path / "in" / "SHA256SUMS"))
    assert window.start_button.isEnabled()
    finished = run_and_wait(qtbot, window)
    m = window.model
    assert m.rowCount() == 4
    by_name = {Path(m.path(i)).name: (m.status(i), m.result_text(i)) for i in range(4)}
    assert by_name["f000.bin"] == (Status.DONE, "OK")
    assert by_name["f001.bin"][0] == Status.FAILED and "does not match" in by_name["f001.bin"][1]
    assert by_name["f002.bin"][0] == Status.FAILED and "missing" in by_name["f002.bin"][1]
    assert any("2 of 4 listed files OK" in line for line in finished.report.lines)
    # A failed row stands out and explains itself on hover.
    row = next(r for r in range(4) if m.status(m.storage_row(r)) == Status.FAILED)
    assert m.index(row, 0).data(8) is not None  # BackgroundRole: the failed tint
    assert "does not match" in m.index(row, 0).data(3) or "missing" in m.index(row, 0).data(3)


def test_unreadable_manifest_is_reported_not_run(qtbot, window, tmp_path: Path) -> None:
    bad = tmp_path / "SHA256SUMS"
    bad.write_text("this is not a manifest\n")
    window.op_combo.setCurrentIndex(window.op_combo.findData("verify"))
    window.panels["verify"].manifest.set_text(str(bad))
    finished = run_and_wait(qtbot, window)
    assert finished is None
    assert window.message_bar.isVisible()
    assert "SHA256SUMS" in window.message_bar.headline.text()
    assert window.start_button.isEnabled()


def test_retry_failed_reruns_only_failed_rows(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [10, 20, 30])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    files[1].chmod(0)  # unreadable for now (the tests do not run as a user that ignores modes?)
    readable = True
    try:
        files[1].read_bytes()
    except PermissionError:
        readable = False
    if readable:  # running as root: make the file vanish instead
        files[1].rename(tmp_path / "away.bin")
    run_and_wait(qtbot, window)
    m = window.model
    assert [m.status(i) for i in range(3)] == [Status.DONE, Status.FAILED, Status.DONE]
    assert window.actions_.retry.isEnabled()
    first_digest = m.result_text(0)
    if readable:
        (tmp_path / "away.bin").rename(files[1])
    else:
        files[1].chmod(0o644)
    run_and_wait(qtbot, window, window.actions_.retry.trigger)
    assert [m.status(i) for i in range(3)] == [Status.DONE] * 3
    assert m.result_text(0) == first_digest
    listed = manifest.read_manifest(str(tmp_path / "in" / "SHA256SUMS"))
    assert len(listed) == 3  # the manifest lists every file again, not just the retried one


def test_time_limit_per_file_fails_a_slow_file_and_is_remembered(
    qtbot, window, tmp_path: Path
) -> None:
    """The window's per-file time limit reaches the engine: a file that takes longer fails as
    timed out while the others finish; the limit is kept in the settings."""
    from core.operations.base import Plan
    from core.records import Task
    from tests.core.test_engine import make_files as make_bins

    bins = make_bins(tmp_path / "in", 3, size=8 << 20)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.time_limit.setValue(1)
    plan = Plan([Task(i, str(p), p.stat().st_size) for i, p in enumerate(bins)])
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        window.begin_job("tests.fault_ops:SlowOperation", 2000, plan)
    t = window.jobs.tracker
    assert t is not None and t.counts[Status.FAILED] == 3
    assert all(r is not None and r.message.startswith("timed out") for r in t.results)
    window.close()
    assert window.settings.value("time_limit") in (1, "1")


def test_retry_is_enabled_from_the_counts_and_planned_only_when_pressed(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    """Selection and option changes update the actions without looping over the rows: Retry
    follows the last job's counts and the list's generation, and the plan (a loop over every
    row) is made only when Retry is pressed."""
    files = make_files(tmp_path / "in", [10, 20, 30])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert not window.actions_.retry.isEnabled()  # no job yet
    files[1].unlink()  # listed, then gone: its row fails
    plans = []
    real_plan = window.jobs.retry_plan
    monkeypatch.setattr(window.jobs, "retry_plan", lambda: plans.append(1) or real_plan())
    run_and_wait(qtbot, window)
    assert window.actions_.retry.isEnabled()
    window.view.selectAll()
    window.view.clearSelection()
    algorithm = window.panels["checksum"].algorithm
    algorithm.setCurrentIndex(algorithm.findData("md5"))  # the panel's "changed"
    assert window.actions_.retry.isEnabled()
    assert plans == []  # no state update planned a retry
    files[1].write_bytes(b"back")
    run_and_wait(qtbot, window, window.actions_.retry.trigger)
    assert plans == [1]
    assert [window.model.status(i) for i in range(3)] == [Status.DONE] * 3
    assert not window.actions_.retry.isEnabled()  # nothing left to retry
    assert real_plan() is None


def test_retry_is_disabled_once_the_list_changed(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    files[0].unlink()
    run_and_wait(qtbot, window)
    assert window.actions_.retry.isEnabled() and window.jobs.retry_plan() is not None
    window.view.selectRow(1)
    window.actions_.remove.trigger()  # the rows are no longer the job's rows
    assert not window.actions_.retry.isEnabled() and window.jobs.retry_plan() is None


def test_files_added_after_a_job_join_the_list(qtbot, window, tmp_path: Path) -> None:
    """After a job the list shows its results, and adding files still works: the new rows are
    pending, the old ones keep their results, and Start runs them all."""
    first = make_files(tmp_path / "a", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "a")])
    run_and_wait(qtbot, window)
    make_files(tmp_path / "b", [30], prefix="g")
    add_and_wait(qtbot, window, [str(tmp_path / "b")])
    m = window.model
    assert [m.status(i) for i in range(3)] == [Status.DONE, Status.DONE, Status.PENDING]
    assert m.result_text(0) == sha256(first[0]) and m.result(2) is None
    assert not window.actions_.retry.isEnabled()
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.tracker.counts[Status.DONE] == 3


def test_the_window_runs_its_jobs_through_a_session(qtbot, window, tmp_path, monkeypatch) -> None:
    """The bridge plans and runs a core Session; the timer ticks it under the budget, and the
    end is taken in by one tick(None) (a retry passes a Plan the same way)."""
    from core.session import Session
    from gui.bridge import POLL_BUDGET

    budgets: list[float | None] = []
    real_tick = Session.tick
    monkeypatch.setattr(Session, "tick", lambda s, b: budgets.append(b) or real_tick(s, b))
    make_files(tmp_path / "in", [10, 20, 3 * 1024 * 1024])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.start_button.click()
    session = window.jobs.runner.session
    assert isinstance(session, Session) and session.job is window.jobs.runner.job
    with qtbot.waitSignal(window.jobs.ended, timeout=30_000) as ended:
        window.jobs.runner.drain()
    assert session.ended and ended.args[0].report is session.report
    assert budgets[0] == POLL_BUDGET and budgets[-1] is None
    assert all(b == POLL_BUDGET for b in budgets[:-1])
