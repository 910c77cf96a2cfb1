"""Smoke-test and time a built Parabatch (Linux): ``python packaging/smoke.py [EXECUTABLE]``.

1. ``--self-test`` with ``QT_QPA_PLATFORM=offscreen``: exit status and the one-line result.
2. The window, offscreen, with ``--quit-after 2``: exit status, and no process of the app's
   session (workers, resource tracker) left once it exited.
3. Launch-to-window time under Xvfb (when ``Xvfb`` and ``xev`` exist): ``xev`` watches the root
   window for the first ``MapNotify`` (the main window being shown); the median of ``--runs``
   launches after an untimed one.

Used by ``tests/packaging/test_frozen_app.py`` and to measure a build by hand:

    python packaging/smoke.py                               # dist/Parabatch/Parabatch
    python packaging/smoke.py --runs 5 -- .venv/bin/python -m gui   # the source tree, to compare
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXE = ROOT / "dist" / "Parabatch" / "Parabatch"


def session_processes(sid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes whose session id is ``sid``, as (pid, command line)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            state, session = fields[0], int(fields[3])
            if session != sid or state == "Z":
                continue
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
        found.append((int(name), cmd))
    return found


def wait_for_no_session(sid: int, timeout: float) -> list[tuple[int, str]]:
    """Poll until no process of session ``sid`` is left (or ``timeout``); what is left."""
    deadline = time.monotonic() + timeout
    left = session_processes(sid)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = session_processes(sid)
    return left


def app_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def self_test(cmd: Sequence[str], timeout: float = 240) -> tuple[int, str, float]:
    """Run ``cmd --self-test`` offscreen: (exit status, output, seconds)."""
    started = time.monotonic()
    proc = subprocess.run(
        [*cmd, "--self-test"],
        env=app_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )
    return proc.returncode, (proc.stdout + proc.stderr).strip(), time.monotonic() - started


def window_run(
    cmd: Sequence[str], quit_after: float = 2.0, timeout: float = 60, **env: str
) -> tuple[int, list[tuple[int, str]], str]:
    """Open the window (offscreen unless ``env`` says otherwise) and let it quit by itself.

    Returns (exit status, processes of its session still alive 5 s after it exited, stderr).
    """
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.Popen(
        [*cmd, "--quit-after", str(quit_after)],
        env=app_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the app leads a session: its children are easy to find
    )
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return proc.returncode, wait_for_no_session(proc.pid, 5.0), err


class Xvfb:
    """A private X server on a free display, ended when the block exits."""

    def __init__(self) -> None:
        self.display = ""
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Xvfb:
        for number in range(90, 200):
            if os.path.exists(f"/tmp/.X11-unix/X{number}") or os.path.exists(
                f"/tmp/.X{number}-lock"
            ):
                continue
            self.proc = subprocess.Popen(
                ["Xvfb", f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                if os.path.exists(f"/tmp/.X11-unix/X{number}"):
                    self.display = f":{number}"
                    return self
                time.sleep(0.02)
            self.__exit__()
        raise RuntimeError("could not start Xvfb")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def time_to_window(cmd: Sequence[str], display: str, runs: int, timeout: float = 60) -> list[float]:
    """Seconds from launching ``cmd`` to its first window being mapped on ``display``, per run.

    ``xev`` prints nothing until an event arrives, so an untimed first launch (which also warms
    the disk cache) proves it is listening before the timed ones.
    """
    env = app_env(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    xev = subprocess.Popen(
        ["xev", "-display", display, "-root", "-event", "substructure"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert xev.stdout is not None
    fd = xev.stdout.fileno()  # read with os.read: a buffered readline would hide data from select

    def launch() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*cmd, "--quit-after", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def drain() -> None:
        while select.select([fd], [], [], 0.2)[0] and os.read(fd, 65536):
            pass

    times: list[float] = []
    try:
        launch().wait(timeout)
        drain()
        for _ in range(runs):
            started = time.monotonic()
            app = launch()
            shown, seen = None, b"\n"
            while shown is None and time.monotonic() < started + timeout:
                if select.select([fd], [], [], 0.5)[0]:
                    seen += os.read(fd, 65536)
                    if b"\nMapNotify" in seen:
                        shown = time.monotonic() - started
            app.wait(timeout)
            drain()
            if shown is None:
                raise RuntimeError(f"no window was shown within {timeout:g} s")
            times.append(shown)
    finally:
        xev.terminate()
        xev.wait(10)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="*", help=f"the app to run (default: {DEFAULT_EXE})")
    parser.add_argument("--runs", type=int, default=3, help="launches to time (default: 3)")
    args = parser.parse_args(argv)
    cmd = args.command or [str(DEFAULT_EXE)]

    status, output, seconds = self_test(cmd)
    print(f"self-test: exit {status} in {seconds:.2f} s: {output}")
    code, left, err = window_run(cmd)
    print(f"window (offscreen, --quit-after 2): exit {code}, processes left: {left or 'none'}")
    if err.strip():
        print(f"  stderr: {err.strip()}")
    failed = status != 0 or code != 0 or bool(left)
    if args.runs > 0 and shutil.which("Xvfb") and shutil.which("xev"):
        with Xvfb() as x:
            times = time_to_window(cmd, x.display, args.runs)
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"launch to window (Xvfb, xcb): median {statistics.median(times):.2f} s ({shown})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
