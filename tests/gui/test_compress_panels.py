"""The "compress" and "decompress" panels: options like the CLI's, the level following the format,
the shared outputs group, and real jobs through the window (outputs appear, sources are kept;
with "delete sources" on, Start asks once and sources go only after their file succeeded)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
from pathlib import Path

import pytest
import zstandard
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from core.naming import Collision, NamingRule
from core.operations.compress import FORMATS, CompressOptions, DecompressOptions
from core.records import Status
from gui.panels import load_panel
from gui.panels.compress_panel import CompressPanel
from gui.panels.decompress_panel import DecompressPanel
from gui.panels.outputs import OutputsGroup
from gui.window_jobs import CONFIRM_LABEL
from tests.gui.conftest import add_and_wait, inputs, run_and_wait


def pick(combo, data: str) -> None:
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def texts(folder: Path, count: int = 3, size: int = 50_000) -> list[Path]:
    """Compressible files with different content."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        p = folder / f"t{i}.csv"
        p.write_bytes((f"{i},row,{'x' * (i + 3)}\n" * (size // 10))[:size].encode())
        out.append(p)
    return out


def answer(qtbot, window, button_text: str) -> None:
    """Click ``button_text`` in the question Start asked."""
    jc = window.job_controller
    qtbot.waitUntil(lambda: jc.confirm_box is not None and jc.confirm_box.isVisible(), timeout=5000)
    box = jc.confirm_box
    button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
    button.click()
    qtbot.waitUntil(lambda: jc.confirm_box is None, timeout=5000)


# --- compress: the panel ---------------------------------------------------------------------
@pytest.fixture
def compress(qtbot) -> CompressPanel:
    p = CompressPanel()
    qtbot.addWidget(p)
    return p


def test_compress_registered_and_defaults_match_the_cli(compress: CompressPanel) -> None:
    assert load_panel("compress") is CompressPanel
    assert compress.options() == CompressOptions()
    assert [compress.format.itemData(i) for i in range(compress.format.count())] == list(FORMATS)
    assert not compress.delete.isChecked()
    assert compress.confirmation(compress.options(), 5) is None
    assert isinstance(compress.outputs_group, OutputsGroup)


def test_the_level_follows_the_format(qtbot, compress: CompressPanel) -> None:
    names = [*list(FORMATS)[1:], "zstd"]  # zstd, the default, last: each pick is a change
    for name in names:
        fmt = FORMATS[name]
        with qtbot.waitSignal(compress.changed, timeout=1000):
            pick(compress.format, name)
        level = compress.level
        assert (level.minimum(), level.maximum()) == fmt.levels, name
        assert level.value() == fmt.default_level, name
        assert compress.options() == CompressOptions(format=name)  # the default is "default"
        other = fmt.levels[0]  # not the default (bzip2's is its highest)
        level.setValue(other)
        assert compress.options().level == other
        assert compress.options().effective_level == other


def test_compress_preview_and_names(compress: CompressPanel, tmp_path: Path) -> None:
    assert "Add files" in compress.preview_text()
    paths = [str(p) for p in texts(tmp_path / "in", 2)]
    (tmp_path / "in" / "t1.csv.gz").write_bytes(b"taken")
    pick(compress.format, "gzip")
    compress.set_inputs(*inputs(paths))
    assert compress.outputs_group.preview.text().splitlines() == [
        "t0.csv → t0.csv.gz",
        "t1.csv → t1.csv (1).gz  (collision: renamed (exists))",
    ]
    compress.outputs_group.template.setText("{width}")  # only images have sizes
    assert "only for images" in (compress.validate() or "")
    assert compress.preview_text().startswith("⚠")


def test_compress_settings_round_trip_but_never_delete(qtbot, compress, tmp_path: Path) -> None:
    pick(compress.format, "xz")
    compress.level.setValue(9)
    compress.delete.setChecked(True)
    compress.outputs_group.output_dir.set_text(str(tmp_path / "out"))
    compress.outputs_group.mirror.setChecked(True)
    pick(compress.outputs_group.collision, "overwrite")
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    compress.save_settings(s)
    again = CompressPanel()
    qtbot.addWidget(again)
    again.load_settings(s)
    assert again.options() == CompressOptions(
        format="xz",
        level=9,
        naming=NamingRule(str(tmp_path / "out"), "{name}", True, Collision.OVERWRITE),
    )
    assert not again.delete.isChecked()  # a session always starts with the sources kept


# --- compress: jobs through the window -------------------------------------------------------
def choose_compress(window, fmt: str = "zstd"):
    pick(window.op_combo, "compress")
    panel = window.panels["compress"]
    pick(panel.format, fmt)
    return panel


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_compress_job_writes_outputs_and_keeps_sources(qtbot, window, tmp_path, fmt) -> None:
    files = texts(tmp_path / "in")
    before = [f.read_bytes() for f in files]
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    choose_compress(window, fmt)
    finished = run_and_wait(qtbot, window)  # no question: nothing is deleted
    assert finished is not None and finished.report.error is None
    assert finished.tracker.counts[Status.DONE] == 3
    read = {
        "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
        "gzip": gzip.decompress,
        "xz": lzma.decompress,
        "bzip2": bz2.decompress,
    }[fmt]
    for f, data in zip(files, before, strict=True):
        out = f.with_name(f.name + FORMATS[fmt].suffix)
        assert read(out.read_bytes()) == data
        assert f.read_bytes() == data  # the source is kept
    assert window.message_bar.button("Open output folder") is not None


def test_compress_with_delete_asks_and_no_changes_nothing(qtbot, window, tmp_path) -> None:
    files = texts(tmp_path / "in")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    panel = choose_compress(window)
    panel.delete.setChecked(True)
    window.start_button.click()
    box = window.job_controller.confirm_box
    assert box is not None and box.icon() == QMessageBox.Icon.Warning
    assert box.text() == (
        "3 source files will be deleted after their outputs are verified. Continue?"
    )
    assert box.defaultButton().text().replace("&", "") == "Cancel"  # Enter deletes nothing
    window.start_button.click()  # a second Start while asking asks nothing more
    answer(qtbot, window, "Cancel")
    assert not window.jobs.running and window.jobs.last is None
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == [f.name for f in files]
    assert window.start_button.isEnabled()


def test_compress_with_delete_removes_only_succeeded_sources(qtbot, window, tmp_path) -> None:
    files = texts(tmp_path / "in")
    before = {f.name: f.read_bytes() for f in files}
    (tmp_path / "in" / "t1.csv.zst").write_bytes(b"already there")
    add_and_wait(qtbot, window, [str(f) for f in files])
    panel = choose_compress(window)
    panel.delete.setChecked(True)
    pick(panel.outputs_group.collision, "skip")  # t1's output is taken: t1 is skipped
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000) as ended:
        window.start_button.click()
        answer(qtbot, window, CONFIRM_LABEL)
    finished = ended.args[0]
    assert finished is not None and finished.report.error is None
    by_name = {
        Path(t.path).name: r.status
        for t, r in zip(finished.tasks, finished.tracker.results, strict=True)
    }
    assert by_name == {"t0.csv": Status.DONE, "t1.csv": Status.SKIPPED, "t2.csv": Status.DONE}
    assert not files[0].exists() and not files[2].exists()  # verified, then deleted
    assert files[1].read_bytes() == before["t1.csv"]  # skipped: kept
    assert (tmp_path / "in" / "t1.csv.zst").read_bytes() == b"already there"
    d = zstandard.ZstdDecompressor()
    for name in ("t0.csv", "t2.csv"):
        data = (tmp_path / "in" / f"{name}.zst").read_bytes()
        assert d.decompressobj().decompress(data) == before[name]


# --- decompress ------------------------------------------------------------------------------
@pytest.fixture
def decompress(qtbot) -> DecompressPanel:
    p = DecompressPanel()
    qtbot.addWidget(p)
    return p


def test_decompress_registered_defaults_and_settings(qtbot, decompress, tmp_path) -> None:
    assert load_panel("decompress") is DecompressPanel
    assert decompress.options() == DecompressOptions()
    assert not decompress.delete.isChecked()
    decompress.max_ratio.setValue(50)
    decompress.delete.setChecked(True)
    decompress.outputs_group.template.setText("{name}-x")
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    decompress.save_settings(s)
    again = DecompressPanel()
    qtbot.addWidget(again)
    again.load_settings(s)
    assert again.options() == DecompressOptions(
        max_ratio=50, naming=NamingRule(template="{name}-x")
    )
    assert decompress.confirmation(decompress.options(), 1) == (
        "1 source file will be deleted after its output is verified. Continue?"
    )


def archives(folder: Path) -> dict[str, bytes]:
    """One file per format, written by the standard library and zstandard (not by us); the
    xz one is named .bin: the format is found from the data."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {n: f"{n}\n".encode() * 5000 for n in ("a", "b", "c", "d")}
    (folder / "a.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(data["a"]))
    (folder / "b.txt.gz").write_bytes(gzip.compress(data["b"]))
    (folder / "c.txt.bz2").write_bytes(bz2.compress(data["c"]))
    (folder / "d.bin").write_bytes(lzma.compress(data["d"]))
    return data


def test_decompress_job_writes_outputs_and_keeps_sources(qtbot, window, tmp_path) -> None:
    data = archives(tmp_path / "in")
    sources = {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()}
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    pick(window.op_combo, "decompress")
    window.panels["decompress"].outputs_group.output_dir.set_text(str(tmp_path / "out"))
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.tracker.counts[Status.DONE] == 4
    out = tmp_path / "out"
    assert (out / "a.txt").read_bytes() == data["a"]
    assert (out / "b.txt").read_bytes() == data["b"]
    assert (out / "c.txt").read_bytes() == data["c"]
    assert (out / "d.bin.out").read_bytes() == data["d"]
    assert {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()} == sources


def test_decompress_with_delete_keeps_the_source_that_failed(qtbot, window, tmp_path) -> None:
    data = archives(tmp_path / "in")
    broken = tmp_path / "in" / "e.txt.gz"
    broken.write_bytes(gzip.compress(b"e" * 100_000)[:-30])  # truncated
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    pick(window.op_combo, "decompress")
    window.panels["decompress"].delete.setChecked(True)
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000) as ended:
        window.start_button.click()
        assert "5 source files will be deleted" in window.job_controller.confirm_box.text()
        answer(qtbot, window, CONFIRM_LABEL)
    counts = ended.args[0].tracker.counts
    assert (counts[Status.DONE], counts[Status.FAILED]) == (4, 1)
    left = sorted(os.listdir(tmp_path / "in"))
    assert left == ["a.txt", "b.txt", "c.txt", "d.bin.out", "e.txt.gz"]  # only e's source
    assert (tmp_path / "in" / "a.txt").read_bytes() == data["a"]
    assert not (tmp_path / "in" / "e.txt").exists()  # a failed file leaves no output
