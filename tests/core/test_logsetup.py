"""Standard streams for windowed processes, and the log file."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import logsetup

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    level = logging.getLogger().level
    yield
    logsetup.reset_logging()
    logging.getLogger().setLevel(level)


def test_missing_std_streams_point_at_devnull(tmp_path: Path) -> None:
    """A process started with its standard descriptors closed (as a windowed app on Windows)
    has ``sys.stdout`` etc. set to None; after the call, printing works."""
    report = tmp_path / "report.txt"
    code = (
        "import sys\n"
        "from core.logsetup import ensure_std_streams\n"
        "before = [s is None for s in (sys.stdin, sys.stdout, sys.stderr)]\n"
        "ensure_std_streams()\n"
        "print('into the void')\n"
        "sys.stderr.write('here too\\n')\n"
        "sys.stdin.read()\n"
        f"open({str(report)!r}, 'w').write(repr(before))\n"
    )
    subprocess.run(
        ["sh", "-c", 'exec "$0" -c "$1" <&- >&- 2>&-', sys.executable, code],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert report.read_text() == "[True, True, True]"


def test_existing_streams_are_left_alone() -> None:
    out, err = sys.stdout, sys.stderr
    logsetup.ensure_std_streams()
    assert sys.stdout is out and sys.stderr is err


def test_log_file_is_written_once_configured(tmp_path: Path, clean_logging: None) -> None:
    path = logsetup.configure_logging(directory=tmp_path)
    assert path == tmp_path / logsetup.LOG_FILE
    logging.getLogger("parabatch.test").warning("something to find later")
    again = logsetup.configure_logging(directory=tmp_path / "elsewhere")
    assert again == path  # configured once; no second handler
    logsetup.reset_logging()
    text = path.read_text(encoding="utf-8")
    assert "something to find later" in text
    assert text.count("something to find later") == 1
    assert "log started" in text


def test_uncaught_exceptions_are_logged(tmp_path: Path, clean_logging: None) -> None:
    seen: list[type[BaseException]] = []
    sys.excepthook = lambda kind, value, tb: seen.append(kind)
    path = logsetup.configure_logging(directory=tmp_path)
    assert path is not None
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as e:
        sys.excepthook(type(e), e, e.__traceback__)
    logsetup.reset_logging()
    assert seen == [RuntimeError]  # the previous hook still runs
    text = path.read_text(encoding="utf-8")
    assert "uncaught exception" in text
    assert "RuntimeError: boom in a slot" in text


def test_unusable_log_folder_falls_back_to_stderr(tmp_path: Path, clean_logging: None) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    assert logsetup.configure_logging(directory=blocker / "logs") is None


def test_log_dir_is_per_user_and_named_for_the_app() -> None:
    assert "Parabatch" in str(logsetup.log_dir())


def test_import_stays_light_for_workers() -> None:
    """Workers may import this module for ``ensure_std_streams``: no logging, no platformdirs."""
    code = (
        "import sys, core.logsetup\n"
        "heavy = [m for m in ('logging', 'platformdirs') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
