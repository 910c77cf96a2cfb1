"""Options panels: the registry, the contract, and the two built-in panels."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from core import operations
from gui import panels
from gui.panels.base import OperationPanel, common_folder, free_path
from gui.panels.checksum_panel import ChecksumPanel
from gui.panels.verify_panel import VerifyPanel


def test_every_registered_panel_loads_and_matches_an_operation(qapp) -> None:
    """The app leaves out a panel it cannot import; the suite does not: a registered panel
    whose module is missing fails here."""
    for name, target in panels.PANELS.items():
        module = target.partition(":")[0]
        assert importlib.util.find_spec(module) is not None, f"{name}: no module {module}"
        cls = panels.load_panel(name)
        assert cls is not None and issubclass(cls, OperationPanel), name
        assert cls.operation == name and cls.title
        assert name in operations.names()
        panel = cls()
        assert isinstance(panel.validate(), str | None)


def test_a_missing_panel_module_is_left_out(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(panels.PANELS, "teleport", "gui.panels.teleport_panel:TeleportPanel")
    assert panels.load_panel("teleport") is None
    assert "teleport" not in [name for name, _ in panels.available_panels()]


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
    panel.set_inputs([str(tmp_path / "a" / "x"), str(tmp_path / "b" / "y")])
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
    panel.set_inputs([str(tmp_path / "a.jpg"), str(sums)])
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
