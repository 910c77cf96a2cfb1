"""Registry of operations: one line per operation, ``name -> "module:Class"``.

Modules are imported on first use, so a worker process loads only the operation it runs. A name
of the form ``"package.module:Class"`` is accepted too (used by tests for fault-injecting ops).
"""

from __future__ import annotations

import importlib

from core.operations.base import Operation

REGISTRY: dict[str, str] = {
    "checksum": "core.operations.checksum:ChecksumOperation",
    "verify": "core.operations.verify:VerifyOperation",
    "image": "core.operations.image:ImageOperation",
    "compress": "core.operations.compress:CompressOperation",
    "decompress": "core.operations.compress:DecompressOperation",
    "encode": "core.operations.encode:EncodeOperation",
}

_cache: dict[str, Operation] = {}


def get(name: str) -> Operation:
    """The operation registered as ``name`` (or at ``"module:Class"``)."""
    op = _cache.get(name)
    if op is None:
        target = REGISTRY.get(name, name)
        if ":" not in target:
            raise KeyError(f"unknown operation {name!r}; known: {', '.join(REGISTRY)}")
        module, _, cls = target.partition(":")
        op = getattr(importlib.import_module(module), cls)()
        _cache[name] = op
    return op


def names() -> list[str]:
    return list(REGISTRY)
