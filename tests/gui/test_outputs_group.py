"""The outputs group panels of writing operations share: the naming rule it makes, what it
enables, its preview from the operation's own plan, and its settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from core import operations
from core.naming import Collision, NamingRule
from core.operations.compress import CompressOptions
from gui.panels.outputs import OutputsGroup
from tests.gui.conftest import add_and_wait, inputs, make_files


@pytest.fixture
def group(qtbot) -> OutputsGroup:
    options: dict[str, CompressOptions] = {}

    def make() -> CompressOptions:
        options["last"] = CompressOptions(format="gzip", naming=g.naming())
        return options["last"]

    g = OutputsGroup(operations.get("compress"), make, hint="Add files first.")
    qtbot.addWidget(g)
    return g


def test_the_fields_make_the_naming_rule(qtbot, group: OutputsGroup, tmp_path: Path) -> None:
    assert group.naming() == NamingRule()
    assert not group.mirror.isEnabled() or not group.output_dir.text()
    with qtbot.waitSignal(group.changed, timeout=1000):
        group.output_dir.set_text(str(tmp_path / "out"))
    group.refresh()
    assert group.mirror.isEnabled()
    group.mirror.setChecked(True)
    group.template.setText("{parent}_{name}")
    group.collision.setCurrentIndex(group.collision.findData(Collision.SKIP.value))
    assert group.naming() == NamingRule(str(tmp_path / "out"), "{parent}_{name}", True, "skip")
    group.output_dir.set_text("")
    group.refresh()
    assert not group.mirror.isEnabled()
    assert group.naming().mirror_tree is False  # no folder: nothing to mirror into
    group.template.setText("{nope}")
    with pytest.raises(ValueError, match="unknown field"):
        group.naming()


def test_preview_comes_from_the_operations_plan(group: OutputsGroup, tmp_path: Path) -> None:
    assert group.preview_text() == "Add files first."
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "a.txt.gz").write_text("taken")
    group.set_inputs(*inputs([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]))
    assert group.preview.text().splitlines() == [
        "a.txt → a.txt (1).gz  (collision: renamed (exists))",
        "b.txt → b.txt.gz",
    ]
    assert group.outputs(CompressOptions()) == [str(tmp_path)]  # beside the inputs
    rule = NamingRule(str(tmp_path / "out"))
    assert group.outputs(CompressOptions(naming=rule)) == [str(tmp_path / "out")]


def test_settings_round_trip(qtbot, group: OutputsGroup, tmp_path: Path) -> None:
    group.output_dir.set_text(str(tmp_path))
    group.template.setText("{counter:03d}")
    group.mirror.setChecked(True)
    group.collision.setCurrentIndex(group.collision.findData("overwrite"))
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    group.save_settings(s, lambda name: f"panels/x/{name}")
    assert s.value("panels/x/template") == "{counter:03d}"
    again = OutputsGroup(operations.get("compress"), CompressOptions)
    qtbot.addWidget(again)
    again.load_settings(s, lambda name: f"panels/x/{name}")
    assert again.naming() == group.naming()


def test_a_panel_out_of_view_previews_when_it_is_shown(qtbot, window, tmp_path: Path) -> None:
    """Listing files offers them to every panel; only the one shown plans its preview (each
    lists output folders), the others when they are shown."""
    make_files(tmp_path / "in", [10, 20])
    combo = window.ui.op_combo
    combo.setCurrentIndex(combo.findData("checksum"))
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    group = window.ui.panels["compress"].outputs_group
    assert group.stale and "Add files" in group.preview.text()  # as it was before the listing
    combo.setCurrentIndex(combo.findData("compress"))
    qtbot.waitUntil(lambda: not group.stale)
    assert group.preview.text().splitlines() == [
        "f000.bin → f000.bin.zst",  # the default format
        "f001.bin → f001.bin.zst",
    ]
