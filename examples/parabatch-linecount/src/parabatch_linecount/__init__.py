"""A Parabatch operation plugin: the lines, words and bytes of each text file, like ``wc``.

The whole plugin is this class and its options. Parabatch finds it through the entry point in
``pyproject.toml`` (group ``parabatch.operations``); ``process`` runs inside Parabatch's worker
processes, one file at a time, reading through the worker context (so cancel, pause and
progress work as for a built-in operation). Options and results are plain values: they are
pickled to the workers and stored in the job journal.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from core.operations.base import Operation, Outcome, WorkerContext
from core.records import FileError, FileResult, Kind, Status, Task

__version__ = "0.1.0"


@dataclass(frozen=True)
class LineCountOptions:
    """``words``: count words too (a little slower). ``binary``: count files with NUL bytes
    instead of failing them."""

    words: bool = True
    binary: bool = False


class LineCountOperation(Operation):
    name = "linecount"  # must equal the entry point's name
    title = "Count lines"
    help = "count the lines, words and bytes of text files (like wc)"
    options_type = LineCountOptions

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        lines = words = size = 0
        in_word = False
        for block in ctx.source_blocks(task.path):
            data = bytes(block)
            if not options.binary and b"\0" in data:
                raise FileError("not text: it holds NUL bytes", Kind.NOT_TEXT)
            size += len(data)
            lines += data.count(b"\n")
            if options.words:
                parts = data.split()
                words += len(parts)
                # A word cut by the block boundary was counted twice.
                if parts and in_word and not data[:1].isspace():
                    words -= 1
                in_word = bool(data) and not data[-1:].isspace()
        value = f"{lines} lines, {words} words, {size} bytes" if options.words else f"{lines} lines"
        return Outcome(value)

    # --- the command line ------------------------------------------------------------------
    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--no-words", action="store_true", help="count lines only")
        parser.add_argument("--binary", action="store_true", help="count files with NUL bytes too")

    def options_from_args(self, args: argparse.Namespace) -> LineCountOptions:
        return LineCountOptions(words=not args.no_words, binary=args.binary)

    def print_results(self, out: TextIO, options: Any, tasks: Sequence[Task], results: Any) -> bool:
        for task, r in zip(tasks, results, strict=True):
            if r is not None and r.status == Status.DONE:
                out.write(f"{r.value}\t{task.path}\n")
        return False  # failed files are listed by Parabatch on standard error

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        done = [r for r in results if r.status == Status.DONE]
        total = sum(int(r.value.split(" ", 1)[0]) for r in done)
        return [f"{total} lines in {len(done)} files"]
