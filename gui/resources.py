"""Finding bundled resources (icons) in a source checkout, an installed package or a frozen app.

PyInstaller unpacks data next to the executable and records where in ``sys._MEIPASS``; in a
checkout, ``resources/`` sits beside the ``gui`` package; an installed wheel carries copies as
package data: the icons in ``gui/icons/``, the desktop entry and AppStream metadata in
``gui/xdg/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICON = "resources/icons/parabatch.svg"
PACKAGE_DATA = Path(__file__).resolve().parent / "icons"  # what a wheel installs
PACKAGE_XDG = Path(__file__).resolve().parent / "xdg"


def resource_path(rel: str) -> Path | None:
    """The first existing file for the relative path ``rel``, or None."""
    roots = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen))
    here = Path(__file__).resolve().parent
    roots += [here.parent, here]
    candidates = [root / rel for root in roots]
    candidates += [folder / Path(rel).name for folder in (PACKAGE_DATA, PACKAGE_XDG)]
    return next((c for c in candidates if c.is_file()), None)
