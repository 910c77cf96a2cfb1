"""A heartbeat timer measuring the longest stall of the GUI event loop.

Used by the tests and the benchmark to prove that the window stays responsive: a 5 ms timer
that records the longest gap between its ticks while it runs.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class Heartbeat:
    """Context manager: a 5 ms timer records the longest gap between its ticks."""

    def __init__(self, parent: QObject, interval_ms: int = 5) -> None:
        self.timer = QTimer(parent)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._beat)
        self.max_gap = 0.0
        self.beats = 0
        self._last = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self._last)
        self._last = now
        self.beats += 1

    def __enter__(self) -> Heartbeat:
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
