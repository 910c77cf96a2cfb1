"""The main window's widgets and actions, built in one place (no behaviour here).

:class:`WindowUI` creates, as typed attributes, everything :class:`gui.main_window.MainWindow`
wires together: the actions and menus, the operation selector and its panels, worker count and
time limit, folder-scan filters, the file table, the overall progress bar, Start/Pause/Cancel, the
message bar and the status line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from core.records import Status
from gui.file_model import FileModel
from gui.file_table import FileTableView
from gui.i18n import LANGUAGES, QT_TRANSLATE_NOOP, SYSTEM, ensure_installed, resolve, translate
from gui.message_bar import MessageBar
from gui.panels import available_panels
from gui.panels.base import OperationPanel

STATUS_FILTERS: list[tuple[str, tuple[Status, ...] | None]] = [
    (QT_TRANSLATE_NOOP("WindowUI", "All files"), None),
    (QT_TRANSLATE_NOOP("WindowUI", "Pending"), (Status.PENDING,)),
    (QT_TRANSLATE_NOOP("WindowUI", "Running"), (Status.RUNNING,)),
    (QT_TRANSLATE_NOOP("WindowUI", "Done"), (Status.DONE,)),
    (QT_TRANSLATE_NOOP("WindowUI", "Failed"), (Status.FAILED,)),
    (QT_TRANSLATE_NOOP("WindowUI", "Skipped"), (Status.SKIPPED,)),
    (QT_TRANSLATE_NOOP("WindowUI", "Cancelled"), (Status.CANCELLED,)),
    (QT_TRANSLATE_NOOP("WindowUI", "Not done"), (Status.FAILED, Status.SKIPPED, Status.CANCELLED)),
]


COMBO_CHARS = 14  # characters a sidebar combo box shows at least
MAX_WORKERS_PER_CPU = 4  # slow disks, network shares and external commands gain from more
PAUSE_TIP = QT_TRANSLATE_NOOP(
    "WindowUI", "Pause the running job (its workers stop and use no CPU until resumed)"
)
RESUME_TIP = QT_TRANSLATE_NOOP("WindowUI", "Resume the paused job")


@dataclass
class Actions:
    """The window's actions (menus, toolbar, shortcuts, the table's context menu)."""

    add_files: QAction
    add_folder: QAction
    remove: QAction
    clear: QAction
    start: QAction
    pause: QAction
    cancel: QAction
    quit: QAction
    copy: QAction
    copy_path: QAction
    reveal: QAction
    retry: QAction


def _action(
    parent: QObject,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
) -> QAction:
    a = QAction(text, parent)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    tip = tip or re.sub(r"\(&\w\)|&", "", text).rstrip("…")
    if not a.shortcut().isEmpty():
        tip += f" ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    a.setToolTip(tip)
    a.setStatusTip(tip)
    return a


def _tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the window's language (context ``WindowUI``; lupdate reads the calls of
    ``translate`` below, so this is for texts already marked with ``QT_TRANSLATE_NOOP``)."""
    return translate("WindowUI", text, disambiguation, n)


def build_actions(w: QObject) -> Actions:
    """The window's actions, owned by ``w``."""
    acts = Actions(
        add_files=_action(
            w,
            translate("WindowUI", "Add &files…"),
            "Ctrl+O",
            translate("WindowUI", "Add files to the list"),
        ),
        add_folder=_action(
            w,
            translate("WindowUI", "Add f&older…"),
            "Ctrl+Shift+O",
            translate("WindowUI", "Add a folder and everything in it"),
        ),
        remove=_action(
            w,
            translate("WindowUI", "&Remove"),
            QKeySequence.StandardKey.Delete,
            translate("WindowUI", "Remove the selected rows"),
        ),
        clear=_action(
            w,
            translate("WindowUI", "C&lear"),
            None,
            translate("WindowUI", "Remove every file from the list"),
        ),
        start=_action(
            w,
            translate("WindowUI", "&Start"),
            "Ctrl+Return",
            translate("WindowUI", "Run the operation on the listed files"),
        ),
        pause=_action(w, translate("WindowUI", "&Pause"), "Ctrl+P", _tr(PAUSE_TIP)),
        cancel=_action(
            w,
            translate("WindowUI", "&Cancel"),
            "Esc",
            translate("WindowUI", "Cancel the running job or scan"),
        ),
        quit=_action(w, translate("WindowUI", "&Quit"), QKeySequence.StandardKey.Quit),
        copy=_action(
            w,
            translate("WindowUI", "&Copy rows"),
            QKeySequence.StandardKey.Copy,
            translate("WindowUI", "Copy the selected rows in full"),
        ),
        copy_path=_action(
            w,
            translate("WindowUI", "Copy &path"),
            None,
            translate("WindowUI", "Copy the selected files' full paths"),
        ),
        reveal=_action(w, translate("WindowUI", "Show in file &manager")),
        retry=_action(
            w,
            translate("WindowUI", "Re&try failed"),
            None,
            translate("WindowUI", "Run the failed and cancelled rows again"),
        ),
    )
    # Delete and Ctrl+C belong to the table, so line edits keep their own meaning of the keys.
    for a in (acts.remove, acts.copy):
        a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    acts.quit.setMenuRole(QAction.MenuRole.QuitRole)
    return acts


def show_paused(actions: Actions, button: QPushButton, paused: bool) -> None:
    """Pause turns into Resume (text, tooltip) while the job is paused, and back."""
    a = actions.pause
    a.setText(translate("WindowUI", "&Resume") if paused else translate("WindowUI", "&Pause"))
    shortcut = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tip = f"{_tr(RESUME_TIP if paused else PAUSE_TIP)} ({shortcut})"
    a.setToolTip(tip)
    a.setStatusTip(tip)
    button.setText(translate("WindowUI", "Resume") if paused else translate("WindowUI", "Pause"))
    button.setAccessibleName(button.text())
    button.setToolTip(tip)


def _button_width(button: QPushButton, text: str) -> int:
    old = button.text()
    button.setText(text)
    width = button.sizeHint().width()
    button.setText(old)
    return width


class PanelStack(QWidget):
    """The options panels, one shown at a time, as tall as the one shown.

    Not a ``QStackedWidget``: its layout asks every page for its height at a width, hidden
    ones too, so a short panel got the tallest one's height once panels had word-wrapped
    previews. A box layout leaves hidden widgets out of every size it reports.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._current: QWidget | None = None

    def addWidget(self, page: QWidget) -> None:
        self._layout.addWidget(page)
        if self._current is None:
            self._current = page
        else:
            page.hide()

    def currentWidget(self) -> QWidget | None:
        return self._current

    def setCurrentWidget(self, page: QWidget) -> None:
        if page is self._current:
            return
        if self._current is not None:
            self._current.hide()
        self._current = page
        page.show()


class _LayoutWatch(QObject):
    """Calls ``callback`` whenever ``widget``'s layout is recomputed (a panel shown, a preview
    grown)."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._callback()
        return False


def _labelled(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def fit_placeholder(field: QLineEdit) -> None:
    """Keep ``field`` at least as wide as its placeholder text, in any language (Qt's line edit
    keeps 2 px each side of its text, inside its frame and text margins)."""
    frame = field.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, field)
    margins = field.textMargins()
    text = field.fontMetrics().horizontalAdvance(field.placeholderText())
    field.setMinimumWidth(text + 2 * frame + margins.left() + margins.right() + 4 + 2)


class WindowUI:
    """Every widget and action of the main window, created in ``__init__`` and laid out in
    ``window`` (its central widget, menus, toolbar and status bar)."""

    def __init__(self, window: QMainWindow, model: FileModel) -> None:
        ensure_installed()  # English plural forms when no language was chosen (tests, scripts)
        self.actions = build_actions(window)
        cpu = os.cpu_count() or 1
        # --- sidebar: what to do -----------------------------------------------------------
        self.op_combo = QComboBox()
        self.op_combo.setAccessibleName(translate("WindowUI", "Operation"))
        self.panel_stack = PanelStack()
        self.panels: dict[str, OperationPanel] = {}
        for name, cls in available_panels():
            panel = cls()
            panel.setAccessibleName(
                translate("WindowUI", "{operation} options").format(operation=panel.display_title())
            )
            self.panels[name] = panel
            self.panel_stack.addWidget(panel)
            self.op_combo.addItem(panel.display_title(), name)
        self.workers = QSpinBox()
        self.workers.setRange(1, MAX_WORKERS_PER_CPU * cpu)
        self.workers.setValue(cpu)
        self.workers.setAccessibleName(translate("WindowUI", "Worker processes"))
        self.workers.setToolTip(
            translate(
                "WindowUI",
                "Processes working in parallel (this computer has %Ln CPU core(s)). More than the "
                "cores helps with slow disks and network shares, not with work that keeps a core "
                "busy",
                "",
                cpu,
            )
        )
        self.workers_note = QLabel(translate("WindowUI", "of %Ln CPU core(s)", "", cpu))
        self.workers_note.setAccessibleName(translate("WindowUI", "Worker count note"))
        self.local_workers: int | None = None  # the local count while a cluster's is shown
        self.run_on = QComboBox()
        self.run_on.setAccessibleName(translate("WindowUI", "Run on"))
        self.run_on.addItem(translate("WindowUI", "This computer"), "local")
        self.run_on.addItem(translate("WindowUI", "Dask cluster"), "dask")
        self.cluster_address = QLineEdit()
        self.cluster_address.setPlaceholderText(translate("WindowUI", "local:2 or tcp://host:8786"))
        fit_placeholder(self.cluster_address)
        self.cluster_address.setAccessibleName(translate("WindowUI", "Cluster address"))
        self.cluster_address.setToolTip(
            translate(
                "WindowUI",
                "local or local:N: a cluster of N worker processes started on this computer; "
                "tcp://HOST:PORT: a Dask scheduler (the inputs must be on a file system the "
                "workers share, at the same path)",
            )
        )
        self.cluster_test = QPushButton(translate("WindowUI", "Test"))
        self.cluster_test.setAccessibleName(translate("WindowUI", "Test cluster"))
        self.cluster_test.setToolTip(
            translate("WindowUI", "Connect to the cluster and show its workers and threads")
        )
        self.cluster_info = QLabel()
        self.cluster_info.setAccessibleName(translate("WindowUI", "Cluster status"))
        self.cluster_info.setWordWrap(True)
        self.cluster_info.setTextFormat(Qt.TextFormat.PlainText)
        self.time_limit = QSpinBox()
        self.time_limit.setRange(0, 24 * 3600)
        self.time_limit.setSuffix(translate("WindowUI", " s"))
        self.time_limit.setSpecialValueText(translate("WindowUI", "No limit"))
        self.time_limit.setAccessibleName(translate("WindowUI", "Time limit per file"))
        self.time_limit.setToolTip(
            translate(
                "WindowUI",
                "A file that takes longer than this fails as timed out (its worker is stopped and "
                "replaced); the other files go on",
            )
        )
        self.include = QLineEdit()
        self.include.setPlaceholderText(translate("WindowUI", "everything (e.g. *.jpg *.png)"))
        self.include.setAccessibleName(translate("WindowUI", "Include patterns"))
        self.exclude = QLineEdit()
        self.exclude.setPlaceholderText(
            translate("WindowUI", "nothing (e.g. .git node_modules *.tmp)")
        )
        self.exclude.setAccessibleName(translate("WindowUI", "Exclude patterns"))
        self.hidden = QCheckBox(translate("WindowUI", "Include hidden files and folders"))
        self.hidden.setChecked(True)
        self.hidden.setAccessibleName(translate("WindowUI", "Include hidden files"))
        # --- main area: the files ----------------------------------------------------------
        self.view = FileTableView(model)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(translate("WindowUI", "Show files with status"))
        for label, statuses in STATUS_FILTERS:
            self.status_filter.addItem(_tr(label), statuses)
        self.count_label = QLabel()
        self.count_label.setAccessibleName(translate("WindowUI", "File count"))
        self.follow = QCheckBox(translate("WindowUI", "Follow running files"))
        self.follow.setAccessibleName("Follow running files")
        self.follow.setToolTip(
            translate(
                "WindowUI",
                "Keep the files being worked on in view (on while a job runs, off once you scroll)",
            )
        )
        self.current_label = QLabel()
        self.current_label.setAccessibleName(translate("WindowUI", "Current files"))
        self.current_label.setTextFormat(Qt.TextFormat.PlainText)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        # --- bottom: progress and the big buttons ------------------------------------------
        self.message_bar = MessageBar()
        self.overall = QProgressBar()
        self.overall.setRange(0, 1000)
        self.overall.setValue(0)
        self.overall.setFormat("%p%")
        self.overall.setAccessibleName(translate("WindowUI", "Overall progress"))
        self.start_button = QPushButton(translate("WindowUI", "Start"))
        self.start_button.setDefault(True)
        self.start_button.setAccessibleName(translate("WindowUI", "Start"))
        self.pause_button = QPushButton(translate("WindowUI", "Pause"))
        self.pause_button.setAccessibleName(translate("WindowUI", "Pause"))
        self.pause_button.setToolTip(self.actions.pause.toolTip())
        # Wide enough for "Resume" too, so that the buttons do not shift when it toggles.
        resume = translate("WindowUI", "Resume")
        self.pause_button.setMinimumWidth(
            max(self.pause_button.sizeHint().width(), _button_width(self.pause_button, resume))
        )
        self.cancel_button = QPushButton(translate("WindowUI", "Cancel"))
        self.cancel_button.setAccessibleName(translate("WindowUI", "Cancel"))
        self.status_label = QLabel(translate("WindowUI", "Ready"))
        self.status_label.setAccessibleName(translate("WindowUI", "Status"))
        self._lay_out(window, cpu)
        self._build_menus(window)

    def _language_menu(self, window: QMainWindow) -> QMenu:
        """Edit > Language: System, English, 简体中文 (each in its own language); the choice is
        saved with the window's settings and applies at the next start."""
        menu = QMenu(translate("WindowUI", "&Language"), window)
        self.language_group = QActionGroup(window)
        self.language_group.setExclusive(True)
        system = dict(LANGUAGES)[resolve(SYSTEM)]  # what "System" stands for here
        choices = [(SYSTEM, translate("WindowUI", "System ({language})").format(language=system))]
        for code, name in (*choices, *LANGUAGES):
            act = QAction(name, window)
            act.setCheckable(True)
            act.setData(code)
            self.language_group.addAction(act)
            menu.addAction(act)
        menu.addSeparator()
        note = menu.addAction(translate("WindowUI", "Applies when Parabatch is started again"))
        note.setEnabled(False)
        self.language_group.triggered.connect(self._language_chosen)
        return menu

    def set_language_choice(self, code: str) -> None:
        for act in self.language_group.actions():
            act.setChecked(act.data() == code)

    def language_choice(self) -> str:
        act = self.language_group.checkedAction()
        return str(act.data()) if act is not None else SYSTEM

    def _language_chosen(self) -> None:
        self.message_bar.show_hint(
            "info",
            translate(
                "WindowUI",
                "The language changes when Parabatch is started again.",
            ),
        )

    def current_panel(self) -> OperationPanel:
        """The options panel of the operation chosen in the selector."""
        return self.panels[str(self.op_combo.currentData())]

    def update_workers_note(self) -> None:
        """Warn when more workers than cores are chosen for work that keeps a core busy."""
        cpu = os.cpu_count() or 1
        if self.run_on.currentData() == "dask":
            self.workers_note.setText(translate("WindowUI", "threads on the cluster"))
            self.workers_note.setToolTip("")
            return
        over = self.workers.value() > cpu and self.current_panel().cpu_bound
        self.workers_note.setText(
            translate("WindowUI", "⚠ over the %Ln CPU core(s): slower", "", cpu)
            if over
            else translate("WindowUI", "of %Ln CPU core(s)", "", cpu)
        )
        self.workers_note.setToolTip(
            translate(
                "WindowUI",
                "{operation} keeps a core busy per worker: more workers than the %Ln core(s) "
                "only share them",
                "",
                cpu,
            ).format(operation=self.current_panel().display_title())
            if over
            else ""
        )

    def show_panel(self) -> None:
        """Show the current operation's panel; the stack takes that panel's height, not the
        tallest panel's (see :class:`PanelStack`)."""
        self.panel_stack.setCurrentWidget(self.current_panel())
        self.fit_sidebar()

    def fit_sidebar(self) -> None:
        """The sidebar's scroll area is at least as wide as the shown panel needs (its fields
        are never cut at the right; it scrolls only vertically)."""
        bar_width = self.side_scroll.verticalScrollBar().sizeHint().width()
        self.side_scroll.setMinimumWidth(self.sidebar.minimumSizeHint().width() + bar_width)

    def _lay_out(self, window: QMainWindow, cpu: int) -> None:
        self.panel_stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        workers_row = QHBoxLayout()
        workers_row.addWidget(self.workers)
        workers_row.addWidget(self.workers_note, 1)
        workers_row.addStretch(1)
        top = QFormLayout()
        top.addRow(_labelled(translate("WindowUI", "&Operation:"), self.op_combo), self.op_combo)
        top.addRow(_labelled(translate("WindowUI", "Run on:"), self.run_on), self.run_on)
        # The address spans the form's two columns, so that its placeholder fits beside Test
        # without widening the sidebar (see fit_cluster_address).
        cluster_row = QHBoxLayout()
        cluster_row.addWidget(_labelled(translate("WindowUI", "Cluster:"), self.cluster_address))
        cluster_row.addWidget(self.cluster_address, 1)
        cluster_row.addWidget(self.cluster_test)
        top.addRow(cluster_row)
        top.addRow(self.cluster_info)
        top.addRow(_labelled(translate("WindowUI", "&Workers:"), self.workers), workers_row)
        limit_row = QHBoxLayout()  # as compact as the worker count, not the sidebar's width
        limit_row.addWidget(self.time_limit)
        limit_row.addStretch(1)
        top.addRow(
            _labelled(translate("WindowUI", "Time &limit per file:"), self.time_limit), limit_row
        )
        options_box = QGroupBox(translate("WindowUI", "Options"))
        QVBoxLayout(options_box).addWidget(self.panel_stack)
        scan_box = QGroupBox(translate("WindowUI", "Adding folders"))
        scan_form = QFormLayout(scan_box)
        scan_form.addRow(_labelled(translate("WindowUI", "&Include:"), self.include), self.include)
        scan_form.addRow(_labelled(translate("WindowUI", "E&xclude:"), self.exclude), self.exclude)
        scan_form.addRow(self.hidden)
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
        self.side_scroll, self.sidebar = side_scroll, sidebar
        # Combo boxes may be narrower than their longest item (the popup shows it in full), so
        # that the sidebar leaves the table room on small screens and at 2x.
        for combo in sidebar.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(COMBO_CHARS)
        self._sidebar_watch = _LayoutWatch(sidebar, self.fit_sidebar)
        self.fit_sidebar()

        filter_row = QHBoxLayout()
        filter_row.addWidget(_labelled(translate("WindowUI", "&View:"), self.status_filter))
        filter_row.addWidget(self.status_filter)
        filter_row.addWidget(self.follow)
        filter_row.addStretch(1)
        filter_row.addWidget(self.count_label)
        files = QWidget()
        files_layout = QVBoxLayout(files)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addLayout(filter_row)
        files_layout.addWidget(self.view, 1)

        self.splitter.addWidget(side_scroll)
        self.splitter.addWidget(files)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 1000])

        run_row = QHBoxLayout()
        run_row.addWidget(self.overall, 1)
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.pause_button)
        run_row.addWidget(self.cancel_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message_bar)
        layout.addLayout(run_row)
        window.setCentralWidget(central)
        window.statusBar().addWidget(self.status_label, 3)
        window.statusBar().addWidget(self.current_label, 2)

    def _build_menus(self, window: QMainWindow) -> None:
        a = self.actions
        files = window.menuBar().addMenu(translate("WindowUI", "&File"))
        files.addActions([a.add_files, a.add_folder])
        files.addSeparator()
        files.addActions([a.start, a.pause, a.cancel, a.retry])
        files.addSeparator()
        files.addAction(a.quit)
        edit = window.menuBar().addMenu(translate("WindowUI", "&Edit"))
        edit.addActions([a.copy, a.copy_path, a.reveal])
        edit.addSeparator()
        edit.addActions([a.remove, a.clear])
        edit.addSeparator()
        edit.addMenu(self._language_menu(window))
        bar = window.addToolBar(translate("WindowUI", "Files"))
        bar.setObjectName("files-toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addActions([a.add_files, a.add_folder, a.remove, a.clear])
        # The table's context menu: its actions, in the order a user looks for them.
        sep = QAction(window)
        sep.setSeparator(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.addActions([a.copy, a.copy_path, a.reveal, sep, a.remove, a.retry])
