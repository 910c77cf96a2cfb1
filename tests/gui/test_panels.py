"""Options panels: found from core's operations, the contract, and the checksum and verify
panels."""

from __future__ import annotations

import importlib
import logging
import sys
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from core import operations
from gui import panels
from gui.inputs import common_folder
from gui.panels.base import OperationPanel, free_path
from gui.panels.checksum_panel import ChecksumPanel
from gui.panels.verify_panel import VerifyPanel
from tests.gui.conftest import inputs


def panel_modules() -> list[str]:
    """The operation names that have a panel module in gui/panels (``NAME_panel.py``)."""
    folder = Path(panels.__file__).parent
    return sorted(p.name.removesuffix("_panel.py") for p in folder.glob("*_panel.py"))


def test_every_panel_module_is_an_operation_and_loads(qapp) -> None:
    """The app leaves out a panel it cannot load; the suite does not: every panel module must
    name a registered operation, and load strictly."""
    modules = panel_modules()
    assert {"checksum", "verify", "image", "compress", "decompress"} <= set(modules)
    for name in modules:
        assert name in operations.names(), f"{name}_panel.py names no operation"
        module = importlib.import_module(panels.panel_module(name))
        cls = module.PANEL
        assert panels.load_panel(name) is cls
        assert issubclass(cls, OperationPanel) and cls.operation == name and cls.title
        panel = cls()
        assert isinstance(panel.validate(), str | None)


def test_the_offered_operations_come_from_core_in_its_order(qapp) -> None:
    offered = [name for name, _ in panels.available_panels()]
    assert offered == [n for n in operations.names() if n in panel_modules()]


def test_an_operation_without_a_panel_is_not_offered(
    qapp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = operations.names()
    monkeypatch.setattr(operations, "names", lambda: [*real, "teleport"])
    with caplog.at_level(logging.DEBUG, logger="gui.panels"):
        assert panels.load_panel("teleport") is None
        offered = [name for name, _ in panels.available_panels()]
    assert "teleport" not in offered and offered[: len(real)] == [
        n for n in real if n in panel_modules()
    ]
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG and "teleport" in r.message]
    assert debug and "not offered" in debug[0].message
    assert not [r for r in caplog.records if r.levelno > logging.DEBUG]


def test_a_broken_panel_module_is_left_out_loudly(
    qapp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A panel module that exists but holds no PANEL, or a PANEL of another operation, is an
    error worth logging, not a quiet "no panel"."""
    wrong = types.ModuleType("gui.panels.teleport_panel")
    monkeypatch.setitem(sys.modules, wrong.__name__, wrong)
    assert panels.load_panel("teleport") is None
    wrong.PANEL = ChecksumPanel  # type: ignore[attr-defined]
    assert panels.load_panel("teleport") is None
    errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and "no PANEL" in errors[0] and "'checksum'" in errors[1]


def test_a_panel_module_failing_to_import_is_left_out(
    qapp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An import inside the panel module that fails (a missing dependency) is logged as an
    error with its traceback, and the operation is not offered."""

    def fail(name: str, *args: object, **kwargs: object) -> object:
        if name == "gui.panels.teleport_panel":
            raise ModuleNotFoundError("No module named 'warpdrive'", name="warpdrive")
        return real_import(name, *args, **kwargs)

    real_import = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", fail)
    assert panels.load_panel("teleport") is None
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_common_folder_and_free_path(tmp_path: Path) -> None:
    assert common_folder([]) is None
    assert common_folder(["/a/b/x", "/a/b/y"]) == "/a/b"
    assert common_folder(["/a/b/x", "/a/bc/y", "/a/b.txt"]) == "/a"
    assert common_folder(["/a/x.txt"]) == "/a"
    (tmp_path / "SUMS").touch()
    (tmp_path / "SUMS-2").touch()
    assert free_path(str(tmp_path / "SUMS")) == str(tmp_path / "SUMS-3")
    assert free_path(str(tmp_path / "NEW")) == str(tmp_path / "NEW")


def test_checksum_panel_defaults_to_a_free_manifest_name(qapp, tmp_path: Path) -> None:
    panel = ChecksumPanel()
    assert panel.validate() is not None  # no inputs, no path: nothing sensible to propose
    panel.set_inputs(*inputs([str(tmp_path / "a" / "x"), str(tmp_path / "b" / "y")]))
    assert panel.options().manifest == str(tmp_path / "SHA256SUMS")
    panel.algorithm.setCurrentIndex(panel.algorithm.findData("blake3"))
    assert panel.options().algorithm == "blake3"
    assert panel.options().manifest == str(tmp_path / "B3SUMS")
    panel.manifest.set_text(str(tmp_path))
    assert "folder" in (panel.validate() or "")


def test_verify_panel_proposes_a_listed_manifest(qapp, tmp_path: Path) -> None:
    panel = VerifyPanel()
    assert "manifest" in (panel.validate() or "")
    sums = tmp_path / "photos.sha256"
    sums.write_text("")
    panel.set_inputs(*inputs([str(tmp_path / "a.jpg"), str(sums)]))
    assert panel.manifest.text() == str(sums)
    assert panel.options().manifest == str(sums) and panel.options().algorithm is None
    panel.manifest.set_text(str(tmp_path / "gone"))
    assert "does not exist" in (panel.validate() or "")


def test_panels_remember_their_fields(qapp, tmp_path: Path) -> None:
    s = QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat)
    a, v = ChecksumPanel(), VerifyPanel()
    a.algorithm.setCurrentIndex(a.algorithm.findData("md5"))
    v.unlisted.setChecked(True)
    v.algorithm.setCurrentIndex(v.algorithm.findData("sha512"))
    a.save_settings(s)
    v.save_settings(s)
    a2, v2 = ChecksumPanel(), VerifyPanel()
    a2.load_settings(s)
    v2.load_settings(s)
    assert a2.algorithm.currentData() == "md5"
    assert v2.unlisted.isChecked() and v2.algorithm.currentData() == "sha512"
