"""The main window's widgets and actions, built in one place (no behaviour here).

:func:`build_actions` and :func:`build_ui` create what :class:`gui.main_window.MainWindow` wires
together: the operation selector and its panels, worker count, folder-scan filters, the file
table, the overall progress bar, Start/Cancel, the message bar and the status line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.records import Status
from gui.file_table import FileTableView
from gui.message_bar import MessageBar
from gui.panels import available_panels
from gui.panels.base import OperationPanel

if TYPE_CHECKING:
    from gui.main_window import MainWindow

STATUS_FILTERS: list[tuple[str, tuple[Status, ...] | None]] = [
    ("All files", None),
    ("Pending", (Status.PENDING,)),
    ("Running", (Status.RUNNING,)),
    ("Done", (Status.DONE,)),
    ("Failed", (Status.FAILED,)),
    ("Skipped", (Status.SKIPPED,)),
    ("Cancelled", (Status.CANCELLED,)),
    ("Not done", (Status.FAILED, Status.SKIPPED, Status.CANCELLED)),
]


@dataclass
class Actions:
    add_files: QAction
    add_folder: QAction
    remove: QAction
    clear: QAction
    start: QAction
    cancel: QAction
    quit: QAction
    copy: QAction
    reveal: QAction
    retry: QAction


def _action(
    w: MainWindow,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
) -> QAction:
    a = QAction(text, w)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    tip = tip or text.rstrip("…")
    if not a.shortcut().isEmpty():
        tip += f" ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    a.setToolTip(tip)
    a.setStatusTip(tip)
    return a


def build_actions(w: MainWindow) -> Actions:
    acts = Actions(
        add_files=_action(w, "Add &files…", "Ctrl+O", "Add files to the list"),
        add_folder=_action(w, "Add f&older…", "Ctrl+Shift+O", "Add a folder and everything in it"),
        remove=_action(w, "&Remove", QKeySequence.StandardKey.Delete, "Remove the selected rows"),
        clear=_action(w, "C&lear", None, "Remove every file from the list"),
        start=_action(w, "&Start", "Ctrl+Return", "Run the operation on the listed files"),
        cancel=_action(w, "&Cancel", "Esc", "Cancel the running job or scan"),
        quit=_action(w, "&Quit", QKeySequence.StandardKey.Quit),
        copy=_action(w, "&Copy result", QKeySequence.StandardKey.Copy),
        reveal=_action(w, "Show in file &manager"),
        retry=_action(w, "Re&try failed", None, "Run the failed and cancelled rows again"),
    )
    # Delete and Ctrl+C belong to the table, so line edits keep their own meaning of the keys.
    for a in (acts.remove, acts.copy):
        a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    acts.quit.setMenuRole(QAction.MenuRole.QuitRole)
    return acts


def _labelled(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def build_ui(w: MainWindow) -> None:
    """Create the window's widgets as attributes of ``w``."""
    cpu = os.cpu_count() or 1
    # --- sidebar: what to do ---------------------------------------------------------------
    w.op_combo = QComboBox()
    w.op_combo.setAccessibleName("Operation")
    w.panel_stack = QStackedWidget()
    w.panels: dict[str, OperationPanel] = {}
    for name, cls in available_panels():
        panel = cls()
        panel.setAccessibleName(f"{cls.title} options")
        w.panels[name] = panel
        w.panel_stack.addWidget(panel)
        w.op_combo.addItem(cls.title, name)
    w.workers = QSpinBox()
    w.workers.setRange(1, 2 * cpu)
    w.workers.setValue(cpu)
    w.workers.setAccessibleName("Worker processes")
    w.workers.setToolTip(f"Processes working in parallel (this computer has {cpu} CPU cores)")
    w.time_limit = QSpinBox()
    w.time_limit.setRange(0, 24 * 3600)
    w.time_limit.setSuffix(" s")
    w.time_limit.setSpecialValueText("No limit")
    w.time_limit.setAccessibleName("Time limit per file")
    w.time_limit.setToolTip(
        "A file that takes longer than this fails as timed out (its worker is stopped and "
        "replaced); the other files go on"
    )
    w.include = QLineEdit()
    w.include.setPlaceholderText("everything (e.g. *.jpg *.png)")
    w.include.setAccessibleName("Include patterns")
    w.exclude = QLineEdit()
    w.exclude.setPlaceholderText("nothing (e.g. .git node_modules *.tmp)")
    w.exclude.setAccessibleName("Exclude patterns")
    w.hidden = QCheckBox("Include hidden files and folders")
    w.hidden.setChecked(True)
    w.hidden.setAccessibleName("Include hidden files")

    w.panel_stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    workers_row = QHBoxLayout()
    workers_row.addWidget(w.workers)
    workers_row.addWidget(QLabel(f"of {cpu} CPU cores"))
    workers_row.addStretch(1)
    top = QFormLayout()
    top.addRow(_labelled("&Operation:", w.op_combo), w.op_combo)
    top.addRow(_labelled("&Workers:", w.workers), workers_row)
    top.addRow(_labelled("Time &limit per file:", w.time_limit), w.time_limit)
    options_box = QGroupBox("Options")
    QVBoxLayout(options_box).addWidget(w.panel_stack)
    scan_box = QGroupBox("Adding folders")
    scan_form = QFormLayout(scan_box)
    scan_form.addRow(_labelled("&Include:", w.include), w.include)
    scan_form.addRow(_labelled("E&xclude:", w.exclude), w.exclude)
    scan_form.addRow(w.hidden)
    sidebar = QWidget()
    side = QVBoxLayout(sidebar)
    side.addLayout(top)
    side.addWidget(options_box)
    side.addWidget(scan_box)
    side.addStretch(1)
    # Scrolls rather than forcing a tall minimum on the window (small screens, big fonts).
    side_scroll = QScrollArea()
    side_scroll.setWidget(sidebar)
    side_scroll.setWidgetResizable(True)
    side_scroll.setFrameShape(QFrame.Shape.NoFrame)
    side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    bar_width = side_scroll.verticalScrollBar().sizeHint().width()
    side_scroll.setMinimumWidth(sidebar.minimumSizeHint().width() + bar_width)

    # --- main area: the files ----------------------------------------------------------------
    w.view = FileTableView(w.model)
    w.status_filter = QComboBox()
    w.status_filter.setAccessibleName("Show files with status")
    for label, statuses in STATUS_FILTERS:
        w.status_filter.addItem(label, statuses)
    w.count_label = QLabel()
    w.count_label.setAccessibleName("File count")
    filter_row = QHBoxLayout()
    filter_row.addWidget(_labelled("S&how:", w.status_filter))
    filter_row.addWidget(w.status_filter)
    filter_row.addStretch(1)
    filter_row.addWidget(w.count_label)
    files = QWidget()
    files_layout = QVBoxLayout(files)
    files_layout.setContentsMargins(0, 0, 0, 0)
    files_layout.addLayout(filter_row)
    files_layout.addWidget(w.view, 1)

    w.splitter = QSplitter(Qt.Orientation.Horizontal)
    w.splitter.addWidget(side_scroll)
    w.splitter.addWidget(files)
    w.splitter.setStretchFactor(1, 1)
    w.splitter.setSizes([340, 1000])

    # --- bottom: progress and the big buttons ------------------------------------------------
    w.message_bar = MessageBar()
    w.overall = QProgressBar()
    w.overall.setRange(0, 1000)
    w.overall.setValue(0)
    w.overall.setFormat("%p%")
    w.overall.setAccessibleName("Overall progress")
    w.start_button = QPushButton("Start")
    w.start_button.setDefault(True)
    w.start_button.setAccessibleName("Start")
    w.cancel_button = QPushButton("Cancel")
    w.cancel_button.setAccessibleName("Cancel")
    run_row = QHBoxLayout()
    run_row.addWidget(w.overall, 1)
    run_row.addWidget(w.start_button)
    run_row.addWidget(w.cancel_button)

    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addWidget(w.splitter, 1)
    layout.addWidget(w.message_bar)
    layout.addLayout(run_row)
    w.setCentralWidget(central)

    w.status_label = QLabel("Ready")
    w.status_label.setAccessibleName("Status")
    w.statusBar().addWidget(w.status_label, 1)


def build_menus(w: MainWindow) -> None:
    a = w.actions_
    files = w.menuBar().addMenu("&File")
    files.addActions([a.add_files, a.add_folder])
    files.addSeparator()
    files.addActions([a.start, a.cancel, a.retry])
    files.addSeparator()
    files.addAction(a.quit)
    edit = w.menuBar().addMenu("&Edit")
    edit.addActions([a.copy, a.reveal])
    edit.addSeparator()
    edit.addActions([a.remove, a.clear])
    bar = w.addToolBar("Files")
    bar.setObjectName("files-toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addActions([a.add_files, a.add_folder, a.remove, a.clear])
    # The table's context menu: its actions, in the order a user looks for them.
    sep = QAction(w)
    sep.setSeparator(True)
    w.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    w.view.addActions([a.copy, a.reveal, sep, a.remove, a.retry])
