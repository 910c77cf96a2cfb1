"""The outputs group every panel of an output-writing operation shares: output folder, name
template, mirror tree, collision policy and a live preview of the first inputs' planned names.

It makes the operation's :class:`core.naming.NamingRule`; the preview comes from the
operation's own :meth:`core.operations.writing.OutputOperation.plan_names` (the code the job's
plan runs), over the whole options the panel would start with, so the extension and every
collision shown are the ones the job will meet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit

from core.i18n import message_for_people
from core.naming import FIELDS, SIZE_FIELDS, Collision, NamingRule, Template
from core.operations.writing import OutputOperation
from core.records import FileError
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.base import OperationPanel, PathField
from gui.settings import read_bool, read_str

PREVIEW_COUNT = 4
COLLISIONS = (
    (QT_TRANSLATE_NOOP("OutputsGroup", "Rename: add (1), (2)…"), Collision.RENAME),
    (QT_TRANSLATE_NOOP("OutputsGroup", "Skip the input"), Collision.SKIP),
    (QT_TRANSLATE_NOOP("OutputsGroup", "Overwrite the existing file"), Collision.OVERWRITE),
)


class OutputsGroup(QGroupBox):
    """The "Outputs" group of a panel whose operation writes one output per input.

    ``operation`` plans the preview; ``options`` gives the panel's whole options (it raises
    ValueError when they are invalid, and the preview then says why); ``fields``: the template
    fields this operation fills (default: all, the image's size fields too); ``hint``: what
    the preview says before any input is listed.

    Signals:
        changed: the user changed a field (the panel re-validates; call :meth:`refresh`).
    """

    changed = Signal()

    def __init__(
        self,
        operation: OutputOperation,
        options: Callable[[], Any],
        *,
        default: NamingRule | None = None,
        fields: Sequence[str] | None = None,
        hint: str = "",
        default_folder: str | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(translate("OutputsGroup", "Outputs"), parent)
        self.operation = operation
        self._options = options
        self.hint = hint or translate("OutputsGroup", "Add files to preview their output names.")
        # With no output folder given: this folder in the inputs' common folder, the inputs'
        # tree mirrored in it (None: beside each input). A folder of its own keeps outputs from
        # being taken for inputs when the folder is added again.
        self.default_folder = default_folder
        self._deferred_ok = fields is None or any(f in SIZE_FIELDS for f in fields)
        self._first: list[str] = []
        self._root: str | None = None
        d = default or NamingRule()
        fields = fields if fields is not None else FIELDS
        self.output_dir = PathField(
            "folder", translate("OutputsGroup", "Output folder"), parent=self
        )
        self.output_dir.set_placeholder(
            translate("OutputsGroup", "Automatic: a {folder} folder beside the inputs").format(
                folder=default_folder
            )
            if default_folder
            else translate("OutputsGroup", "Beside each input")
        )
        self.template = QLineEdit(d.template, self)
        self.template.setAccessibleName(translate("OutputsGroup", "Output name template"))
        shown = " ".join("{" + f + "}" for f in fields)
        self.template.setToolTip(
            translate(
                "OutputsGroup",
                "Output name without extension. Fields: {fields}; '/' makes subfolders",
            ).format(fields=shown)
        )
        self.mirror = QCheckBox(translate("OutputsGroup", "Recreate the folder tree"), self)
        self.mirror.setToolTip(
            translate("OutputsGroup", "Recreate the inputs' folder tree in the output folder")
        )
        self.mirror.setChecked(d.mirror_tree)
        self.collision = QComboBox(self)
        self.collision.setAccessibleName(translate("OutputsGroup", "When an output name is taken"))
        for label, policy in COLLISIONS:
            self.collision.addItem(translate("OutputsGroup", label), policy.value)
        self.collision.setCurrentIndex(self.collision.findData(d.collision.value))
        self.preview = QLabel(self)
        self.stale = False  # the preview is behind: the window does not show this panel now
        self.preview.setAccessibleName(translate("OutputsGroup", "Output name preview"))
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout(self)
        form.addRow(translate("OutputsGroup", "O&utput folder:"), self.output_dir)
        form.addRow(translate("OutputsGroup", "&Name:"), self.template)
        form.addRow("", self.mirror)
        form.addRow(translate("OutputsGroup", "If ta&ken:"), self.collision)
        form.addRow(translate("OutputsGroup", "Preview:"), self.preview)
        self.output_dir.changed.connect(self.changed)
        self.template.textChanged.connect(self.changed)
        self.mirror.toggled.connect(self.changed)
        self.collision.currentIndexChanged.connect(self.changed)

    # --- the rule ----------------------------------------------------------------------------
    def naming(self) -> NamingRule:
        """The naming rule of the fields. Raises ValueError with a sentence for the user."""
        template = self.template.text() or "{name}"
        if not self._deferred_ok and Template(template).deferred:
            raise ValueError(
                translate(
                    "OutputsGroup",
                    "{width} and {height} are known only for images; use other fields",
                )
            )
        out = self.output_dir.text()
        out_dir = os.path.abspath(os.path.expanduser(out)) if out else None
        mirror = self.mirror.isChecked() and out_dir is not None
        automatic = self.automatic_folder()
        if out_dir is None and automatic is not None:
            out_dir, mirror = automatic, True
        return NamingRule(
            output_dir=out_dir,
            template=template,
            mirror_tree=mirror,
            collision=Collision(self.collision.currentData()),
        )

    def automatic_folder(self) -> str | None:
        """Where outputs go when no output folder is given (None: beside each input)."""
        if self.default_folder is None or self._root is None:
            return None
        return os.path.join(self._root, self.default_folder)

    # --- inputs and the preview --------------------------------------------------------------
    def set_inputs(self, paths: Sequence[str], root: str | None) -> None:
        """The listed inputs changed (cheap for a million paths: only the first few are looked
        at); ``root``: the deepest folder holding them all."""
        self._first = list(paths[:PREVIEW_COUNT])
        self._root = root
        automatic = self.automatic_folder()
        if automatic is not None:
            self.output_dir.set_placeholder(
                translate("OutputsGroup", "Automatic: {folder}").format(folder=automatic), automatic
            )
        self.refresh()

    def refresh(self) -> None:
        """Enable what applies and update the preview (after any option of the panel changed).
        On a panel the window is not showing, the preview only notes that it is behind and
        catches up when shown: a preview plans names and lists output folders, and every
        panel doing it at once froze the window as the listing of a big folder ended."""
        self.mirror.setEnabled(bool(self.output_dir.text()))
        if not self.isVisible() and self.window().isVisible():
            self.stale = True
            return
        self.stale = False
        self.preview.setText(self.preview_text())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def preview_text(self) -> str:
        """The first inputs' planned outputs (relative to the output folder, or to the input's
        folder when writing beside it), one per line, or what is wrong with the options. An
        input the operation does not take says so, as the job will skip it."""
        if not self._first:
            return self.hint
        try:
            options = self._options()
            any_file = getattr(options, "any_file", False)
            why = {p: None if any_file else self.operation.accepts(p, options) for p in self._first}
            taken = [p for p in self._first if why[p] is None]
            planned = iter(self.operation.plan_names(taken, options, root=self._root))
        except (ValueError, FileError) as e:
            return f"⚠ {message_for_people(str(e))}"
        lines = []
        for source in self._first:
            if why[source] is not None:
                reason = message_for_people(why[source] or "")
                lines.append(
                    translate("OutputsGroup", "{name}: skipped ({reason})").format(
                        name=os.path.basename(source), reason=reason
                    )
                )
                continue
            p = next(planned)
            base = options.naming.output_dir or os.path.dirname(p.source)
            shown = "—" if p.output is None else os.path.relpath(p.output, base)
            if p.deferred:  # show the pattern as the user wrote it
                shown = shown.replace("{{", "{").replace("}}", "}")
            note = f"  ({message_for_people(p.note)})" if p.note and not p.deferred else ""
            lines.append(f"{os.path.basename(p.source)} → {shown}{note}")
        return "\n".join(lines)

    def outputs(self, options: Any) -> list[str]:
        """Where a finished job's outputs are worth opening: the output folder, else the
        inputs' common folder."""
        out = getattr(getattr(options, "naming", None), "output_dir", None)
        if out:
            return [out]
        return [self._root] if self._root else []

    # --- settings ----------------------------------------------------------------------------
    def save_settings(self, settings: QSettings, key: Callable[[str], str]) -> None:
        settings.setValue(key("output_dir"), self.output_dir.text())
        settings.setValue(key("template"), self.template.text())
        settings.setValue(key("mirror"), self.mirror.isChecked())
        settings.setValue(key("collision"), str(self.collision.currentData()))

    def load_settings(self, settings: QSettings, key: Callable[[str], str]) -> None:
        self.output_dir.set_text(read_str(settings, key("output_dir"), self.output_dir.text()))
        self.template.setText(read_str(settings, key("template"), self.template.text()))
        self.mirror.setChecked(read_bool(settings, key("mirror"), self.mirror.isChecked()))
        current = str(self.collision.currentData())
        i = self.collision.findData(read_str(settings, key("collision"), current))
        if i >= 0:
            self.collision.setCurrentIndex(i)


class OutputPanel(OperationPanel):
    """The panel of an operation that writes one output per input: its :class:`OutputsGroup`
    (``self.outputs_group``, made by the subclass) answers for the inputs, the preview and the
    planned outputs."""

    outputs_group: OutputsGroup

    def set_inputs(self, paths: Sequence[str], root: str | None) -> None:
        self.outputs_group.set_inputs(paths, root)

    def preview_text(self) -> str:
        return self.outputs_group.preview_text()

    def outputs(self, options: Any) -> list[str]:
        return self.outputs_group.outputs(options)
