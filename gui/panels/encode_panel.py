"""Options of the "encode" operation: source and target encodings, BOM, line endings, replacing
what cannot be converted, and the outputs.

The same choices as ``parabatch-cli encode`` (:class:`core.operations.encode.EncodeOptions`).
The source is detected per file unless one is named; the encoding boxes are editable, so any
name Python knows can be typed. Beside the inputs the default name carries the target's tag
(``NAME.utf8.EXT``); in an output folder it is the input's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QVBoxLayout

from core import operations
from core.naming import NamingRule
from core.operations.encode import (
    DEFAULT_TEMPLATE,
    EncodeOperation,
    EncodeOptions,
    default_template,
)
from core.operations.encode_detect import canonical
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.outputs import OutputPanel, OutputsGroup
from gui.settings import read_bool, read_str

DETECT = QT_TRANSLATE_NOOP("EncodePanel", "Detect")
COMMON = (
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "cp1252",
    "iso8859-1",
    "iso8859-15",
    "cp1250",
    "cp1251",
    "koi8-r",
    "gb18030",
    "big5",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "ascii",
)
BOMS = (
    (QT_TRANSLATE_NOOP("EncodePanel", "Keep as it is"), "keep"),
    (QT_TRANSLATE_NOOP("EncodePanel", "Add"), "add"),
    (QT_TRANSLATE_NOOP("EncodePanel", "Remove"), "remove"),
)
NEWLINES = (
    (QT_TRANSLATE_NOOP("EncodePanel", "Keep as they are"), "keep"),
    (QT_TRANSLATE_NOOP("EncodePanel", "LF (Unix, macOS)"), "lf"),
    (QT_TRANSLATE_NOOP("EncodePanel", "CRLF (Windows)"), "crlf"),
)
_DEFAULTS = EncodeOptions()


def _choices(box: QComboBox, items: Sequence[tuple[str, str]], current: str) -> None:
    for label, value in items:
        box.addItem(translate("EncodePanel", label), value)
    box.setCurrentIndex(box.findData(current))


class EncodePanel(OutputPanel):
    """Source (Detect or named) and target encodings, BOM, line endings, replace, outputs."""

    operation = "encode"
    title = QT_TRANSLATE_NOOP("Panels", "Convert text encodings")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = QComboBox(self)
        self.source.setEditable(True)
        self.source.addItems([translate("EncodePanel", DETECT), *COMMON])
        self.source.setAccessibleName(translate("EncodePanel", "Source encoding"))
        self.source.setToolTip(
            translate(
                "EncodePanel",
                "Detect: each file's encoding is found from its first MiB (a doubtful guess is "
                "said in its result); or name the encoding every input is in",
            )
        )
        self.target = QComboBox(self)
        self.target.setEditable(True)
        self.target.addItems(COMMON)
        self.target.setCurrentText(_DEFAULTS.target)
        self.target.setAccessibleName(translate("EncodePanel", "Target encoding"))
        self.target.setToolTip(
            translate(
                "EncodePanel",
                "The outputs' encoding; utf-16 and utf-32 without -le/-be are written "
                "little-endian with a byte order mark",
            )
        )
        self.bom = QComboBox(self)
        self.bom.setAccessibleName(translate("EncodePanel", "Byte order mark"))
        _choices(self.bom, BOMS, _DEFAULTS.bom)
        self.newline = QComboBox(self)
        self.newline.setAccessibleName(translate("EncodePanel", "Line endings"))
        _choices(self.newline, NEWLINES, _DEFAULTS.newline)
        self.replace = QCheckBox(
            translate("EncodePanel", "Re&place what cannot be converted"), self
        )
        self.replace.setAccessibleName(translate("EncodePanel", "Replace undecodable bytes"))
        self.replace.setToolTip(
            translate(
                "EncodePanel",
                "Write U+FFFD for bytes that do not decode (and ? for characters the target "
                "lacks) instead of failing the file; the summary counts them",
            )
        )
        op = operations.get(self.operation)
        assert isinstance(op, EncodeOperation)
        self.outputs_group = OutputsGroup(
            op,
            self.options,
            default=NamingRule(template=DEFAULT_TEMPLATE),
            fields=("name", "ext", "parent", "counter"),
            hint=translate("EncodePanel", "Add text files to preview their output names."),
            parent=self,
        )
        self.outputs_group.template.setText("")  # empty: the default follows the target
        self.outputs_group.template.setPlaceholderText(DEFAULT_TEMPLATE)
        box = QGroupBox(translate("EncodePanel", "Encodings"), self)
        form = QFormLayout(box)
        form.addRow(translate("EncodePanel", "&Source:"), self.source)
        form.addRow(translate("EncodePanel", "Tar&get:"), self.target)
        form.addRow(translate("EncodePanel", "&Byte order mark:"), self.bom)
        form.addRow(translate("EncodePanel", "Line en&dings:"), self.newline)
        form.addRow("", self.replace)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addWidget(self.outputs_group)
        for combo in (self.source, self.target):
            combo.currentTextChanged.connect(self.changed)
        for combo in (self.bom, self.newline):
            combo.currentIndexChanged.connect(self.changed)
        self.replace.toggled.connect(self.changed)
        self.outputs_group.changed.connect(self.changed)
        self.changed.connect(self._update_placeholder)
        self.changed.connect(self.outputs_group.refresh)
        self._update_placeholder()
        self.outputs_group.refresh()

    def _source(self) -> str | None:
        text = self.source.currentText().strip()
        return None if text in ("", DETECT, translate("EncodePanel", DETECT)) else text

    def _target(self) -> str:
        return self.target.currentText().strip() or _DEFAULTS.target

    def _update_placeholder(self) -> None:
        """The name used when the field is left empty, as it follows the target and folder."""
        try:
            canonical(self._target())
        except ValueError:
            return
        folder = self.outputs_group.output_dir.text() or None
        self.outputs_group.template.setPlaceholderText(default_template(self._target(), folder))

    def options(self) -> EncodeOptions:
        """Raises ValueError with a sentence for the user (an unknown encoding, a BOM for an
        encoding that has none)."""
        naming = self.outputs_group.naming()
        if not self.outputs_group.template.text().strip():
            template = default_template(self._target(), naming.output_dir)
            naming = NamingRule(
                output_dir=naming.output_dir,
                template=template,
                mirror_tree=naming.mirror_tree,
                collision=naming.collision,
            )
        return EncodeOptions(
            source=self._source(),
            target=self._target(),
            bom=str(self.bom.currentData()),
            newline=str(self.newline.currentData()),
            replace=self.replace.isChecked(),
            naming=naming,
        )

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(self.key("source"), self._source() or "")
        settings.setValue(self.key("target"), self._target())
        settings.setValue(self.key("bom"), str(self.bom.currentData()))
        settings.setValue(self.key("newline"), str(self.newline.currentData()))
        settings.setValue(self.key("replace"), self.replace.isChecked())
        self.outputs_group.save_settings(settings, self.key)

    def load_settings(self, settings: QSettings) -> None:
        detect = translate("EncodePanel", DETECT)
        self.source.setCurrentText(read_str(settings, self.key("source")) or detect)
        self.target.setCurrentText(read_str(settings, self.key("target"), self._target()))
        for combo, name in ((self.bom, "bom"), (self.newline, "newline")):
            i = combo.findData(read_str(settings, self.key(name), str(combo.currentData())))
            if i >= 0:
                combo.setCurrentIndex(i)
        self.replace.setChecked(read_bool(settings, self.key("replace"), False))
        self.outputs_group.load_settings(settings, self.key)


PANEL = EncodePanel
