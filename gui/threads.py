"""Worker threads and timers the GUI creates, wired one way and tracked.

Every ``QThread`` and ``QTimer`` made by ``gui`` goes through :func:`start_worker` or
:func:`make_timer`, so the test suite can fail a test that leaves one running. The wiring is the
canonical one: a parentless worker ``QObject`` moved to a ``QThread``, ``started -> run``, and the
worker's ``done`` signal quitting the thread through a direct connection (``QThread.quit`` is
thread-safe; a queued one would need the very event loop a waiting GUI thread blocks). Objects
with throttled work take a :class:`TimerFactory` (default :func:`make_timer`), so tests can drive
them with fake timers instead of waiting for the clock.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

log = logging.getLogger(__name__)

_threads: weakref.WeakSet[QThread] = weakref.WeakSet()
_timers: weakref.WeakSet[QTimer] = weakref.WeakSet()


class ThreadWorker(QObject):
    """Base of objects whose ``run`` slot does one long piece of work on a thread.

    Signals:
        done: emitted from the worker thread when ``run`` has returned (always, even on error).
    """

    done = Signal()

    def __init__(self) -> None:
        super().__init__(None)  # parentless: it is moved to its thread

    @Slot()
    def run(self) -> None:
        """Do the work, then quit the thread.

        The object is not moved back to the GUI thread: ``moveToThread`` from here locks the
        GUI thread's event queue while this thread holds the GIL, and a GUI thread that holds a
        Qt lock and waits for the GIL (a Qt object calling a Python override) deadlocks with it.
        Its owner drops it after :func:`retire_thread`, when its thread has ended and it can
        receive no event, which makes deleting it from the GUI thread safe.
        """
        try:
            self.work()
        except Exception:
            log.exception("%s failed", type(self).__name__)
        finally:
            self.done.emit()

    def work(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


def start_worker(worker: ThreadWorker, name: str, on_finished: Callable[[], None]) -> QThread:
    """Move ``worker`` to a new thread and start it; ``on_finished`` runs in the GUI thread once
    the thread has finished. Keep both referenced until then, and call :func:`retire_thread`.

    ``on_finished`` is connected before the thread starts: a small scan can end before the line
    after ``start()`` runs, and a ``finished`` signal emitted with no receiver is lost for good.
    """
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.finished.connect(on_finished)
    _threads.add(thread)
    thread.start()
    return thread


def retire_thread(thread: QThread) -> None:
    """After ``finished`` was delivered: wait the last microseconds until the thread has truly
    ended, so that dropping the Python reference never destroys a running QThread."""
    if shiboken6.isValid(thread):
        thread.wait()


class Timer(Protocol):
    """What the GUI's throttled code uses of a ``QTimer`` (tests pass a fake that they fire)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def isActive(self) -> bool: ...


class TimerFactory(Protocol):
    """Makes the timers of an object: :func:`make_timer`, or a test's fake timers."""

    def __call__(
        self,
        parent: QObject,
        interval_ms: int,
        slot: Callable[[], None],
        *,
        single_shot: bool = False,
    ) -> Timer: ...


def make_timer(
    parent: QObject, interval_ms: int, slot: Callable[[], None], *, single_shot: bool = False
) -> QTimer:
    """A tracked timer owned by ``parent`` (not started); the default :class:`TimerFactory`."""
    timer = QTimer(parent)
    timer.setInterval(interval_ms)
    timer.setSingleShot(single_shot)
    timer.timeout.connect(slot)
    _timers.add(timer)
    return timer


def running_threads() -> list[QThread]:
    """Threads made here that have not finished (for tests)."""
    return [t for t in list(_threads) if shiboken6.isValid(t) and t.isRunning()]


def active_timers() -> list[QTimer]:
    """Timers made here that are still active (for tests)."""
    return [t for t in list(_timers) if shiboken6.isValid(t) and t.isActive()]
