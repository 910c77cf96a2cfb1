"""Test-only operations, loaded by workers as ``"tests.fault_ops:Class"``.

They let tests inject faults that a real operation would only hit by bad luck: a segfault in C
code on a marked file, a file that takes a while so a test can act mid-batch.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from typing import Any

from core.operations.base import ChunkLimits, Operation, Outcome, WorkerContext
from core.records import Task


class HashOperation(Operation):
    """sha256 of the file, read through the worker context (like the real checksum op)."""

    name = "test-hash"
    limits = ChunkLimits(max_files=8, max_bytes=1 << 20, large_file=1 << 20)
    streams = True

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        h = hashlib.sha256()
        with ctx.open_source(task.path) as f:
            for block in ctx.read_blocks(f):
                h.update(block)
        return Outcome(h.hexdigest())


class SegfaultOperation(HashOperation):
    """Like HashOperation, but crashes the worker in C code on files whose name has CRASH."""

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        if "CRASH" in os.path.basename(task.path):
            ctypes.string_at(0)  # SIGSEGV
        return super().process(task, options, ctx)


class SlowOperation(HashOperation):
    """Hashes the file slowly (a fixed number of rounds per block), for cancel and kill tests:
    a 4 MiB file takes a second or so, and it stays cancellable between blocks."""

    limits = ChunkLimits(max_files=4, max_bytes=1 << 30, large_file=1 << 20)

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        h = hashlib.sha256()
        with ctx.open_source(task.path) as f:
            for block in ctx.read_blocks(f):
                h.update(block)
                for _ in range(int(options or 40)):  # burn CPU, not the result
                    hashlib.sha256(block)
        return Outcome(h.hexdigest())


class WriteOperation(SlowOperation):
    """Copies the file slowly to ``task.output`` through the atomic writer."""

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        assert task.output
        with ctx.open_source(task.path) as f, ctx.atomic_output(task.output) as out:
            for block in ctx.read_blocks(f):
                for _ in range(int(options or 40)):
                    hashlib.sha256(block)
                out.write(block)
        return Outcome("copied", output=task.output)


class StuckOperation(HashOperation):
    """Blocks in a C call that never checks the cancel Event (like a decoder stuck on a file)."""

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        import threading

        ctx.report_bytes(1)
        threading.Event().wait()  # never set: stuck until the pool is terminated
        return super().process(task, options, ctx)


class BrokenStartOperation(HashOperation):
    """Stands for a broken install: a worker dies as soon as it loads the operation."""

    def __init__(self) -> None:
        import multiprocessing

        if multiprocessing.parent_process() is not None:  # only in workers, not the parent
            os._exit(3)


class TruncatingHashOperation(HashOperation):
    """Hashes through ``source_blocks`` and cuts the file to nothing after the first block, as a
    writer might while a large file is read: a memory-mapped read then dies of SIGBUS."""

    limits = ChunkLimits(max_files=8, max_bytes=1 << 30, large_file=1 << 30)

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        h = hashlib.sha256()
        for k, block in enumerate(ctx.source_blocks(task.path)):
            h.update(block)
            if k == 0 and "TRUNCATE" in os.path.basename(task.path):
                os.truncate(task.path, 0)
        return Outcome(h.hexdigest())


class GrowingHashOperation(HashOperation):
    """Hashes through ``source_blocks`` and appends to files named GROW after the first block,
    as a program still writing the file would."""

    limits = ChunkLimits(max_files=8, max_bytes=1 << 30, large_file=1 << 30)

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        h = hashlib.sha256()
        for k, block in enumerate(ctx.source_blocks(task.path)):
            h.update(block)
            if k == 0 and "GROW" in os.path.basename(task.path):
                with open(task.path, "ab") as f:
                    f.write(b"more")
        return Outcome(h.hexdigest())


def exit_at_start() -> None:
    """A pool initializer standing for a broken install: the worker exits before it is ready."""
    os._exit(3)


def killed_at_start() -> None:
    """A pool initializer standing for workers killed from outside as they start."""
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def square(x: int) -> int:
    return x * x
