"""The History window: past jobs and one job's files from a real journal, Resume, Retry failed,
Export (CSV, JSON, joblog) and Delete; a job of 100,000 files loads without stopping the
window."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from core.journal import Journal
from core.records import Status
from gui.history import DELETE_LABEL, HistoryWindow
from gui.history_models import JOB_COLUMNS, RESULT_BATCH
from gui.main_window import MainWindow
from tests.gui.conftest import add_and_wait, make_files, run_and_wait
from tests.gui.heartbeat import Heartbeat
from tests.gui.test_resume import kill_mid_job, make_tree, query, written


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "journal" / "journal.sqlite"
    monkeypatch.setenv("PARABATCH_JOURNAL", str(path))
    return path


@pytest.fixture
def window(journal: Path, window: MainWindow) -> MainWindow:
    return window


def open_history(qtbot, window: MainWindow) -> HistoryWindow:
    window.journal.history_action.trigger()  # File > Job history (Ctrl+H)
    h = window.journal.history
    assert h is not None and h.isVisible()
    qtbot.waitUntil(lambda: not h.calls.busy and h.jobs.rowCount() > 0, timeout=10_000)
    return h


def two_jobs(qtbot, window: MainWindow, tmp_path: Path) -> list[Path]:
    """A job where every file was done, then one where a file had gone."""
    files = make_files(tmp_path / "in", [10, 2000, 30_000])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)
    (tmp_path / "in" / "SHA256SUMS").unlink()
    files[1].rename(tmp_path / "away.bin")
    run_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: written(window), timeout=10_000)
    return files


def cell(model, row: int, col: int) -> str:
    return model.data(model.index(row, col))


def test_lists_jobs_and_a_jobs_files(qtbot, window, journal, tmp_path) -> None:
    files = two_jobs(qtbot, window, tmp_path)
    h = open_history(qtbot, window)
    assert window.journal.history_action.shortcut().toString() == "Ctrl+H"
    m = h.jobs
    assert m.rowCount() == 2 and m.columnCount() == len(JOB_COLUMNS)
    header = [m.headerData(c, m_horizontal(), 0) for c in range(m.columnCount())]
    assert header[:5] == ["Job", "Operation", "Started", "Duration", "How it ended"]
    assert [cell(m, 0, c) for c in (0, 1, 4, 5, 6, 7)] == [
        "2",
        "Create checksums",  # the operation's title (the journal and exports keep "checksum")
        "finished",
        "3",
        "2",
        "1",
    ]
    assert cell(m, 1, 7) == "0"
    h.jobs_view.selectRow(0)  # the newest, with a failure
    qtbot.waitUntil(lambda: not h.loading, timeout=10_000)
    r = h.results
    assert r.rowCount() == 3
    assert [cell(r, i, 0) for i in range(3)] == [str(f) for f in files]
    assert [cell(r, i, 1) for i in range(3)] == ["done", "failed", "done"]
    assert cell(r, 1, 2) == "file missing"  # the kind's name ("missing" in the journal)
    assert cell(r, 1, 3)  # the sentence for the user
    assert cell(r, 0, 3) == sha256_of(files[0])  # a done file's digest
    assert h.retry_button.isEnabled() and not h.resume_button.isEnabled()
    h.jobs_view.selectRow(1)
    qtbot.waitUntil(lambda: not h.loading and h.results.rowCount() == 3, timeout=10_000)
    assert not h.retry_button.isEnabled()


def sha256_of(p: Path) -> str:
    import hashlib

    return hashlib.sha256(p.read_bytes()).hexdigest()


def m_horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_retry_failed_from_history(qtbot, window, journal, tmp_path) -> None:
    files = two_jobs(qtbot, window, tmp_path)
    (tmp_path / "away.bin").rename(files[1])
    h = open_history(qtbot, window)
    h.jobs_view.selectRow(0)
    finished = run_and_wait(qtbot, window, h.retry_button.click)
    assert finished.tracker.counts[Status.DONE] == 3
    qtbot.waitUntil(lambda: written(window), timeout=10_000)
    new = finished.recorder.job_number
    assert query(journal, "SELECT how, origin FROM jobs WHERE id = ?", (new,)) == [("retry", 2)]
    carried = query(journal, "SELECT count(*) FROM results WHERE job = ? AND carried = 2", (new,))
    assert carried == [(2,)]  # only the failed file ran again
    qtbot.waitUntil(lambda: h.jobs.rowCount() == 3, timeout=10_000)  # the list follows


def test_resume_from_history(qtbot, settings, journal, tmp_path) -> None:
    make_tree(tmp_path / "data", 3000)
    journal.parent.mkdir(parents=True)
    kill_mid_job(qtbot, tmp_path, journal, 3000)
    old_cwd = os.getcwd()
    w = MainWindow(settings)
    w.show()
    try:
        h = open_history(qtbot, w)
        assert cell(h.jobs, 0, 4) == "interrupted"
        h.jobs_view.selectRow(0)
        assert h.resume_button.isEnabled()
        finished = run_and_wait(qtbot, w, h.resume_button.click)
        assert finished.tracker.counts[Status.DONE] == 3000
        qtbot.waitUntil(lambda: h.jobs.rowCount() == 2, timeout=10_000)
        assert cell(h.jobs, 0, 4) == "finished (resume of job 1)"
    finally:
        from tests.gui.conftest import stop_everything

        stop_everything(qtbot, w)
        os.chdir(old_cwd)


def test_operation_and_kind_are_shown_in_chinese_and_exported_in_english(
    qtbot, window, journal, tmp_path
) -> None:
    """Under zh_CN the jobs table names the operation by its Chinese title and the results
    table a kind by its Chinese name; the journal's export keeps the names programs read."""
    from core import i18n as core_i18n
    from gui import i18n

    two_jobs(qtbot, window, tmp_path)
    h = open_history(qtbot, window)
    h.jobs_view.selectRow(0)
    qtbot.waitUntil(lambda: not h.loading and h.results.rowCount() == 3, timeout=10_000)
    try:
        i18n.use("zh_CN")
        assert cell(h.jobs, 0, 1) == "生成校验和"
        tip = h.jobs.data(h.jobs.index(0, 1), m_tooltip())
        assert tip == "生成校验和 (checksum)"
        assert cell(h.results, 1, 2) == "文件缺失"
        assert cell(h.results, 0, 2) == ""  # a done file has no kind
        out = tmp_path / "export.csv"
        h.export(h.selected_job(), str(out), "csv")
        qtbot.waitUntil(lambda: not h.calls.busy, timeout=10_000)
        with out.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [r["kind"] for r in rows] == ["", "missing", ""]
        doc = json.loads(_export_json(qtbot, h, tmp_path))
        assert doc["job"]["operation"] == "checksum"
    finally:
        i18n.use("en")
        core_i18n.use_language("en")
    assert cell(h.jobs, 0, 1) == "Create checksums"
    assert cell(h.results, 1, 2) == "file missing"


def _export_json(qtbot, h: HistoryWindow, tmp_path: Path) -> str:
    out = tmp_path / "export.json"
    h.export(h.selected_job(), str(out), "json")
    qtbot.waitUntil(lambda: not h.calls.busy, timeout=10_000)
    return out.read_text(encoding="utf-8")


def m_tooltip():
    from PySide6.QtCore import Qt

    return Qt.ItemDataRole.ToolTipRole


def test_export_in_each_format(qtbot, window, journal, tmp_path) -> None:
    files = two_jobs(qtbot, window, tmp_path)
    h = open_history(qtbot, window)
    h.jobs_view.selectRow(0)
    job = h.selected_job()
    for fmt in ("csv", "json", "joblog"):
        out = tmp_path / f"export.{fmt}"
        h.export(job, str(out), fmt)
        qtbot.waitUntil(lambda: not h.calls.busy, timeout=10_000)
        assert h.status.text() == f"Exported to {out}"
    with (tmp_path / "export.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["path"], r["status"]) for r in rows] == [
        (str(files[0]), "done"),
        (str(files[1]), "failed"),
        (str(files[2]), "done"),
    ]
    doc = json.loads((tmp_path / "export.json").read_text())
    assert doc["job"]["id"] == 2 and len(doc["results"]) == 3
    log = (tmp_path / "export.joblog").read_text().splitlines()
    assert log[0].split("\t") == ["Seq", "Host", "Starttime", "JobRuntime", "Status", "File"]
    assert len(log) == 4 and log[2].endswith(f"failed\t{files[1]}")
    h.export(job, str(tmp_path / "no-such-folder" / "x.csv"), "csv")
    qtbot.waitUntil(lambda: not h.calls.busy, timeout=10_000)
    assert h.status.text().startswith("Not exported:")


def test_delete_asks_first(qtbot, window, journal, tmp_path) -> None:
    two_jobs(qtbot, window, tmp_path)
    h = open_history(qtbot, window)
    h.jobs_view.selectRow(1)  # job 1
    h.delete_button.click()
    box = h.delete_box
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: h.delete_box is None, timeout=5000)
    assert query(journal, "SELECT count(*) FROM jobs") == [(2,)]
    h.jobs_view.selectRow(1)
    h.delete_button.click()
    next(b for b in h.delete_box.buttons() if b.text() == DELETE_LABEL).click()
    qtbot.waitUntil(lambda: h.jobs.rowCount() == 1 and not h.calls.busy, timeout=10_000)
    assert query(journal, "SELECT id FROM jobs") == [(2,)]
    assert query(journal, "SELECT count(*) FROM results WHERE job = 1") == [(0,)]


def test_a_job_of_100000_files_loads_without_stopping_the_window(
    qtbot, window, journal, tmp_path
) -> None:
    n = 100_000
    journal.parent.mkdir(parents=True, exist_ok=True)
    with Journal.open(str(journal)) as j:
        number = j.begin_job(
            {
                "operation": "checksum",
                "options": "{}",
                "options_key": "k",
                "inputs": "{}",
                "started": time.time() - 60,
                "version": "test",
                "host": "elsewhere",
                "pid": 1,
            }
        )
        now = time.time()
        j.add_results(
            (number, i, f"/data/d{i // 1000:03d}/f{i:06d}.bin".encode(), i, i, "done", None,
             f"{i:064x}", None, None, 1, now, None, None, None)
            for i in range(n)
        )  # fmt: skip
        j.end_job(number, "finished", None)
    window.journal.history_action.trigger()
    h = window.journal.history
    sizes: list[int] = []
    h.results.rowsInserted.connect(lambda *_: sizes.append(h.results.rowCount()))
    with Heartbeat(h) as beat:  # the newest job is shown first
        qtbot.waitUntil(lambda: h.results.rowCount() == n and not h.loading, timeout=30_000)
    assert h.results.rowCount() == n
    assert len(sizes) == n // RESULT_BATCH  # in batches, as they were read
    assert cell(h.results, n - 1, 0) == f"/data/d099/f{n - 1:06d}.bin"
    assert beat.beats > 0 and beat.max_gap < 0.25, beat.max_gap
    assert h.results_label.text() == f"Job {number}: 100,000 files"


def test_retention_setting_forgets_jobs_past_it_when_the_next_job_ends(
    qtbot, window, journal, tmp_path
) -> None:
    make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    for _ in range(3):
        (tmp_path / "in" / "SHA256SUMS").unlink(missing_ok=True)
        run_and_wait(qtbot, window)
        qtbot.waitUntil(lambda: written(window), timeout=10_000)
    h = open_history(qtbot, window)
    assert h.keep_jobs.isVisible() and h.keep_jobs.value() == 200
    assert h.keep_days.specialValueText() and h.keep_days.value() == 0
    h.keep_jobs.setValue(2)  # kept in the settings; applied when the next job ends
    assert window.journal.journal.keep_jobs == 2
    (tmp_path / "in" / "SHA256SUMS").unlink(missing_ok=True)
    run_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: written(window), timeout=10_000)
    with Journal.open(str(journal)) as j:
        assert [r.id for r in j.jobs()] == [3, 4]


def test_hovering_a_failed_commands_row_shows_its_output(qtbot, tmp_path) -> None:
    import subprocess
    import sys

    from PySide6.QtCore import Qt

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "f").write_text("x")
    prog = tmp_path / "p.py"
    prog.write_text("import sys; print('said'); sys.exit('went wrong')")
    jpath = tmp_path / "journal.sqlite"
    run = [sys.executable, "-m", "core", "run", "-q", "--journal", str(jpath), str(tmp_path / "in")]
    p = subprocess.run([*run, "--", sys.executable, str(prog), "{}"], capture_output=True)
    assert p.returncode == 1, p.stderr
    h = HistoryWindow(str(jpath))
    qtbot.addWidget(h)
    h.show()
    h.refresh()
    qtbot.waitUntil(lambda: not h.calls.busy and h.jobs.rowCount() == 1, timeout=10_000)
    h.jobs_view.selectRow(0)
    qtbot.waitUntil(lambda: not h.loading and h.results.rowCount() == 1, timeout=10_000)
    index = h.results.index(0, 3)
    assert h.results.data(index) == "exit 1: went wrong"
    tip = h.results.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "exit 1: went wrong" in tip and "went wrong" in tip.split("\n\n", 1)[1]
    assert "said" in tip  # the program's output, kept in the journal
