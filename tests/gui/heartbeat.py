"""A heartbeat timer measuring the longest stall of the GUI event loop.

Used by the tests and the benchmark to prove that the window stays responsive: a 5 ms timer
that records the longest gap between its ticks while it runs.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class Heartbeat:
    """Context manager: a 5 ms timer records the longest gap between its ticks.

    ``keep_above`` (seconds): also keep every gap longer than that as ``(start, end)`` in
    ``gaps`` (``time.perf_counter`` times), so that :meth:`longest_between` can tell the longest
    stall of one part of a job (its start, its end) from the others.
    """

    def __init__(
        self, parent: QObject, interval_ms: int = 5, keep_above: float | None = None
    ) -> None:
        self.timer = QTimer(parent)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._beat)
        self.max_gap = 0.0
        self.beats = 0
        self.keep_above = keep_above
        self.gaps: list[tuple[float, float]] = []
        self._last = 0.0
        self.stopped_at = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        self.max_gap = max(self.max_gap, gap)
        if self.keep_above is not None and gap > self.keep_above:
            self.gaps.append((self._last, now))
        self._last = now
        self.beats += 1

    def longest_between(self, start: float, end: float) -> float:
        """The longest kept gap that overlaps ``[start, end]`` (0 if none was kept); a gap
        still open when the heartbeat stopped counts up to then."""
        gaps = [*self.gaps, (self._last, self.stopped_at)] if self.stopped_at else self.gaps
        return max((b - a for a, b in gaps if a <= end and b >= start), default=0.0)

    def __enter__(self) -> Heartbeat:
        self._last = time.perf_counter()
        self.stopped_at = 0.0
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
        self.stopped_at = time.perf_counter()
