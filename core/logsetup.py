"""Standard streams and the log file, for processes that may have no console.

A windowed app on Windows (the frozen ``Parabatch.exe``, or ``pythonw``) starts with
``sys.stdout``, ``sys.stderr`` and ``sys.stdin`` set to ``None``: the first ``print`` or warning
then raises. :func:`ensure_std_streams` points missing streams at ``os.devnull``; call it first
in the app's entry point and in the worker initializer. :func:`configure_logging` sends log
records to a rotating file under the user's log folder, where a windowed app's errors can still
be found.

Kept light and Qt-free, because worker processes import this module: ``logging`` and
``platformdirs`` are imported only when logging is configured.
"""

from __future__ import annotations

import os
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING

from core import APP_NAME

if TYPE_CHECKING:
    import logging
    from pathlib import Path  # imported where used: workers import this module, not pathlib

LOG_FILE = "parabatch.log"
LOG_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"
INFO = 20  # logging.INFO, without importing logging here
MAX_BYTES = 1024 * 1024
BACKUPS = 3

_lock = threading.Lock()
_handlers: list[logging.Handler] = []


def ensure_std_streams() -> None:
    """Point ``sys.stdin``/``stdout``/``stderr`` that are ``None`` at ``os.devnull``.

    Streams that exist are left alone, so calling this twice, or in a console, is harmless.
    """
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name, None) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115


def log_dir() -> Path:
    """The per-user log folder, e.g. ``~/.local/state/Parabatch/log`` on Linux,
    ``%LOCALAPPDATA%\\Parabatch\\Logs`` on Windows, ``~/Library/Logs/Parabatch`` on macOS."""
    from pathlib import Path

    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def configure_logging(
    level: int = INFO,
    *,
    directory: Path | None = None,
    console: bool = False,
    excepthook: bool = True,
) -> Path | None:
    """Log to ``parabatch.log`` (rotating, 1 MiB x 3) in ``directory`` or :func:`log_dir`.

    Args:
        level: the root logger's level.
        directory: where the log file goes; the user's log folder if ``None``.
        console: also log to ``sys.stderr``.
        excepthook: log uncaught exceptions (then call the previous hook), so that a windowed
            app's crash leaves a trace in the file.

    Returns:
        The log file's path, or ``None`` if the folder could not be created or opened; then
        records go to ``sys.stderr`` instead. Calling it again returns the same file and does
        not add a second handler.
    """
    import logging
    import logging.handlers
    from pathlib import Path

    global _handlers
    ensure_std_streams()
    with _lock:
        root = logging.getLogger()
        root.setLevel(level)
        if _handlers:
            first = _handlers[0]
            return Path(first.baseFilename) if isinstance(first, logging.FileHandler) else None
        target = (directory if directory is not None else log_dir()) / LOG_FILE
        path: Path | None = target
        handler: logging.Handler
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
            )
        except OSError:
            path, handler, console = None, logging.StreamHandler(sys.stderr), False
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        _handlers = [handler]
        if console:
            stream = logging.StreamHandler(sys.stderr)
            stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            _handlers.append(stream)
        for h in _handlers:
            root.addHandler(h)
        logging.captureWarnings(True)
        if excepthook:
            _install_excepthook()
    logging.getLogger(__name__).info("%s log started (pid %d)", APP_NAME, os.getpid())
    return path


def reset_logging() -> None:
    """Remove and close the handlers :func:`configure_logging` added (for tests)."""
    import logging

    global _handlers
    with _lock:
        root = logging.getLogger()
        for h in _handlers:
            root.removeHandler(h)
            h.close()
        _handlers = []
        logging.captureWarnings(False)


def _install_excepthook() -> None:
    previous = sys.excepthook
    if getattr(previous, "_parabatch_logs", False):
        return

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        import logging

        if not issubclass(kind, KeyboardInterrupt):
            logging.getLogger(APP_NAME).critical("uncaught exception", exc_info=(kind, value, tb))
        previous(kind, value, tb)

    hook._parabatch_logs = True  # type: ignore[attr-defined]
    sys.excepthook = hook
