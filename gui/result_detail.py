"""The text a result's detail (``FileResult.detail``, JSON fields) shows on hover: made here,
at the edge, from the fields (see :data:`core.records.DETAIL_KEYS`)."""

from __future__ import annotations

import json
import signal
from typing import Any

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


def _exit_text(code: Any) -> str:
    if not isinstance(code, int):
        return ""
    if code >= 0:
        return translate("ResultDetail", "exit code {code}").format(code=code)
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return translate("ResultDetail", "killed by signal {number}").format(number=-code)
    return translate("ResultDetail", "killed by signal {number} ({name})").format(
        number=-code, name=name
    )


def detail_text(detail: str) -> str:
    """Lines for a tooltip: running time and exit status, then the output tails; ``""`` when
    there is no detail (or it is not an object)."""
    if not detail:
        return ""
    try:
        fields = json.loads(detail)
    except ValueError:
        return detail  # not ours: shown as it is
    if not isinstance(fields, dict):
        return ""
    head = []
    seconds = fields.get("seconds")
    if isinstance(seconds, int | float):
        head.append(translate("ResultDetail", "ran {seconds:.2f} s").format(seconds=seconds))
    exit_text = _exit_text(fields.get("exit"))
    if exit_text:
        head.append(exit_text)
    parts = [", ".join(head)] if head else []
    for key, title in (
        ("stderr", translate("ResultDetail", "Error output (last lines):")),
        ("stdout", translate("ResultDetail", "Output (last lines):")),
    ):
        text = fields.get(key)
        if isinstance(text, str) and text:
            parts.append(f"{title}\n{text}")
    for key, value in fields.items():  # fields this version does not know: as they are
        if key not in ("seconds", "exit", "stderr", "stdout"):
            parts.append(f"{key}: {value}")
    return "\n".join(parts)
