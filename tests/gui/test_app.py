"""The entry point: command line, self-test before Qt, opening with paths, --quit-after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui.app import parse_args
from gui.resources import ICON, resource_path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["PARABATCH_SETTINGS"] = str(tmp_path / "settings.ini")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # the log file
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_parse_args_keeps_qt_options() -> None:
    args, rest = parse_args(["a", "b", "-platform", "offscreen", "--quit-after", "2"])
    assert args.paths == ["a", "b"] and args.quit_after == 2.0 and not args.self_test
    assert rest == ["-platform", "offscreen"]  # Qt gets its option with its value


def test_icon_is_found() -> None:
    path = resource_path(ICON)
    assert path is not None and path.name == "parabatch.svg"


def test_self_test_runs_before_any_qt(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from gui.app import main\n"
        "if __name__ == '__main__':\n"
        "    rc = main(['--self-test'])\n"
        "    assert not any(m.startswith('PySide6.QtWidgets') for m in sys.modules), 'Qt loaded'\n"
        "    sys.exit(rc)\n"
    )
    script = tmp_path / "selftest_entry.py"
    script.write_text(code)
    proc = run([str(script)], tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self-test" in proc.stdout


def test_window_opens_with_paths_and_quits_on_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    proc = run(["-m", "gui", "--quit-after", "1.5", str(folder)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    (log,) = (tmp_path / "state").rglob("parabatch.log")
    assert "Added: 1 new files, 1 listed" in log.read_text()
