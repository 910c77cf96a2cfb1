"""Registry of options panels: one line per operation, ``name -> "module:Class"``.

Adding an operation's panel is one line in :data:`PANELS`. Panels are imported when the window
is built; a panel whose module (or whose core operation) is not installed is left out, so the
operation simply does not appear.
"""

from __future__ import annotations

import importlib
import logging

from gui.panels.base import OperationPanel

log = logging.getLogger(__name__)

PANELS: dict[str, str] = {
    "checksum": "gui.panels.checksum_panel:ChecksumPanel",
    "verify": "gui.panels.verify_panel:VerifyPanel",
    "image": "gui.panels.image_panel:ImagePanel",
}


def load_panel(name: str) -> type[OperationPanel] | None:
    """The panel class registered as ``name``, or None if its module or operation is missing.

    A panel that is present but broken is logged and left out too (the app still starts); the
    test suite imports every present panel strictly.
    """
    module_name, _, cls_name = PANELS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        expected = {module_name, f"core.operations.{name}"}
        if e.name in expected or (e.name or "").startswith("gui.panels."):
            log.info("operation %r not available: %s", name, e)
        else:
            log.exception("panel %r could not be imported", name)
        return None
    except Exception:
        log.exception("panel %r could not be imported", name)
        return None
    cls: type[OperationPanel] = getattr(module, cls_name)
    return cls


def available_panels() -> list[tuple[str, type[OperationPanel]]]:
    """``(operation name, panel class)`` for every registered panel that can be loaded."""
    out = []
    for name in PANELS:
        cls = load_panel(name)
        if cls is not None:
            out.append((name, cls))
    return out


__all__ = ["PANELS", "OperationPanel", "available_panels", "load_panel"]
