"""Operation options as data: a canonical JSON form, a stable key, and the way back.

The same options give the same JSON and key in every run and on every machine (sorted keys, no
whitespace, enums by value, tuples as lists), so a journal can tell whether a finished result
was made with the options of a job that resumes it. Fields that only record state while a job
runs (an operation lists them in ``options_type.RUNTIME_FIELDS``, such as the identity of a
manifest seen at planning) are not part of the options' identity.
"""

from __future__ import annotations

import enum
import hashlib
import json
from typing import Any

KEY_LENGTH = 16  # hex digits of the key (64 bits: collisions are not a practical concern)


def _is_dataclass(obj: Any) -> bool:
    """``dataclasses.is_dataclass`` without importing dataclasses (and inspect) at every start:
    built-in options are slotted records; plugins' may be dataclasses."""
    return hasattr(obj if isinstance(obj, type) else type(obj), "__dataclass_fields__")


def _fields(options: Any) -> dict[str, Any]:
    if _is_dataclass(options) and not isinstance(options, type):
        import dataclasses

        names = [f.name for f in dataclasses.fields(options)]
    elif hasattr(options, "__slots__"):
        names = list(options.__slots__)
    else:
        names = sorted(vars(options))
    runtime = set(getattr(type(options), "RUNTIME_FIELDS", ()))
    return {n: getattr(options, n) for n in names if n not in runtime and not n.startswith("_")}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return {k: _plain(v) for k, v in _fields(value).items()}


def canonical(options: Any) -> str:
    """The options as canonical JSON (``"null"`` for an operation without options)."""
    if options is None:
        return "null"
    return json.dumps(_plain(options), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def options_key(op_name: str, options: Any) -> str:
    """A short stable key of (operation, options): equal options, equal key."""
    text = f"{op_name}\n{canonical(options)}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()[:KEY_LENGTH]


def from_canonical(options_type: Any, text: str) -> Any:
    """Options of ``options_type`` from their canonical JSON (what :func:`canonical` wrote)."""
    data = json.loads(text)
    return None if data is None else _build(options_type, data)


def _build(cls: Any, data: dict[str, Any]) -> Any:
    hints: dict[str, Any] = {}
    if _is_dataclass(cls):
        import typing

        hints = typing.get_type_hints(cls)
    kwargs = {}
    for name, value in data.items():
        hint = hints.get(name)
        default = getattr(cls, name, None)
        if isinstance(hint, type) and _is_dataclass(hint) and isinstance(value, dict):
            value = _build(hint, value)
        elif isinstance(hint, type) and issubclass(hint, enum.Enum):
            value = hint(value)
        elif isinstance(default, enum.Enum):
            value = type(default)(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)
