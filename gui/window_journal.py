"""The main window's side of the job journal: recording, the resume bar, History.

:class:`JournalController` turns recording on (the default) or off, gives the job control the
window's :class:`gui.journal_jobs.JobJournal`, shows a journal that cannot be used as one
non-modal warning (the job runs anyway), offers on start to resume a job whose process died (an
unobtrusive bar: Resume / Dismiss), and opens the History window (File menu, Ctrl+H), whose
Resume and Retry failed run here through :mod:`core.journal_resume`. The journal is opened only
off the GUI thread (:mod:`gui.journal_calls`).
"""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QMainWindow, QMenu

from core import operations
from core.i18n import message_for_people
from core.journal import JobRow, Journal
from core.options import from_canonical
from gui.history import HistoryWindow
from gui.history_models import listed_files, when
from gui.i18n import translate
from gui.journal_calls import JournalCall, JournalCalls
from gui.journal_jobs import JobJournal, Rerun
from gui.message_bar import MessageBar
from gui.settings import read_int
from gui.threads import TimerFactory, make_timer

if TYPE_CHECKING:
    from gui.job_control import JobControl
    from gui.window_jobs import JobController
    from gui.window_ui import WindowUI

DISMISSED_KEY = "journal/dismissed"  # interrupted jobs up to this number are not offered again
WATCH_MS = 250  # how often a job's journal writer is asked whether it could write


class JournalController(QObject):
    """See the module docstring. ``window`` holds the bar (above the file table) and the menu
    entries; ``path`` is the journal (None: core's default, ``$PARABATCH_JOURNAL``)."""

    def __init__(
        self,
        ui: WindowUI,
        jobs: JobControl,
        job_controller: JobController,
        settings: QSettings,
        window: QMainWindow,
        *,
        path: str | None = None,
        timers: TimerFactory = make_timer,
    ) -> None:
        super().__init__(window)
        self.ui, self.jobs, self.job_controller = ui, jobs, job_controller
        self.settings = settings
        self.journal = JobJournal(settings, path)
        jobs.journal = self.journal
        self.calls = JournalCalls(self)
        self.history: HistoryWindow | None = None
        self.offered: JobRow | None = None  # the interrupted job the bar offers
        self._warned: set[str] = set()
        self._seen: set[int] = set()  # recorders already looked at (by id)
        self._watch = timers(self, WATCH_MS, self.watch_recorders)
        self.bar = MessageBar()
        self.bar.setAccessibleName(translate("Journal", "Job history notice"))
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, self.bar)
        self.history_action = QAction(translate("Journal", "Job &history…"), window)
        self.history_action.setShortcut(QKeySequence("Ctrl+H"))
        self.history_action.setToolTip(translate("Journal", "Past jobs and their results (Ctrl+H)"))
        self.history_action.setStatusTip(self.history_action.toolTip())
        self.record_action = QAction(translate("Journal", "&Record jobs in the history"), window)
        self.record_action.setCheckable(True)
        self.record_action.setChecked(self.journal.enabled)
        self.record_action.setToolTip(
            translate(
                "Journal",
                "Keep every job and each file's result, so that a cancelled or interrupted job "
                "can be resumed and any job listed, retried or exported",
            )
        )
        self.resume_action = QAction(translate("Journal", "Resu&me"), window)
        self.resume_action.setToolTip(
            translate("Journal", "Run the files the cancelled job did not finish")
        )
        self.resume_action.setEnabled(False)
        window.addAction(self.history_action)
        self._add_to_menu()
        self.history_action.triggered.connect(self.show_history)
        self.record_action.toggled.connect(self.set_recording)
        self.resume_action.triggered.connect(job_controller.resume)
        jobs.started.connect(self.job_started)
        jobs.ended.connect(self.job_ended)

    def _add_to_menu(self) -> None:
        """Beside Retry failed in the File menu (its menu is found from the action)."""
        retry = self.ui.actions.retry
        menu = next((m for m in retry.associatedObjects() if isinstance(m, QMenu)), None)
        if menu is None:
            return
        after = menu.actions()
        i = after.index(retry) + 1
        before = after[i] if i < len(after) else None
        menu.insertAction(before, self.resume_action)  # type: ignore[arg-type]
        before = next((a for a in after[i:] if a.isSeparator()), None)
        menu.insertActions(before, [self.history_action, self.record_action])  # type: ignore[arg-type]

    def update_state(self) -> None:
        """Enable what applies (the window's state changed)."""
        idle = not self.jobs.running
        self.resume_action.setEnabled(idle and self.jobs.can_resume())
        if self.history is not None:
            self.history.set_running(not idle)

    # --- recording ---------------------------------------------------------------------------
    @Slot(bool)
    def set_recording(self, on: bool) -> None:
        self.journal.set_enabled(on)
        if self.record_action.isChecked() != on:
            self.record_action.setChecked(on)

    @Slot()
    def job_started(self) -> None:
        if self.jobs.recorders:
            self._watch.start()
        if self.offered is not None:  # another job started: the offer stays in History
            self.bar.hide()
            self.offered = None

    @Slot(object)
    def job_ended(self, finished: Any) -> None:
        self.watch_recorders()

    @Slot()
    def watch_recorders(self) -> None:
        """Show, once, what a job's journal writer could not do; stop when every writer is
        done."""
        busy = False
        for r in self.jobs.recorders:
            done = r.close(0)
            busy = busy or not done
            if id(r) in self._seen:
                continue
            for note in r.notes:
                self._say(
                    "info",
                    translate("Journal", "The job history was repaired"),
                    [message_for_people(note)],
                )
            if r.warning:
                self._say(
                    "warning",
                    translate("Journal", "This job is not recorded in the job history"),
                    [message_for_people(r.warning.split("; use --journal")[0] + ".")],
                    [
                        (
                            translate("Journal", "Stop recording jobs"),
                            lambda: self.set_recording(False),
                        )
                    ],
                )
            if done or r.warning:
                self._seen.add(id(r))
        if not busy and self._watch.isActive():
            self._watch.stop()
            if self.history is not None and self.history.isVisible():
                self.history.refresh()  # the job's end is in: show it

    def _say(self, kind: str, headline: str, lines: list[str], actions: Any = ()) -> None:
        text = "\n".join(lines)
        if text in self._warned:
            return
        self._warned.add(text)
        self.offered = None
        self.bar.show_message(kind, headline, lines, actions)

    # --- an interrupted job, on start --------------------------------------------------------
    def check_interrupted(self) -> None:
        """Look (off the GUI thread) for a job whose process died; offer to resume it."""
        if not self.journal.enabled:
            return
        dismissed = read_int(self.settings, DISMISSED_KEY, 0, 0, 2**62)
        host = socket.gethostname()

        def work(journal: Journal, call: JournalCall) -> tuple[JobRow | None, int]:
            jobs = journal.jobs()
            resumed = {j.origin for j in jobs if j.how == "resume" and j.origin is not None}
            found = [
                j
                for j in jobs
                if j.ending == "interrupted"
                and j.id > dismissed
                and j.id not in resumed
                and j.host == host
            ]
            return (found[-1] if found else None), len(found)

        self.calls.call(self.journal.path, work, self._interrupted_found, sweep=True)

    @Slot(object, str)
    def _interrupted_found(self, found: tuple[JobRow | None, int] | None, error: str) -> None:
        if found is None or self.jobs.running:
            return  # an unusable journal is said when a job tries to write to it
        job, count = found
        if job is None:
            return
        self.offered = job
        n, done = listed_files(job), job.done
        if n > job.files:  # the window records how many files were listed
            text = translate(
                "Journal",
                "The job “{operation}” was interrupted: {done} of %Ln file(s) done.",
                "",
                n,
            )
        else:
            text = translate(
                "Journal", "The job “{operation}” was interrupted: %Ln file(s) done.", "", done
            )
        # The operation's title in the window's language ("Create checksums"), not its name.
        headline = text.format(operation=operations.title(job.operation), done=f"{done:,}")
        lines = [
            translate(
                "Journal",
                "Job {job}, started {started}. Resume processes the files it did not finish; "
                "those it finished, if unchanged since, are taken from the history.",
            ).format(job=job.id, started=when(job.started))
        ]
        if count > 1:
            others = count - 1
            lines.append(
                translate(
                    "Journal", "%Ln other interrupted job(s): see the job history.", "", others
                )
            )
        actions = [
            (translate("Journal", "Resume"), self.resume_offered),
            (translate("Journal", "Dismiss"), self.dismiss),
        ]
        self.bar.show_message("info", headline, lines, actions)

    @Slot()
    def resume_offered(self) -> None:
        job, self.offered = self.offered, None
        self.bar.hide()
        if job is not None:
            self.rerun(job, False)

    @Slot()
    def dismiss(self) -> None:
        job, self.offered = self.offered, None
        self.bar.hide()
        if job is not None:
            self.settings.setValue(DISMISSED_KEY, job.id)

    # --- History -----------------------------------------------------------------------------
    @Slot()
    def show_history(self) -> None:
        if self.history is None:
            journal = self.journal
            self.history = HistoryWindow(
                journal.path, retention=(journal.keep_jobs, journal.keep_days)
            )
            self.history.rerun.connect(self.rerun)
            self.history.retention_changed.connect(journal.set_retention)
        self.history.set_running(self.jobs.running)
        if self.history.isVisible():  # open behind the main window: bring it forward
            self.history.raise_()
            self.history.activateWindow()
        self.history.show()
        self.history.refresh()

    @Slot(object, bool)
    def rerun(self, job: JobRow, retry: bool) -> None:
        """Resume job ``job`` of the journal (or retry its failed files) in the window: files
        it finished, unchanged since, are taken over (:mod:`core.journal_resume`)."""
        if self.jobs.running or self.job_controller.scans.scanning:
            self.ui.status_label.setText(
                translate("Journal", "A job is running: resume when it has ended.")
            )
            return
        try:
            op = operations.get(job.operation)
            options = from_canonical(op.options_type, job.options)
        except (KeyError, ValueError, TypeError) as e:
            self.bar.show_message(
                "warning",
                translate("Journal", "Job {job} cannot be run again here").format(job=job.id),
                [f"{job.operation}: {message_for_people(str(e))}"],
            )
            return
        how = "retry" if retry else "resume"
        source = Rerun(self.journal.path, job, options, retry)
        given = json.loads(job.inputs)
        cwd = given.get("cwd")
        if cwd and os.path.isdir(cwd) and cwd != os.getcwd():
            # A command-line job's names (a manifest, -o SUMS) mean what they meant where it
            # ran, as for 'jobs resume'; the window's own jobs name everything absolutely.
            os.chdir(cwd)
        self.job_controller.begin_job(
            job.operation, options, source, carry=source, origin=job.id, how=how, given=given
        )

    def shutdown(self) -> None:
        """Stop the timer and wait for journal reads (the window is closing)."""
        self._watch.stop()
        self.calls.stop_all()
        if self.history is not None:
            self.history.shutdown()
            self.history.close()
            self.history.deleteLater()
            self.history = None
