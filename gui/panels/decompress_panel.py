"""Options of the "decompress" operation: the ratio limit, deleting sources, and the outputs.

The same choices as ``parabatch-cli decompress``. The format of each file is found from its
first bytes, so there is none to choose; outputs are named without the compressed suffix.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFormLayout, QGroupBox, QSizePolicy, QSpinBox, QVBoxLayout

from core import operations
from core.operations.compress import DecompressOperation, DecompressOptions
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.base import DeleteSources
from gui.panels.outputs import OutputPanel, OutputsGroup
from gui.settings import read_int

_DEFAULTS = DecompressOptions()


class DecompressPanel(OutputPanel):
    """Ratio limit, "delete sources after success", output folder/name/collision policy and
    a preview of names."""

    operation = "decompress"
    title = QT_TRANSLATE_NOOP("Panels", "Decompress files")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.max_ratio = QSpinBox(self)
        self.max_ratio.setAccessibleName(translate("DecompressPanel", "Ratio limit"))
        self.max_ratio.setRange(1, 1_000_000)
        self.max_ratio.setValue(_DEFAULTS.max_ratio)
        self.max_ratio.setSuffix(translate("DecompressPanel", " : 1"))
        self.max_ratio.setGroupSeparatorShown(True)
        self.max_ratio.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.max_ratio.setToolTip(
            translate(
                "DecompressPanel",
                "A file whose output grows past this many times its own size is stopped as a "
                "probable decompression bomb, and nothing is written for it",
            )
        )
        self.delete = DeleteSources(self)
        op = operations.get(self.operation)
        assert isinstance(op, DecompressOperation)
        self.outputs_group = OutputsGroup(
            op,
            self.options,
            default=_DEFAULTS.naming,
            fields=("name", "ext", "parent", "counter"),
            hint=translate(
                "DecompressPanel", "Add .zst, .gz, .xz or .bz2 files to preview their output names."
            ),
            parent=self,
        )
        box = QGroupBox(translate("DecompressPanel", "Decompression"), self)
        form = QFormLayout(box)
        form.addRow(translate("DecompressPanel", "&Ratio limit:"), self.max_ratio)
        form.addRow("", self.delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addWidget(self.outputs_group)
        self.max_ratio.valueChanged.connect(self.changed)
        self.delete.toggled.connect(self.changed)
        self.outputs_group.changed.connect(self.changed)
        self.changed.connect(self.outputs_group.refresh)
        self.outputs_group.refresh()

    def options(self) -> DecompressOptions:
        return DecompressOptions(
            max_ratio=self.max_ratio.value(),
            delete_sources=self.delete.isChecked(),
            naming=self.outputs_group.naming(),
        )

    def confirmation(self, options: Any, files: int) -> str | None:
        return self.delete.question(options, files)

    # "Delete sources" is not remembered: every session starts with the sources kept.
    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(self.key("max_ratio"), self.max_ratio.value())
        self.outputs_group.save_settings(settings, self.key)

    def load_settings(self, settings: QSettings) -> None:
        spin = self.max_ratio
        spin.setValue(
            read_int(settings, self.key("max_ratio"), spin.value(), spin.minimum(), spin.maximum())
        )
        self.outputs_group.load_settings(settings, self.key)


PANEL = DecompressPanel
