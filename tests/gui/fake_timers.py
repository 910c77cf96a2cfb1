"""Fake time for throttled GUI code (qutebrowser's FakeTimer idea): timers that fire only when a
test says so, and a clock that moves only when a test advances it. No test waits for the clock."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject


class FakeTimer:
    """Stands in for a ``QTimer`` made by :func:`gui.threads.make_timer`: :meth:`fire` is its
    ``timeout``; nothing fires by itself."""

    def __init__(
        self,
        parent: QObject,
        interval_ms: int,
        slot: Callable[[], None],
        *,
        single_shot: bool = False,
    ) -> None:
        self.owner, self.interval_ms, self.slot = parent, interval_ms, slot
        self.single_shot = single_shot
        self.active = False
        self.fired = 0

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def isActive(self) -> bool:  # QTimer's name
        return self.active

    def fire(self) -> None:
        """Time out now, as the running timer would."""
        assert self.active, "a stopped timer does not fire"
        if self.single_shot:
            self.active = False
        self.fired += 1
        self.slot()


class FakeTimers:
    """A :class:`gui.threads.TimerFactory` that makes :class:`FakeTimer` objects and keeps them."""

    def __init__(self) -> None:
        self.made: list[FakeTimer] = []

    def __call__(
        self,
        parent: QObject,
        interval_ms: int,
        slot: Callable[[], None],
        *,
        single_shot: bool = False,
    ) -> FakeTimer:
        timer = FakeTimer(parent, interval_ms, slot, single_shot=single_shot)
        self.made.append(timer)
        return timer

    def of(self, owner: QObject, interval_ms: int | None = None) -> FakeTimer:
        """The one timer made for ``owner`` (with that interval, if given)."""
        (timer,) = [
            t for t in self.made if t.owner is owner and interval_ms in (None, t.interval_ms)
        ]
        return timer


class FakeClock:
    """A monotonic clock for ``clock=`` parameters: it moves only by :meth:`advance`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
