"""The "checksum" operation: hash every file, optionally write a coreutils-style manifest.

``process`` runs in a worker and returns the hex digest; ``finish`` runs in the parent and
writes the manifest (see :mod:`core.manifest` for the format) atomically, listing only the files
that were hashed. :func:`hash_file` is shared with the "verify" operation.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core import manifest
from core.manifest import get_algorithm
from core.operations.base import ChunkLimits, Operation, Outcome, Plan, WorkerContext
from core.outputs import atomic_write
from core.records import FileEntry, FileError, FileResult, Record, SkippedEntry, Status, Task

if TYPE_CHECKING:
    import argparse


class ChecksumOptions(Record):
    """``manifest``: where to write the manifest; ``None`` leaves it to the caller (the CLI
    prints it to stdout, the GUI picks a default). Raises ValueError for an unknown algorithm."""

    __slots__ = ("algorithm", "manifest")

    def __init__(
        self, algorithm: str = manifest.DEFAULT_ALGORITHM, manifest: str | None = None
    ) -> None:
        get_algorithm(algorithm)  # ValueError naming the choices
        self.algorithm = algorithm
        self.manifest = manifest


def hash_file(path: str, algorithm: str, ctx: WorkerContext) -> str:
    """Hex digest of the file at ``path``, read in blocks through ``ctx``.

    OSErrors pass through: the worker turns them into a sentence for the user.
    """
    hasher = manifest.ALGORITHMS[algorithm].new()
    update = hasher.update
    for block in ctx.source_blocks(path):
        update(block)
    return hasher.hexdigest()


# Small files share chunks of up to 128 files / 16 MiB; files of 8 MiB and more run alone.
HASHING_LIMITS = ChunkLimits(max_files=128, max_bytes=16 * 1024 * 1024, large_file=8 * 1024 * 1024)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class ChecksumOperation(Operation):
    """Compute a digest per file (sha256 by default) and optionally a manifest of them all."""

    name = "checksum"
    title = "Create checksums"
    help = "compute checksums (sha256, blake3, ...) and write a manifest sha256sum -c accepts"
    options_type = ChecksumOptions
    limits = HASHING_LIMITS

    streams = True

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        """One row per input; the manifest being written is skipped, never listed in itself.

        Raises:
            FileError: the manifest's folder cannot be written (said before any file is read).
        """
        if options.manifest:
            folder = os.path.dirname(os.path.abspath(options.manifest))
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
                raise FileError(
                    f"cannot write the manifest {options.manifest}: the folder {folder} "
                    "does not exist or is not writable; choose another place"
                )
        return self.rows(entries, options, 0)

    def rows(self, entries: Sequence[FileEntry | SkippedEntry], options: Any, start: int) -> Plan:
        plan = super().rows(entries, options, start)
        if options.manifest:
            target = os.path.normcase(os.path.abspath(options.manifest))
            normcase = os.path.normcase if os.sep != "/" else None  # the identity on POSIX
            settled = {r.index for r in plan.settled}
            reason = "this is the manifest being written; it is not listed in itself"
            for t in plan.tasks:
                path = normcase(t.path) if normcase else t.path
                if path == target and t.index not in settled:
                    plan.settled.append(FileResult(t.index, Status.SKIPPED, message=reason))
        return plan

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        return Outcome(value=hash_file(task.path, options.algorithm, ctx))

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Sequence[FileResult]
    ) -> list[str]:
        """Write the manifest (if one was asked for) with the files that were hashed.

        A cancelled job writes nothing, so a complete manifest is never replaced by a partial one.
        """
        if not options.manifest:
            return []
        path = os.path.abspath(options.manifest)
        count = collections.Counter(r.status for r in results)
        if count[Status.CANCELLED]:
            return ["Manifest not written: the job was cancelled before all files were hashed"]
        done = [(r.value, tasks[r.index].path) for r in results if r.status == Status.DONE]
        data = manifest.format_manifest(done, os.path.dirname(path))
        try:
            with atomic_write(path) as f:
                f.write(data)
        except OSError as e:
            raise FileError(
                f"could not write the manifest {path}: {e.strerror or e}; "
                "check that the folder exists and is writable, or choose another place"
            ) from None
        lines = [f"Manifest written: {path} ({_plural(len(done), 'file')})"]
        if count[Status.FAILED]:
            lines.append(f"{_plural(count[Status.FAILED], 'failed file')} left out of the manifest")
        itself = os.path.normcase(path)
        skipped = sum(
            1
            for r in results
            if r.status == Status.SKIPPED and os.path.normcase(tasks[r.index].path) != itself
        )
        if skipped:
            lines.append(f"{_plural(skipped, 'skipped file')} left out of the manifest")
        return lines

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-a",
            "--algorithm",
            choices=list(manifest.ALGORITHMS),
            default=manifest.DEFAULT_ALGORITHM,
            help="digest algorithm (default: %(default)s)",
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="MANIFEST",
            help="write the manifest here (paths relative to its folder) instead of to stdout",
        )

    def options_from_args(self, args: argparse.Namespace) -> ChecksumOptions:
        return ChecksumOptions(algorithm=args.algorithm, manifest=args.output)
