"""Parabatch engine: Qt-free, imported by worker processes.

Nothing under ``core`` may import Qt or ``gui`` (a test and an import-linter contract enforce it).
"""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Parabatch"
APP_ID = "io.github.parabatch.Parabatch"
