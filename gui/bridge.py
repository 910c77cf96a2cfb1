"""The bridge between the engine and the GUI thread.

:class:`JobBridge` is a parentless ``QObject`` moved to a ``QThread``: it plans a
:class:`core.session.Session` (reading a manifest or building a million tasks must not freeze the
window) and then runs its blocking run loop. :class:`JobRunner` lives in the GUI thread: its
``QTimer`` (about 10 Hz) calls :meth:`Session.tick` under a time budget and applies one coalesced
update per tick, never one signal per file; the last ``tick(None)`` ends the job. Nothing here
touches a widget from the worker thread.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.records import FileError
from core.session import Session
from gui import collector
from gui.threads import ThreadWorker, TimerFactory, make_timer, retire_thread, start_worker

if TYPE_CHECKING:
    from core.engine import Engine, Job, JobReport
    from core.operations.base import Plan
    from core.session import Carry, Inputs, Recorder
    from gui.file_model import FileModel

log = logging.getLogger(__name__)

TICK_MS = 100
POLL_BUDGET = 0.008  # seconds of draining per tick; the rest of the tick belongs to the user
JOB_SWITCH_INTERVAL = 0.0001  # seconds; Python's default is 0.005


class JobBridge(ThreadWorker):
    """Plans and runs one :class:`core.session.Session` on its own thread.

    ``inputs``: the listed files (:class:`gui.inputs.Snapshot`), or a plan (a retry);
    ``carry`` and ``recorder``: a resume's past results and the job's journal writer (see
    :class:`core.session.Session`).

    Signals:
        planned(object, bool): the :class:`core.engine.Job`, and whether its rows are exactly
            the listed files (if not, the table must show the job's rows).
        plan_failed(str): the job could not be planned (e.g. an unreadable manifest).
    """

    planned = Signal(object, bool)
    plan_failed = Signal(str)

    def __init__(
        self,
        engine: Engine,
        op_name: str,
        options: Any,
        inputs: Inputs | Plan,
        timeout: float | None = None,
        *,
        carry: Carry | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        super().__init__()
        self.session = Session(
            engine, op_name, options, inputs, timeout=timeout, carry=carry, recorder=recorder
        )
        self._pause_lock = threading.Lock()
        self._paused = False

    @property
    def job(self) -> Job | None:
        return self.session.job

    def cancel(self) -> None:
        """Thread-safe: stop the job, or do not start it if it is still being planned."""
        self.session.cancel()

    def set_paused(self, paused: bool) -> None:
        """Thread-safe: pause or resume the job; a job still being planned starts paused."""
        with self._pause_lock:
            self._paused = paused
            job = self.session.job
            if job is not None:
                (job.pause if paused else job.resume)()

    def work(self) -> None:
        # Planning is pure Python for a while (tens of ms per 10,000 files), and for most
        # operations it goes on inside the run loop while the first files are processed: hand
        # the GIL back to the GUI thread more often for the whole job, so that its repaints do
        # not queue behind us (each data() call of a repaint needs the GIL again).
        interval = sys.getswitchinterval()
        sys.setswitchinterval(JOB_SWITCH_INTERVAL)
        try:
            session = self.session
            try:
                job = session.plan()
            except (FileError, ValueError, OSError) as e:
                self.plan_failed.emit(str(e))
                return
            with self._pause_lock:  # a pause asked for while planning applies from the start
                if self._paused:
                    job.pause()
            # The job's per-row columns exist now (paths, results, the journal's list of inputs):
            # park them outside the collector too, or each full collection walks a million
            # items of each while holding the GIL. JobRunner.start parked the collector for the
            # job (gui/collector.py) and its release gives these back as well.
            gc.freeze()
            self.planned.emit(job, session.same_rows)
            try:
                session.run()
            except BaseException:  # the engine already failed every row and set job.report
                log.exception("the job's run loop failed")
        finally:
            sys.setswitchinterval(interval)


class JobRunner(QObject):
    """GUI-thread side of one job: the bridge thread and the poll timer (made by ``timers``).

    Signals:
        started: the job was planned and the table shows its rows.
        ticked: after each coalesced update (the model was synced; read ``job.tracker``).
        ended(object): the :class:`core.engine.JobReport` (``None`` if planning failed, with
            ``plan_error`` set), once the run loop returned and everything was drained.
    """

    started = Signal()
    ticked = Signal()
    ended = Signal(object)

    def __init__(
        self,
        bridge: JobBridge,
        model: FileModel,
        parent: QObject | None = None,
        *,
        interval_ms: int = TICK_MS,
        budget: float = POLL_BUDGET,
        timers: TimerFactory = make_timer,
    ) -> None:
        super().__init__(parent)
        self.bridge: JobBridge | None = bridge
        self.session = bridge.session
        self.model = model
        self.budget = budget
        self.job: Job | None = None
        self.report: JobReport | None = None
        self.plan_error: str | None = None
        self.cancelling = False
        self.paused = False
        self.max_tick = 0.0  # longest drain() in seconds, for tests and the benchmark
        self._timer = timers(self, interval_ms, self._take_in)
        # A tick's drain and the repaint it causes, back to back, were a job's longest stall:
        # the model is synced (and the table repainted) on the next turn of the event loop, so
        # that input waiting meanwhile is handled between the two.
        self._show_timer = timers(self, 0, self._show, single_shot=True)
        # The window repaints for the job's start (its buttons, status, the table) before the
        # planning thread competes with it for the GIL: the thread starts on the next turn.
        self._launch = timers(self, 0, self._launch_thread, single_shot=True)
        self._thread: QThread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        assert self.bridge is not None
        # A full garbage collection walks every tracked object (Qt wrappers, modules, the
        # rows...) while holding the GIL: tens of milliseconds of frozen window, triggered by
        # the job's own allocations. Park what exists now outside the collector until the end.
        collector.park(self)
        self.bridge.planned.connect(self._on_planned)
        self.bridge.plan_failed.connect(self._on_plan_failed)
        self._launch.start()

    @Slot()
    def _launch_thread(self) -> None:
        if self.bridge is not None and self._thread is None:
            self._thread = start_worker(self.bridge, "parabatch-job", self._on_thread_finished)

    def cancel(self) -> None:
        """Ask the engine to stop; rows end as Cancelled when it confirms (``ended``). A paused
        job is woken up to stop (within about a second)."""
        self.cancelling = True
        self.paused = False
        if self.bridge is not None:
            self.bridge.cancel()

    def set_paused(self, paused: bool) -> None:
        """Pause the workers between blocks (no CPU until resumed), or resume them."""
        if self.bridge is None or self.cancelling:
            return
        self.paused = paused
        self.bridge.set_paused(paused)

    def stop_now(self, timeout_ms: int) -> None:
        """Cancel and block until the run loop has returned (the application is quitting)."""
        self.cancel()
        self._launch.stop()
        self._timer.stop()
        self._show_timer.stop()
        if self._thread is not None and self._thread.wait(timeout_ms) and self.job is not None:
            self.session.tick(None)  # the job's end, for its recorder (a cancelled job)
        collector.release(self)

    def drain(self) -> None:
        """One tick now: take results and progress in under the budget (:meth:`Session.tick`),
        sync the model, tell listeners."""
        self._take_in()
        self._show_timer.stop()  # shown here, now
        self._show()

    @Slot()
    def _take_in(self) -> None:
        """The timer's tick: what is waiting, under the budget; then :meth:`_show` soon."""
        if self.job is None:
            return
        t0 = time.perf_counter()
        self.session.tick(self.budget)
        self.max_tick = max(self.max_tick, time.perf_counter() - t0)
        self._show_timer.start()

    @Slot()
    def _show(self) -> None:
        if self.job is None:
            return
        self.model.sync()
        self.ticked.emit()

    @Slot(object, bool)
    def _on_planned(self, job: Job, same_rows: bool) -> None:
        self.job = job
        if not same_rows:
            self.model.load_tasks(job.tasks)
        self.model.attach(job.tracker)
        self._timer.start()
        self.started.emit()

    @Slot(str)
    def _on_plan_failed(self, message: str) -> None:
        self.plan_error = message

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, self._thread, self.bridge = self._thread, None, None
        if thread is not None:
            retire_thread(thread)
        self._timer.stop()
        self._show_timer.stop()
        collector.release(self)
        job = self.job
        if job is not None:
            self.session.tick(None)  # the run loop returned: take the rest in, mark the end
            self.model.sync()
            self.model.detach()
            self.ticked.emit()
            self.report = self.session.report
        self.ended.emit(self.report)
