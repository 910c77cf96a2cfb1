"""One way to run a job, for every front end (the command line, the window, the self-test).

A :class:`Session` takes an operation, its options and its inputs: files already listed (the
window's list), paths to scan (the command line), or a plan made earlier (a retry of some rows).
:meth:`Session.plan` decides whether the job streams (starts on the first files while the rest
are still found or planned) and makes the job; :meth:`Session.run` is the blocking run loop for a
thread of its own; :meth:`Session.tick` is what a front end calls on its clock (the CLI loop, the
GUI timer) to take results and progress in, and it ends the job's bookkeeping exactly once.

Planning and running block (they read manifests, walk folders, wait for workers): call them off a
GUI thread. ``tick`` never blocks longer than its budget.

A session may carry results over from a past job (``carry``: resume and retry, see
:mod:`core.journal_resume`) and have a ``recorder`` follow the job (the journal's writer, see
:mod:`core.journal_writer`): it is started once the job is planned and told once that it ended.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from core import operations
from core.job import DEFAULT_WATCHDOG, Job, JobReport, Source
from core.operations.base import ChunkLimits, Plan
from core.records import FileEntry, SkippedEntry, Task

if TYPE_CHECKING:
    from core.engine import Engine

Entry = FileEntry | SkippedEntry


class Inputs(Protocol):
    """Files to run on, as a front end has them."""

    @property
    def sizes(self) -> Sequence[int] | None:
        """Every row's size when the rows are known up front (a listed window), else None."""

    def entries(self) -> Sequence[Entry]:
        """All of them (may take long: a scan)."""

    def batches(self) -> Iterator[Sequence[Entry]]:
        """All of them in order, batch by batch, for a job that starts on the first batch."""

    def matches(self, tasks: Sequence[Task]) -> bool:
        """Whether ``tasks`` are exactly these inputs, one per entry, in order."""


class Carry(Protocol):
    """Results of a past job that a new one takes over instead of processing those files."""

    def apply(self, plan: Plan) -> Plan:
        """``plan`` with the rows that need no processing settled (and notes about the rest)."""


class Recorder(Protocol):
    """Follows a job: told when it is planned (before it runs) and, once, when it ended."""

    def start(self, session: Session, job: Job) -> None: ...

    def end(self, session: Session, job: Job) -> None: ...


class Found:
    """Inputs that a scan yields batch by batch (the command line): their number is known only
    at the end, so nothing is shown per row before they come."""

    sizes = None

    def __init__(self, batches: Iterator[Sequence[Entry]]) -> None:
        self._batches = batches

    def entries(self) -> list[Entry]:
        out: list[Entry] = []
        for batch in self._batches:
            out.extend(batch)
        return out

    def batches(self) -> Iterator[Sequence[Entry]]:
        return self._batches

    def matches(self, tasks: Sequence[Task]) -> bool:
        return False


class Session:
    """Plan, run and follow one job. See the module docstring.

    ``inputs``: :class:`Inputs`, or a :class:`core.operations.base.Plan` (rows planned earlier,
    such as a retry of failed rows; ``source`` may add more batches after them, for a streaming
    operation). ``stream``: let a streaming operation start before every input is planned (off
    for a caller that wants the whole plan first; a ``carry`` plans every input first too).
    """

    def __init__(
        self,
        engine: Engine,
        op_name: str,
        options: Any,
        inputs: Inputs | Plan,
        *,
        timeout: float | None = None,
        watchdog: float | None = DEFAULT_WATCHDOG,
        stream: bool = True,
        source: Source | None = None,
        carry: Carry | None = None,
        recorder: Recorder | None = None,
        limits: ChunkLimits | None = None,
    ) -> None:
        self.engine = engine
        self.op_name = op_name
        self.op = operations.get(op_name)
        self.options = options
        self.inputs = inputs
        self.timeout = timeout
        self.watchdog = watchdog
        self.stream = stream
        self.source = source
        self.carry = carry
        self.recorder = recorder
        self.limits = limits  # how files are grouped into chunks (None: the operation's own)
        self.job: Job | None = None
        self._cancelled = False
        self.same_rows = True  # the job's rows are exactly the inputs, in order
        self.ended = False

    @property
    def streams(self) -> bool:
        """Whether the job starts on the first inputs while the rest are still planned."""
        return (
            self.stream
            and self.op.streams
            and self.carry is None
            and not isinstance(self.inputs, Plan)
        )

    def plan(self) -> Job:
        """Make the job (blocking: it may read a manifest or scan every input first).

        Raises:
            FileError: job-level input the operation refuses (an unreadable manifest, an output
                folder that cannot be written), said before any file is read.
        """
        inputs = self.inputs
        source: Source | None = None
        sizes = None
        if isinstance(inputs, Plan):
            plan, source = inputs, self.source
        elif self.streams:
            # One row per input, in order: the job starts on the first batch and plans the rest
            # while the workers run (planning 1,000,000 rows takes seconds).
            plan = self.op.plan([], self.options)  # job-level checks (the manifest's folder...)
            source, sizes = iter(inputs.batches()), inputs.sizes
        else:
            plan = self.op.plan(inputs.entries(), self.options)
            self.same_rows = inputs.matches(plan.tasks)
        if self.carry is not None:  # never streaming: the whole plan is there
            plan = self.carry.apply(plan)
        self.job = self.engine.new_job(
            self.op_name,
            self.options,
            plan,
            source,
            sizes,
            timeout=self.timeout,
            watchdog=self.watchdog,
        )
        if self.limits is not None:
            self.job.limits = self.limits
        if self._cancelled:
            self.job.cancel()
        if self.recorder is not None:
            self.recorder.start(self, self.job)
        return self.job

    def run(self) -> None:
        """The job's blocking run loop (its own thread). Returns when every row is final."""
        assert self.job is not None, "plan() first"
        self.job.run()

    def tick(self, budget: float | None) -> bool:
        """Take results and progress in for up to ``budget`` seconds (None: all there are) and
        update rates. Once the run loop has returned and everything it sent is in, the job is
        marked ended (here, and only here) and the recorder told. Returns whether the job has
        ended."""
        job = self.job
        if job is None or self.ended:
            return self.ended
        job.poll(budget)
        job.tracker.tick()
        if job.drained:
            job.tracker.mark_ended()
            self.ended = True
            if self.recorder is not None:
                self.recorder.end(self, job)
        return self.ended

    def cancel(self) -> None:
        """Thread-safe: stop the job, or have it stop at once if it is still being planned."""
        self._cancelled = True
        job = self.job
        if job is not None:
            job.cancel()

    @property
    def report(self) -> JobReport | None:
        return self.job.report if self.job is not None else None
