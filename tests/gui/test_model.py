"""The file model on its own: sorting, the status filter while rows change, removal."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QAbstractItemModelTester

from core.discover import Scanner, natural_key
from core.progress import Tracker
from core.records import FileEntry, FileResult, SkippedEntry, Status
from gui.columns import NAME, RESULT, SIZE, STATUS, failed_tint
from gui.file_model import FileModel
from gui.inputs import common_folder


def make_model(n: int = 12) -> FileModel:
    model = FileModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal, model)
    model.append([FileEntry(f"/d/img{i}.jpg", 100 * (n - i), 0.0) for i in range(n)])
    return model


def names(model: FileModel) -> list[str]:
    return [model.index(r, NAME).data() for r in range(model.rowCount())]


def test_the_name_column_sorts_as_discovery_lists_a_folder(qapp, tmp_path: Path) -> None:
    """One natural order: sorting by name gives the order a folder scan found the files in
    (core.discover.natural_key), long numbers and names that differ only in zeros included."""
    listed = ["img10", "IMG2", "img1", "img007", "img7", "n" + "1" * 24, "n" + "9" * 20]
    for name in listed:
        (tmp_path / name).touch()
    found = [Path(e.path).name for batch in Scanner([str(tmp_path)]).batches() for e in batch]
    assert found == sorted(listed, key=natural_key)
    model = FileModel()
    model.append([FileEntry(str(tmp_path / n), 1, 0.0) for n in reversed(found)])
    model.sort(NAME)
    assert names(model) == found
    assert found[:2] == ["img1", "IMG2"] and found.index("n" + "9" * 20) < found.index(
        "n" + "1" * 24
    )


def test_sort_by_name_size_and_back(qapp) -> None:
    model = make_model()
    model.sort(NAME)
    assert names(model)[:3] == ["img0.jpg", "img1.jpg", "img2.jpg"]
    assert names(model)[-1] == "img11.jpg"
    model.sort(SIZE, Qt.SortOrder.AscendingOrder)
    assert names(model)[0] == "img11.jpg"
    model.sort(-1)
    assert names(model)[:2] == ["img0.jpg", "img1.jpg"]


def test_sorting_keeps_persistent_indexes_on_their_rows(qapp) -> None:
    model = make_model()
    keep = QPersistentModelIndex(model.index(3, NAME))
    model.sort(SIZE)
    assert keep.data() == "img3.jpg"


def test_filter_follows_a_running_job(qapp) -> None:
    model = make_model()
    tracker = Tracker([100] * 12)
    model.attach(tracker)
    model.set_status_filter([Status.FAILED])
    assert model.rowCount() == 0
    for i in (2, 7, 9):
        tracker.file_result(FileResult(i, Status.FAILED, message=f"bad {i}"))
    tracker.file_result(FileResult(3, Status.DONE, "ok"))
    model._filter_at = 0.0  # the refresh is throttled in time; this test does not wait
    model.sync()
    assert names(model) == ["img2.jpg", "img7.jpg", "img9.jpg"]
    assert model.index(1, RESULT).data() == "bad 7"
    model.set_status_filter(None)
    assert model.rowCount() == 12


def test_filter_diff_removes_and_inserts(qapp) -> None:
    model = make_model()
    model.set_status_filter([Status.PENDING])
    tracker = Tracker([100] * 12)
    model.attach(tracker)
    for i in (0, 1, 5, 11):
        tracker.file_running(i, 10)
    model._filter_at = 0.0
    model.sync()
    assert [model.storage_row(r) for r in range(model.rowCount())] == [2, 3, 4, 6, 7, 8, 9, 10]


def test_remove_forgets_paths_and_keeps_skip_reasons(qapp) -> None:
    model = make_model(4)
    model.append([SkippedEntry("/d/fifo", "skipped: a named pipe (FIFO), not a regular file")])
    model.seen.update(model.paths)
    model.remove_view_rows([0, 2])
    assert names(model) == ["img1.jpg", "img3.jpg", "fifo"]
    assert "/d/img0.jpg" not in model.seen and "/d/img1.jpg" in model.seen
    assert model.index(2, STATUS).data() == "Skipped"
    assert "FIFO" in model.index(2, RESULT).data()
    entries = model.snapshot().entries()
    assert isinstance(entries[2], SkippedEntry)
    assert model.total_bytes == 300 + 100


def test_a_snapshot_keeps_the_rows_listed_when_it_was_taken(qapp) -> None:
    """Start takes a snapshot without copying on the GUI thread; the planning thread's first
    look copies the rows listed then. Rows added or cleared meanwhile do not reach the job."""
    model = make_model(3)
    model.append([SkippedEntry("/d/fifo", "skipped: a named pipe (FIFO), not a regular file")])
    before = model.snapshot()
    model.append([FileEntry("/d/late.jpg", 7, 0.0, 5), SkippedEntry("/d/sock", "a socket")])
    assert before.rows == 4 and before.skipped_count == 1
    assert before.paths == ["/d/img0.jpg", "/d/img1.jpg", "/d/img2.jpg", "/d/fifo"]
    assert list(before.sizes) == [300, 200, 100, 0] and len(before.mtimes) == 4
    assert before.skipped == {3: "skipped: a named pipe (FIFO), not a regular file"}
    later = model.snapshot()
    model.clear()
    assert len(later.paths) == 6 and later.skipped.keys() == {3, 5}
    assert [type(e).__name__ for e in later.entries()][-2:] == ["FileEntry", "SkippedEntry"]


def test_a_large_snapshot_is_copied_in_pieces_exactly(qapp) -> None:
    """Past a piece's rows the planning thread copies a piece at a time (the GUI thread waits
    for one piece, not a million rows): the copy is the rows listed at Start, whatever comes
    after them."""
    from core.pieces import PIECE

    n = 2 * PIECE + 3
    model = FileModel()
    model.append([FileEntry(f"/d/{i:07d}", i, 0.0, i) for i in range(n)])
    snap = model.snapshot()
    model.append([FileEntry(f"/e/{i}", 1, 0.0, 1) for i in range(PIECE)])
    assert snap.paths == [f"/d/{i:07d}" for i in range(n)]
    assert list(snap.sizes) == list(range(n)) == list(snap.mtimes)


def test_the_common_folder_follows_rows_added_and_removed(qapp) -> None:
    """The panels are given the model's common folder (kept as rows come and go) rather than
    working it out from a million paths each."""
    model = FileModel()
    assert model.folders.root is None
    model.append([FileEntry("/a/b/x/1.txt", 1, 0.0), FileEntry("/a/b/x/2.txt", 1, 0.0)])
    assert model.folders.root == "/a/b/x"
    model.append([FileEntry("/a/bc/3.txt", 1, 0.0)])  # shares "/a/b" as text, not as a folder
    assert model.folders.root == "/a" == common_folder(model.paths)
    model.remove_view_rows([2])
    assert model.folders.root == "/a/b/x" == common_folder(model.paths)
    model.clear()
    assert model.folders.root is None


def test_failed_tint_is_derived_from_the_palette(qapp) -> None:
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.white)
    dark.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.black)
    t_light, t_dark = failed_tint(light), failed_tint(dark)
    assert t_light.red() > t_light.green() and t_light.lightnessF() > 0.7
    assert t_dark.red() > t_dark.green() and t_dark.lightnessF() < 0.4


def test_model_passes_qt_model_tester_under_selection(qapp) -> None:
    from PySide6.QtWidgets import QTableView

    model = make_model(50)
    view = QTableView()
    view.setModel(model)
    view.selectionModel().select(
        model.index(5, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    model.sort(SIZE)
    model.set_status_filter([Status.PENDING])
    model.remove_view_rows([0, 1])
    model.clear()
    assert model.rowCount() == 0 and not model.seen
