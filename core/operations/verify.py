"""The "verify" operation: check files against a checksum manifest, like ``sha256sum -c``.

``plan`` reads the manifest (the dropped inputs are ignored) and makes one row per checksum line;
each row's ``Task.expected`` is ``"ALGORITHM:HEX"`` so the worker needs nothing else. ``finish``
sums up like coreutils and can list files in the manifest's folder that the manifest lacks.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core import manifest
from core.operations.base import Operation, Outcome, Plan, WorkerContext
from core.operations.checksum import HASHING_LIMITS, hash_file
from core.records import (
    FileEntry,
    FileError,
    FileResult,
    FileSkipped,
    SkippedEntry,
    Status,
    Task,
)

MISMATCH_PREFIX = "FAILED:"
MISSING = "missing: no such file; was it moved or deleted?"


@dataclass(frozen=True)
class VerifyOptions:
    """``algorithm`` ``None`` means: detect it (BSD tag, manifest name, digest length)."""

    manifest: str = ""
    algorithm: str | None = None
    list_unlisted: bool = False

    def __post_init__(self) -> None:
        if self.algorithm is not None:
            manifest.get_algorithm(self.algorithm)  # ValueError naming the choices


def split_expected(expected: str) -> tuple[str, str]:
    """``"sha256:ab12..."`` -> ``("sha256", "ab12...")`` (set by :meth:`VerifyOperation.plan`)."""
    algorithm, _, digest = expected.partition(":")
    return algorithm, digest


def _short(digest: str) -> str:
    return digest[:12] + "…" if len(digest) > 12 else digest


def _shown(name: str) -> str:
    """A name on one line, escaped as ``sha256sum -c`` shows it (``\\new\\nline``)."""
    raw, escaped = manifest.escape_name(os.fsencode(name))
    return ("\\" if escaped else "") + os.fsdecode(raw)


def _key(path: str) -> str:
    return os.path.normcase(os.path.normpath(os.path.abspath(path)))


def unlisted_files(manifest_path: str, listed_paths: Iterable[str]) -> list[str]:
    """Regular files under the manifest's folder that are not in ``listed_paths``.

    Returns names relative to that folder with ``/`` separators, sorted by their bytes; the
    manifest itself is left out. Symlinked folders are not entered.
    """
    base = os.path.dirname(os.path.abspath(manifest_path))
    listed = {_key(p) for p in listed_paths}
    listed.add(_key(manifest_path))
    found: list[str] = []
    for folder, _dirs, files in os.walk(base):
        for name in files:
            path = os.path.join(folder, name)
            if _key(path) not in listed and os.path.isfile(path):
                found.append(manifest.relative_name(path, base))
    found.sort(key=os.fsencode)
    return found


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


class VerifyOperation(Operation):
    """Hash each file a manifest lists and compare with the digest it records."""

    name = "verify"
    title = "Verify checksums"
    help = "check files against a checksum manifest (like sha256sum -c)"
    options_type = VerifyOptions
    limits = HASHING_LIMITS

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        """One row per manifest line; ``entries`` are ignored (the manifest says what to check).

        Raises:
            FileError: no manifest was given, or it cannot be read or parsed.
        """
        if not options.manifest:
            raise FileError("no manifest given; choose the checksum file to verify (SHA256SUMS...)")
        listing = manifest.read_manifest(options.manifest, options.algorithm)
        tasks = []
        for i, e in enumerate(listing):
            try:
                size = os.stat(e.path).st_size
            except OSError:
                size = 0
            tasks.append(Task(i, e.path, size, expected=f"{e.algorithm}:{e.digest}"))
        notes = []
        guessed = {e.algorithm for e in listing if e.guessed}
        for name in sorted(guessed):
            same = [
                a.name
                for a in manifest.ALGORITHMS.values()
                if a.hex_len == manifest.ALGORITHMS[name].hex_len and a.name != name
            ]
            notes.append(
                f"The algorithm was guessed from the digest length: {name} "
                f"({' and '.join(same) or 'no other'} digests are as long). "
                "If every file fails, choose the right one with --algorithm."
            )
        return Plan(tasks, notes=notes)

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        algorithm, expected = split_expected(task.expected or "")
        try:
            actual = hash_file(task.path, algorithm, ctx)
        except FileNotFoundError:
            raise FileError(MISSING) from None
        except FileSkipped as e:  # a listed name that is now a folder, FIFO...
            raise FileError(f"cannot verify: {str(e).removeprefix('skipped: ')}") from None
        if actual.lower() != expected.lower():
            raise FileError(
                f"{MISMATCH_PREFIX} checksum does not match the manifest "
                f"(expected {_short(expected)}, got {_short(actual)}); "
                "the file changed since the manifest was made, or it is damaged"
            )
        return Outcome(value="OK")

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Sequence[FileResult]
    ) -> list[str]:
        """A coreutils-like summary, then ``UNLISTED: name`` lines if asked for."""
        ok = sum(1 for r in results if r.status == Status.DONE)
        failed = [r for r in results if r.status == Status.FAILED]
        mismatched = sum(1 for r in failed if r.message.startswith(MISMATCH_PREFIX))
        unreadable = len(failed) - mismatched
        unchecked = len(tasks) - ok - len(failed)
        lines = [f"{ok} of {_plural(len(tasks), 'listed file', 'listed files')} OK"]
        if mismatched:
            counted = _plural(mismatched, "computed checksum", "computed checksums")
            lines.append(f"WARNING: {counted} did NOT match")
        if unreadable:
            counted = _plural(unreadable, "listed file", "listed files")
            lines.append(f"WARNING: {counted} could not be read")
        if unchecked:
            lines.append(f"{_plural(unchecked, 'file was', 'files were')} not checked (cancelled)")
        if options.list_unlisted:
            extra = unlisted_files(options.manifest, (t.path for t in tasks))
            folder = os.path.dirname(os.path.abspath(options.manifest))
            counted = _plural(len(extra), "file", "files")
            lines.append(f"{counted} under {folder} not listed in the manifest")
            lines.extend(f"UNLISTED: {_shown(name)}" for name in extra)
        return lines

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-a",
            "--algorithm",
            choices=list(manifest.ALGORITHMS),
            default=None,
            help="digest algorithm (default: from BSD tags, the manifest name or digest length)",
        )
        parser.add_argument(
            "--unlisted",
            dest="list_unlisted",
            action="store_true",
            help="also list files in the manifest's folder that the manifest does not list",
        )

    def options_from_args(self, args: argparse.Namespace) -> VerifyOptions:
        return VerifyOptions(
            manifest=getattr(args, "manifest", "") or "",
            algorithm=args.algorithm,
            list_unlisted=args.list_unlisted,
        )
