"""The "run" panel: options like the CLI's, a live preview of the first commands (the dry run's
own text), settings, and real jobs through the window (outputs through {out}; a failing
command's row says its exit code and last stderr line)."""

from __future__ import annotations

import gzip
import re
import shlex
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from core.naming import NamingRule
from core.operations.command import RunOptions
from core.records import Status
from gui.columns import RESULT
from gui.panels import load_panel
from gui.panels.run_panel import RunPanel
from tests.gui.conftest import add_and_wait, inputs, run_and_wait


@pytest.fixture
def panel(qtbot) -> RunPanel:
    p = RunPanel()
    qtbot.addWidget(p)
    return p


def test_the_panel_is_found_and_makes_the_clis_options(panel: RunPanel, tmp_path: Path) -> None:
    assert load_panel("run") is RunPanel
    assert panel.validate() is not None  # no command yet
    panel.command.setText("gzip -nc {} {out}")
    panel.timeout.setValue(2.5)
    panel.outputs_group.output_dir.set_text(str(tmp_path))
    assert panel.options() == RunOptions(
        command="gzip -nc {} {out}", timeout=2.5, naming=NamingRule(output_dir=str(tmp_path))
    )
    assert panel.validate() is None
    panel.command.setText("no-such-program-x {}")
    assert panel.validate() == (
        "the program 'no-such-program-x' was not found on PATH; install it, or give its full path"
    )


def test_the_preview_shows_the_first_commands_as_they_run(panel: RunPanel, tmp_path: Path) -> None:
    files = [tmp_path / "a b.txt", tmp_path / "it's.txt", tmp_path / "c.txt", tmp_path / "d.txt"]
    for f in files:
        f.write_text("x")
    panel.set_inputs(*inputs([str(f) for f in files]))
    panel.command.setText("cp {} {out}")
    panel.outputs_group.output_dir.set_text(str(tmp_path / "out"))
    lines = panel.preview.text().splitlines()
    assert lines == [shlex.join(["cp", str(f), str(tmp_path / "out" / f.name)]) for f in files[:3]]
    panel.shell.setChecked(True)
    panel.command.setText("wc -c < {} > {out}")
    assert panel.preview.text().splitlines()[0] == (
        f"wc -c < {shlex.quote(str(files[0]))} > {shlex.quote(str(tmp_path / 'out' / 'a b.txt'))}"
    )
    panel.command.setText("no-such-program-x {}")
    panel.shell.setChecked(False)
    assert panel.preview.text().startswith("⚠ the program 'no-such-program-x' was not found")


def test_settings_round_trip(qtbot, panel: RunPanel, settings: QSettings) -> None:
    panel.command.setText("convert {} {out}")
    panel.shell.setChecked(True)
    panel.timeout.setValue(30)
    panel.save_settings(settings)
    again = RunPanel()
    qtbot.addWidget(again)
    again.load_settings(settings)
    assert (again.command.text(), again.shell.isChecked(), again.timeout.value()) == (
        "convert {} {out}",
        True,
        30.0,
    )


def test_a_job_through_the_window(qtbot, window, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in {"a b.txt": "one\n", "fail.txt": "two\n", "$x.txt": "three\n"}.items():
        (folder / name).write_text(text)
    prog = tmp_path / "prog.py"
    prog.write_text(
        "import gzip, os, sys\n"
        "if os.path.basename(sys.argv[1]) == 'fail.txt':\n"
        "    sys.exit('cannot read this one')\n"
        "open(sys.argv[2], 'wb').write(gzip.compress(open(sys.argv[1], 'rb').read()))\n"
    )
    add_and_wait(qtbot, window, [str(folder)])
    i = window.op_combo.findData("run")
    assert i >= 0
    window.op_combo.setCurrentIndex(i)
    panel = window.panels["run"]
    panel.command.setText(f"{shlex.join([sys.executable, str(prog)])} {{}} {{out}}")
    panel.outputs_group.output_dir.set_text(str(tmp_path / "out"))
    panel.outputs_group.template.setText("{name}.gz")
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.report.error is None
    assert finished.tracker.counts[Status.DONE] == 2
    assert gzip.decompress((tmp_path / "out" / "a b.gz").read_bytes()) == b"one\n"
    assert gzip.decompress((tmp_path / "out" / "$x.gz").read_bytes()) == b"three\n"
    assert not (tmp_path / "out" / "fail.gz").exists()
    results = {
        Path(t.path).name: r for t, r in zip(finished.tasks, finished.tracker.results, strict=True)
    }
    assert results["fail.txt"].message == "exit 1: cannot read this one"
    assert results["a b.txt"].value.startswith("exit 0 in ")


def test_hovering_a_row_shows_the_commands_output_tails_and_time(
    qtbot, window, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("bad.txt", "good.txt"):
        (folder / name).write_text(name)
    prog = tmp_path / "prog.py"
    prog.write_text(
        "import os, sys\n"
        "if os.path.basename(sys.argv[1]) == 'good.txt':\n"
        "    sys.exit(0)\n"
        "for i in range(4):\n"
        "    print(f'step {i} done')\n"
        "    print(f'warning {i}: not right', file=sys.stderr)\n"
        "sys.exit(5)\n"
    )
    add_and_wait(qtbot, window, [str(folder)])
    window.op_combo.setCurrentIndex(window.op_combo.findData("run"))
    window.panels["run"].command.setText(f"{shlex.join([sys.executable, str(prog)])} {{}}")
    finished = run_and_wait(qtbot, window)
    assert finished is not None and finished.report.error is None
    model = window.model
    rows = {Path(model.path(model.storage_row(r))).name: r for r in range(model.rowCount())}

    def tooltip(name: str) -> str:
        return model.data(model.index(rows[name], RESULT), Qt.ItemDataRole.ToolTipRole)

    bad = tooltip("bad.txt")
    assert model.data(model.index(rows["bad.txt"], RESULT)) == "exit 5: warning 3: not right"
    assert "exit code 5" in bad and re.search(r"ran \d+\.\d\d s", bad)
    err = "\n".join(f"warning {i}: not right" for i in range(4))
    out = "\n".join(f"step {i} done" for i in range(4))
    assert err in bad and out in bad and bad.index(err) < bad.index(out)  # in order, stderr first
    assert re.fullmatch(r"exit 0 in \d+\.\d\d s", tooltip("good.txt"))  # its running time
