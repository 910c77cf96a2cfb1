"""The "encode" panel: options like the CLI's, a name that follows the target, remembered
fields, and a real encode job through the window (outputs equal Python's own conversion)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from core.operations.encode import EncodeOptions
from core.records import Status
from gui.panels import load_panel
from gui.panels.encode_panel import DETECT, EncodePanel
from tests.gui.conftest import add_and_wait, run_and_wait


def pick(combo, data: str) -> None:
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


@pytest.fixture
def panel(qtbot) -> EncodePanel:
    p = EncodePanel()
    qtbot.addWidget(p)
    return p


def test_registered_and_defaults_match_the_cli(panel: EncodePanel) -> None:
    assert load_panel("encode") is EncodePanel
    assert panel.source.currentText() == DETECT
    assert panel.options() == EncodeOptions()


def test_options_follow_the_fields(panel: EncodePanel, tmp_path: Path) -> None:
    panel.source.setCurrentText("cp1252")
    panel.target.setCurrentText("utf-16")
    pick(panel.bom, "remove")
    pick(panel.newline, "crlf")
    panel.replace.setChecked(True)
    o = panel.options()
    assert (o.source, o.target, o.bom, o.newline, o.replace) == (
        "cp1252",
        "utf-16",
        "remove",
        "crlf",
        True,
    )
    assert o.naming.template == "{name}.utf16le"  # beside the input: the target's tag
    panel.outputs_group.output_dir.set_text(str(tmp_path))
    assert panel.options().naming.template == "{name}"  # in a folder: the input's name
    assert panel.outputs_group.template.placeholderText() == "{name}"


def test_invalid_choices_are_said(panel: EncodePanel) -> None:
    panel.target.setCurrentText("no-such-encoding")
    assert "no-such-encoding" in (panel.validate() or "")
    panel.target.setCurrentText("gb18030")
    pick(panel.bom, "add")
    assert "byte order mark" in (panel.validate() or "")


def test_fields_are_remembered(qtbot, panel: EncodePanel, tmp_path: Path) -> None:
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    panel.source.setCurrentText("shift_jis")
    panel.target.setCurrentText("utf-8-sig")
    pick(panel.newline, "lf")
    panel.replace.setChecked(True)
    panel.save_settings(s)
    again = EncodePanel()
    qtbot.addWidget(again)
    again.load_settings(s)
    assert again.options() == panel.options()


def test_an_encode_job_through_the_window(qtbot, window, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    latin = src / "latin.txt"
    latin.write_bytes("café crème, naïve façade\r\n".encode("cp1252") * 50)
    already = src / "plain.txt"
    already.write_bytes(b"already ascii\n")
    out = tmp_path / "out"
    window.op_combo.setCurrentIndex(window.op_combo.findData("encode"))
    panel = window.current_panel()
    assert isinstance(panel, EncodePanel)
    panel.source.setCurrentText("cp1252")
    pick(panel.newline, "lf")
    panel.outputs_group.output_dir.set_text(str(out))
    add_and_wait(qtbot, window, [str(src)])
    finished = run_and_wait(qtbot, window)
    t = finished.tracker
    assert t.counts[Status.FAILED] == 0 and t.counts[Status.DONE] >= 1
    expected = latin.read_bytes().decode("cp1252").replace("\r\n", "\n").encode()
    assert (out / "latin.txt").read_bytes() == expected
    assert latin.read_bytes().startswith("café".encode("cp1252"))  # the source is kept
