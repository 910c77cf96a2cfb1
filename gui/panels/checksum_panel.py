"""Options of the "checksum" operation: the algorithm and where the manifest goes.

With no manifest path given, the manifest goes to the common folder of the inputs under the
algorithm's conventional name (``SHA256SUMS``); a bare name (``sums``) goes to that folder too,
never to the app's working folder, and the full path is shown under the field. An existing
manifest is never overwritten silently: Start asks once (replace, keep both, cancel). Manifests
of the chosen kind among the inputs are left out (listed as skipped), not hashed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel

from core import manifest
from core.operations.checksum import ChecksumOptions
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.base import OperationPanel, PathField, Question, free_path

REPLACE = QT_TRANSLATE_NOOP("ChecksumPanel", "Replace")
KEEP_BOTH = QT_TRANSLATE_NOOP("ChecksumPanel", "Keep both")


class ChecksumPanel(OperationPanel):
    """Algorithm selector and manifest path (default: a free name in the inputs' folder)."""

    operation = "checksum"
    title = QT_TRANSLATE_NOOP("Panels", "Create checksums")
    cancel_note = QT_TRANSLATE_NOOP(
        "Panels", "A cancelled job writes no manifest: the checksums computed so far are lost."
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._folder: str | None = None
        self.algorithm = QComboBox(self)
        self.algorithm.setAccessibleName(translate("ChecksumPanel", "Checksum algorithm"))
        for name, algo in manifest.ALGORITHMS.items():
            self.algorithm.addItem(name, name)
            tip = (
                translate("ChecksumPanel", "{manifest}, checked with {tool} -c")
                if algo.tool
                else translate("ChecksumPanel", "{manifest}, no coreutils checker")
            ).format(manifest=algo.sums_name, tool=algo.tool)
            self.algorithm.setItemData(self.algorithm.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.algorithm.setCurrentIndex(self.algorithm.findData(manifest.DEFAULT_ALGORITHM))
        self.manifest = PathField(
            "save",
            translate("ChecksumPanel", "Manifest file"),
            translate("ChecksumPanel", "All files (*)"),
            self,
        )
        self.manifest.edit.setToolTip(
            translate(
                "ChecksumPanel",
                "Leave empty to write the manifest in the files' common folder; a name without a "
                "folder goes there too",
            )
        )
        self.target = QLabel(self)
        self.target.setAccessibleName(translate("ChecksumPanel", "Manifest written to"))
        self.target.setWordWrap(True)
        self.target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.target.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(translate("ChecksumPanel", "&Algorithm:"), self.algorithm)
        form.addRow(translate("ChecksumPanel", "&Manifest:"), self.manifest)
        form.addRow("", self.target)
        self.algorithm.currentIndexChanged.connect(self._update_default)
        self.algorithm.currentIndexChanged.connect(self.changed)
        self.manifest.changed.connect(self._update_default)
        self.manifest.changed.connect(self.changed)
        self._update_default()

    def _algorithm(self) -> str:
        return str(self.algorithm.currentData() or manifest.DEFAULT_ALGORITHM)

    def default_manifest(self) -> str | None:
        """Where the manifest goes when no path was given: the algorithm's conventional name
        in the inputs' common folder (Start asks if it exists)."""
        if self._folder is None:
            return None
        name = manifest.ALGORITHMS[self._algorithm()].sums_name
        return os.path.join(self._folder, name)

    def manifest_path(self) -> str | None:
        """The full path the manifest is written to: the field's path (a relative one taken
        from the inputs' common folder), else the default; None before any input is listed
        unless the field holds an absolute path."""
        text = os.path.expanduser(self.manifest.text())
        if not text:
            return self.default_manifest()
        if not os.path.isabs(text):
            if self._folder is None:
                return None
            text = os.path.join(self._folder, text)
        return os.path.normpath(text)

    def _update_default(self) -> None:
        default = self.default_manifest()
        self.manifest.set_placeholder(
            translate("ChecksumPanel", "Automatic: {name}").format(name=os.path.basename(default))
            if default
            else translate("ChecksumPanel", "Automatic: next to the files"),
            default or "",
        )
        path = self.manifest_path()
        self.target.setText(
            translate("ChecksumPanel", "Written to {path}").format(path=path)
            if path
            else translate("ChecksumPanel", "Written to the files' folder")
        )

    def set_inputs(self, paths: Sequence[str], root: str | None) -> None:
        self._folder = root
        self._update_default()

    def options(self) -> ChecksumOptions:
        path = self.manifest_path()
        if path is None:
            raise ValueError(translate("ChecksumPanel", "Add files to checksum first."))
        if os.path.isdir(path):
            raise ValueError(
                translate(
                    "ChecksumPanel", "The manifest path {path} is a folder; give a file name."
                ).format(path=path)
            )
        return ChecksumOptions(algorithm=self._algorithm(), manifest=path)

    def question(self, options: Any, files: int) -> Question | None:
        """An existing manifest: replace it, or keep both (this one under a free name)?"""
        path = options.manifest
        if not path or not os.path.lexists(path):
            return None
        other = free_path(path)
        keep = ChecksumOptions(algorithm=options.algorithm, manifest=other)
        return Question(
            translate("ChecksumPanel", "{name} already exists in {folder}.").format(
                name=os.path.basename(path), folder=os.path.dirname(path)
            ),
            [
                (translate("ChecksumPanel", REPLACE), options),
                (translate("ChecksumPanel", KEEP_BOTH), keep),
            ],
            informative=translate(
                "ChecksumPanel",
                "Replace it with this job's manifest, or keep both (this job's manifest is then "
                "{other})? A job where files fail never replaces it.",
            ).format(other=os.path.basename(other)),
        )

    def leave_out(self, options: Any) -> Callable[[str], str | None] | None:
        """Manifests of the chosen kind among the inputs are not hashed."""
        algo = manifest.ALGORITHMS[options.algorithm]
        upper, suffixes = algo.sums_name.upper(), algo.suffixes
        reason = f"an existing {options.algorithm} manifest: manifests are not hashed"

        # SHA256SUMS, SHA256SUMS.1, SHA256SUMS-2, x.sha256, x.sha256.2 (what
        # manifest.algorithm_from_filename names this algorithm), in one match in C per path:
        # the window tests every listed file, 1,000,000s of them, before a job starts.
        ends = "|".join(re.escape(s) for s in suffixes)
        is_manifest = re.compile(
            rf"(?:{re.escape(upper)}(?:[.-][0-9]+)?|.*(?:{ends})(?:\.[0-9]+)?)",
            re.IGNORECASE | re.DOTALL,
        ).fullmatch
        sep = os.sep

        def test(path: str) -> str | None:
            return reason if is_manifest(path[path.rfind(sep) + 1 :]) else None

        return test

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
