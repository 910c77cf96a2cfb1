"""Options of the "verify" operation: the manifest to check, its algorithm, unlisted files.

The job's rows come from the manifest, not from the file list, so the list may stay empty. A
manifest among the added files (``SHA256SUMS``, ``*.sha256``...) is proposed automatically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout

from core import manifest
from core.operations.verify import VerifyOptions
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.base import OperationPanel, PathField
from gui.settings import read_bool

_NAME_FILTER = QT_TRANSLATE_NOOP(
    "VerifyPanel",
    "Checksum manifests (*SUMS *.sha256 *.sha512 *.sha1 *.md5 *.b2 *.b3 *.blake3 *.xxh128);;"
    "All files (*)",
)


class VerifyPanel(OperationPanel):
    """Manifest path, algorithm (detected by default) and the "list unlisted files" switch."""

    operation = "verify"
    title = QT_TRANSLATE_NOOP("Panels", "Verify checksums")
    needs_inputs = False
    cancel_note = QT_TRANSLATE_NOOP(
        "Panels", "Nothing is written; the files checked so far keep their results in the list."
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.manifest = PathField(
            "open",
            translate("VerifyPanel", "Manifest to verify"),
            translate("VerifyPanel", _NAME_FILTER),
            self,
        )
        self.manifest.set_placeholder(
            translate("VerifyPanel", "SHA256SUMS, *.sha256, *.md5… (or add one to the list)")
        )
        self.algorithm = QComboBox(self)
        self.algorithm.setAccessibleName(
            translate("VerifyPanel", "Checksum algorithm of the manifest")
        )
        self.algorithm.addItem(translate("VerifyPanel", "Detect from the manifest"), None)
        for name in manifest.ALGORITHMS:
            self.algorithm.addItem(name, name)
        self.unlisted = QCheckBox(
            translate("VerifyPanel", "Also report files the manifest does not list"), self
        )
        self.unlisted.setAccessibleName(translate("VerifyPanel", "Report unlisted files"))
        self.unlisted.setToolTip(
            translate("VerifyPanel", "Files in the manifest's folder (and below) that it lacks")
        )
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(translate("VerifyPanel", "&Manifest:"), self.manifest)
        form.addRow(translate("VerifyPanel", "&Algorithm:"), self.algorithm)
        form.addRow("", self.unlisted)
        self.manifest.changed.connect(self.changed)
        self.algorithm.currentIndexChanged.connect(self.changed)
        self.unlisted.toggled.connect(self.changed)

    def set_inputs(self, paths: Sequence[str], root: str | None) -> None:
        """Propose a manifest found among the first added files when none is chosen."""
        if self.manifest.text():
            return
        for p in paths[:1000]:
            if manifest.algorithm_from_filename(p) is not None:
                self.manifest.set_text(p)
                return

    def options(self) -> VerifyOptions:
        path = self.manifest.text()
        if not path:
            raise ValueError(
                translate(
                    "VerifyPanel", "Choose the checksum manifest to verify (SHA256SUMS, *.sha256…)."
                )
            )
        path = os.path.abspath(os.path.expanduser(path))
        if not os.path.isfile(path):
            raise ValueError(
                translate(
                    "VerifyPanel", "The manifest {path} does not exist or is not a file."
                ).format(path=path)
            )
        algorithm = self.algorithm.currentData()
        return VerifyOptions(
            manifest=path,
            algorithm=str(algorithm) if algorithm else None,
            list_unlisted=self.unlisted.isChecked(),
        )

    def outputs(self, options: Any) -> list[str]:
        return [options.manifest] if getattr(options, "manifest", "") else []

    def load_settings(self, settings: QSettings) -> None:
        self.manifest.set_text(str(settings.value(self.key("manifest"), "")))
        i = self.algorithm.findData(settings.value(self.key("algorithm"), None))
        self.algorithm.setCurrentIndex(max(i, 0))
        self.unlisted.setChecked(read_bool(settings, self.key("unlisted"), False))

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(self.key("manifest"), self.manifest.text())
        settings.setValue(self.key("algorithm"), self.algorithm.currentData() or "")
        settings.setValue(self.key("unlisted"), self.unlisted.isChecked())


PANEL = VerifyPanel
