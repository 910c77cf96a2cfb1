"""The base of every operation that writes one output file per input (image conversion today;
compression and text-encoding conversion build on it too).

What it owns, so that an operation does not copy it:

- **Naming before Start.** :meth:`OutputOperation.plan_names` fixes every output path through
  :mod:`core.naming` (output folder, name template, mirror tree, collision policy) and checks
  every output folder before any file is read. ``plan`` and ``dry_run`` print the same plan; the
  window's preview calls the same method.
- **Settling.** Inputs whose output name is taken (policy "skip") or whose output would be the
  source itself are settled as skipped or refused before Start, with a kind.
- **Notes.** What the plan will do (renames, overwrites, skips, refusals) in sentences.
- **Writing.** :func:`commit_output` writes through a temporary file published atomically, never
  over the source, and applies the collision policy again at the moment of writing (the name may
  have been taken since the plan).
- **The command line.** :func:`add_output_arguments` and :func:`naming_from_args`.

A subclass names its output extension (:meth:`OutputOperation.output_ext`), may refuse options
up front (:meth:`OutputOperation.check_options`), and writes in ``process`` with
:func:`commit_output`. Its options carry ``naming: NamingRule``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable, Collection, Sequence
from typing import IO, Any, ClassVar

from core import messages as M
from core import naming
from core.i18n import _, english, message_for_people
from core.naming import Action, Collision, NamingRule, PlannedOutput
from core.operations.base import Operation, Plan, WorkerContext
from core.outputs import partial_path, remove_stale_partials
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

DryRunRow = tuple[str, str | None, str]  # (input, output or None, note)


class OutputOperation(Operation):
    """An operation that writes one output per input, named and checked before Start."""

    has_dry_run = True
    size_fields: ClassVar[bool] = False
    """Whether output names may use {width} and {height} (filled in once the output's size is
    known, as the image operation does); others refuse such a template before Start."""

    # --- what a subclass says ------------------------------------------------------------------
    def output_ext(self, source: str, options: Any) -> str:
        """The output extension (with its dot) for ``source``."""
        raise NotImplementedError

    def check_options(self, options: Any) -> None:
        """Raise FileError if these options cannot run here (said before any file is read)."""

    # --- planning --------------------------------------------------------------------------------
    def plan_names(
        self, sources: Sequence[str], options: Any, root: str | None = None
    ) -> list[PlannedOutput]:
        """Every source's planned output (shared by the plan, the dry run and the window's
        preview). Every distinct output folder is checked up front: it must exist or be
        creatable (the writer makes missing folders), and be writable. Raises FileError with a
        sentence for the user, before any file is read."""
        self.check_options(options)
        if not self.size_fields and naming.Template(options.naming.template).deferred:
            pattern = repr(options.naming.template)
            operation = self.title.lower()
            raise FileError(english(M.SIZE_FIELDS_UNKNOWN, pattern=pattern, operation=operation))
        out_dir = options.naming.output_dir
        if out_dir and os.path.exists(out_dir) and not os.path.isdir(out_dir):
            raise FileError(english(M.OUTPUT_DIR_IS_FILE, folder=out_dir))

        def ext_for(source: str) -> str:
            return self.output_ext(source, options)

        try:
            planned = naming.plan_outputs(sources, options.naming, ext_for, root)
            naming.check_folders(naming.output_folders(planned))
        except ValueError as e:
            raise FileError(str(e)) from None
        return planned

    def accepts(self, path: str, options: Any) -> str | None:
        """Whether this operation can handle the file: None if it can, else why not (a sentence
        for the user). Files it cannot handle are skipped before Start, unless the options say
        ``any_file``. Default: every file."""
        return None

    def _sorted(
        self, entries: Sequence[FileEntry | SkippedEntry], options: Any
    ) -> tuple[list[str], dict[int, str]]:
        """(paths of the files to plan outputs for, {entry position: why it is not taken})."""
        any_file = getattr(options, "any_file", False)
        files: list[str] = []
        refused: dict[int, str] = {}
        for i, e in enumerate(entries):
            if not isinstance(e, FileEntry):
                continue
            why = None if any_file else self.accepts(e.path, options)
            if why is None:
                files.append(e.path)
            else:
                refused[i] = why
        return files, refused

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        """One row per input with its final output path in ``Task.output``; files the operation
        cannot handle, and skips and refusals decided by the collision policy, are settled
        before Start."""
        files, refused = self._sorted(entries, options)
        planned_all = self.plan_names(files, options)
        # Temporaries of writers that died (a crashed worker, a killed app) are cleared now.
        remove_stale_partials(f for f in naming.output_folders(planned_all) if os.path.isdir(f))
        planned = iter(planned_all)
        notes = plan_notes(planned_all)
        if refused:
            operation = self.title.lower()
            notes.append(english(M.CANNOT_HANDLE, n=len(refused), operation=operation))
        tasks: list[Task] = []
        plan = Plan(tasks, notes=notes)
        for i, e in enumerate(entries):
            if isinstance(e, SkippedEntry):
                tasks.append(Task(i, e.path, 0))
                status = Status.FAILED if e.error else Status.SKIPPED
                plan.settled.append(FileResult(i, status, message=e.reason, kind=e.kind))
                continue
            if i in refused:
                tasks.append(Task(i, e.path, e.size, mtime_ns=e.mtime_ns))
                skip = FileResult(i, Status.SKIPPED, message=refused[i], kind=Kind.NOT_SUPPORTED)
                plan.settled.append(skip)
                continue
            p = next(planned)
            tasks.append(Task(i, e.path, e.size, output=p.output, mtime_ns=e.mtime_ns))
            if p.action is Action.SKIP:
                skip = FileResult(i, Status.SKIPPED, message=p.note, kind=Kind.OUTPUT_EXISTS)
                plan.settled.append(skip)
            elif p.action is Action.REFUSE:
                plan.settled.append(FileResult(i, Status.FAILED, message=p.note, kind=Kind.REFUSED))
            elif p.action is Action.RENAME:
                plan.remarks[i] = Kind.RENAMED
            elif p.action is Action.OVERWRITE:
                plan.remarks[i] = Kind.OVERWROTE
        return plan

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        """What happened to the outputs of files that were done (renamed, overwritten): counted
        from their results, not from the plan. Subclasses add their own lines after these."""
        renamed = overwrote = 0
        for r in results:
            if r.status == Status.DONE:
                if r.kind == Kind.RENAMED:
                    renamed += 1
                elif r.kind == Kind.OVERWROTE:
                    overwrote += 1
        lines = []
        if renamed:
            lines.append(english(M.RENAMED_COUNT, n=renamed))
        if overwrote:
            lines.append(english(M.OVERWRITTEN_COUNT, n=overwrote))
        return lines

    def dry_run(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> list[DryRunRow]:
        """(input, output or None, note) for every entry, without writing anything."""
        files, refused = self._sorted(entries, options)
        planned = iter(self.plan_names(files, options))
        rows: list[DryRunRow] = []
        for i, e in enumerate(entries):
            if isinstance(e, SkippedEntry):
                said = M.NOTE_FAILED if e.error else M.NOTE_SKIP
                rows.append((e.path, None, english(said, reason=e.reason)))
            elif i in refused:
                rows.append((e.path, None, english(M.NOTE_SKIP, reason=refused[i])))
            else:
                p = next(planned)
                rows.append((p.source, p.output, p.note))
        return rows


def plan_notes(planned: Sequence[PlannedOutput]) -> list[str]:
    """What the plan settled before Start (inputs skipped or refused: these are outcomes).
    Renames and overwrites are not said here: they happen only to files that are processed, and
    :meth:`OutputOperation.finish` counts those (the dry run and the preview show each one)."""
    counts = dict.fromkeys(Action, 0)
    for p in planned:
        counts[p.action] += 1
    notes = []
    if counts[Action.SKIP]:
        notes.append(english(M.SKIPPED_TAKEN, n=counts[Action.SKIP]))
    if counts[Action.REFUSE]:
        notes.append(english(M.REFUSED_SOURCES, n=counts[Action.REFUSE]))
    return notes


# --- writing (worker side) -----------------------------------------------------------------------
def _same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def refuse_source(output: str, source: str) -> None:
    """Raise if ``output`` is the source itself (through any symbolic link)."""
    if os.path.lexists(output) and _same_file(output, source):
        raise FileError(M.OVERWRITES_SOURCE, Kind.REFUSED)


def commit_output(
    ctx: WorkerContext,
    planned: str,
    source: str,
    write: Callable[[IO[bytes]], None],
    *,
    policy: Collision,
    final: str | None = None,
) -> tuple[str, str]:
    """Write an output through ``write(file)``; returns (final path, note).

    ``final``: the name is known only now (a template with fields filled from the result, such
    as an image's size), so the collision policy is applied here; else ``planned`` (already
    settled by the plan) is replaced atomically. Never writes over ``source``; a temporary is
    all that exists until the output is complete."""
    os.makedirs(os.path.dirname(planned) or ".", exist_ok=True)
    if final is None:
        refuse_source(planned, source)
        with ctx.atomic_output(planned) as f:
            write(f)
        return planned, ""
    tmp = partial_path(planned)
    try:
        with open(tmp, "xb") as f:
            write(f)
        ctx.check_cancel()
        return _publish(tmp, final, policy, source)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _publish(tmp: str, final: str, policy: Collision, source: str) -> tuple[str, str]:
    if policy is Collision.OVERWRITE:
        refuse_source(final, source)
        existed = os.path.lexists(final)
        os.replace(tmp, final)
        return final, "overwrite: exists" if existed else ""
    n = 0
    while True:
        candidate = final if n == 0 else naming.numbered(final, n)
        if _claim(tmp, candidate):
            return candidate, "collision: renamed (exists)" if n else ""
        if policy is Collision.SKIP:
            raise FileSkipped(f"skip: {os.path.basename(candidate)} exists", Kind.OUTPUT_EXISTS)
        n += 1


def _claim(tmp: str, candidate: str) -> bool:
    """Move ``tmp`` to ``candidate`` unless that name exists. True if it was moved."""
    try:
        os.link(tmp, candidate)
    except FileExistsError:
        return False
    except OSError:  # no hard links on this volume: check, then move (not race-free)
        if os.path.lexists(candidate):
            return False
        os.replace(tmp, candidate)
        return True
    os.unlink(tmp)
    return True


# --- the command line ----------------------------------------------------------------------------
def _template(text: str) -> str:
    try:
        naming.Template(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(message_for_people(str(e))) from None
    return text


def add_output_arguments(
    parser: argparse.ArgumentParser,
    default: NamingRule,
    fields: str = "{name} {ext} {parent} {counter}",
    example: str = "'{name}_small'",
    *,
    name_default: str | None = None,
) -> None:
    """The output flags every writing operation shares: --output-dir, --name, --mirror-tree,
    --on-collision. ``name_default``: the default name depends on other flags (the operation
    fills it in when ``args.name`` is None); this text says what it is in the help."""
    o = parser.add_argument_group(_("outputs (planned before the run)"))
    o.add_argument(
        "--output-dir", metavar="DIR", help=_("output folder (default: beside each input)")
    )
    o.add_argument(
        "--name", type=_template, default=None if name_default else default.template,
        metavar="TEMPLATE",
        help=_("output name without extension; fields {fields}, e.g. {example} (default: "
        "{default})").format(fields=fields, example=example, default=name_default or "%(default)s"),
    )  # fmt: skip
    o.add_argument(
        "--mirror-tree", action="store_true",
        help=_("recreate the inputs' folders (below their common folder) in the output folder"),
    )  # fmt: skip
    o.add_argument(
        "--on-collision", choices=[c.value for c in Collision], default=default.collision.value,
        help=_("when an output name is taken (default: %(default)s: add ' (1)', ' (2)'...)"),
    )  # fmt: skip


def naming_from_args(args: argparse.Namespace) -> NamingRule:
    """Raises ValueError with a sentence for the user (--mirror-tree without --output-dir)."""
    if args.mirror_tree and not args.output_dir:
        raise ValueError(M.MIRROR_NEEDS_DIR)
    return NamingRule(
        output_dir=os.path.abspath(args.output_dir) if args.output_dir else None,
        template=args.name,
        mirror_tree=args.mirror_tree,
        collision=Collision(args.on_collision),
    )
