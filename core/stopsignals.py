"""Stop signals of the command line: Ctrl-C (SIGINT), ``kill`` (SIGTERM), the terminal closing
(SIGHUP).

Outside a :func:`held` region a stop signal raises ``KeyboardInterrupt`` in the main thread, as
Ctrl-C always does, so a long scan or plan stops at once. Inside one it is only recorded:
:func:`pending` says so, and the code in the region acts on it at a point of its choosing (a job
loop cancels its job), so no result is half taken in and no output is cut off mid-line.

Why not ``pthread_sigmask``: Python runs every signal handler in the main thread, but the C-level
signal can land on any thread that does not block it (the engine has several), and the handler
then runs in the main thread anyway. Masking the main thread alone does not hold a signal back;
a flag does.

Imports nothing but :mod:`signal`, so ``core.__main__`` installs it before anything else loads:
a signal in the first tens of milliseconds (while the command line is imported) then ends the
program with its interrupted exit code, not with the signal's default death.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

_depth = 0  # nesting of held() regions; only the main thread changes it
_pending: int | None = None  # the signal that came while held


def _handler(signum: int, frame: Any) -> None:
    global _pending
    if _depth:
        _pending = signum
        return
    raise KeyboardInterrupt


def install() -> None:
    """Route the stop signals through this module (call from the main thread)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _handler)


def ignore_from_now() -> None:
    """The program is ending (its results are out, its exit code decided): stop signals are
    ignored from now on. Python restores the default handlers while it shuts down, so one that
    came then would otherwise end it with the signal's death instead of the exit code; an ignored
    signal is left ignored."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def pending() -> bool:
    """Whether a stop signal came during the current held region."""
    return _pending is not None


@contextlib.contextmanager
def held(*, reraise: bool = True) -> Iterator[None]:
    """Record stop signals instead of raising them. On leaving the outermost region, a signal
    that came meanwhile raises ``KeyboardInterrupt`` there (``reraise``), or is dropped because
    the region acted on it already (``reraise=False``)."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            came, _pending = _pending, None
            if came is not None and reraise:
                raise KeyboardInterrupt
