"""Finding bundled resources (icons) in a source checkout, an installed package or a frozen app.

PyInstaller unpacks data next to the executable and records where in ``sys._MEIPASS``; in a
checkout, ``resources/`` sits beside the ``gui`` package.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICON = "resources/icons/parabatch.svg"


def resource_path(rel: str) -> Path | None:
    """The first existing file for the relative path ``rel``, or None."""
    roots = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen))
    here = Path(__file__).resolve().parent
    roots += [here.parent, here]
    for root in roots:
        candidate = root / rel
        if candidate.is_file():
            return candidate
    return None
