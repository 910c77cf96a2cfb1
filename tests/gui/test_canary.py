"""Canary for a PySide6 trap: 6.12.0 on Python 3.11 aborts after a few thousand Qt calls that
return None (a reference-count bug in ``none_dealloc``). The pin in pyproject keeps us off it;
this test fails loudly (the process dies) if an upgrade brings it back."""

from __future__ import annotations

from PySide6.QtCore import QObject


def test_many_calls_returning_none_do_not_crash(qapp: object) -> None:
    obj = QObject()
    for i in range(100_000):
        obj.setObjectName(f"o{i % 7}")
    assert obj.objectName() == f"o{99_999 % 7}"
