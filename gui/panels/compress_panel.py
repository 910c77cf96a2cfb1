"""Options of the "compress" operation: format, level, deleting sources, and the outputs.

The same choices as ``parabatch-cli compress``. The level's range and default follow the format
(:data:`core.operations.compress.FORMATS`); sources are kept unless "Delete sources after
success" is ticked, and then Start asks once before the job.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QSizePolicy, QSpinBox, QVBoxLayout

from core import operations
from core.operations.compress import FORMATS, CompressOperation, CompressOptions
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.base import DeleteSources
from gui.panels.outputs import OutputPanel, OutputsGroup
from gui.settings import read_int, read_str

_LABELS = {"zstd": "zstd (.zst)", "gzip": "gzip (.gz)", "xz": "xz (.xz)", "bzip2": "bzip2 (.bz2)"}
_DEFAULTS = CompressOptions()


class CompressPanel(OutputPanel):
    """Format and level, "delete sources after success", output folder/name/collision policy
    and a preview of names."""

    operation = "compress"
    title = QT_TRANSLATE_NOOP("Panels", "Compress files")
    cpu_bound = True

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.format = QComboBox(self)
        self.format.setAccessibleName(translate("CompressPanel", "Compression format"))
        for name in FORMATS:
            self.format.addItem(_LABELS.get(name, name), name)
        self.format.setCurrentIndex(self.format.findData(_DEFAULTS.format))
        self.level = QSpinBox(self)
        self.level.setAccessibleName(translate("CompressPanel", "Compression level"))
        self.level.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.delete = DeleteSources(self)
        op = operations.get(self.operation)
        assert isinstance(op, CompressOperation)
        self.outputs_group = OutputsGroup(
            op,
            self.options,
            default=_DEFAULTS.naming,
            fields=("name", "ext", "parent", "counter"),
            hint=translate("CompressPanel", "Add files to preview their compressed names."),
            parent=self,
        )
        box = QGroupBox(translate("CompressPanel", "Compression"), self)
        form = QFormLayout(box)
        form.addRow(translate("CompressPanel", "Fo&rmat:"), self.format)
        form.addRow(translate("CompressPanel", "&Compression level:"), self.level)
        form.addRow("", self.delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addWidget(self.outputs_group)
        self._format_changed()
        self.format.currentIndexChanged.connect(self._format_changed)
        self.format.currentIndexChanged.connect(self.changed)
        self.level.valueChanged.connect(self.changed)
        self.delete.toggled.connect(self.changed)
        self.outputs_group.changed.connect(self.changed)
        self.changed.connect(self.outputs_group.refresh)
        self.outputs_group.refresh()

    def _format(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        """The level takes the new format's range and its default."""
        fmt = FORMATS[self._format()]
        low, high = fmt.levels
        self.level.blockSignals(True)  # one "changed", from the format
        self.level.setRange(low, high)
        self.level.setValue(fmt.default_level)
        self.level.blockSignals(False)
        self.level.setToolTip(
            translate(
                "CompressPanel",
                "{format}: {low} (fastest) to {high} (smallest); {default} is its default",
            ).format(format=fmt.name, low=low, high=high, default=fmt.default_level)
        )

    def options(self) -> CompressOptions:
        fmt = FORMATS[self._format()]
        level = self.level.value()
        return CompressOptions(
            format=fmt.name,
            # The default level is said as "default", so the options equal the command line's.
            level=None if level == fmt.default_level else level,
            delete_sources=self.delete.isChecked(),
            naming=self.outputs_group.naming(),
        )

    def confirmation(self, options: Any, files: int) -> str | None:
        return self.delete.question(options, files)

    # "Delete sources" is not remembered: every session starts with the sources kept.
    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(self.key("format"), self._format())
        settings.setValue(self.key("level"), self.level.value())
        self.outputs_group.save_settings(settings, self.key)

    def load_settings(self, settings: QSettings) -> None:
        i = self.format.findData(read_str(settings, self.key("format"), self._format()))
        if i >= 0:
            self.format.setCurrentIndex(i)  # the level's range first, then the level
        low, high = FORMATS[self._format()].levels
        self.level.setValue(read_int(settings, self.key("level"), self.level.value(), low, high))
        self.outputs_group.load_settings(settings, self.key)


PANEL = CompressPanel
