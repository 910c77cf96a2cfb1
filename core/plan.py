"""Chunk planning: small files share a chunk (bounded by count and bytes) so that per-task IPC
stays tiny; every large file gets a chunk of its own so big files spread over the workers."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator

from core.operations.base import ChunkLimits
from core.records import Task

DEFAULT_LIMITS = ChunkLimits()


def chunks(tasks: Iterable[Task], limits: ChunkLimits = DEFAULT_LIMITS) -> Iterator[list[Task]]:
    """Yield lists of tasks in input order. Lazy, so a million files cost no extra memory."""
    it = iter(tasks)
    pending: deque[Task] = deque()
    while True:
        pending.extend(itertools.islice(it, limits.max_files - len(pending)))
        if not pending:
            return
        yield take_chunk(pending, limits)


def take_chunk(pending: deque[Task], limits: ChunkLimits = DEFAULT_LIMITS) -> list[Task]:
    """Take the next chunk off the front of ``pending`` (not empty), by the same rules as
    :func:`chunks`: a large file alone, otherwise small files up to the count and byte limits."""
    first = pending.popleft()
    batch = [first]
    if first.size >= limits.large_file:
        return batch
    nbytes = first.size
    while pending and len(batch) < limits.max_files:
        t = pending[0]
        if t.size >= limits.large_file or nbytes + t.size > limits.max_bytes:
            break
        batch.append(pending.popleft())
        nbytes += t.size
    return batch
