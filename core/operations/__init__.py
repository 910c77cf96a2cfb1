"""Registry of operations: one line per operation, ``name -> "module:Class"``, and the
installed plugins' operations after them (:mod:`core.plugins`).

Modules are imported on first use, so a worker process loads only the operation it runs. A name
of the form ``"package.module:Class"`` is accepted too (used by tests for fault-injecting ops).
"""

from __future__ import annotations

import importlib

from core import plugins
from core.i18n import _
from core.operations.base import Operation

REGISTRY: dict[str, str] = {
    "checksum": "core.operations.checksum:ChecksumOperation",
    "verify": "core.operations.verify:VerifyOperation",
    "image": "core.operations.image:ImageOperation",
    "compress": "core.operations.compress:CompressOperation",
    "decompress": "core.operations.compress:DecompressOperation",
    "encode": "core.operations.encode:EncodeOperation",
    "run": "core.operations.command:RunOperation",
}

_cache: dict[str, Operation] = {}


def get(name: str) -> Operation:
    """The operation registered as ``name``, a plugin's (see :mod:`core.plugins`), or the one at
    ``"module:Class"``."""
    op = _cache.get(name)
    if op is None:
        # A worker looks plugins up by name without loading the others (the parent checked it).
        target = REGISTRY.get(name) or plugins.declared().get(name, name)
        if ":" not in target:
            raise KeyError(f"unknown operation {name!r}; known: {', '.join(names())}")
        module, _, cls = target.partition(":")
        op = getattr(importlib.import_module(module), cls)()
        _cache[name] = op
    return op


def title(name: str) -> str:
    """The title people read for the operation ``name`` ("Create checksums"), in the language
    in use (core's catalogue; a plugin's own title as it gives it); ``name`` itself when the
    operation has no title or is not known here (a plugin since removed, or broken)."""
    try:
        text = get(name).title
    except (KeyError, ImportError, AttributeError, TypeError):
        return name
    return _(text) if text else name


def names() -> list[str]:
    """The built-in operations, then the usable plugins' (broken ones are left out)."""
    return [*REGISTRY, *(n for n in plugins.usable(REGISTRY) if n not in REGISTRY)]
