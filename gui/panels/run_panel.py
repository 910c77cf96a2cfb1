"""Options of the "run" operation: the command template, "through the shell", the time limit,
the outputs group (used by ``{out}``), and a live preview of the first commands.

The same choices as ``parabatch-cli run ... -- COMMAND``; the preview is the dry run's own text
(:meth:`core.operations.command.RunOperation.dry_run_lines`), so what it shows is what runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from core import operations
from core.i18n import message_for_people
from core.operations import command_template as tpl
from core.operations.command import RunOperation, RunOptions
from core.records import FileEntry, FileError
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.panels.base import OperationPanel
from gui.panels.outputs import OutputsGroup
from gui.settings import read_bool, read_str

PREVIEW_COMMANDS = 3
HELP = QT_TRANSLATE_NOOP(
    "RunPanel",
    "Replacement strings, as in GNU parallel: {} the file, {.} without extension, {/} its "
    "name, {//} its folder, {/.} its name without extension, {#} its number, {out} the output "
    "planned below (written to a temporary beside it, moved into place on success). Without "
    "any, the file is added at the end. No shell: each replacement is one argument.",
)


class RunPanel(OperationPanel):
    """The command template with a preview of the first commands, shell and time limit, and the
    outputs group."""

    operation = "run"
    title = QT_TRANSLATE_NOOP("Panels", "Run a command")
    cancel_note = QT_TRANSLATE_NOOP(
        "Panels", "Files already processed keep their results; running commands are stopped."
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._first: list[str] = []
        self.command = QLineEdit(self)
        self.command.setAccessibleName(translate("RunPanel", "Command template"))
        self.command.setPlaceholderText(
            translate("RunPanel", "e.g. ffmpeg -nostdin -i {} -c:v libx264 {out}")
        )
        self.command.setToolTip(translate("RunPanel", HELP))
        self.shell = QCheckBox(
            translate("RunPanel", "Run through the shell (pipes, redirections)"), self
        )
        self.shell.setToolTip(
            translate(
                "RunPanel", "sh -c LINE; each replacement is quoted: do not quote them yourself"
            )
        )
        self.timeout = QDoubleSpinBox(self)
        self.timeout.setAccessibleName(translate("RunPanel", "Time limit per file"))
        self.timeout.setRange(0, 7 * 24 * 3600)
        self.timeout.setDecimals(1)
        self.timeout.setSuffix(translate("RunPanel", " s"))
        self.timeout.setSpecialValueText(translate("RunPanel", "No limit"))
        self.timeout.setToolTip(
            translate("RunPanel", "Stop a command (and everything it started) after this long")
        )
        self.preview = QLabel(self)
        self.preview.setAccessibleName(translate("RunPanel", "Command preview"))
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        op = operations.get(self.operation)
        assert isinstance(op, RunOperation)
        self.op = op
        self.outputs_group = OutputsGroup(
            op,
            self._naming_options,
            fields=("name", "ext", "parent", "counter"),
            hint=translate("RunPanel", "Add files to preview the names {out} stands for."),
            parent=self,
        )
        box = QGroupBox(translate("RunPanel", "Command"), self)
        form = QFormLayout(box)
        form.addRow(translate("RunPanel", "Co&mmand:"), self.command)
        form.addRow("", self.shell)
        form.addRow(translate("RunPanel", "&Time limit:"), self.timeout)
        form.addRow(translate("RunPanel", "Runs:"), self.preview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addWidget(self.outputs_group)
        self.command.textChanged.connect(self.changed)
        self.shell.toggled.connect(self.changed)
        self.timeout.valueChanged.connect(self.changed)
        self.outputs_group.changed.connect(self.changed)
        self.changed.connect(self.refresh)
        self.refresh()

    def options(self) -> RunOptions:
        text = self.command.text().strip()
        if not text:
            raise ValueError(
                translate(
                    "RunPanel", "Type the command to run on each file ({} stands for the file)."
                )
            )
        seconds = self.timeout.value()
        return RunOptions(
            command=text,
            shell=self.shell.isChecked(),
            timeout=seconds if seconds > 0 else None,
            naming=self.outputs_group.naming(),
        )

    def _naming_options(self) -> RunOptions:
        """The options for the names' preview: an empty command still previews the names."""
        try:
            return self.options()
        except ValueError:
            return RunOptions(command="true {out}", naming=self.outputs_group.naming())

    def validate(self) -> str | None:
        try:
            options = self.options()
            self.op.check_options(options)  # the program is found before Start
        except (ValueError, FileError) as e:
            return str(e)
        return None

    # --- inputs and the preview ----------------------------------------------------------------
    def set_inputs(self, paths: Sequence[str], root: str | None) -> None:
        self._first = list(paths[:PREVIEW_COMMANDS])
        self.outputs_group.set_inputs(paths, root)
        self.refresh()

    def refresh(self) -> None:
        self.outputs_group.refresh()
        self.preview.setText(self.command_preview())

    def command_preview(self) -> str:
        """The first inputs' commands as they will run (or what is wrong with the options)."""
        if not self.command.text().strip():
            return translate("RunPanel", "Type a command; the first ones are shown here.")
        try:
            options = self.options()
            if not self._first:
                words = tpl.parse(options.command, shell=options.shell)
                return words[0] if options.shell else " ".join(words)
            entries = [FileEntry(p, 0, 0.0) for p in self._first]
            return "\n".join(self.op.dry_run_lines(entries, options))
        except (ValueError, FileError) as e:
            return f"⚠ {message_for_people(str(e))}"

    def preview_text(self) -> str:
        return self.command_preview()

    def outputs(self, options: Any) -> list[str]:
        if not tpl.uses_output(options.words):
            return []
        return self.outputs_group.outputs(options)

    # --- settings ------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(self.key("command"), self.command.text())
        settings.setValue(self.key("shell"), self.shell.isChecked())
        settings.setValue(self.key("timeout"), str(self.timeout.value()))
        self.outputs_group.save_settings(settings, self.key)

    def load_settings(self, settings: QSettings) -> None:
        self.command.setText(read_str(settings, self.key("command"), self.command.text()))
        self.shell.setChecked(read_bool(settings, self.key("shell"), self.shell.isChecked()))
        try:
            seconds = float(read_str(settings, self.key("timeout"), "0"))
        except ValueError:
            seconds = 0.0
        self.timeout.setValue(seconds)
        self.outputs_group.load_settings(settings, self.key)


PANEL = RunPanel
