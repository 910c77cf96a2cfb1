"""Chunk planning: small files share a chunk (bounded by count and bytes) so that per-task IPC
stays tiny; every large file gets a chunk of its own so big files spread over the workers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.operations.base import ChunkLimits
from core.records import Task

DEFAULT_LIMITS = ChunkLimits()


def chunks(tasks: Iterable[Task], limits: ChunkLimits = DEFAULT_LIMITS) -> Iterator[list[Task]]:
    """Yield lists of tasks in input order. Lazy, so a million files cost no extra memory."""
    batch: list[Task] = []
    batch_bytes = 0
    for t in tasks:
        if t.size >= limits.large_file:
            if batch:
                yield batch
                batch, batch_bytes = [], 0
            yield [t]
            continue
        if batch and (len(batch) >= limits.max_files or batch_bytes + t.size > limits.max_bytes):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(t)
        batch_bytes += t.size
    if batch:
        yield batch
