"""A plugin operation without a panel gets a form generated from its options dataclass: the
fields by type, defaults, persistence, errors from the options; and the example plugin (built
and installed as tests/core/test_plugins.py does it) offered in the window and run on real
files."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from core import operations, plugins
from core.records import Status
from gui import panels
from gui.panels.base import PathField
from gui.panels.generated import GeneratedPanel, generated_panel
from tests.core import test_plugins as core_plugins
from tests.gui.conftest import add_and_wait, run_and_wait

installed = core_plugins.installed  # the example plugin's wheel, installed into a temp folder


class Shape(enum.Enum):
    ROUND = "round"
    SQUARE = "square"


@dataclass(frozen=True)
class Everything:
    count: int = 3
    ratio: float = 0.5
    strict: bool = False
    shape: Shape = Shape.SQUARE
    label: str = "hi"
    log_file: str = ""
    work_dir: str = ""
    target: Path = Path("/tmp/x")
    note: str | None = None
    pairs: tuple[int, ...] = (1, 2)  # no widget: kept at its default
    extra: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("The count cannot be negative.")


@pytest.fixture
def form(qtbot) -> GeneratedPanel:
    cls = generated_panel("everything", "Do everything", Everything)
    assert cls.operation == "everything" and cls.title == "Do everything"
    p = cls()
    qtbot.addWidget(p)
    assert isinstance(p, GeneratedPanel)
    return p


def test_each_field_type_gets_its_widget_and_default(form: GeneratedPanel) -> None:
    w = {name: row.widget for name, row in form.fields.items()}
    assert set(w) == {
        "count",
        "ratio",
        "strict",
        "shape",
        "label",
        "log_file",
        "work_dir",
        "target",
        "note",
    }
    assert isinstance(w["count"], QSpinBox) and w["count"].value() == 3
    assert isinstance(w["ratio"], QDoubleSpinBox) and w["ratio"].value() == 0.5
    assert isinstance(w["strict"], QCheckBox) and not w["strict"].isChecked()
    assert isinstance(w["shape"], QComboBox) and w["shape"].currentText() == "Square"
    assert isinstance(w["label"], QLineEdit) and w["label"].text() == "hi"
    assert isinstance(w["note"], QLineEdit)
    for name in ("log_file", "work_dir", "target"):
        assert isinstance(w[name], PathField), name
    assert w["work_dir"].mode == "folder" and w["log_file"].mode == "open"
    assert w["target"].text() == "/tmp/x"
    assert form.options() == Everything()
    assert form.validate() is None


def test_the_form_produces_the_options(form: GeneratedPanel, qtbot) -> None:
    w = {name: row.widget for name, row in form.fields.items()}
    with qtbot.waitSignal(form.changed):
        w["count"].setValue(7)
    w["ratio"].setValue(1.25)
    w["strict"].setChecked(True)
    w["shape"].setCurrentIndex(0)
    w["label"].setText("hello")
    w["log_file"].set_text("/var/log/x.log")
    w["target"].set_text("/srv/out")
    w["note"].setText("a note")
    assert form.options() == Everything(
        count=7,
        ratio=1.25,
        strict=True,
        shape=Shape.ROUND,
        label="hello",
        log_file="/var/log/x.log",
        target=Path("/srv/out"),
        note="a note",
    )
    w["note"].setText("")
    assert form.options().note is None


def test_an_error_of_the_options_is_the_panels_error(form: GeneratedPanel) -> None:
    form.fields["count"].widget.setValue(-1)
    assert form.validate() == "The count cannot be negative."


def test_the_fields_are_remembered(form: GeneratedPanel, tmp_path: Path) -> None:
    w = {name: row.widget for name, row in form.fields.items()}
    w["count"].setValue(9)
    w["strict"].setChecked(True)
    w["shape"].setCurrentIndex(0)
    w["work_dir"].set_text(str(tmp_path))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    form.save_settings(settings)
    settings.sync()
    again = type(form)()
    again.load_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert again.options() == form.options()
    assert again.options().shape is Shape.ROUND and again.options().work_dir == str(tmp_path)
    again.deleteLater()


def test_a_built_in_without_a_panel_module_gets_no_generated_form(
    qapp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panels, "panel_module", lambda name: f"gui.panels.{name}_none_panel")
    assert panels.load_panel("checksum") is None


def test_a_non_dataclass_cannot_be_generated() -> None:
    with pytest.raises(TypeError):
        generated_panel("x", "X", object)


@pytest.fixture
def linecount(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example plugin on sys.path (the workers inherit it), forgotten afterwards."""
    monkeypatch.syspath_prepend(str(installed))
    plugins.forget()
    operations._cache.clear()
    yield
    plugins.forget()
    operations._cache.clear()
    for mod in [m for m in sys.modules if m.split(".")[0] == "parabatch_linecount"]:
        del sys.modules[mod]


def test_the_example_plugin_gets_a_form_and_runs_through_the_window(
    linecount: None, qtbot, window, tmp_path: Path
) -> None:
    cls = panels.load_panel("linecount")
    assert cls is not None and issubclass(cls, GeneratedPanel) and cls.title == "Count lines"
    combo = window.op_combo
    i = combo.findData("linecount")
    assert i >= 0 and combo.itemText(i) == "Count lines"
    combo.setCurrentIndex(i)
    panel = window.current_panel()
    assert isinstance(panel, GeneratedPanel) and panel.operation == "linecount"
    words, binary = panel.fields["words"].widget, panel.fields["binary"].widget
    assert words.isChecked() and not binary.isChecked()  # the dataclass's defaults
    words.setChecked(False)  # lines only
    core_plugins.texts(tmp_path / "in")
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    finished = run_and_wait(qtbot, window)
    assert finished.op_name == "linecount" and finished.options.words is False
    t = finished.tracker
    got = {
        Path(task.path).name: t.results[i] for i, task in enumerate(finished.tasks)
    }  # fmt: skip
    assert t.counts[Status.DONE] == 2 and t.counts[Status.FAILED] == 1
    assert got["a b.txt"].value == "2 lines" and got["big.txt"].value == "1 lines"
    assert got["bin.dat"].status == Status.FAILED
