"""``python -m core`` and the ``parabatch-cli`` script: the headless command line.

Kept tiny on purpose: a spawned worker re-imports the script that started the program (as
``__mp_main__``), and with it this module. The command line itself is imported only when it runs,
so workers do not pay for argparse, discovery and the engine at every start.
"""

from __future__ import annotations

import sys


def main() -> int:
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


if __name__ == "__main__":
    sys.exit(main())
