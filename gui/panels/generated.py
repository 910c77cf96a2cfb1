"""A form generated from an options dataclass, for a plugin operation that declares no panel.

One row per field, by its type: ``int`` a spin box, ``float`` a decimal spin box, ``bool`` a
check box, an :class:`enum.Enum` a drop-down of its members, ``str`` a line edit, and a
:class:`pathlib.Path` (or a ``str`` whose name ends in ``path``, ``dir`` or ``file``) a line
edit with Browse… (a folder for ``…dir``, a file to save for a name holding ``out``, else a file
to open). ``X | None`` of a text or path field is None when left empty. Every field starts at
its dataclass default; a field of another type (a tuple, a nested dataclass) is not shown and
keeps its default. A ``ValueError`` the options raise (say, in ``__post_init__``) is the
panel's error, shown before Start.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import pathlib
import types
import typing
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from gui.i18n import translate
from gui.panels.base import OperationPanel, PathField
from gui.settings import read_bool, read_str

INT_RANGE = (-(2**31), 2**31 - 1)  # what a QSpinBox holds
FLOAT_RANGE = (-1e12, 1e12)
FLOAT_DECIMALS = 6
PATH_SUFFIXES = ("path", "dir", "file")


def label_of(name: str) -> str:
    """``max_lines`` -> ``Max lines``."""
    words = name.strip("_").replace("_", " ")
    return words[:1].upper() + words[1:]


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """(X, True) for ``X | None`` / ``Optional[X]``, else (tp, False)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


class Field:
    """One generated row: its widget, how to read and set it, and how to persist it."""

    def __init__(
        self,
        name: str,
        widget: QWidget,
        get: Callable[[], Any],
        put: Callable[[Any], None],
        save: Callable[[], Any],
        load: Callable[[QSettings, str, Any], Any],
        label: str,
    ) -> None:
        self.name, self.widget, self.get, self.put = name, widget, get, put
        self.save, self.load, self.label = save, load, label


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    raise ValueError(f"option {f.name!r} has no default")


def make_field(name: str, tp: Any, default: Any, parent: QWidget) -> Field | None:
    """The row for field ``name`` of type ``tp``, or None for a type with no generated widget."""
    tp, optional = _unwrap_optional(tp)
    label = label_of(name)
    if tp is bool:
        box = QCheckBox(label, parent)
        box.setAccessibleName(label)
        box.setChecked(bool(default))
        return Field(
            name,
            box,
            box.isChecked,
            box.setChecked,
            box.isChecked,
            lambda s, k, d: read_bool(s, k, bool(d)),
            "",
        )
    if tp is int and not optional:
        spin = QSpinBox(parent)
        spin.setRange(*INT_RANGE)
        spin.setAccessibleName(label)
        spin.setValue(int(default))

        def load_int(s: QSettings, k: str, d: Any) -> int:
            try:
                return int(s.value(k, d))  # type: ignore[call-overload]
            except (TypeError, ValueError):
                return int(d)

        return Field(name, spin, spin.value, spin.setValue, spin.value, load_int, label)
    if tp is float and not optional:
        dspin = QDoubleSpinBox(parent)
        dspin.setRange(*FLOAT_RANGE)
        dspin.setDecimals(FLOAT_DECIMALS)
        dspin.setAccessibleName(label)
        dspin.setValue(float(default))

        def load_float(s: QSettings, k: str, d: Any) -> float:
            try:
                v = float(s.value(k, d))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return float(d)
            return v if math.isfinite(v) else float(d)

        return Field(name, dspin, dspin.value, dspin.setValue, dspin.value, load_float, label)
    if isinstance(tp, type) and issubclass(tp, enum.Enum) and not optional:
        members = list(tp)
        combo = QComboBox(parent)
        combo.setAccessibleName(label)
        for m in members:
            combo.addItem(label_of(m.name.lower()), m.name)
        combo.setCurrentIndex(members.index(default) if default in members else 0)

        def put_enum(m: Any) -> None:
            combo.setCurrentIndex(max(combo.findData(getattr(m, "name", m)), 0))

        def load_enum(s: QSettings, k: str, d: Any) -> Any:
            return tp.__members__.get(read_str(s, k, d.name), d)

        return Field(
            name,
            combo,
            lambda: members[combo.currentIndex()],
            put_enum,
            lambda: members[combo.currentIndex()].name,
            load_enum,
            label,
        )
    is_path = tp is pathlib.Path or (isinstance(tp, type) and issubclass(tp, pathlib.PurePath))
    if tp is str or is_path:
        edit: QLineEdit
        if is_path or name.lower().endswith(PATH_SUFFIXES):
            lowered = name.lower()
            mode = "folder" if lowered.endswith("dir") else "save" if "out" in lowered else "open"
            path_field = PathField(
                mode, label, translate("GeneratedPanel", "All files (*)"), parent
            )
            widget: QWidget = path_field
            edit = path_field.edit
        else:
            edit = QLineEdit(parent)
            edit.setAccessibleName(label)
            widget = edit
        edit.setText("" if default is None else str(default))

        def get_text() -> Any:
            text = edit.text().strip() if is_path else edit.text()
            if optional and not text:
                return None
            if is_path:
                return tp(text) if text else default
            return text

        def put_text(v: Any) -> None:
            edit.setText("" if v is None else str(v))

        return Field(
            name,
            widget,
            get_text,
            put_text,
            edit.text,
            lambda s, k, d: read_str(s, k, "" if d is None else str(d)),
            label,
        )
    return None


def _changed_signal(widget: QWidget) -> Any:
    """The signal ``widget`` emits when the user changes its value."""
    if isinstance(widget, PathField):
        return widget.changed
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.valueChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    raise TypeError(f"no change signal for {type(widget).__name__}")


class GeneratedPanel(OperationPanel):
    """A form of the fields of ``options_type``; subclasses are made by :func:`generated_panel`."""

    options_type: type[Any] = object

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        hints = typing.get_type_hints(self.options_type)
        self.fields: dict[str, Field] = {}
        self.defaults: dict[str, Any] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for f in dataclasses.fields(self.options_type):
            if not f.init:
                continue
            default = _default(f)
            self.defaults[f.name] = default
            row = make_field(f.name, hints.get(f.name, Any), default, self)
            if row is None:
                continue  # kept at its default
            self.fields[f.name] = row
            label = translate("GeneratedPanel", "{label}:").format(label=row.label)
            form.addRow(label if row.label else "", row.widget)
            _changed_signal(row.widget).connect(self.changed)

    def options(self) -> Any:
        values = {name: row.get() for name, row in self.fields.items()}
        return self.options_type(**{**self.defaults, **values})

    def load_settings(self, settings: QSettings) -> None:
        for name, row in self.fields.items():
            value = row.load(settings, self.key(name), self.defaults[name])
            row.put(value)

    def save_settings(self, settings: QSettings) -> None:
        for name, row in self.fields.items():
            settings.setValue(self.key(name), row.save())


def generated_panel(name: str, title: str, options_type: type[Any]) -> type[OperationPanel]:
    """A panel class for operation ``name`` whose form is generated from ``options_type``.

    Raises:
        TypeError: ``options_type`` is not a dataclass.
    """
    if not (isinstance(options_type, type) and dataclasses.is_dataclass(options_type)):
        raise TypeError(f"the options of {name!r} are not a dataclass")
    cls_name = "".join(part.title() for part in name.replace("-", "_").split("_")) + "Panel"
    attrs = {"operation": name, "title": title or name, "options_type": options_type}
    return type(cls_name, (GeneratedPanel,), attrs)


def panel_for(name: str) -> type[OperationPanel]:
    """The generated panel of the operation registered as ``name``."""
    from core import operations

    op = operations.get(name)
    return generated_panel(name, op.title, op.options_type)
