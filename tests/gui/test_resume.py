"""The window and the job journal: every job recorded (unless turned off), an unusable journal
as one warning, Resume after a cancel, and the bar that offers to resume a job whose process
died. Real files, real worker processes, a real SQLite journal in the test's folder."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.records import Status
from gui.main_window import MainWindow
from gui.window_journal import DISMISSED_KEY
from tests.gui.conftest import add_and_wait, make_files, run_and_wait, stop_everything
from tests.gui.test_cancel import MIB, start_slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "journal" / "journal.sqlite"
    monkeypatch.setenv("PARABATCH_JOURNAL", str(path))
    return path


@pytest.fixture
def window(journal: Path, window: MainWindow) -> MainWindow:
    """The window, on this test's journal (set before the window opens)."""
    return window


def query(journal: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(journal, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def written(window: MainWindow) -> bool:
    """Every journal writer of the window is done."""
    return all(r.close(0) for r in window.jobs.recorders)


def test_every_job_is_recorded_with_its_files(qtbot, window, journal, tmp_path) -> None:
    files = make_files(tmp_path / "in", [10, 2000, 70_000])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    finished = run_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: written(window), timeout=10_000)
    number = finished.recorder.job_number
    (job,) = query(journal, "SELECT id, operation, ending, files, done, inputs FROM jobs")
    assert job[:5] == (number, "checksum", "finished", 3, 3)
    rows = query(
        journal, "SELECT path, status, value FROM results WHERE job = ? ORDER BY row", (number,)
    )
    assert [(os.fsdecode(p), s) for p, s, _ in rows] == [(str(f), "done") for f in files]
    assert rows[2][2] == hashlib.sha256(files[2].read_bytes()).hexdigest()
    assert '"listed": 3' in job[5]  # the listed files, for a resume from anywhere
    assert not window.journal.bar.isVisible()  # nothing to warn about


def test_recording_can_be_turned_off(qtbot, window, journal, tmp_path) -> None:
    make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.journal.record_action.trigger()  # File > Record jobs in the history: off
    assert not window.journal.journal.enabled
    finished = run_and_wait(qtbot, window)
    assert finished.recorder is None and finished.tracker.counts[Status.DONE] == 2
    assert query(journal, "SELECT count(*) FROM jobs") == [(0,)]  # opened at start, no job
    assert window.settings.value("journal/enabled") in (False, "false")


def test_an_unusable_journal_is_one_warning_and_the_job_runs(
    qtbot, window, tmp_path, monkeypatch
) -> None:
    (tmp_path / "file").write_text("")
    journal = tmp_path / "file" / "journal.sqlite"  # in a "folder" that is a file
    monkeypatch.setenv("PARABATCH_JOURNAL", str(journal))
    files = make_files(tmp_path / "in", [10, 20, 30])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    finished = run_and_wait(qtbot, window)
    assert finished.tracker.counts[Status.DONE] == len(files)
    bar = window.journal.bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    assert bar.headline.text() == "This job is not recorded in the job history"
    assert str(journal) in bar.details.text()
    assert bar.button("Stop recording jobs") is not None
    assert window.message_bar.headline.text().startswith("Finished")  # the summary is there
    bar.hide()
    for made in (tmp_path / "in").glob("SHA256SUMS*"):
        made.unlink()  # (a rerun would ask whether to replace it)
    run_and_wait(qtbot, window)  # the same problem again: not said twice
    qtbot.waitUntil(lambda: written(window), timeout=10_000)
    window.journal.watch_recorders()
    assert not bar.isVisible()


def test_after_a_cancel_the_summary_offers_resume_not_retry(
    qtbot, window, journal, tmp_path
) -> None:
    make_files(tmp_path / "in", [256 * 1024] * 2 + [6 * MIB] * 6)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    start_slow(qtbot, window, 60)
    qtbot.waitUntil(lambda: window.jobs.tracker.counts[Status.DONE] >= 2, timeout=30_000)
    with qtbot.waitSignal(window.jobs.ended, timeout=10_000) as ended:
        window.cancel_button.click()
    first = ended.args[0]
    c = first.tracker.counts
    assert c[Status.CANCELLED] > 0 and c[Status.FAILED] == 0
    bar = window.message_bar
    assert bar.button("Resume") is not None
    assert bar.button("Retry failed") is None  # nothing failed: it would misname a resume
    assert window.journal.resume_action.isEnabled()
    assert not window.actions_.retry.isEnabled()
    done_before = c[Status.DONE]
    second = run_and_wait(qtbot, window, bar.button("Resume").click)
    assert second.tracker.counts[Status.DONE] == 8
    qtbot.waitUntil(lambda: written(window), timeout=10_000)
    number = second.recorder.job_number
    ((how, origin),) = query(journal, "SELECT how, origin FROM jobs WHERE id = ?", (number,))
    assert (how, origin) == ("resume", first.recorder.job_number)
    assert query(journal, "SELECT count(*) FROM results WHERE job = ?", (number,)) == [(8,)]
    assert done_before + c[Status.CANCELLED] == 8
    assert not bar.button("Resume")


def test_retry_failed_is_offered_only_when_files_failed(qtbot, window, tmp_path) -> None:
    files = make_files(tmp_path / "in", [10, 20, 30])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    files[1].unlink()
    run_and_wait(qtbot, window)
    assert window.message_bar.button("Retry failed") is not None
    assert window.message_bar.button("Resume") is None  # nothing was left unfinished
    assert window.actions_.retry.isEnabled() and not window.journal.resume_action.isEnabled()


# --- a job whose process died, offered on the next start ---------------------------------------
def make_tree(root: Path, n: int) -> None:
    """``n`` files of up to 256 KiB: a second or so of hashing for one worker."""
    for i in range(n):
        sub = root / f"d{i // 500:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        block = hashlib.sha512(str(i).encode()).digest()
        (sub / f"f{i:05d}.bin").write_bytes(block * (i % 4096 + 1))


def cli(cwd: Path, journal: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PARABATCH_JOURNAL": str(journal)}
    return subprocess.Popen(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def progress(journal: Path) -> tuple[int, str | None]:
    """(results recorded, how the job ended) of the newest job."""
    try:
        rows = query(journal, "SELECT done, ending, id FROM jobs ORDER BY id DESC LIMIT 1")
        if not rows:
            return 0, None
        ((n,),) = query(journal, "SELECT count(*) FROM results WHERE job = ?", (rows[0][2],))
        return int(n), rows[0][1]
    except sqlite3.Error:  # not created yet
        return 0, None


def kill_mid_job(qtbot, tmp_path: Path, journal: Path, n: int) -> None:
    """A command-line checksum job SIGKILLed once some of its ``n`` files are in the journal
    (and not all: it is tried again if it got that far)."""
    for _ in range(4):
        proc = cli(tmp_path, journal, "checksum", "-w", "1", "-q", "-o", "SUMS", "data")
        try:
            qtbot.waitUntil(
                lambda p=proc: progress(journal)[0] > 0 or p.poll() is not None, timeout=60_000
            )
        finally:
            proc.kill()
            proc.communicate()
        recorded, ending = progress(journal)
        if ending is None and 0 < recorded < n:
            return
        journal.unlink()  # it ended by itself, or nearly: again, from scratch
        (tmp_path / "SUMS").unlink(missing_ok=True)
    pytest.fail("the job always ended before it could be killed")


def test_an_interrupted_job_is_offered_on_start_and_resumes_to_the_full_manifest(
    qtbot, settings, journal, tmp_path
) -> None:
    n = 3000
    make_tree(tmp_path / "data", n)
    ref = subprocess.run(
        [sys.executable, "-m", "core", "checksum", "--no-journal", "-q", "-o", "REF", "data"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        check=True,
    )
    assert ref.returncode == 0
    journal.parent.mkdir(parents=True, exist_ok=True)
    kill_mid_job(qtbot, tmp_path, journal, n)
    old_cwd = os.getcwd()
    w = MainWindow(settings)
    w.show()
    try:
        bar = w.journal.bar
        qtbot.waitUntil(bar.isVisible, timeout=10_000)
        ((number, done),) = query(journal, "SELECT id, done FROM jobs")
        assert bar.headline.text() == (
            f"The job “Create checksums” was interrupted: {done:,} files done."
        )
        assert done < n
        assert bar.button("Dismiss") is not None
        finished = run_and_wait(qtbot, w, bar.button("Resume").click)
        assert not bar.isVisible()
        assert finished.tracker.counts[Status.DONE] == n
        assert (tmp_path / "SUMS").read_bytes() == (tmp_path / "REF").read_bytes()
        qtbot.waitUntil(lambda: written(w), timeout=10_000)
        new = finished.recorder.job_number
        carried = query(
            journal, "SELECT count(*) FROM results WHERE job = ? AND carried = ?", (new, number)
        )
        assert carried == [(done,)]  # what the killed job finished was not done again
        ((how, origin, ending),) = query(
            journal, "SELECT how, origin, ending FROM jobs WHERE id = ?", (new,)
        )
        assert (how, origin, ending) == ("resume", number, "finished")
    finally:
        stop_everything(qtbot, w)
        os.chdir(old_cwd)
    # Resumed: not offered again.
    w2 = MainWindow(settings)
    try:
        qtbot.waitUntil(lambda: not w2.journal.calls.busy, timeout=10_000)
        assert not w2.journal.bar.isVisible() and w2.journal.offered is None
    finally:
        stop_everything(qtbot, w2)


def test_dismiss_is_remembered(qtbot, settings, journal, tmp_path) -> None:
    make_tree(tmp_path / "data", 3000)
    journal.parent.mkdir(parents=True, exist_ok=True)
    kill_mid_job(qtbot, tmp_path, journal, 3000)
    w = MainWindow(settings)
    w.show()
    try:
        qtbot.waitUntil(w.journal.bar.isVisible, timeout=10_000)
        w.journal.bar.button("Dismiss").click()
        assert not w.journal.bar.isVisible()
        assert int(settings.value(DISMISSED_KEY)) == query(journal, "SELECT id FROM jobs")[0][0]
    finally:
        stop_everything(qtbot, w)
    w2 = MainWindow(settings)
    w2.show()
    try:
        qtbot.waitUntil(lambda: not w2.journal.calls.busy, timeout=10_000)
        assert not w2.journal.bar.isVisible()
    finally:
        stop_everything(qtbot, w2)
