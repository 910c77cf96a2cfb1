"""Chunk planning: small files share a chunk (bounded by count and bytes) so that per-task IPC
stays tiny; every large file gets a chunk of its own so big files spread over the workers.

The rule works on a job's row columns (sizes, and which rows already ended), so the scheduler
cuts chunks without a Task object per waiting row."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from core.operations.base import ChunkLimits

DEFAULT_LIMITS = ChunkLimits()


def next_chunk(
    sizes: Sequence[int],
    start: int,
    limits: ChunkLimits = DEFAULT_LIMITS,
    ended: Sequence[int] | None = None,
) -> tuple[Sequence[int], int]:
    """The rows of the next chunk from ``start`` on (a ``range`` when they follow each other),
    and where the one after begins.

    A large file alone; otherwise small files in row order until the next one would pass the
    count or byte limit or is large. Rows whose ``ended[i]`` is set are passed over."""
    large, max_bytes, max_files = limits.large_file, limits.max_bytes, limits.max_files
    n, i = len(sizes), start
    window = sizes[start : start + max_files]
    if (
        window
        and (ended is None or not any(ended[start : start + len(window)]))
        and max(window) < large
    ):  # small files, none ended: the cut from running sums, in C
        k = max(1, bisect.bisect_right(list(itertools.accumulate(window)), max_bytes))
        i = start + k
        while ended is not None and i < n and ended[i]:  # as the loop below passes them
            i += 1
        return range(start, start + k), i
    rows: list[int] = []
    nbytes = 0
    while i < n:
        if ended is not None and ended[i]:
            i += 1
            continue
        size = sizes[i]
        if rows and (size >= large or nbytes + size > max_bytes or len(rows) >= max_files):
            break
        rows.append(i)
        nbytes += size
        i += 1
        if size >= large:
            break
    return rows, i
