"""Writing one job to the journal: a :class:`Recorder` is the job's result sink and owns a
writer thread that opens the journal, adds the job's row, forgets the jobs past the retention
settings (while the job runs), writes results in batched transactions and marks the job's end.

The job never waits for the journal: ``accept`` only appends to a queue. If the journal cannot be
used (read-only, full, locked for longer than its busy timeout, of a newer version), the writer
stops, the job goes on, and :attr:`Recorder.warning` holds the one sentence to show.
"""

from __future__ import annotations

import collections
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from core import __version__
from core import messages as M
from core.i18n import english
from core.journal import (
    PATHS_INLINE,
    PATHS_STORED,
    STATUS_NAMES,
    Journal,
    JournalError,
    default_keep,
    default_keep_days,
    default_max_bytes,
    host_name,
    process_start,
    reason,
)
from core.journal import dumps as journal_dumps
from core.journal_chunks import CHUNK_ROWS, STATUS_CODE, Packed, pack, rare_fields
from core.options import canonical, options_key
from core.records import ResultBatch

if TYPE_CHECKING:
    from core.job import Job
    from core.records import FileResult
    from core.session import Session

# Seconds the writer gathers results before the next transaction: a transaction costs a
# fraction of a millisecond, and what is still queued when the job ends is written while the
# command line waits to exit.
BATCH_GAP = 0.03


class Recorder:
    """Records one job (see the module docstring). ``inputs``: what the job was given, as JSON
    data (paths, filters, the folder it ran in), for ``jobs resume``; ``origin`` and ``how``: the
    job this one resumes or retries."""

    def __init__(
        self,
        path: str | None,
        inputs: Mapping[str, Any],
        *,
        keep: int | None = None,
        keep_days: float | None = None,
        max_bytes: int | None = None,
        origin: int | None = None,
        how: str = "run",
    ) -> None:
        self.path = path
        self.inputs = dict(inputs)
        self.keep = keep if keep is not None else default_keep()
        self.keep_days = keep_days if keep_days is not None else default_keep_days()
        self.max_bytes = max_bytes if max_bytes is not None else default_max_bytes()
        self.origin = origin
        self.how = how
        self.job_number: int | None = None  # the job's number in the journal, once it is there
        self.notes: list[str] = []  # what opening the journal did (a damaged file moved aside)
        self.warning: str | None = None
        self.carried: Mapping[int, int] = {}  # row -> job its result was taken from
        self._queue: collections.deque[tuple[float, Sequence[FileResult]]] = collections.deque()
        self._wake = threading.Event()
        self._ending = threading.Event()
        self._end: tuple[str, str | None] | None = None
        self._off = False
        self._job: Job | None = None
        self._thread: threading.Thread | None = None
        self.opened = threading.Event()  # the job's row is in (or the journal failed)
        # Rows whose result is in the journal, a byte each (a set of a million rows rehashed
        # everything in one go as it grew, holding the GIL: a window froze meanwhile).
        self._paths: list[str] | None = None  # given paths stored beside the job (see start)
        self._written = bytearray()
        self._counts = dict.fromkeys(STATUS_NAMES, 0)  # of those, by status

    # --- the session's side (core.session.Recorder) --------------------------------------------
    def start(self, session: Session, job: Job) -> None:
        """Begin recording ``job`` (called once it is planned, before it runs)."""
        self._job = job
        carry = getattr(session, "carry", None)
        self.carried = getattr(carry, "rows", {}) if carry is not None else {}
        job.add_sink(self)
        inputs = dict(self.inputs)
        paths = inputs.get("paths")
        if isinstance(paths, list) and len(paths) > PATHS_INLINE:  # stored in pieces of their own
            del inputs["paths"]
            inputs[PATHS_STORED] = len(paths)
            self._paths = paths
        fields = {
            "operation": session.op_name,
            "options": canonical(session.options),
            "options_key": options_key(session.op_name, session.options),
            "inputs": journal_dumps(inputs),
            "started": time.time(),
            "notes": json.dumps(list(job.notes)),
            "version": __version__,
            "host": host_name(),
            "pid": os.getpid(),
            "pid_start": process_start(os.getpid()),
            "origin": self.origin,
            "how": self.how,
        }
        self._thread = threading.Thread(
            target=self._run, args=(fields,), name="parabatch-journal", daemon=True
        )
        self._thread.start()

    def accept(self, results: Sequence[FileResult]) -> None:
        """The job's result sink: queue the batch (run thread; never blocks)."""
        if not self._off:
            self._queue.append((time.time(), results))
            self._wake.set()

    def end(self, session: Session, job: Job) -> None:
        """The job ended: write what is left and mark its end."""
        report = job.report
        error = report.error if report is not None else "the job did not report how it ended"
        if error:
            ending = "failed"
        elif report is not None and report.cancelled:
            ending = "cancelled"
        else:
            ending = "finished"
        self._end = (ending, error)
        self._ending.set()
        self._wake.set()

    def close(self, timeout: float | None = None) -> bool:
        """Wait until the writer has written everything (or given up); returns whether it did
        within ``timeout``."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # --- the writer thread ---------------------------------------------------------------------
    def _given_paths(self, journal: Journal, fields: dict[str, Any]) -> list[str] | None:
        """The paths stored beside the job's inputs: the job's own, or, for a rerun given the
        inputs of the job it resumes as they are stored (paths elsewhere), that job's."""
        if self._paths is not None:
            return self._paths
        if PATHS_STORED not in self.inputs or "paths" in self.inputs or self.origin is None:
            return None
        paths: list[str] = journal.inputs(journal.job(self.origin)).get("paths", [])
        return paths

    def _run(self, fields: dict[str, Any]) -> None:
        journal: Journal | None = None
        try:
            journal = Journal.open(self.path)
            self.notes.extend(journal.notes)
            self.job_number = journal.begin_job(fields, self._given_paths(journal, fields))
            self.opened.set()
            # Retention now, while the job runs: at its end (the command line waiting to exit)
            # forgetting the oldest job and compacting the file took 20-40 ms.
            if journal.retain(self.keep, self.keep_days, self.max_bytes):
                journal.compact()
            while True:
                self._wake.wait()
                self._wake.clear()
                self._ending.wait(BATCH_GAP)  # gather a batch, unless the job has ended
                ended = self._end
                self._write(journal)
                if ended is not None and not self._queue:
                    journal.end_job(self.job_number, *ended, counts=self._counts)
                    return
        except (JournalError, sqlite3.Error, OSError) as e:
            self._off = True
            self._queue.clear()
            text = str(e) if isinstance(e, JournalError) else reason(e)
            where = self.path or M.DEFAULT_PLACE
            if not isinstance(e, JournalError):
                place = journal.path if journal else where
                text = english(M.JOURNAL_UNUSABLE, path=place, reason=text)
            self.warning = english(M.JOURNAL_NOT_RECORDED, reason=text)
        finally:
            self.opened.set()
            if journal is not None:
                journal.close()

    def _write(self, journal: Journal) -> None:
        """What came in since the last write, as chunks of columns (see
        :mod:`core.journal_chunks`), in one transaction. A row already written is not written
        again."""
        job, number = self._job, self.job_number
        assert job is not None and number is not None
        queue = self._queue
        paths = job.tasks.paths
        written = self._written
        # The batches that came in are stored together, in chunks as full as they can be: each
        # chunk costs a few C calls a column and an INSERT whatever its size, and the pool's
        # batches (128 files) are half of one.
        fresh = _Columns()
        last = 0.0
        while queue:
            at, results = queue.popleft()
            last = at
            if len(written) < len(paths):  # rows planned since (a job that streams)
                written.extend(bytes(len(paths) - len(written)))
            if type(results) is ResultBatch and type(results.rows) is range:
                span = slice(results.rows.start, results.rows.stop)
                if not any(written[span]):  # a chunk's results as the worker sent them
                    written[span] = b"\x01" * len(results.rows)
                    fresh.add_batch(results)
                    continue
            new = []
            for r in results:
                if not written[r.index]:
                    written[r.index] = 1
                    new.append(r)
            fresh.add_results(new)
        parts: list[tuple[int, Packed]] = []
        for first in range(0, len(fresh.rows), CHUNK_ROWS):
            part = slice(first, first + CHUNK_ROWS)
            parts.append((len(fresh.rows[part]), self._pack(fresh, part, job)))
        if parts:
            journal.add_chunks(number, last, parts)

    def _pack(self, fresh: _Columns, part: slice, job: Job) -> Packed:
        """One chunk's columns (rows ``part`` of ``fresh``), a C call or two per column (the
        per-file hot path)."""
        rows, statuses = fresh.rows[part], bytes(fresh.statuses[part])
        for code, name in _FINAL:
            if code in statuses:
                self._counts[name] += statuses.count(code)
        carried = list(map(self.carried.get, rows)) if self.carried else ()
        if fresh.rare:
            f = fresh
            extra = rare_fields(
                f.outputs[part], f.messages[part], f.attempts[part], carried, f.details[part]
            )
        else:  # every row a first try, with no output, message or detail
            extra = rare_fields((), (), (), carried, ())
        tasks = job.tasks
        paths: Sequence[str]
        sizes: Sequence[int]
        mtimes: Sequence[int]
        if rows and rows[-1] - rows[0] == len(rows) - 1 and rows == sorted(rows):
            span = slice(rows[0], rows[-1] + 1)  # rows that follow each other: slices, in C
            paths, sizes, mtimes = tasks.paths[span], tasks.sizes[span], tasks.mtimes[span]
        else:
            paths = list(map(tasks.paths.__getitem__, rows))
            sizes = list(map(tasks.sizes.__getitem__, rows))
            mtimes = list(map(tasks.mtimes.__getitem__, rows))
        return pack(
            rows,
            paths,
            sizes,
            mtimes,
            statuses,
            bytes(fresh.kinds[part]),
            fresh.values[part],
            fresh.durations[part],
            fresh.workers[part],
            extra,
        )


class _Columns:
    """Results gathered for the journal, a list per field (what :func:`pack` takes): a
    :class:`ResultBatch` adds its columns as they are, other results field by field. The rare
    fields (outputs, messages, attempts, details) have lists only once some row may have one
    (:attr:`rare`): until then every row is a first try with none."""

    __slots__ = (
        "rows", "statuses", "kinds", "values", "durations", "workers", "rare", "outputs",
        "messages", "attempts", "details",
    )  # fmt: skip

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.statuses = bytearray()
        self.kinds = bytearray()
        self.values: list[str] = []
        self.durations: list[float | None] = []
        self.workers: list[str] = []
        self.rare = False
        self.outputs: list[str | None] = []
        self.messages: list[str] = []
        self.attempts: list[int] = []
        self.details: list[str] = []

    def _with_rare_fields(self) -> None:
        if not self.rare:
            n = len(self.rows)
            self.rare = True
            self.outputs, self.messages = [None] * n, [""] * n
            self.attempts, self.details = [1] * n, [""] * n

    def add_batch(self, b: ResultBatch) -> None:
        n = len(b.rows)
        if b.attempt != 1:
            self._with_rare_fields()
        if self.rare:
            self.outputs.extend(repeat(None, n))
            self.messages.extend(repeat("", n))
            self.attempts.extend(repeat(b.attempt, n))
            self.details.extend(repeat("", n))
        self.rows.extend(b.rows)
        self.statuses += b.statuses
        self.kinds += b.kinds
        self.values.extend(b.values)
        self.durations.extend(b.durations)
        self.workers.extend(repeat(b.worker, n))

    def add_results(self, results: list[FileResult]) -> None:
        self._with_rare_fields()
        self.rows.extend(map(_INDEX, results))
        self.statuses += bytes(map(_STATUS, results))
        self.kinds += bytes(map(_KIND, results))
        self.values.extend(map(_VALUE, results))
        self.durations.extend(map(_DURATION, results))
        self.workers.extend(map(_WORKER, results))
        self.outputs.extend(map(_OUTPUT, results))
        self.messages.extend(map(_MESSAGE, results))
        self.attempts.extend(map(_ATTEMPT, results))
        self.details.extend(map(_DETAIL, results))


_FINAL = [(STATUS_CODE[name], name) for name in STATUS_NAMES]
_INDEX, _STATUS, _KIND = attrgetter("index"), attrgetter("status"), attrgetter("kind")
_VALUE, _OUTPUT, _MESSAGE = attrgetter("value"), attrgetter("output"), attrgetter("message")
_ATTEMPT, _DETAIL = attrgetter("attempt"), attrgetter("detail")
_DURATION, _WORKER = attrgetter("duration"), attrgetter("worker")
