"""Options panels, found from the operations: there is no registry of panels.

The operations are :func:`core.operations.names` (core's registry). The panel of operation
``NAME`` is the class ``PANEL`` in the module ``gui.panels.NAME_panel``, or for a plugin the
class its package declares under the ``parabatch.panels`` entry points, else a form generated
from its options dataclass (:mod:`gui.panels.generated`, plugins only); a built-in operation
without a panel module is not offered in the window (logged at debug level). Adding an
operation's panel is adding that module.
"""

from __future__ import annotations

import importlib
import logging

from core import operations, plugins
from gui.panels.base import OperationPanel

log = logging.getLogger(__name__)


def panel_module(name: str) -> str:
    """The module that holds the panel of operation ``name``."""
    return f"{__name__}.{name}_panel"


def load_panel(name: str) -> type[OperationPanel] | None:
    """The panel of operation ``name``, or None if it has none.

    A panel module that is present but broken (an import error inside it, no ``PANEL``, a
    ``PANEL`` for another operation) is logged and left out too, so the app still starts; the
    test suite loads every present panel strictly.
    """
    module_name, attr = panel_module(name), "PANEL"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:
            log.exception("the panel of %r could not be imported", name)
            return None
        target = plugins.panel_target(name)  # a plugin's own panel
        if target is None and name in plugins.usable(operations.REGISTRY):
            return _generated(name)
        if target is None:
            log.debug("operation %r has no panel (no module %s): not offered", name, module_name)
            return None
        module_name, _, attr = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception:
            log.exception("the panel of plugin operation %r could not be imported", name)
            return None
    except Exception:
        log.exception("the panel of %r could not be imported", name)
        return None
    cls = getattr(module, attr, None)
    if not (isinstance(cls, type) and issubclass(cls, OperationPanel)):
        log.error("%s has no PANEL (an OperationPanel subclass): %r not offered", module_name, name)
        return None
    if cls.operation != name:
        log.error("%s.PANEL is for %r, not %r: not offered", module_name, cls.operation, name)
        return None
    return cls


def _generated(name: str) -> type[OperationPanel] | None:
    """A form generated from the options of plugin operation ``name`` (it declares no panel)."""
    from gui.panels.generated import panel_for

    try:
        return panel_for(name)
    except Exception:
        log.exception("no form could be generated for plugin operation %r: not offered", name)
        return None


def available_panels() -> list[tuple[str, type[OperationPanel]]]:
    """``(operation name, panel class)`` for every operation that has a panel, in the order of
    :func:`core.operations.names`."""
    out = []
    for name in operations.names():
        cls = load_panel(name)
        if cls is not None:
            out.append((name, cls))
    return out


__all__ = ["OperationPanel", "available_panels", "load_panel", "panel_module"]
