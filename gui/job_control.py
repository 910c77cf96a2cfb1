"""The window's job lifecycle: one warm engine, one job at a time, status texts, retry.

Kept apart from the window's layout so the flow (start, tick, cancel, end, retry) reads in one
place. The engine lives as long as the window; ``shutdown`` leaves no worker process behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from core.engine import Engine, JobReport
from core.operations.base import Plan
from core.progress import format_bytes, format_duration
from core.records import FileResult, Status, Task
from gui.bridge import JobBridge, JobRunner
from gui.i18n import translate
from gui.journal_jobs import JOURNAL_WAIT
from gui.threads import TimerFactory, make_timer

if TYPE_CHECKING:
    from core.journal_writer import Recorder
    from core.progress import Tracker
    from core.session import Carry
    from gui.file_model import FileModel
    from gui.inputs import Snapshot
    from gui.journal_jobs import JobJournal


@dataclass
class FinishedJob:
    """What the last job was, for the summary, "open output" and "retry failed"."""

    op_name: str
    options: Any
    tasks: Sequence[Task]
    tracker: Tracker
    report: JobReport | None
    generation: int  # the model's generation right after the job; retry needs it unchanged
    recorder: Recorder | None = None  # its journal writer (None: not recorded)


def status_text(t: Tracker, paused: bool = False) -> str:
    """ "12 done · 1 failed · 0 skipped of 40 · 88.1 MB/s · elapsed 00:03 · ETA 00:05" (no rate
    and no ETA while paused: they would say nothing true)."""
    c = t.counts
    parts = [
        translate("JobStatus", "{n} done").format(n=f"{c[Status.DONE]:,}"),
        translate("JobStatus", "{n} failed").format(n=f"{c[Status.FAILED]:,}"),
        translate("JobStatus", "{n} skipped").format(n=f"{c[Status.SKIPPED]:,}"),
    ]
    if c[Status.CANCELLED]:
        parts.append(translate("JobStatus", "{n} cancelled").format(n=f"{c[Status.CANCELLED]:,}"))
    counts, total, elapsed = " · ".join(parts), f"{t.n:,}", format_duration(t.elapsed)
    if paused:
        return translate("JobStatus", "{counts} of {total} · elapsed {elapsed}").format(
            counts=counts, total=total, elapsed=elapsed
        )
    return translate(
        "JobStatus", "{counts} of {total} · {rate}/s · elapsed {elapsed} · ETA {eta}"
    ).format(
        counts=counts,
        total=total,
        rate=format_bytes(t.rate),
        elapsed=elapsed,
        eta=format_duration(t.eta),
    )


def summary_text(t: Tracker, report: JobReport | None) -> str:
    """The headline after a job: how it ended, counts, time and throughput."""
    c = t.counts
    numbers = {
        "done": f"{c[Status.DONE]:,}",
        "failed": f"{c[Status.FAILED]:,}",
        "skipped": f"{c[Status.SKIPPED]:,}",
        "cancelled": f"{c[Status.CANCELLED]:,}",
    }
    if c[Status.CANCELLED]:
        counts = translate(
            "JobStatus", "{done} done, {failed} failed, {skipped} skipped, {cancelled} cancelled"
        ).format(**numbers)
    else:
        counts = translate("JobStatus", "{done} done, {failed} failed, {skipped} skipped").format(
            **numbers
        )
    n = t.n
    if report is not None and report.error:
        head = translate(
            "JobStatus", "Finished with an error in {time}: {counts} of %Ln file(s)", "", n
        )
    elif report is not None and report.cancelled:
        head = translate("JobStatus", "Cancelled in {time}: {counts} of %Ln file(s)", "", n)
    else:
        head = translate("JobStatus", "Finished in {time}: {counts} of %Ln file(s)", "", n)
    speed = translate("JobStatus", "{bytes} at {rate}/s").format(
        bytes=format_bytes(t.bytes_done), rate=format_bytes(t.rate)
    )
    return head.format(time=format_duration(t.elapsed), counts=counts) + " · " + speed


class JobControl(QObject):
    """Starts, watches, pauses and cancels jobs on one warm engine; ``timers`` makes the jobs' poll
    timers (tests pass fakes).

    Signals:
        started: the job was planned; the table shows its rows.
        ticked: progress moved (read ``tracker``).
        ended(object): the finished :class:`FinishedJob`, or ``None`` if planning failed
            (then ``plan_error`` says why).
    """

    started = Signal()
    ticked = Signal()
    ended = Signal(object)

    def __init__(
        self,
        model: FileModel,
        workers: int,
        parent: QObject | None = None,
        *,
        timers: TimerFactory = make_timer,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._timers = timers
        self.engine = Engine(workers)
        self.runner: JobRunner | None = None
        self.last: FinishedJob | None = None
        self.plan_error: str | None = None
        self.last_max_tick = 0.0  # longest GUI tick of the last job, in seconds
        self._op: tuple[str, Any] | None = None
        self.journal: JobJournal | None = None  # records each job (None: no journal)
        self.recorder: Recorder | None = None  # the running job's
        self.recorders: list[Recorder] = []  # every job's, until its writer is done

    @property
    def running(self) -> bool:
        return self.runner is not None

    @property
    def op_name(self) -> str | None:
        """The operation of the running job, else of the last one."""
        return self._op[0] if self._op is not None else None

    @property
    def cancelling(self) -> bool:
        return self.runner is not None and self.runner.cancelling

    @property
    def tracker(self) -> Tracker | None:
        if self.runner is not None and self.runner.job is not None:
            return self.runner.job.tracker
        return self.last.tracker if self.last is not None else None

    def start(
        self,
        op_name: str,
        options: Any,
        inputs: Snapshot | Plan,
        workers: int,
        timeout: float | None = None,
        *,
        carry: Carry | None = None,
        origin: int | None = None,
        how: str = "run",
        given: dict[str, Any] | None = None,
    ) -> None:
        """Plan (off the GUI thread) and run ``op_name`` over ``inputs``; ``timeout`` is the
        per-file time limit in seconds (None: no limit). ``carry``, ``origin``, ``how`` and
        ``given``: a resume or retry (see :mod:`gui.journal_jobs`)."""
        if self.runner is not None:
            raise RuntimeError("a job is already running")
        self.engine.workers = workers
        self.plan_error = None
        self._op = (op_name, options)
        self.recorder = None
        if self.journal is not None:
            inputs, self.recorder = self.journal.recorder(
                op_name, inputs, timeout, origin=origin, how=how, given=given
            )
        self.recorders = [r for r in self.recorders if not r.close(0)]
        if self.recorder is not None:
            self.recorders.append(self.recorder)
        bridge = JobBridge(
            self.engine, op_name, options, inputs, timeout, carry=carry, recorder=self.recorder
        )
        self.runner = JobRunner(bridge, self.model, self, timers=self._timers)
        self.runner.started.connect(self.started)
        self.runner.ticked.connect(self.ticked)
        self.runner.ended.connect(self._on_ended)
        self.runner.start()

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()

    @property
    def paused(self) -> bool:
        return self.runner is not None and self.runner.paused

    def pause(self) -> None:
        """Workers stop between blocks (within about a second) and use no CPU until
        :meth:`resume`; the per-file time limit and the watchdog do not count paused time."""
        if self.runner is not None:
            self.runner.set_paused(True)

    def resume(self) -> None:
        if self.runner is not None:
            self.runner.set_paused(False)

    def _rerunnable(self) -> FinishedJob | None:
        last = self.last
        if last is None or self.running or last.generation != self.model.generation:
            return None
        return last

    def can_resume(self) -> bool:
        """Whether the last job left rows unfinished (cancelled), from its counts: cheap
        enough for every change of the window's state (the plan loops over every row)."""
        last = self._rerunnable()
        if last is None:
            return False
        c = last.tracker.counts
        return last.tracker.n - c[Status.DONE] - c[Status.SKIPPED] - c[Status.FAILED] > 0

    def can_retry(self) -> bool:
        """Whether the last job has failed rows (see :meth:`can_resume`)."""
        last = self._rerunnable()
        return last is not None and last.tracker.counts[Status.FAILED] > 0

    def resume_plan(self) -> Plan | None:
        """A plan that runs the last job's unfinished (cancelled) rows and keeps every other
        result (so a manifest still lists every file); None if the list changed since."""
        return self._rerun_plan((Status.DONE, Status.SKIPPED, Status.FAILED))

    def retry_plan(self) -> Plan | None:
        """A plan that runs the last job's failed rows again and keeps every other result."""
        return self._rerun_plan((Status.DONE, Status.SKIPPED, Status.CANCELLED))

    def _rerun_plan(self, keep: tuple[Status, ...]) -> Plan | None:
        last = self._rerunnable()
        if last is None:
            return None
        settled: list[FileResult] = []
        again = 0
        for i in range(len(last.tasks)):
            r = self.model.result(i)
            if r is not None and r.status in keep:
                settled.append(r)
            else:
                again += 1
        return Plan(list(last.tasks), settled) if again else None

    def warm_up(self, workers: int) -> None:
        """Files were added, so Start is likely next: start the worker processes now, in the
        background, instead of when Start is pressed."""
        if self.runner is None:
            self.engine.workers = workers
            self.engine.warm_up_in_background()

    def replace_engine(self, engine: Engine) -> Engine:
        """Run the next jobs on ``engine`` (another cluster, or this computer again); returns
        the old engine, which the caller shuts down (off the GUI thread: a cluster takes
        seconds to close). Never while a job runs."""
        if self.runner is not None:
            raise RuntimeError("a job is running")
        old, self.engine = self.engine, engine
        return old

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """End the engine's worker processes. Normally no job runs any more (the window waits
        for the engine to confirm a cancel); if the application quits regardless, cancel and
        wait here: the run loop stops within about a second and needs no event loop."""
        if self.runner is not None:
            self.runner.stop_now(timeout_ms)
        self.engine.shutdown()
        for r in self.recorders:  # the journal's last writes (else the job looks interrupted)
            r.close(JOURNAL_WAIT)

    @Slot(object)
    def _on_ended(self, report: JobReport | None) -> None:
        runner, self.runner = self.runner, None
        assert runner is not None and self._op is not None
        self.last_max_tick = runner.max_tick
        job = runner.job
        if job is None:
            self.plan_error = runner.plan_error or translate(
                "JobStatus", "the job could not be started"
            )
            self.ended.emit(None)
            return
        op_name, options = self._op
        self.last = FinishedJob(
            op_name, options, job.tasks, job.tracker, report, self.model.generation, self.recorder
        )
        self.ended.emit(self.last)
