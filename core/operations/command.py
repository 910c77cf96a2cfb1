"""The "run" operation: any program, once per file, with GNU parallel's replacement strings.

``parabatch-cli run PATH... -- ffmpeg -nostdin -i {} -c:v libx264 {out} --name '{name}.mp4'``
runs the command for every file in a worker (see :mod:`core.operations.command_template` for the
template and :mod:`core.operations.command_proc` for how a command runs and is stopped). Exit
status 0 is done; anything else fails the file with the code and the last line of its error
output; the time limit and cancel stop the command's whole process group.

``{out}`` is the output planned by the naming rules before Start (output folder, name template,
mirrored tree, collision policy). The command writes a temporary in the target folder that keeps
the final extension (tools choose formats by it), moved into place only when the command
succeeded and the file exists. A template without ``{out}`` writes nothing of ours (the naming
rules are not used). The program is looked up before Start: a missing one is one error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from core import messages as M
from core.i18n import N_, _, english
from core.naming import Action, NamingRule
from core.operations import command_template as tpl
from core.operations.base import ChunkLimits, Operation, Outcome, Plan, WorkerContext
from core.operations.writing import (
    OutputOperation,
    add_output_arguments,
    naming_from_args,
    refuse_source,
)
from core.outputs import partial_path
from core.records import FileEntry, FileError, Kind, SkippedEntry, Task

if TYPE_CHECKING:
    from core.operations.command_proc import Finished

LAST_LINE = 300  # characters of the last stderr line kept in a result (and of a detail's lines)
DETAIL_LINES = 20  # lines of each of stderr and stdout kept in a failed result's detail
DETAIL_BYTES = 4096  # at most this much of each
BACKSTOP = 2.0  # seconds past the command's own limit and grace before the engine's limit
_EXPLICIT_EXT = re.compile(r"\.[A-Za-z0-9]{1,12}$")  # "{name}.mp4": the template names the ext
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class RunOptions:
    """``command``: the template (shell words; with ``shell``, one line for ``sh -c``);
    ``timeout``: seconds a command may run before its process group is stopped (None: no
    limit)."""

    command: str = ""
    shell: bool = False
    timeout: float | None = None
    naming: NamingRule = field(default_factory=NamingRule)

    def __post_init__(self) -> None:
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError("the time limit must be more than 0 seconds")
        if self.command.strip():
            tpl.parse(self.command, shell=self.shell)  # ValueError with a sentence

    @property
    def words(self) -> list[str]:
        return tpl.parse(self.command, shell=self.shell)


def check_program(words: Sequence[str], *, shell: bool = False) -> None:
    """Raise FileError unless the command's program can be started (said before Start)."""
    name = tpl.program(words, shell=shell)
    if tpl.FIELD.search(name):
        return  # the program is the file itself ({}): each row says whether it runs
    if "/" in name:
        if not os.path.isfile(name):
            raise FileError(english(M.PROGRAM_MISSING, path=name))
        if not os.access(name, os.X_OK):
            raise FileError(english(M.PROGRAM_NOT_EXECUTABLE, path=name))
        return
    if shutil.which(name) is None:
        raise FileError(english(M.PROGRAM_NOT_ON_PATH, name=repr(name)))


def _suffix(path: str) -> str:
    """The extensions a tool reads from a name: ``.tar.gz`` of ``x.tar.gz``."""
    base = os.path.basename(path).lstrip(".")
    return base[base.index(".") :] if "." in base else ""


def temporary_for(final: str) -> str:
    """A fresh temporary beside ``final`` that ends with the same extensions."""
    return partial_path(final) + _suffix(final)


def last_line(data: bytes) -> str:
    """The last non-blank line of an output, printable and bounded."""
    for line in reversed(data.decode("utf-8", "replace").splitlines()):
        line = _CONTROL.sub("", line).strip()
        if line:
            return line[-LAST_LINE:]
    return ""


def tail_lines(data: bytes) -> str:
    """The last :data:`DETAIL_LINES` lines of an output (at most :data:`DETAIL_BYTES` of it),
    printable, each bounded; a line cut at the front starts with "…"."""
    cut = len(data) > DETAIL_BYTES
    text = data[-DETAIL_BYTES:].decode("utf-8", "replace")
    if cut:
        text = "…" + text.lstrip("\ufffd")  # a character cut in half decodes as U+FFFD
    lines = [_CONTROL.sub("", line.replace("\t", "    ")).rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    lines = lines[-DETAIL_LINES:]
    return "\n".join(line if len(line) <= LAST_LINE else "…" + line[-LAST_LINE:] for line in lines)


def detail_of(done: Finished) -> str:
    """A finished command's detail (see :class:`core.records.FileResult`): its running time,
    exit status and the tails of its outputs, as JSON."""
    import json

    detail: dict[str, Any] = {"seconds": round(done.seconds, 3), "exit": done.returncode}
    for name, data in (("stderr", done.stderr), ("stdout", done.stdout)):
        text = tail_lines(data)
        if text:
            detail[name] = text
    return json.dumps(detail, ensure_ascii=False)


def _ended(returncode: int, output: str) -> str:
    """How a command ended, and the last line it said (``output``)."""
    if returncode < 0:
        import signal

        with contextlib.suppress(ValueError):
            name = signal.Signals(-returncode).name
            return english(M.COMMAND_KILLED, signal=-returncode, name=name, output=output)
        return english(M.COMMAND_KILLED_UNNAMED, signal=-returncode, output=output)
    return english(M.COMMAND_EXIT, code=returncode, output=output)


class RunOperation(OutputOperation):
    """Run a program on every file (GNU parallel's replacement strings; no shell by default)."""

    name = "run"
    title = N_("Run a command")
    help = N_("run a program on every file: {} {.} {/} {//} {/.} {#} {out} (as GNU parallel)")
    options_type = RunOptions
    limits = ChunkLimits(max_files=1)  # a command is slow next to a chunk's cost: one each
    command_tail: ClassVar[bool] = True  # the command line takes the command after "--"

    # --- planning ------------------------------------------------------------------------------
    def output_ext(self, source: str, options: Any) -> str:
        """The input's extension, unless the name template ends in one (``{name}.mp4``)."""
        if _EXPLICIT_EXT.search(options.naming.template):
            return ""
        return os.path.splitext(source)[1]

    def check_options(self, options: Any) -> None:
        try:
            words = options.words
        except ValueError as e:
            raise FileError(str(e)) from None
        check_program(words, shell=options.shell)

    def plan(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> Plan:
        if not tpl.uses_output(options.words):
            self.check_options(options)
            return Operation.plan(self, entries, options)
        return super().plan(entries, options)  # also clears dead writers' temporaries

    def dry_run(
        self, entries: Sequence[FileEntry | SkippedEntry], options: Any
    ) -> list[tuple[str, str | None, str]]:
        if tpl.uses_output(options.words):
            return super().dry_run(entries, options)
        self.check_options(options)
        return [(e.path, None, "") for e in entries]

    def dry_run_lines(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> list[str]:
        """Each command exactly as it would run (``{out}``: the final name; the command writes
        a temporary beside it); entries that would not run as ``#`` comments."""
        words = options.words
        outputs: dict[int, str] = {}
        notes: dict[int, str] = {}
        if tpl.uses_output(words):
            files, refused = self._sorted(entries, options)
            planned = iter(self.plan_names(files, options))
            for i, e in enumerate(entries):
                if isinstance(e, FileEntry) and i not in refused:
                    p = next(planned)
                    if p.action in (Action.SKIP, Action.REFUSE):
                        notes[i] = p.note
                    else:
                        assert p.output is not None
                        outputs[i] = p.output
                elif i in refused:
                    notes[i] = refused[i]
        else:
            self.check_options(options)
        lines = []
        for i, e in enumerate(entries):
            if isinstance(e, SkippedEntry):
                notes[i] = e.reason
            if i in notes:
                lines.append(f"# not run: {shlex.quote(e.path)}: {notes[i]}".replace("\n", "\\n"))
                continue
            vals = tpl.values(e.path, i + 1, outputs.get(i))
            lines.append(
                tpl.display(tpl.expand(words, vals, shell=options.shell), shell=options.shell)
            )
        return lines

    # --- worker side ---------------------------------------------------------------------------
    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        from core.operations import command_proc

        words = options.words
        final = task.output if tpl.uses_output(words) else None
        tmp = None
        if final is not None:
            os.makedirs(os.path.dirname(final) or ".", exist_ok=True)
            refuse_source(final, task.path)
            tmp = temporary_for(final)
        argv = tpl.expand(words, tpl.values(task.path, task.index + 1, tmp), shell=options.shell)
        try:
            try:
                done = command_proc.run(
                    argv,
                    timeout=options.timeout,
                    check_cancel=ctx.check_cancel,
                    paused=ctx.paused,
                )
            except OSError as e:
                said = english(M.CANNOT_START, path=argv[0], reason=e.strerror or e)
                raise FileError(said) from None
            err = last_line(done.stderr)
            if done.timed_out:
                seconds = f"{options.timeout:g}"
                if err:
                    said = english(M.COMMAND_TIMED_OUT_SAID, seconds=seconds, output=err)
                else:
                    said = english(M.COMMAND_TIMED_OUT, seconds=seconds)
                raise FileError(said, Kind.TIMED_OUT, detail_of(done))
            if done.returncode != 0:
                said = err or last_line(done.stdout) or M.NO_ERROR_OUTPUT
                raise FileError(_ended(done.returncode, said), detail=detail_of(done))
            value = f"exit 0 in {done.seconds:.2f} s"
            if tmp is None or final is None:
                return Outcome(value, None, err)
            if not os.path.isfile(tmp) or os.path.islink(tmp):
                raise FileError(M.NO_FILE_AT_OUT, Kind.OUTPUT_FAILED, detail_of(done))
            refuse_source(final, task.path)
            os.replace(tmp, final)
            tmp = None
            return Outcome(value, final, err)
        finally:
            if tmp is not None:
                _discard(tmp)

    # --- the command line ----------------------------------------------------------------------
    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.usage = _("%(prog)s [options] PATH... -- PROGRAM [ARGUMENT...]")
        parser.epilog = _(
            "The command comes after '--'. Replacement strings: {} the file, {.} without its "
            "extension, {/} its name, {//} its folder, {/.} its name without extension, {#} "
            "its number, {out} the planned output (written atomically). Without any, ' {}' is "
            "appended. --timeout stops a command's whole process group (SIGTERM, then SIGKILL)."
        )
        g = parser.add_argument_group(_("command"))
        g.add_argument(
            "--shell", action="store_true",
            help=_(
                "run the command line through sh -c (pipes, redirections); each replacement "
                "is quoted for it: do not quote them yourself"
            ),
        )  # fmt: skip
        parser.set_defaults(run_command=None)
        add_output_arguments(parser, NamingRule(), example="'{name}.mp4'")

    def options_from_args(self, args: argparse.Namespace) -> RunOptions:
        words = args.run_command
        if not words:
            raise ValueError(M.COMMAND_AFTER_DASHES)
        timeout = args.timeout or None
        options = RunOptions(
            command=" ".join(words) if args.shell else shlex.join(words),
            shell=args.shell,
            timeout=timeout,
            naming=naming_from_args(args),
        )
        if timeout is not None:
            # The command's own limit stops its group gently (SIGTERM, grace, SIGKILL) and says
            # so; the engine's per-file limit (it SIGKILLs the worker) stays as a backstop.
            from core.operations.command_proc import KILL_GRACE

            args.timeout = timeout + KILL_GRACE + BACKSTOP
        return options

    def interrupted_text(self, options: Any) -> str:
        return _("commands still running were stopped; no partial output was left under its name")


def _discard(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)
