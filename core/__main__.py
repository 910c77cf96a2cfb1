"""``python -m core`` and the ``parabatch-cli`` script: the headless command line.

Kept tiny on purpose: a spawned worker re-imports the script that started the program (as
``__mp_main__``), and with it this module. The command line itself is imported only when it runs,
so workers do not pay for argparse, discovery and the engine at every start.
"""

from __future__ import annotations

import sys


def main() -> int:
    from core.cli import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
