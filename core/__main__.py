"""``python -m core`` and the ``parabatch-cli`` script: the headless command line.

Kept tiny on purpose: a spawned worker re-imports the script that started the program (as
``__mp_main__``), and with it this module. The command line itself is imported only when it runs,
so workers do not pay for argparse, discovery and the engine at every start.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    """Run the command line and end the program with its exit code (see :func:`leave`)."""
    leave(_run())
    return 0  # not reached


def _run() -> int:
    # First of all, before the command line is imported: a stop signal from now on ends the
    # program with its interrupted exit code (130), not with the signal's default death.
    from core import stopsignals

    stopsignals.install()
    try:
        from core.cli import main as run

        # Once its results are out, run() ignores stop signals (see ignore_from_now).
        return run(exiting=True)
    except KeyboardInterrupt:  # while the command line was imported, or before run() began
        stopsignals.ignore_from_now()
        sys.stderr.write("parabatch-cli: interrupted before any file was processed\n")
        return 130


def leave(code: int) -> None:
    """End the program now that the command line is done: what a normal exit does that can
    matter (other threads finished, ``atexit`` handlers such as logging's flush and
    multiprocessing's clean-up run, standard streams flushed), without the interpreter's
    teardown, which frees every object one by one: 20 to 30 ms after a 20,000-file job, for
    memory the system takes back at once anyway."""
    import atexit
    import threading

    current = threading.current_thread()
    for t in threading.enumerate():
        if t is not current and not t.daemon:
            t.join()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # not CPython: exit the usual way
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream was closed
            if code == 0 and stream is sys.stdout:
                code = 120  # what Python exits with when stdout cannot be flushed at exit
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
