"""Entry point of the desktop app: ``parabatch [PATH...]`` and ``python -m gui``.

``multiprocessing.freeze_support()`` comes first (a frozen app would otherwise re-launch itself
in every worker), then the command line; ``--self-test`` and ``--install-desktop-entry`` /
``--uninstall-desktop-entry`` (gui/desktop_entry.py) run before any QApplication exists (the
self-test first checks that the window's translation catalogues load: gui/i18n.py).
Its ``--help`` is translated by gettext like ``parabatch-cli``'s (core.i18n; the catalogue's
strings are extracted from core/ and this file by resources/build_catalogue.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence

from core import APP_ID, APP_NAME, __version__
from core.help_format import HelpFormatter
from core.i18n import _


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options; unknown ones (Qt's own, like ``-platform``) are returned for Qt. The help
    is in the language of core's gettext catalogue in use (:func:`main` sets it first)."""
    parser = argparse.ArgumentParser(
        prog="parabatch",
        description=_("Process batches of files in parallel."),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help=_("files or folders to add"))
    parser.add_argument(
        "--self-test", action="store_true", help=_("run a small parallel job and exit")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{APP_NAME} {__version__}",
        help=_("show the program's version and exit"),
    )
    entry = parser.add_mutually_exclusive_group()
    entry.add_argument(
        "--install-desktop-entry",
        action="store_const",
        const="install",
        dest="desktop_entry",
        help=_("add Parabatch to the applications menu and Open with (for this user) and exit"),
    )
    entry.add_argument(
        "--uninstall-desktop-entry",
        action="store_const",
        const="uninstall",
        dest="desktop_entry",
        help=_("remove what --install-desktop-entry installed and exit"),
    )
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    return parser.parse_known_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the process exit code."""
    multiprocessing.freeze_support()
    from core.i18n import use_language
    from core.logsetup import configure_logging, ensure_std_streams

    # --help and usage errors follow the locale variables, as parabatch-cli's do (the window's
    # own language setting is read later, once Qt is up: run_window).
    use_language(None)

    ensure_std_streams()  # a windowed app on Windows has no stdout/stderr
    raw = sys.argv[1:] if argv is None else list(argv)
    args, qt_args = parse_args(raw)
    if args.self_test:
        from core import selftest
        from gui.i18n import catalogue_problem

        problem = catalogue_problem()  # the window's translations ship with it (no QApplication)
        if problem is not None:
            print(f"{APP_NAME} self-test FAILED: {problem}", flush=True)
            return 1
        return int(selftest.main(raw))
    if args.desktop_entry:  # no Qt: works without a display
        from gui import desktop_entry

        return desktop_entry.main(args.desktop_entry)
    configure_logging()
    return run_window(args, qt_args)


def run_window(args: argparse.Namespace, qt_args: list[str]) -> int:
    import os

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from gui import i18n
    from gui.main_window import MainWindow
    from gui.resources import ICON, resource_path
    from gui.settings import ORGANIZATION, open_settings

    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    i18n.use_settings(open_settings())  # before any widget: the language of every text
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
