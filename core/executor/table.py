"""The shared table of a local pool: its layout, written once, and both sides' view of it.

int64 words in shared memory, each with one writer, so no lock is needed (a dying worker
could not release one). Header: the id of the newest cancelled job (a worker stops any job
whose id is not above it) and the pause flag. Each worker's row: the chunk it runs (written by
the pool as it hands the chunk over), its position in the chunk (-1 before the first file;
the chunk's length when every file was processed), and a beat counter that grows with every
file and every MiB (the parent's watchdog reads it).

Imported by worker processes: standard library only.
"""

from __future__ import annotations

from typing import Any

WORKER_NICENESS = 10  # how much lower a worker process runs than the app (POSIX nice)

HEADER_WORDS = 2
CANCELLED_JOB, PAUSED = 0, 1
ROW_WORDS = 3
ROW_CHUNK, ROW_POS, ROW_BEAT = 0, 1, 2


class SharedTable:
    """A view of the table (a buffer of int64 words) for the parent or for one worker."""

    __slots__ = ("words",)

    def __init__(self, words: Any) -> None:
        self.words = words

    @staticmethod
    def size(workers: int) -> int:
        return HEADER_WORDS + workers * ROW_WORDS

    @staticmethod
    def row(slot: int) -> int:
        """The first word of ``slot``'s row."""
        return HEADER_WORDS + slot * ROW_WORDS

    # --- header ----------------------------------------------------------------------------
    def cancel(self, job_id: int) -> None:
        words = self.words
        words[CANCELLED_JOB] = max(words[CANCELLED_JOB], job_id)

    def cancelled(self, job_id: int) -> bool:
        return bool(self.words[CANCELLED_JOB] >= job_id)

    def set_paused(self, paused: bool) -> None:
        self.words[PAUSED] = 1 if paused else 0

    def paused(self) -> bool:
        return bool(self.words[PAUSED])

    # --- rows ------------------------------------------------------------------------------
    def read_row(self, slot: int) -> tuple[int, int, int]:
        """(chunk id, position, beat) of ``slot``."""
        base = self.row(slot)
        words = self.words
        return words[base + ROW_CHUNK], words[base + ROW_POS], words[base + ROW_BEAT]
