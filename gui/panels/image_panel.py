"""Options of the "image" operation: format, resize, quality, metadata, and the outputs.

The same choices as ``parabatch-cli image``. Outputs are planned before Start: the shared
:class:`gui.panels.outputs.OutputsGroup` shows a live preview of the first few inputs' output
names (and collisions) from the operation's own plan.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core import operations
from core.operations import image_formats as formats
from core.operations.image import ImageOperation, ImageOptions
from core.operations.image_cli import parse_colour
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.outputs import OutputPanel, OutputsGroup
from gui.settings import read_bool, read_int, read_str

_FORMAT_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP"}
_RESIZE = (
    (QT_TRANSLATE_NOOP("ImagePanel", "Keep size"), "none"),
    (QT_TRANSLATE_NOOP("ImagePanel", "Fit within a box"), "fit"),
    (QT_TRANSLATE_NOOP("ImagePanel", "Scale by percent"), "scale"),
)
_FRAMES = (
    (QT_TRANSLATE_NOOP("ImagePanel", "Keep all frames (GIF, WebP)"), "all"),
    (QT_TRANSLATE_NOOP("ImagePanel", "First frame only"), "first"),
)
_DEFAULTS = ImageOptions()


def _combo(parent: QWidget, name: str, items: Sequence[tuple[str, Any]]) -> QComboBox:
    box = QComboBox(parent)
    box.setAccessibleName(name)
    for label, data in items:
        box.addItem(translate("ImagePanel", label), data)
    return box


def _spin(parent: QWidget, name: str, lo: int, hi: int, value: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setAccessibleName(name)
    spin.setRange(lo, hi)
    spin.setValue(value)
    spin.setSuffix(suffix)
    _compact(spin)
    return spin


def _compact(spin: QAbstractSpinBox) -> None:
    """Keep a number field as wide as its widest value, not the form's width."""
    spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)


class ImagePanel(OutputPanel):
    """Conversion settings, output folder/name/collision policy, and a preview of names."""

    operation = "image"
    title = QT_TRANSLATE_NOOP("Panels", "Convert / resize images")
    cpu_bound = True
    cancel_note = QT_TRANSLATE_NOOP(
        "Panels", "Images already converted are kept; no partial output is left behind."
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        d = _DEFAULTS
        writable = [f for f in formats.FORMATS if f in formats.available()]
        fmt_items = [(QT_TRANSLATE_NOOP("ImagePanel", "Same as input"), formats.SAME)]
        fmt_items += [(_FORMAT_LABELS.get(f, f), f) for f in writable]
        self.format = _combo(self, translate("ImagePanel", "Output format"), fmt_items)
        self.resize_mode = _combo(self, translate("ImagePanel", "Resize"), _RESIZE)
        self.max_width = _spin(
            self, translate("ImagePanel", "Maximum width"), 0, 100_000, 1024, " px"
        )
        self.max_height = _spin(
            self, translate("ImagePanel", "Maximum height"), 0, 100_000, 1024, " px"
        )
        for spin in (self.max_width, self.max_height):
            spin.setSpecialValueText(translate("ImagePanel", "any"))
        self.enlarge = QCheckBox(translate("ImagePanel", "Enlarge smaller images to the box"), self)
        self.scale = QDoubleSpinBox(self)
        self.scale.setAccessibleName(translate("ImagePanel", "Scale"))
        self.scale.setRange(0.1, 10_000)
        self.scale.setValue(50)
        self.scale.setSuffix(" %")
        _compact(self.scale)
        self.quality = _spin(self, translate("ImagePanel", "Quality"), 0, 100, d.quality)
        self.png_level = _spin(
            self, translate("ImagePanel", "PNG compression level"), 0, 9, d.png_level
        )
        self.progressive = QCheckBox(translate("ImagePanel", "Progressive JPEG"), self)
        self.keep_metadata = QCheckBox(
            translate("ImagePanel", "Keep EXIF and colour profile"), self
        )
        self.keep_metadata.setChecked(d.keep_metadata)
        self.background = QLineEdit("white", self)
        self.background.setAccessibleName(
            translate("ImagePanel", "Background colour for transparency")
        )
        self.background.setPlaceholderText(translate("ImagePanel", "white, #rrggbb or r,g,b"))
        self.frames = _combo(self, translate("ImagePanel", "Animated images"), _FRAMES)
        self.max_pixels = _spin(
            self, translate("ImagePanel", "Pixel limit"), 0, 2_000_000_000, 0, " px"
        )
        self.max_pixels.setSpecialValueText(translate("ImagePanel", "Pillow's (89 Mpx)"))
        self.max_pixels.setToolTip(
            translate(
                "ImagePanel",
                "Images with more pixels are refused (decompression-bomb guard); by default "
                "Pillow's limit, about 89 million pixels",
            )
        )
        self.any_file = QCheckBox(
            translate("ImagePanel", "Accept an&y file, not just images"), self
        )
        self.any_file.setAccessibleName(translate("ImagePanel", "Any file"))
        self.any_file.setToolTip(
            translate(
                "ImagePanel",
                "Off: files that are not images (by name, or by their first bytes where unsure) "
                "are listed as skipped. On: every file is tried, and those that are not images "
                "fail",
            )
        )
        self.any_file.setChecked(d.any_file)
        op = operations.get(self.operation)
        assert isinstance(op, ImageOperation)
        self.outputs_group = OutputsGroup(
            op,
            self.options,
            default=d.naming,
            hint=translate("ImagePanel", "Add images to preview their output names."),
            default_folder="converted",
            parent=self,
        )
        g = self.outputs_group  # its fields, as panel attributes for tests and scripts
        self.output_dir, self.template, self.mirror = g.output_dir, g.template, g.mirror
        self.collision, self.preview = g.collision, g.preview
        self._build_layout()
        for w in (self.format, self.resize_mode, self.frames):
            w.currentIndexChanged.connect(self.changed)
        for s in (self.max_width, self.max_height, self.quality, self.png_level, self.max_pixels):
            s.valueChanged.connect(self.changed)
        self.scale.valueChanged.connect(self.changed)
        for c in (self.enlarge, self.progressive, self.keep_metadata, self.any_file):
            c.toggled.connect(self.changed)
        self.background.textChanged.connect(self.changed)
        self.outputs_group.changed.connect(self.changed)
        self.changed.connect(self._refresh)
        self._refresh()

    def _build_layout(self) -> None:
        conv = QGroupBox(translate("ImagePanel", "Conversion"), self)
        f = self._conv_form = QFormLayout(conv)
        f.addRow(translate("ImagePanel", "Fo&rmat:"), self.format)
        f.addRow(translate("ImagePanel", "Resi&ze:"), self.resize_mode)
        f.addRow(translate("ImagePanel", "Max wi&dth:"), self.max_width)
        f.addRow(translate("ImagePanel", "Max hei&ght:"), self.max_height)
        f.addRow("", self.enlarge)
        f.addRow(translate("ImagePanel", "Sc&ale:"), self.scale)
        f.addRow(translate("ImagePanel", "&Quality:"), self.quality)
        f.addRow(translate("ImagePanel", "&PNG level:"), self.png_level)
        f.addRow("", self.progressive)
        f.addRow("", self.keep_metadata)
        f.addRow(translate("ImagePanel", "&Background:"), self.background)
        f.addRow(translate("ImagePanel", "Ani&mation:"), self.frames)
        f.addRow(translate("ImagePanel", "Pixel limi&t:"), self.max_pixels)
        f.addRow("", self.any_file)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(conv)
        layout.addWidget(self.outputs_group)

    def _refresh(self) -> None:
        """Show only the settings that apply, then update the preview."""
        mode, fmt = self.resize_mode.currentData(), self.format.currentData()
        same = fmt == formats.SAME
        rows = {
            self.max_width: mode == "fit",
            self.max_height: mode == "fit",
            self.enlarge: mode == "fit",
            self.scale: mode == "scale",
            self.quality: same or formats.FORMATS[fmt].quality,
            self.png_level: same or fmt == "PNG",
            self.progressive: same or fmt == "JPEG",
        }
        for widget, visible in rows.items():
            self._conv_form.setRowVisible(widget, visible)
        self.outputs_group.refresh()

    # --- options -----------------------------------------------------------------------------
    def options(self) -> ImageOptions:
        mode = self.resize_mode.currentData()
        width = self.max_width.value() if mode == "fit" else 0
        height = self.max_height.value() if mode == "fit" else 0
        if mode == "fit" and not (width or height):
            raise ValueError(
                translate(
                    "ImagePanel", "Give a maximum width or height to fit within, or keep the size."
                )
            )
        rule = self.outputs_group.naming()
        return ImageOptions(
            format=str(self.format.currentData()),
            max_width=width or None,
            max_height=height or None,
            scale=self.scale.value() if mode == "scale" else None,
            enlarge=self.enlarge.isChecked(),
            quality=self.quality.value(),
            png_level=self.png_level.value(),
            progressive=self.progressive.isChecked(),
            keep_metadata=self.keep_metadata.isChecked(),
            background=parse_colour(self.background.text() or "white"),
            frames=str(self.frames.currentData()),
            max_pixels=self.max_pixels.value() or None,
            naming=rule,
            any_file=self.any_file.isChecked(),
        )

    # --- settings ----------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        k = self.key
        for name, combo in self._combos().items():
            settings.setValue(k(name), str(combo.currentData()))
        for name, spin in self._spins().items():
            settings.setValue(k(name), spin.value())
        settings.setValue(k("scale"), self.scale.value())
        for name, box in self._checks().items():
            settings.setValue(k(name), box.isChecked())
        settings.setValue(k("background"), self.background.text())
        self.outputs_group.save_settings(settings, k)

    def load_settings(self, settings: QSettings) -> None:
        k = self.key
        for name, combo in self._combos().items():
            i = combo.findData(read_str(settings, k(name), str(combo.currentData())))
            if i >= 0:
                combo.setCurrentIndex(i)
        for name, spin in self._spins().items():
            spin.setValue(read_int(settings, k(name), spin.value(), spin.minimum(), spin.maximum()))
        scale: Any = settings.value(k("scale"), self.scale.value())
        with contextlib.suppress(TypeError, ValueError):
            self.scale.setValue(float(scale))
        for name, box in self._checks().items():
            box.setChecked(read_bool(settings, k(name), box.isChecked()))
        self.background.setText(read_str(settings, k("background"), self.background.text()))
        self.outputs_group.load_settings(settings, k)

    def _combos(self) -> dict[str, QComboBox]:
        return {
            "format": self.format,
            "resize": self.resize_mode,
            "frames": self.frames,
        }

    def _spins(self) -> dict[str, QSpinBox]:
        return {
            "max_width": self.max_width,
            "max_height": self.max_height,
            "quality": self.quality,
            "png_level": self.png_level,
            "max_pixels": self.max_pixels,
        }

    def _checks(self) -> dict[str, QCheckBox]:
        return {
            "enlarge": self.enlarge,
            "progressive": self.progressive,
            "keep_metadata": self.keep_metadata,
            "any_file": self.any_file,
        }


PANEL = ImagePanel
