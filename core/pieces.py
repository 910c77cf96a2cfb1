"""Work over a whole column (a million rows) in pieces.

One C call over a million items (a copy, a sum) holds the GIL for its whole length, and a window
waiting for the GIL waits that long; a piece at a time, it waits for one piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

PIECE = 65536  # items per C call

_Out = TypeVar("_Out", bound=Any)


def extend(out: _Out, column: Sequence[Any], n: int | None = None) -> _Out:
    """Append ``column[:n]`` (all of it when ``n`` is None) to ``out`` (a list or an array), a
    piece per C call; returns ``out``."""
    stop = len(column) if n is None else n
    for k in range(0, stop, PIECE):
        out.extend(column[k : min(stop, k + PIECE)])
    return out


def total(values: Sequence[int]) -> int:
    """``sum(values)``, a piece per C call."""
    return sum(sum(values[k : k + PIECE]) for k in range(0, len(values), PIECE))
