"""Operation plugins: installed packages that declare entry points in the group
``parabatch.operations`` (``NAME = "package.module:OperationClass"``), and optionally a panel
in ``parabatch.panels`` (``NAME = "package.module:PanelClass"``). See docs/plugins.md.

Two views, so that a worker process pays for no more than it runs:

- :func:`declared`: name -> target of every declared operation, read from the installed
  packages' metadata without importing any plugin (what a worker needs to find its operation).
- :func:`plugins`: every declared operation loaded and checked once (in the app and the command
  line): it must import, be an :class:`core.operations.base.Operation` subclass whose ``name``
  is its entry point's, construct, have options that construct with their defaults, pickle,
  and have a canonical form, and not take a built-in's name. One that fails any of it is
  listed with its error and left out; the app and every other operation keep working.

``PARABATCH_NO_PLUGINS=1`` turns plugins off (a broken installation can still be used).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import Any

GROUP = "parabatch.operations"
PANEL_GROUP = "parabatch.panels"


class PluginInfo:
    """One declared operation plugin: where it comes from, and ``error`` if it is unusable."""

    __slots__ = ("name", "target", "distribution", "version", "location", "title", "error")

    def __init__(
        self,
        name: str,
        target: str,
        distribution: str,
        version: str,
        location: str,
        title: str = "",
        error: str | None = None,
    ) -> None:
        self.name = name
        self.target = target
        self.distribution = distribution
        self.version = version
        self.location = location
        self.title = title
        self.error = error

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.target!r}, error={self.error!r})"


def enabled() -> bool:
    return os.environ.get("PARABATCH_NO_PLUGINS", "") in ("", "0")


def _entry_points(group: str) -> list[Any]:
    if not enabled():
        return []
    from importlib.metadata import entry_points

    seen: dict[str, Any] = {}
    for ep in entry_points(group=group):
        seen.setdefault(ep.name, ep)  # the first on sys.path wins, as for imports
    return list(seen.values())


_declared: dict[str, str] | None = None
_plugins: list[PluginInfo] | None = None


def declared() -> dict[str, str]:
    """name -> ``"module:Class"`` of every declared operation plugin (nothing is imported)."""
    global _declared
    if _declared is None:
        _declared = {ep.name: ep.value for ep in _entry_points(GROUP)}
    return _declared


def panel_target(name: str) -> str | None:
    """The ``"module:Class"`` of the panel a plugin declares for operation ``name``, if any."""
    for ep in _entry_points(PANEL_GROUP):
        if ep.name == name:
            return str(ep.value)
    return None


def _where(ep: Any) -> tuple[str, str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "?", "?", "?"
    location = ""
    try:
        location = str(dist.locate_file(""))
    except Exception:  # a distribution of an exotic finder: only the name and version
        location = "?"
    return str(dist.metadata["Name"] or "?"), str(dist.version or "?"), location


def check(name: str, target: str, builtin: Collection[str]) -> tuple[str, str | None]:
    """(title, error or None) of the plugin ``name`` at ``target``: loads and checks it."""
    import importlib
    import pickle

    from core.operations.base import Operation
    from core.options import canonical

    if name in builtin:
        return "", f"its name {name!r} is a built-in operation's"
    module, _, attr = target.partition(":")
    try:
        cls: Any = importlib.import_module(module)
        for part in attr.split("."):
            cls = getattr(cls, part)
    except Exception as e:
        return "", f"cannot be imported: {type(e).__name__}: {e}"
    if not (isinstance(cls, type) and issubclass(cls, Operation)):
        return "", f"{target} is not an Operation subclass"
    if cls.name != name:
        return "", f"{target}.name is {cls.name!r}, not its entry point's name {name!r}"
    try:
        op = cls()
    except Exception as e:
        return "", f"raises when constructed: {type(e).__name__}: {e}"
    if op.options_type is object:
        return "", "declares no options_type (a dataclass whose fields all have defaults)"
    try:
        options = op.options_type()
        pickle.loads(pickle.dumps(options))
        canonical(options)
    except Exception as e:
        return "", f"has no valid default options: {type(e).__name__}: {e}"
    return str(op.title or name), None


def plugins(builtin: Collection[str] = ()) -> list[PluginInfo]:
    """Every declared operation plugin, loaded and checked once per process."""
    global _plugins
    if _plugins is None:
        out = []
        for ep in _entry_points(GROUP):
            dist, version, location = _where(ep)
            title, error = check(ep.name, ep.value, builtin)
            out.append(PluginInfo(ep.name, ep.value, dist, version, location, title, error))
        _plugins = out
    return _plugins


def usable(builtin: Collection[str] = ()) -> dict[str, str]:
    """name -> target of the plugins that passed :func:`check`."""
    return {p.name: p.target for p in plugins(builtin) if p.error is None}


def forget() -> None:
    """Read the installed plugins again on next use (tests install and remove some)."""
    global _declared, _plugins
    _declared = _plugins = None
