"""Issue 12, "a window people can trust": what the window reports is what happened, and it does
not surprise. Real files, real workers; waits on signals and conditions, never on the clock."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QLabel, QStyleOptionViewItem

from core.progress import format_bytes
from core.records import Kind, Status
from gui.columns import RESULT
from gui.main_window import QUIT_LABEL, MainWindow
from gui.panels.base import OperationPanel
from gui.window_files import CLEAR_LABEL
from tests.gui.conftest import add_and_wait, make_files, run_and_wait

SLOW = "tests.fault_ops:SlowOperation"
MIB = 1024 * 1024


def select_op(w: MainWindow, name: str) -> None:
    w.op_combo.setCurrentIndex(w.op_combo.findData(name))


def answer(qtbot, box, text: str) -> None:
    next(b for b in box.buttons() if b.text().replace("&", "") == text).click()


def photos(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"IMG_{i:04d}.png"
        Image.new("RGB", (40 + i, 30), (10 * i, 80, 160)).save(p)
        out.append(p)
    return out


# --- 1, 2: the bar and the summary ---------------------------------------------------------------
def test_bar_after_a_cancel_shows_the_share_processed(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [256 * 1024] * 2 + [6 * MIB] * 6)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.begin_job(SLOW, 60, window.model.snapshot())
    qtbot.waitUntil(lambda: window.jobs.tracker.counts[Status.DONE] >= 2, timeout=30_000)
    with qtbot.waitSignal(window.jobs.ended, timeout=10_000):
        window.cancel_button.click()
    t = window.jobs.tracker
    assert t.counts[Status.CANCELLED] > 0
    assert 0 < window.overall.value() < 1000  # not full: cancelled files were not processed
    assert window.overall.value() == int(t.fraction * 1000)
    assert format_bytes(t.bytes_done) in window.message_bar.headline.text()
    assert t.bytes_done < 2 * 256 * 1024 + 6 * 6 * MIB


def test_summary_figures_and_image_mode_skips_what_is_not_an_image(
    qtbot, window, tmp_path: Path
) -> None:
    """Hand-counted: 2 images are read (their bytes), 3 other files skipped (no bytes)."""
    images = photos(tmp_path / "in", 2)
    for name in ("video_1.mkv", "notes.txt", "SHA256SUMS"):
        (tmp_path / "in" / name).write_bytes(b"not an image at all\n" * 50)
    select_op(window, "image")
    window.panels["image"].output_dir.set_text(str(tmp_path / "out"))
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert "notes.txt: skipped" in window.panels["image"].preview_text()
    finished = run_and_wait(qtbot, window)
    m = window.model
    by_name = {Path(m.path(i)).name: m.result(i) for i in range(m.storage_count())}
    for name in ("video_1.mkv", "notes.txt", "SHA256SUMS"):
        assert by_name[name].status == Status.SKIPPED and by_name[name].kind == Kind.NOT_SUPPORTED
    read = sum(p.stat().st_size for p in images)
    assert finished.tracker.bytes_done == read
    headline = window.message_bar.headline.text()
    assert "2 done, 0 failed, 3 skipped of 5 files" in headline
    assert f"· {format_bytes(read)} at " in headline
    assert window.overall.value() == 1000


def test_any_file_checkbox_tries_every_file(qtbot, window, tmp_path: Path) -> None:
    photos(tmp_path / "in", 1)
    (tmp_path / "in" / "notes.txt").write_text("text\n")
    select_op(window, "image")
    panel = window.panels["image"]
    panel.output_dir.set_text(str(tmp_path / "out"))
    assert not panel.any_file.isChecked() and not panel.options().any_file
    panel.any_file.setChecked(True)
    assert panel.options().any_file
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)
    m = window.model
    states = {Path(m.path(i)).name: m.status(i) for i in range(2)}
    assert states == {"IMG_0000.png": Status.DONE, "notes.txt": Status.FAILED}


# --- 4: the quit question ------------------------------------------------------------------------
def test_quit_question_is_true_for_checksums_and_follows_the_job(
    qtbot, window, tmp_path: Path
) -> None:
    make_files(tmp_path / "in", [64 * 1024] * 4)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.jobs.pause()  # nothing runs yet: no-op
    options = window.panels["checksum"].options()
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.begin_job("checksum", options, window.model.snapshot())
        window.jobs.pause()  # a job planned while paused starts paused: it stays running
    window.close()
    qtbot.waitUntil(lambda: window.quit_box is not None and window.quit_box.isVisible())
    box = window.quit_box
    assert "no manifest" in box.informativeText()
    assert "keep their results" not in box.informativeText()
    with qtbot.waitSignal(window.jobs.ended, timeout=10_000):
        window.jobs.cancel()  # the job ends behind the open question
    assert box.text() == "The job has ended."
    assert QUIT_LABEL not in [b.text() for b in box.buttons()]
    answer(qtbot, box, "Don't quit")
    qtbot.waitUntil(lambda: window.quit_box is None)
    assert window.isVisible()


# --- 6: counts and plurals -----------------------------------------------------------------------
def test_file_count_follows_the_filter_and_says_one_file(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [10, 20, 30])
    add_and_wait(qtbot, window, [str(files[0])])
    assert window.status_label.text() == "Added: 1 file"
    window.file_list.settle_inputs()
    assert window.count_label.text().startswith("1 file ·")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    window.file_list.inputs_changed()
    assert window.count_label.text().startswith("3 files ·")
    window.status_filter.setCurrentIndex(window.status_filter.findText("Failed"))
    assert window.count_label.text().startswith("0 of 3 files shown")


# --- 8: manifests and Verify ---------------------------------------------------------------------
def test_opening_a_manifest_switches_to_verify(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)  # writes SHA256SUMS
    sums = tmp_path / "in" / "SHA256SUMS"
    assert sums.is_file()
    select_op(window, "image")
    window.add_paths([str(sums)])  # as `parabatch SHA256SUMS`, a drop or Open with do
    assert window.op_combo.currentData() == "verify"
    assert window.panels["verify"].manifest.text() == str(sums)
    assert "checksum manifest" in window.message_bar.headline.text()
    assert window.model.storage_count() == 2  # not listed as a file to process


def test_verify_says_it_replaced_the_list(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "a", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "a")])
    run_and_wait(qtbot, window)
    window.file_list.clear_now()
    photos(tmp_path / "photos", 3)
    add_and_wait(qtbot, window, [str(tmp_path / "photos")])
    select_op(window, "verify")
    window.panels["verify"].manifest.set_text(str(tmp_path / "a" / "SHA256SUMS"))
    finished = run_and_wait(qtbot, window)
    assert finished.tracker.n == 2
    note = "instead of the 3 listed before"
    assert any(note in line for line in [window.message_bar.details.text()])


# --- 9, 10: the manifest being written -----------------------------------------------------------
def test_existing_manifests_are_left_out_and_a_rerun_asks(qtbot, window, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_files(folder, [10, 20])
    (folder / "SHA256SUMS-2").write_text("old\n")
    (folder / "photos.sha256").write_text("old\n")
    (folder / "MD5SUMS").write_text("another kind\n")
    add_and_wait(qtbot, window, [str(folder)])
    run_and_wait(qtbot, window)  # no manifest yet: no question
    m = window.model
    rows = {Path(m.path(i)).name: m.result(i) for i in range(m.storage_count())}
    for name in ("SHA256SUMS-2", "photos.sha256"):
        assert rows[name].status == Status.SKIPPED and rows[name].kind == Kind.IS_OUTPUT
    assert rows["MD5SUMS"].status == Status.DONE  # another kind is an ordinary file
    listed = (folder / "SHA256SUMS").read_text()
    assert "f000.bin" in listed and "SHA256SUMS-2" not in listed and "photos.sha256" not in listed
    window.file_list.clear_now()
    add_and_wait(qtbot, window, [str(folder)])
    window.start_button.click()  # the rerun asks once, before Start
    box = window.job_controller.confirm_box
    assert box is not None and not window.jobs.running
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        answer(qtbot, box, "Replace")
    assert not (folder / "SHA256SUMS-3").exists()
    assert "SHA256SUMS" not in [n for n in (folder / "SHA256SUMS").read_text().split()]
    window.start_button.click()
    box = window.job_controller.confirm_box
    answer(qtbot, box, "Cancel")
    qtbot.waitUntil(lambda: window.job_controller.confirm_box is None)
    assert not window.jobs.running and "Not started" in window.message_bar.headline.text()


def test_a_bare_manifest_name_goes_to_the_inputs_folder(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [10])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    panel = window.panels["checksum"]
    panel.manifest.set_text("sums")
    full = str(tmp_path / "in" / "sums")
    assert panel.options().manifest == full
    assert full in panel.target.text()
    run_and_wait(qtbot, window)
    assert (tmp_path / "in" / "sums").is_file()
    assert not Path(os.getcwd(), "sums").exists() or os.getcwd() == str(tmp_path / "in")


# --- 12, 13, 14: messages, Start while listing, Clear --------------------------------------------
def test_a_warning_goes_with_the_state_that_caused_it(qtbot, window, tmp_path: Path) -> None:
    select_op(window, "verify")
    window.start()
    assert window.message_bar.isVisible() and "Choose the checksum manifest" in (
        window.message_bar.headline.text()
    )
    select_op(window, "checksum")
    assert not window.message_bar.isVisible()
    window.start()  # "Add files or folders first."
    assert window.message_bar.isVisible()
    make_files(tmp_path / "in", [10])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert not window.message_bar.isVisible()


def test_start_while_listing_starts_once_listed(qtbot, window, tmp_path: Path) -> None:
    for d in range(10):
        make_files(tmp_path / "in" / f"d{d}", [1] * 200)
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        window.add_paths([str(tmp_path / "in")])
        assert window.scans.scanning and window.actions_.start.isEnabled()
        window.actions_.start.trigger()  # Ctrl+Return
        assert "starts once the listing ends" in window.message_bar.headline.text()
    assert window.jobs.last.tracker.n == 2000


def test_clear_asks_before_dropping_results(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)
    window.actions_.clear.trigger()
    box = window.file_list.clear_box
    assert box is not None and "2 files" in box.text()
    answer(qtbot, box, "Cancel")
    qtbot.waitUntil(lambda: window.file_list.clear_box is None)
    assert window.model.storage_count() == 2
    window.actions_.clear.trigger()
    answer(qtbot, window.file_list.clear_box, CLEAR_LABEL)
    qtbot.waitUntil(lambda: window.model.storage_count() == 0)


# --- 16: workers ---------------------------------------------------------------------------------
def test_workers_up_to_four_per_core_with_a_warning_for_cpu_bound_work(window) -> None:
    cpu = os.cpu_count() or 1
    window.workers.setValue(4 * cpu)
    assert window.workers.value() == 4 * cpu
    select_op(window, "checksum")  # hashing slow disks gains from more workers: no warning
    assert window.ui.workers_note.text() == f"of {cpu} CPU cores"
    select_op(window, "image")
    assert "over the" in window.ui.workers_note.text()
    window.workers.setValue(cpu)
    assert window.ui.workers_note.text() == f"of {cpu} CPU cores"


# --- 19: mnemonics -------------------------------------------------------------------------------
def _mnemonic(text: str) -> str | None:
    m = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def _owner_panel(widget, panels: list[OperationPanel]) -> OperationPanel | None:
    w = widget
    while w is not None:
        if w in panels:
            return w
        w = w.parentWidget()
    return None


@pytest.mark.parametrize("op", [p for p in MainWindow.panel_names()])
def test_every_mnemonic_of_a_panel_is_unique(window, op: str) -> None:
    """What Alt+letter reaches while this panel is shown: the menus, the window's own labels
    and buttons, and this panel's (shown rows or not): no letter twice."""
    panels = list(window.panels.values())
    seen: dict[str, str] = {}
    texts = [a.text() for a in window.menuBar().actions()]
    for w in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        owner = _owner_panel(w, panels)
        if owner is not None and owner is not window.panels[op]:
            continue
        if isinstance(w, QLabel) and w.buddy() is None:
            continue
        texts.append(w.text())
    for text in texts:
        key = _mnemonic(text)
        if key is None:
            continue
        assert key not in seen, f"Alt+{key.upper()}: {seen[key]!r} and {text!r}"
        seen[key] = text


# --- 18, 21: the Result column, copying ----------------------------------------------------------
def test_result_elides_at_the_end_with_the_full_text_on_hover(
    qtbot, window, tmp_path: Path
) -> None:
    make_files(tmp_path / "in", [10])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)
    view, m = window.view, window.model
    index = m.index(0, RESULT)
    option = QStyleOptionViewItem()
    view.itemDelegateForColumn(RESULT).initStyleOption(option, index)
    assert option.textElideMode == Qt.TextElideMode.ElideRight
    assert m.result_text(0) in m.data(index, Qt.ItemDataRole.ToolTipRole)
    assert view.itemDelegateForColumn(0) is None or QModelIndex() is not None


def test_copy_path_from_the_context_menu(qtbot, window, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", [10, 20])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert window.actions_.copy_path in window.view.actions()
    window.view.selectAll()
    window.actions_.copy_path.trigger()
    assert QGuiApplication.clipboard().text().splitlines() == [str(f) for f in files]


# --- 20: following the running files -------------------------------------------------------------
def test_follow_running_files_until_the_user_scrolls(qtbot, window, tmp_path: Path) -> None:
    make_files(tmp_path / "in", [256 * 1024] * 400)
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    assert not window.ui.follow.isEnabled()
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.begin_job(SLOW, 200, window.model.snapshot())
    assert window.ui.follow.isChecked()
    bar = window.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=30_000)  # it moved with the work
    window.jobs.pause()  # the running rows stay running, and in view
    qtbot.waitUntil(lambda: window.ui.current_label.text().startswith("Working on f"))
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)  # the user scrolls
    assert not window.ui.follow.isChecked()
    assert bar.value() == 0
    window.job_controller.job_ticked()
    assert bar.value() == 0  # left where the user put it
    with qtbot.waitSignal(window.jobs.ended, timeout=10_000):
        window.cancel()
    assert window.ui.current_label.text() == ""


def test_follow_keeps_small_files_work_in_view_too(qtbot, window, tmp_path: Path) -> None:
    """Files too small to report progress are never seen running: the table follows the first
    file not yet done instead (it stayed at the top through a 200,000-file checksum job)."""
    folder = tmp_path / "small"
    make_files(folder, [i % 100 for i in range(20_000)])
    add_and_wait(qtbot, window, [str(folder)])
    with qtbot.waitSignal(window.jobs.started, timeout=10_000):
        window.start_button.click()
    tracker = window.jobs.tracker
    qtbot.waitUntil(lambda: tracker.counts[Status.DONE] >= 2000, timeout=30_000)
    window.jobs.pause()
    window.follower.tick()  # a tick, with nothing between it and the look below
    first = window.model.first_pending()
    view = window.view
    if first is not None and not window.model.running_rows(1):  # the job may be nearly done
        assert first >= 2000
        top, bottom = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
        assert top > 0 and top <= first <= bottom, (top, first, bottom)
    with qtbot.waitSignal(window.jobs.ended, timeout=10_000):
        window.cancel()


# --- 15: no file manager -------------------------------------------------------------------------
def test_no_file_manager_is_said_in_the_window(qtbot, window, tmp_path, monkeypatch) -> None:
    from gui import desktop

    monkeypatch.setattr(desktop, "open_path", lambda path: False)
    monkeypatch.setattr(desktop, "reveal", lambda path: False)
    make_files(tmp_path / "in", [10])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    run_and_wait(qtbot, window)
    sums = str(tmp_path / "in" / "SHA256SUMS")
    window.message_bar.button("Open SHA256SUMS").click()
    assert window.status_label.text().endswith(f"it is {sums}")
    window.status_label.clear()
    window.message_bar.button("Show in folder").click()
    assert sums in window.status_label.text()
    window.view.selectRow(0)
    window.actions_.reveal.trigger()
    assert "No file manager" in window.status_label.text()


# --- 11: outputs that do not feed on themselves --------------------------------------------------
def test_images_go_to_a_converted_folder_left_out_of_later_scans(
    qtbot, window, tmp_path: Path
) -> None:
    folder = tmp_path / "photos"
    photos(folder / "2024", 2)
    select_op(window, "image")
    add_and_wait(qtbot, window, [str(folder)])
    panel = window.panels["image"]
    out = folder / "2024" / "converted"  # in the inputs' common folder
    assert panel.options().naming.output_dir == str(out)
    assert str(out) in panel.output_dir.edit.placeholderText()
    run_and_wait(qtbot, window)
    assert sorted(p.name for p in out.rglob("*.png")) == ["IMG_0000.png", "IMG_0001.png"]
    window.file_list.clear_now()
    add_and_wait(qtbot, window, [str(folder)])  # the folder again: its outputs are not inputs
    names = sorted(os.path.relpath(p, folder) for p in window.model.paths)
    assert names == ["2024/IMG_0000.png", "2024/IMG_0001.png"]
    add_and_wait(qtbot, window, [str(out)])  # asked for by name: taken
    assert window.model.storage_count() == 4
