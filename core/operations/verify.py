"""The "verify" operation: check files against a checksum manifest, like ``sha256sum -c``.

``plan`` reads the manifest (the dropped inputs are ignored) and makes one row per checksum line;
each row's ``Task.expected`` is ``"ALGORITHM:HEX"`` so the worker needs nothing else. Like
``sha256sum -c``, a line that is not a usable checksum line does not stop the others: it gets a
row of its own, failed before the run (``strict`` refuses such a manifest as a whole instead).
Names may point outside the manifest's folder (absolute or ``../``), as ``sha256sum -c`` allows;
the summary counts them, and ``inside_only`` refuses them (their rows fail without being read).
``finish`` sums up like coreutils and can list files in the manifest's folder that the manifest
lacks.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from core import manifest
from core import messages as M
from core.i18n import N_, _, english
from core.operations.base import Operation, Outcome, Plan, WorkerContext
from core.operations.checksum import HASHING_LIMITS, hash_file
from core.records import (
    FileEntry,
    FileError,
    FileResult,
    FileSkipped,
    Kind,
    SkippedEntry,
    Status,
    Task,
)
from core.results import TaskList
from core.wording import printable

MISMATCH_PREFIX = "checksum does not match the manifest"
"""How a mismatch's message starts (``finish`` counts mismatches by it)."""
MISSING = M.MISSING
OUTSIDE_REFUSED = "not read: its name leads outside the manifest's folder"
"""How the message of a row refused by ``inside_only`` starts."""
_IMPROPER = re.compile(r"line [0-9]+ of .* is improperly formatted: ", re.DOTALL)


@dataclass(frozen=True)
class VerifyOptions:
    """``algorithm`` ``None`` means: detect it (BSD tag, manifest name, digest length).
    ``strict``: refuse a manifest holding any improperly formatted line, instead of checking
    the other lines. ``inside_only``: do not read names that lead outside the manifest's folder
    (absolute, ``../`` or through a symbolic link); their rows fail."""

    manifest: str = ""
    algorithm: str | None = None
    list_unlisted: bool = False
    strict: bool = False
    inside_only: bool = False

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


def _within(path: str, base: str) -> bool:
    """Whether ``path`` (absolute, normalised) is ``base`` or under it."""
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path == base or path.startswith(prefix)


def points_outside(path: str, base: str) -> bool:
    """Whether ``path`` (a listed name joined to the manifest's folder ``base``) names a file
    outside that folder by its letters alone (an absolute or ``../`` name; links not followed)."""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if path.startswith(prefix) and os.sep + ".." not in path and "/.." not in path:
        return False  # the common case, with no normpath per row
    norm = os.path.normcase
    return not _within(norm(os.path.normpath(path)), norm(base))


def _refusal(path: str, base: str, real_base: str) -> str:
    """Why ``inside_only`` refuses to read ``path``, or ``""`` if it leads inside ``base``."""
    if points_outside(path, base):
        return M.REFUSED_NAME
    real = os.path.realpath(path)
    if not _within(os.path.normcase(real), os.path.normcase(real_base)):
        return english(M.REFUSED_LINK, real=real)
    return ""


def improper_message(bad: manifest.BadLine, manifest_path: str) -> str:
    """The failed row's message for a manifest line that cannot be checked."""
    name = os.path.basename(manifest_path)
    text = english(M.IMPROPER_LINE, line=bad.line, name=name, reason=bad.reason)
    return f"{text}; {bad.advice}" if bad.advice else text


class VerifyOperation(Operation):
    """Hash each file a manifest lists and compare with the digest it records."""

    name = "verify"
    title = N_("Verify checksums")
    help = N_("check files against a checksum manifest (like sha256sum -c)")
    options_type = VerifyOptions
    limits = HASHING_LIMITS
    input = "manifest"

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        """One row per manifest line, in line order; ``entries`` are ignored (the manifest says
        what to check). A line that cannot be checked, and with ``inside_only`` a name leading
        outside the manifest's folder, gets a row settled as failed.

        Raises:
            FileError: no manifest was given, it cannot be read, no line of it can be checked,
                or (``strict``) some line cannot.
        """
        if not options.manifest:
            raise FileError("no manifest given; choose the checksum file to verify (SHA256SUMS...)")
        listing = manifest.manifest_rows(options.manifest, options.algorithm, strict=options.strict)
        own_path = os.path.abspath(options.manifest)
        base = os.path.dirname(own_path)
        real_base = os.path.realpath(base) if options.inside_only else ""
        # Columns, not a Task per line, planned while the lines stream by: a manifest of a
        # million files is planned in a few hundred MB.
        tasks = TaskList()
        settled: list[FileResult] = []
        stat = os.stat
        for i, row in enumerate(listing):
            if isinstance(row, manifest.BadLine):
                tasks.add(row.path or own_path, 0)
                message = improper_message(row, options.manifest)
                settled.append(
                    FileResult(i, Status.FAILED, message=message, kind=Kind.IMPROPER_LINE)
                )
                continue
            expected = (row.algorithm, row.digest)
            refusal = _refusal(row.path, base, real_base) if options.inside_only else ""
            if refusal:  # never read, not even its size
                tasks.add(row.path, 0, expected=expected)
                settled.append(FileResult(i, Status.FAILED, message=refusal, kind=Kind.REFUSED))
                continue
            try:
                st = stat(row.path)
                size, mtime_ns = st.st_size, st.st_mtime_ns
            except (OSError, ValueError):
                size, mtime_ns = 0, -1
            tasks.add(row.path, size, expected=expected, mtime_ns=mtime_ns)
        bad, guessed = listing.bad, listing.guessed
        notes = []
        if bad:
            notes.append(english(M.IMPROPER_NOTE, n=len(bad), manifest=options.manifest))
        for name in sorted(guessed):
            same = [
                a.name
                for a in manifest.ALGORITHMS.values()
                if a.hex_len == manifest.ALGORITHMS[name].hex_len and a.name != name
            ]
            others = " and ".join(same) or M.NO_OTHER
            notes.append(english(M.GUESSED, name=name, others=others))
        return Plan(tasks, settled, notes)

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        algorithm, expected = split_expected(task.expected or "")
        try:
            actual = hash_file(task.path, algorithm, ctx)
        except FileNotFoundError:
            raise FileError(MISSING, Kind.MISSING) from None
        except FileSkipped as e:  # a listed name that is now a folder, FIFO...
            reason = str(e).removeprefix("skipped: ")
            raise FileError(english(M.CANNOT_VERIFY, reason=reason), Kind.NOT_REGULAR) from None
        if actual.lower() != expected.lower():
            raise FileError(
                english(M.MISMATCH, expected=_short(expected), actual=_short(actual)),
                Kind.MISMATCH,
            )
        return Outcome(value="OK")

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        """A coreutils-like summary, then ``UNLISTED: name`` lines if asked for."""
        ok = sum(1 for r in results if r.status == Status.DONE)
        failed = [r for r in results if r.status == Status.FAILED]
        improper = {r.index for r in failed if _IMPROPER.match(r.message)}
        refused = sum(1 for r in failed if r.message.startswith(OUTSIDE_REFUSED))
        mismatched = sum(1 for r in failed if r.kind == Kind.MISMATCH)
        unreadable = len(failed) - len(improper) - refused - mismatched
        unchecked = len(tasks) - ok - len(failed)
        listed = len(tasks) - len(improper)
        lines = [english(M.VERIFIED, ok=ok, n=listed)]
        if mismatched:
            lines.append(english(M.WARN_MISMATCH, n=mismatched))
        if unreadable:
            lines.append(english(M.WARN_UNREADABLE, n=unreadable))
        if improper:
            lines.append(english(M.WARN_IMPROPER, n=len(improper)))
        if refused:
            lines.append(english(M.REFUSED_COUNT, n=refused))
        elif not getattr(options, "inside_only", False):
            base = os.path.dirname(os.path.abspath(options.manifest))
            outside = sum(
                1 for t in tasks if t.index not in improper and points_outside(t.path, base)
            )
            if outside:
                lines.append(english(M.OUTSIDE_COUNT, n=outside))
        if unchecked:
            lines.append(english(M.NOT_CHECKED, n=unchecked))
        if options.list_unlisted:
            extra = unlisted_files(options.manifest, (t.path for t in tasks))
            folder = os.path.dirname(os.path.abspath(options.manifest))
            lines.append(english(M.UNLISTED_COUNT, n=len(extra), folder=folder))
            lines.extend(f"UNLISTED: {_shown(name)}" for name in extra)
        return lines

    def print_results(self, out: TextIO, options: Any, tasks: Sequence[Task], results: Any) -> bool:
        """One line per checked file, as ``sha256sum -c`` prints them: ``NAME: OK`` or
        ``NAME: FAILED (reason)``, names relative to the manifest's folder."""
        base = os.path.dirname(os.path.abspath(options.manifest))
        for task, r in zip(tasks, results, strict=True):
            if r is None:
                continue
            shown = "OK" if r.status == Status.DONE else f"FAILED ({r.message})"
            out.write(f"{printable(os.path.relpath(task.path, base))}: {shown}\n")
        return True

    def interrupted_text(self, options: Any) -> str:
        return _("their results are listed above")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-a",
            "--algorithm",
            choices=list(manifest.ALGORITHMS),
            default=None,
            help=_("digest algorithm (default: from BSD tags, the manifest name or digest length)"),
        )
        parser.add_argument(
            "--unlisted",
            dest="list_unlisted",
            action="store_true",
            help=_("also list files in the manifest's folder that the manifest does not list"),
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help=_(
                "refuse the manifest if any line is improperly formatted "
                "(default: such lines fail, the others are checked)"
            ),
        )
        parser.add_argument(
            "--inside-only",
            action="store_true",
            help=_(
                "do not read names leading outside the manifest's folder "
                "(absolute, ../ or through a symbolic link); they fail"
            ),
        )

    def options_from_args(self, args: argparse.Namespace) -> VerifyOptions:
        return VerifyOptions(
            manifest=getattr(args, "manifest", "") or "",
            algorithm=args.algorithm,
            list_unlisted=args.list_unlisted,
            strict=getattr(args, "strict", False),
            inside_only=getattr(args, "inside_only", False),
        )
