"""Options of the "checksum" operation: the algorithm and where the manifest goes.

With no manifest path given, the manifest goes to the common folder of the inputs under the
algorithm's conventional name (``SHA256SUMS``); an existing file is never overwritten silently,
the first free name (``SHA256SUMS-2``) is taken instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout

from core import manifest
from core.operations.checksum import ChecksumOptions
from gui.panels.base import OperationPanel, PathField, common_folder, free_path


class ChecksumPanel(OperationPanel):
    """Algorithm selector and manifest path (default: a free name in the inputs' folder)."""

    operation = "checksum"
    title = "Create checksums"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._folder: str | None = None
        self.algorithm = QComboBox(self)
        self.algorithm.setAccessibleName("Checksum algorithm")
        for name, algo in manifest.ALGORITHMS.items():
            self.algorithm.addItem(name, name)
            tool = f"checked with {algo.tool} -c" if algo.tool else "no coreutils checker"
            self.algorithm.setItemData(
                self.algorithm.count() - 1, f"{algo.sums_name}, {tool}", Qt.ItemDataRole.ToolTipRole
            )
        self.algorithm.setCurrentIndex(self.algorithm.findData(manifest.DEFAULT_ALGORITHM))
        self.manifest = PathField("save", "Manifest file", "All files (*)", self)
        self.manifest.edit.setToolTip(
            "Leave empty to write the manifest next to the files, under a name not yet taken"
        )
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Algorithm:", self.algorithm)
        form.addRow("&Manifest:", self.manifest)
        self.algorithm.currentIndexChanged.connect(self._update_default)
        self.algorithm.currentIndexChanged.connect(self.changed)
        self.manifest.changed.connect(self.changed)
        self._update_default()

    def _algorithm(self) -> str:
        return str(self.algorithm.currentData() or manifest.DEFAULT_ALGORITHM)

    def default_manifest(self) -> str | None:
        """Where the manifest goes when no path was given (a name not taken yet)."""
        if self._folder is None:
            return None
        name = manifest.ALGORITHMS[self._algorithm()].sums_name
        return free_path(os.path.join(self._folder, name))

    def _update_default(self) -> None:
        default = self.default_manifest()
        self.manifest.set_placeholder(
            f"Automatic: {default}" if default else "Automatic: next to the files"
        )

    def set_inputs(self, paths: Sequence[str]) -> None:
        self._folder = common_folder(paths)
        self._update_default()

    def options(self) -> ChecksumOptions:
        path = self.manifest.text() or self.default_manifest()
        if path is None:
            raise ValueError("Add files to checksum first.")
        path = os.path.abspath(os.path.expanduser(path))
        if os.path.isdir(path):
            raise ValueError(f"The manifest path {path} is a folder; give a file name.")
        return ChecksumOptions(algorithm=self._algorithm(), manifest=path)

    def outputs(self, options: Any) -> list[str]:
        return [options.manifest] if getattr(options, "manifest", None) else []

    def load_settings(self, settings: QSettings) -> None:
        algo = str(settings.value(self.key("algorithm"), manifest.DEFAULT_ALGORITHM))
        i = self.algorithm.findData(algo)
        if i >= 0:
            self.algorithm.setCurrentIndex(i)
        self.manifest.set_text(str(settings.value(self.key("manifest"), "")))

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(self.key("algorithm"), self._algorithm())
        settings.setValue(self.key("manifest"), self.manifest.text())


PANEL = ChecksumPanel
