"""Finding bundled resources (icons) in a source checkout, an installed package or a frozen app.

PyInstaller unpacks data next to the executable and records where in ``sys._MEIPASS``; in a
checkout, ``resources/`` sits beside the ``gui`` package; an installed wheel carries the window
icon as package data in ``gui/icons/`` (a copy of ``resources/icons/parabatch.svg``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ICON = "resources/icons/parabatch.svg"
PACKAGE_DATA = Path(__file__).resolve().parent / "icons"  # what a wheel installs


def resource_path(rel: str) -> Path | None:
    """The first existing file for the relative path ``rel``, or None."""
    roots = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen))
    here = Path(__file__).resolve().parent
    roots += [here.parent, here]
    candidates = [root / rel for root in roots] + [PACKAGE_DATA / Path(rel).name]
    return next((c for c in candidates if c.is_file()), None)
