"""Where the window's settings live, and typed reads from ``QSettings``.

The user's settings are the platform's native store for organisation "Parabatch". Tests and the
benchmark pass their own INI file (or set ``PARABATCH_SETTINGS``) so they never touch it.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QSettings

from core import APP_NAME

ORGANIZATION = "Parabatch"
ENV_VAR = "PARABATCH_SETTINGS"


def open_settings(path: str | None = None) -> QSettings:
    """An INI file at ``path`` (or at ``$PARABATCH_SETTINGS``), else the user's settings."""
    path = path or os.environ.get(ENV_VAR)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APP_NAME)


def read_int(settings: QSettings, key: str, default: int, lo: int, hi: int) -> int:
    """An integer setting clamped to ``[lo, hi]``; ``default`` if missing or garbled."""
    raw: Any = settings.value(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = default
    return max(lo, min(hi, value))


def read_str(settings: QSettings, key: str, default: str = "") -> str:
    value: Any = settings.value(key, default)
    return value if isinstance(value, str) else default


def read_bool(settings: QSettings, key: str, default: bool) -> bool:
    value: Any = settings.value(key, default)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)
