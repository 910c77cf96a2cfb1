"""Entry point of the desktop app: ``parabatch [PATH...]`` and ``python -m gui``.

``multiprocessing.freeze_support()`` comes first (a frozen app would otherwise re-launch itself
in every worker), then the command line; ``--self-test`` runs before any Qt object exists.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence

from core import APP_ID, APP_NAME, __version__


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options; unknown ones (Qt's own, like ``-platform``) are returned for Qt."""
    parser = argparse.ArgumentParser(
        prog="parabatch", description="Process batches of files in parallel."
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to add")
    parser.add_argument(
        "--self-test", action="store_true", help="run a small parallel job and exit"
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    return parser.parse_known_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the process exit code."""
    multiprocessing.freeze_support()
    from core.logsetup import configure_logging, ensure_std_streams

    ensure_std_streams()  # a windowed app on Windows has no stdout/stderr
    raw = sys.argv[1:] if argv is None else list(argv)
    args, qt_args = parse_args(raw)
    if args.self_test:
        from core import selftest

        return int(selftest.main(raw))
    configure_logging()
    return run_window(args, qt_args)


def run_window(args: argparse.Namespace, qt_args: list[str]) -> int:
    import os

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.resources import ICON, resource_path
    from gui.settings import ORGANIZATION

    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    icon_file = resource_path(ICON)
    if icon_file is not None:
        app.setWindowIcon(QIcon(str(icon_file)))
    window = MainWindow()
    app.aboutToQuit.connect(window.shutdown)  # e.g. the session ends: no orphan workers
    window.show()
    if args.paths:
        window.add_paths([os.path.abspath(p) for p in args.paths])
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    return int(app.exec())
