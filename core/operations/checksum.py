"""The "checksum" operation: hash every file, optionally write a coreutils-style manifest.

``process`` runs in a worker and returns the hex digest; ``finish`` runs in the parent and
writes the manifest (see :mod:`core.manifest` for the format) atomically, listing only the files
that were hashed. :func:`hash_file` is shared with the "verify" operation.

A manifest is never replaced by a worse one: not after a cancel, not by an empty one when every
file failed, and not when the manifest changed while the job ran (another program or job wrote
it): the job's manifest then goes beside it under a new numbered name (``SUMS.1``...).
"""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Callable, Collection, Sequence
from typing import IO, TYPE_CHECKING, Any, TextIO

from core import manifest
from core import messages as M
from core.i18n import N_, _, english
from core.manifest import get_algorithm
from core.operations.base import ChunkLimits, Operation, Outcome, Plan, WorkerContext
from core.outputs import partial_path, remove_stale_partials
from core.records import (
    FileEntry,
    FileError,
    FileResult,
    Kind,
    Record,
    SkippedEntry,
    Status,
    Task,
    TaskColumns,
)
from core.results import ResultStore, TaskList
from core.wording import printable

if TYPE_CHECKING:
    import argparse


Identity = tuple[int, ...]
"""What a file was: ``(st_dev, st_ino, st_size, st_mtime_ns)``; ``()`` when there was none."""


class ChecksumOptions(Record):
    """``manifest``: where to write the manifest; ``None`` leaves it to the caller (the CLI
    prints it to stdout, the GUI picks a default). Raises ValueError for an unknown algorithm.

    ``manifest_seen`` is set by :meth:`ChecksumOperation.plan`, and by ``finish`` after it wrote
    the manifest: what the manifest file was then, so that ``finish`` does not replace it if it
    changed since (``None``: not recorded, the manifest is replaced as it is). A rerun with the
    same options (the window's retry of failed rows, planned without ``plan``) thus replaces the
    manifest its first run wrote, and nothing another program wrote.

    ``manifest_ours``: the manifest there now is the one an earlier run with these options wrote
    (set by ``finish``, cleared by ``plan``). A manifest that was there before is replaced only
    by a complete one: a job where files failed writes its manifest beside it."""

    __slots__ = ("algorithm", "manifest", "manifest_ours", "manifest_seen")
    # state of a run, not part of the options' identity
    RUNTIME_FIELDS = ("manifest_ours", "manifest_seen")

    def __init__(
        self,
        algorithm: str = manifest.DEFAULT_ALGORITHM,
        manifest: str | None = None,
        manifest_seen: Identity | None = None,
        manifest_ours: bool = False,
    ) -> None:
        get_algorithm(algorithm)  # ValueError naming the choices
        self.algorithm = algorithm
        self.manifest = manifest
        self.manifest_seen = manifest_seen
        self.manifest_ours = manifest_ours


def identity(path: str) -> Identity:
    """What the file at ``path`` is now (see :data:`Identity`); ``()`` if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


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


def _place(tmp: str, final: str) -> bool:
    """Give the written file ``tmp`` the name ``final`` unless that exists (then False)."""
    try:
        os.link(tmp, final)  # fails if ``final`` exists: nothing is ever replaced
    except FileExistsError:
        return False
    except OSError:  # no hard links on this file system (FAT, some network shares)
        if os.path.lexists(final):
            return False
        os.replace(tmp, final)
    return True


MAX_SIBLINGS = 999


def _rows(tasks: Sequence[Task], results: Collection[FileResult], status: Status) -> Sequence[int]:
    """Rows with this final status: straight from a job's status column when it has one."""
    store = getattr(results, "store", None)
    if isinstance(store, ResultStore):
        return store.indices(status)
    return [r.index for r in results if r.status == status]


def _done_columns(
    tasks: Sequence[Task], results: Collection[FileResult]
) -> tuple[collections.Counter[Status], list[str | bytes], list[str]]:
    """(count of each status, digests, paths) of the hashed files, without a record per row
    when the results are a job's columns (a million rows are routine)."""
    store = getattr(results, "store", None)
    if isinstance(store, ResultStore) and isinstance(tasks, TaskList):
        st = store.status
        count = collections.Counter({s: st.count(int(s)) for s in Status if s.final})
        rows = store.indices(Status.DONE)
        task_paths = tasks.paths
        return count, store.packed_values(rows), [task_paths[i] for i in rows]
    count = collections.Counter(r.status for r in results)
    done = [r for r in results if r.status == Status.DONE]
    values: list[str | bytes] = [r.value for r in done]
    return count, values, [tasks[r.index].path for r in done]


def _save(
    path: str,
    write: Callable[[IO[bytes]], object],
    seen: Identity | None,
    *,
    replace: bool = True,
) -> str:
    """Write the manifest ``path`` through ``write(file)``; returns the name it went to.

    That is ``path``, replaced atomically, when the file there is still what ``seen`` says (or
    ``seen`` is ``None``) or there is none; else (another program wrote it since, or ``replace``
    is false) the first free name of ``path.1``, ``path.2``... beside it, so that the other
    manifest is kept.
    """
    tmp = partial_path(path)
    try:
        with open(tmp, "xb") as f:
            write(f)
        now = identity(path)
        if now and replace and (seen is None or now == seen):
            os.replace(tmp, path)
            return path
        if not now and _place(tmp, path):
            return path
        for n in range(1, MAX_SIBLINGS + 1):
            if _place(tmp, f"{path}.{n}"):
                return f"{path}.{n}"
        raise FileError(
            f"{path} changed while this job ran (another program or job wrote it) and was not "
            f"replaced, and {path}.1 to {path}.{MAX_SIBLINGS} all exist, so this job's manifest "
            "was not written; remove some of them or choose another place"
        )
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _b3sum_warning(names: list[bytes]) -> list[str]:
    """A line naming the names of a blake3 manifest that ``b3sum --check`` cannot read."""
    if not names:
        return []
    shown = ", ".join(f'"{n.decode("utf-8", "backslashreplace")}"' for n in names[:3])
    if len(names) > 3:
        shown = english(M.AND_MORE, names=shown, n=len(names) - 3)
    return [english(M.B3SUM_CANNOT_READ, n=len(names), names=shown)]


class ChecksumOperation(Operation):
    """Compute a digest per file (sha256 by default) and optionally a manifest of them all."""

    name = "checksum"
    title = N_("Create checksums")
    help = N_("compute checksums (sha256, blake3, ...) and write a manifest sha256sum -c accepts")
    options_type = ChecksumOptions
    limits = HASHING_LIMITS

    streams = True
    inline_safe = True  # hashlib, blake3 and xxhash read any bytes; nothing here can crash

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        """One row per input; the manifest being written is skipped, never listed in itself.

        Also notes what the manifest file is now (``options.manifest_seen``), for ``finish``.

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
            remove_stale_partials([folder])  # temporaries of writers that died
            options.manifest_seen = identity(os.path.abspath(options.manifest))
            options.manifest_ours = False
        return self.rows(entries, options, 0)

    def rows(self, entries: Sequence[FileEntry | SkippedEntry], options: Any, start: int) -> Plan:
        plan = super().rows(entries, options, start)
        if options.manifest:
            target = os.path.normcase(os.path.abspath(options.manifest))
            normcase = os.path.normcase if os.sep != "/" else None  # the identity on POSIX
            tasks = plan.tasks
            if type(tasks) is TaskColumns and normcase is None and target not in tasks.paths:
                return plan  # the usual batch: one C-level search, no Task made
            settled = {r.index for r in plan.settled}
            reason = M.MANIFEST_ITSELF
            for t in tasks:
                path = normcase(t.path) if normcase else t.path
                if path == target and t.index not in settled:
                    plan.settled.append(
                        FileResult(t.index, Status.SKIPPED, message=reason, kind=Kind.IS_OUTPUT)
                    )
        return plan

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        return Outcome(value=hash_file(task.path, options.algorithm, ctx))

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        """Write the manifest (if one was asked for) with the files that were hashed.

        A cancelled job writes nothing, so a complete manifest is never replaced by a partial one;
        nor does a job that hashed no file while some failed. A job where some files failed
        writes its manifest beside one that was there before (``NAME.1``...; the old one keeps
        the failed files' digests), and replaces only one an earlier run of it wrote. If the
        manifest changed since the job was planned, it is kept and this job's manifest is
        written beside it.

        Raises:
            FileError: the manifest could not be written, or it went beside the requested one
                because that changed while the job ran (the message names both).
        """
        if not options.manifest:
            return []
        path = os.path.abspath(options.manifest)
        count, digests, paths = _done_columns(tasks, results)
        if count[Status.CANCELLED]:
            return [M.MANIFEST_CANCELLED]
        done = digests
        if not done and count[Status.FAILED]:
            return [english(M.MANIFEST_NOTHING_HASHED, n=count[Status.FAILED])]
        folder = os.path.dirname(path)
        check = options.algorithm == "blake3"
        unreadable: list[bytes] = []

        def write(f: IO[bytes]) -> None:
            unreadable.extend(manifest.write_manifest(f, digests, paths, folder, b3sum_check=check))

        seen = getattr(options, "manifest_seen", None)
        # An incomplete manifest never replaces one that was there before this job (it would
        # lose the failed files' digests); it replaces only what an earlier run of it wrote.
        ours = getattr(options, "manifest_ours", False) and seen is not None
        keep_old = bool(count[Status.FAILED]) and not ours
        try:
            written = _save(path, write, seen, replace=not keep_old)
        except OSError as e:
            raise FileError(
                f"could not write the manifest {path}: {e.strerror or e}; "
                "check that the folder exists and is writable, or choose another place"
            ) from None
        failed = count[Status.FAILED]
        files = english(M.FILES, n=len(done))
        if written == path:  # what this job wrote is the manifest a rerun (retry) may replace
            options.manifest_seen = identity(path)
            options.manifest_ours = True
        elif keep_old and identity(path) == seen:
            failed_files = english(M.FAILED_FILES, n=failed)
            kept = english(
                M.MANIFEST_KEPT, path=path, failed=failed_files, files=files, written=written
            )
            return [kept]
        else:
            raise FileError(english(M.MANIFEST_CHANGED, path=path, files=files, written=written))
        lines = [english(M.MANIFEST_WRITTEN, path=path, files=files)]
        if failed:
            lines.append(english(M.LEFT_OUT, files=english(M.FAILED_FILES, n=failed)))
        itself = os.path.normcase(path)
        skipped = sum(
            1
            for i in _rows(tasks, results, Status.SKIPPED)
            if os.path.normcase(tasks[i].path) != itself
        )
        if skipped:
            lines.append(english(M.LEFT_OUT, files=english(M.SKIPPED_FILES, n=skipped)))
        if check:
            lines.extend(_b3sum_warning(unreadable))
        return lines

    def print_results(self, out: TextIO, options: Any, tasks: Sequence[Task], results: Any) -> bool:
        """Without a manifest file (``-o``) the manifest goes to standard output, in the same
        bytes as a file would hold (names relative to the current folder)."""
        if not options.manifest:
            rows = results.indices(Status.DONE)
            paths = tasks.paths  # type: ignore[attr-defined]  # the job's TaskList
            out.flush()
            manifest.write_manifest(
                out.buffer, results.packed_values(rows), [paths[i] for i in rows], os.getcwd()
            )
            out.buffer.flush()
        return False

    def interrupted_text(self, options: Any) -> str:
        if options.manifest:
            kept = _("the manifest {path} was not written or changed")
            return kept.format(path=printable(options.manifest))
        return _("the manifest on standard output lists only those")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-a",
            "--algorithm",
            choices=list(manifest.ALGORITHMS),
            default=manifest.DEFAULT_ALGORITHM,
            help=_("digest algorithm (default: %(default)s)"),
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="MANIFEST",
            help=_("write the manifest here (paths relative to its folder) instead of to stdout"),
        )

    def options_from_args(self, args: argparse.Namespace) -> ChecksumOptions:
        return ChecksumOptions(algorithm=args.algorithm, manifest=args.output)
