"""Reading and changing the journal for the window, never on the GUI thread.

:class:`JournalCall` runs one function on a journal it opens on its own thread (listing jobs,
loading a job's results batch by batch, exporting, deleting, the interrupted sweep at start);
:class:`JournalCalls` starts them and keeps them referenced until their thread has finished. The
journal is opened per call: a :class:`core.journal.Journal` is not shared between threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.journal import Journal, JournalError, reason
from gui.threads import ThreadWorker, retire_thread, start_worker

Work = Callable[[Journal, "JournalCall"], Any]


class JournalCall(ThreadWorker):
    """Runs ``work(journal, call)`` on its thread; ``work`` may hand partial results out with
    ``call.partial.emit(...)`` and should end early once ``call.stopped`` is set.

    Signals:
        partial(object): a piece of the result (a batch of rows), in order.
        result(object, str): what ``work`` returned and "" , or None and why the journal
            could not be used.
    """

    partial = Signal(object)
    result = Signal(object, str)

    def __init__(self, path: str | None, work: Work, *, sweep: bool = False) -> None:
        super().__init__()
        self.path = path
        self.job = work
        self.sweep = sweep
        self.stopped = threading.Event()

    def work(self) -> None:
        try:
            with Journal.open(self.path, sweep=self.sweep) as journal:
                out = self.job(journal, self)
        except (JournalError, sqlite3.Error, OSError) as e:
            self.result.emit(None, str(e) if isinstance(e, JournalError) else reason(e))
            return
        self.result.emit(out, "")


class JournalCalls(QObject):
    """The journal calls of one window part, kept until their threads end."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[QThread, JournalCall] = {}

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def call(
        self,
        path: str | None,
        work: Work,
        on_result: Callable[[Any, str], None],
        on_partial: Callable[[Any], None] | None = None,
        *,
        sweep: bool = False,
    ) -> JournalCall:
        """Run ``work`` on a journal of its own; ``on_result`` (a slot of a GUI-thread
        object) gets what it returned, ``on_partial`` the pieces it handed out before."""
        call = JournalCall(path, work, sweep=sweep)
        if on_partial is not None:
            call.partial.connect(on_partial)
        call.result.connect(on_result)
        thread = start_worker(call, "parabatch-journal-ui", self._finished)
        self._running[thread] = call
        return call

    def stop_all(self, timeout_ms: int = 10_000) -> None:
        """Ask every call to stop and wait for their threads (the window is closing)."""
        for call in self._running.values():
            call.stopped.set()
        for thread in list(self._running):
            if thread.wait(timeout_ms):
                del self._running[thread]

    @Slot()
    def _finished(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread) and thread in self._running:
            del self._running[thread]
            retire_thread(thread)
