"""Progress accounting, Qt-free: per-file state, bytes, smoothed rate and ETA.

The tracker is fed from one thread only (the GUI timer or the CLI loop, through ``Job.poll``) and
read by the same thread. It records which rows changed since the last look so a view can repaint
one coalesced range per tick instead of one signal per file.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Sequence

from core import pieces
from core.records import RUNNING_MSG, FileResult, Status, rows_and_statuses
from core.results import ResultStore

__all__ = ["RUNNING_MSG", "Tracker", "format_bytes", "format_duration"]

_DONE, _SKIPPED, _CANCELLED = int(Status.DONE), int(Status.SKIPPED), int(Status.CANCELLED)
_RUNNING = int(Status.RUNNING)


class Tracker:
    """Per-file state and totals for one job of ``len(sizes)`` rows."""

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        clock: object = time.monotonic,
        results: ResultStore | None = None,
    ) -> None:
        self._clock = clock  # type: ignore[assignment]
        self.n = len(sizes)
        self.sizes = pieces.extend(array("q"), sizes)  # a GUI thread waits for one piece
        self.total_bytes = pieces.total(self.sizes)
        self.state = bytearray(self.n)  # Status per row
        self.partial = array("q", [0]) * self.n  # bytes done of running files
        # Row results: a job's store (the job writes it, the tracker only counts), or its own.
        self._owns_results = results is None
        self.results = results if results is not None else ResultStore(self.n)
        self._counts = [0] * len(Status)  # by Status value: a list, as this is per-file hot
        self._counts[Status.PENDING] = self.n
        # Bytes really read: all of a done file; of a failed or cancelled one what it had read
        # (its last progress report); none of a skipped one.
        self.final_bytes = 0
        self.running_bytes = 0  # sum of partial[] over running rows
        # Sizes of rows that were dealt with (done, failed or skipped: nothing is left to do for
        # them); a cancelled row was not, so after a cancel the bar shows the share processed.
        self.handled_bytes = 0
        self._lo = self.n
        self._hi = -1
        self.started_at = self._now()
        self.ended_at: float | None = None
        self._rate = 0.0
        self._last_t = self.started_at
        self._last_bytes = 0
        self.input_open = False  # rows are still being added (discovery streams into the job)

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    # --- updates -----------------------------------------------------------------------------
    def _touch(self, i: int) -> None:
        if i < self._lo:
            self._lo = i
        if i > self._hi:
            self._hi = i

    def _move(self, i: int, new: int) -> None:
        counts = self._counts
        counts[self.state[i]] -= 1
        counts[new] += 1
        self.state[i] = new
        self._touch(i)

    def file_running(self, i: int, done: int) -> None:
        """A worker reports progress on row ``i``. Ignored once the row is final."""
        st = self.state[i]
        if st >= Status.DONE:
            return
        if st != Status.RUNNING:
            self._move(i, Status.RUNNING)
        done = min(done, self.sizes[i])
        self.running_bytes += done - self.partial[i]
        self.partial[i] = done
        self._touch(i)

    def file_result(self, r: FileResult) -> bool:
        """Record a final result. The first final result of a row wins (duplicates from a
        resubmitted chunk are dropped); returns whether it was recorded."""
        i = r.index
        if self.state[i] >= Status.DONE:
            return False
        read = self.partial[i]
        self.running_bytes -= read
        self.partial[i] = 0
        size = self.sizes[i]
        if r.status == Status.DONE:
            read = size
        elif r.status == Status.SKIPPED:
            read = 0
        self.final_bytes += read
        if r.status != Status.CANCELLED:
            self.handled_bytes += size
        if self._owns_results:
            self.results.put(r)
        self._move(i, r.status)
        return True

    def file_results(self, batch: Sequence[FileResult]) -> None:
        """:meth:`file_result` for a chunk's results at once."""
        self.file_statuses(*rows_and_statuses(batch), batch if self._owns_results else None)

    def file_statuses(
        self,
        rows: Sequence[int],
        statuses: bytes,
        results: Sequence[FileResult] | None = None,
    ) -> None:
        """Final statuses of ``rows`` (the per-file hot path, kept lean): a job's results are in
        its store already, so the tracker takes only their rows and statuses (compact: a backlog
        of them waiting for a busy window holds no objects for the garbage collector to walk).
        ``results``: the results themselves, in the same order, for a tracker that keeps its
        own store. The first final status of a row wins."""
        state, partial, sizes, counts = self.state, self.partial, self.sizes, self._counts
        put = self.results.put if results is not None else None
        given = iter(results) if results is not None else None
        lo, hi, read_bytes, handled, running = self._lo, self._hi, 0, 0, 0
        for i, new in zip(rows, statuses, strict=True):
            if given is not None:
                r = next(given)
            old = state[i]
            if old >= _DONE:
                continue
            read = 0
            if old == _RUNNING:
                read = partial[i]
                running += read
                partial[i] = 0
            if new == _DONE:
                read_bytes += sizes[i]
                handled += sizes[i]
            elif new == _SKIPPED:
                handled += sizes[i]
            else:
                read_bytes += read
                if new != _CANCELLED:
                    handled += sizes[i]
            if put is not None:
                put(r)
            counts[old] -= 1
            counts[new] += 1
            state[i] = new
            if i < lo:
                lo = i
            if i > hi:
                hi = i
        self._lo, self._hi = lo, hi
        self.final_bytes += read_bytes
        self.handled_bytes += handled
        self.running_bytes -= running

    def add_rows(self, sizes: Sequence[int]) -> None:
        """Rows found while the job runs (appended in place: views sharing the arrays see them)."""
        k = len(sizes)
        self.n += k
        self.sizes.extend(sizes)
        self.total_bytes += pieces.total(sizes)
        self.state.extend(bytes(k))
        self.partial.frombytes(bytes(8 * k))
        if self._owns_results:
            self.results.extend(k)
        self._counts[Status.PENDING] += k

    def take_changed(self) -> tuple[int, int] | None:
        """The inclusive row range changed since the last call, or None."""
        if self._hi < 0:
            return None
        span = (self._lo, self._hi)
        self._lo, self._hi = self.n, -1
        return span

    def mark_ended(self) -> None:
        if self.ended_at is None:
            self.ended_at = self._now()

    def tick(self) -> None:
        """Update the smoothed rate; call about every 100 ms."""
        now = self._now()
        dt = now - self._last_t
        if dt < 0.05:
            return
        inst = (self.bytes_done - self._last_bytes) / dt
        alpha = min(1.0, dt / 2.0)  # time constant of about two seconds
        self._rate = (
            inst
            if self._last_bytes == 0 and self._rate == 0
            else (self._rate + alpha * (inst - self._rate))
        )
        self._last_t, self._last_bytes = now, self.bytes_done

    # --- reading -----------------------------------------------------------------------------
    @property
    def counts(self) -> dict[Status, int]:
        """Rows in each state; the values add up to ``n``."""
        return {s: self._counts[s] for s in Status}

    @property
    def bytes_done(self) -> int:
        """Bytes really read so far (what rates and the summary report)."""
        return self.final_bytes + self.running_bytes

    @property
    def finished(self) -> int:
        return self.n - self._counts[Status.PENDING] - self._counts[Status.RUNNING]

    @property
    def all_final(self) -> bool:
        return self.finished == self.n

    @property
    def fraction(self) -> float:
        """The share of the job dealt with, weighted by bytes (files count as one byte each so
        that empty files still move the bar). Cancelled rows were not dealt with: after a cancel
        this is the share really processed, not 100%."""
        total = self.total_bytes + self.n
        if total == 0:
            return 1.0
        c = self._counts
        handled_rows = c[Status.DONE] + c[Status.FAILED] + c[Status.SKIPPED]
        return (self.handled_bytes + self.running_bytes + handled_rows) / total

    @property
    def elapsed(self) -> float:
        end = self.ended_at if self.ended_at is not None else self._now()
        return end - self.started_at

    @property
    def rate(self) -> float:
        """Smoothed bytes per second while running; the average once ended."""
        if self.ended_at is not None:
            return self.bytes_done / self.elapsed if self.elapsed > 0 else 0.0
        return max(self._rate, 0.0)

    @property
    def eta(self) -> float | None:
        """Seconds left, or None when unknown."""
        if self.all_final:
            return 0.0
        rate = self.rate
        if rate <= 0:
            return None
        return max(self.total_bytes - self.handled_bytes - self.running_bytes, 0) / rate

    def status(self, i: int) -> Status:
        return Status(self.state[i])

    def summary(self) -> dict[str, int | float]:
        c = self._counts
        return {
            "files": self.n,
            "done": c[Status.DONE],
            "failed": c[Status.FAILED],
            "skipped": c[Status.SKIPPED],
            "cancelled": c[Status.CANCELLED],
            "bytes": self.bytes_done,
            "seconds": round(self.elapsed, 3),
        }


def format_bytes(n: float) -> str:
    """Decimal units, as file managers show them: 999 B, 1.0 KB, 12.3 MB."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        shown = f"{n:.0f}" if unit == "B" else f"{n:.1f}"
        if abs(float(shown)) < 1000 or unit == "TB":
            return f"{shown} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds + 0.5)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
