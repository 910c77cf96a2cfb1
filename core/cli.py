"""``parabatch-cli``: the headless command line over the same engine as the window.

Exit codes: 0 every file done (skipped non-regular files are not failures), 1 some file failed,
did not match or was cancelled, 2 usage error or unusable input, 130 interrupted (Ctrl-C, SIGTERM,
SIGHUP: the job is cancelled cleanly, what finished is printed, no partial output is left).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import stat
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from core import __version__, cluster_cli, journal_cli, operations, stopsignals
from core.discover import Filters, Scanner
from core.engine import DEFAULT_WATCHDOG, Engine, Job, JobReport, run_session
from core.help_format import HelpFormatter
from core.i18n import _, ngettext, use_language
from core.i18n import message_for_people as for_people
from core.journal_writer import Recorder
from core.operations.base import ChunkLimits
from core.progress import format_bytes, format_duration
from core.records import FileEntry, FileError, FileResult, SkippedEntry, Status, Task
from core.session import Carry, Found, Inputs, Session
from core.wording import clip, columns, pad, printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SCAN_BATCH = 1000  # entries found per batch; the first chunks start after the first batch
JOURNAL_WAIT = 10.0  # seconds the end waits for the journal's last writes


def _add_common(p: argparse.ArgumentParser, *, takes_paths: bool) -> None:
    p.add_argument(
        "-w", "--workers", type=int, default=os.cpu_count() or 1, help=_("worker processes")
    )
    cluster_cli.add_cluster_argument(p)
    p.add_argument(
        "--json", action="store_true", help=_("one JSON record per file, then a summary")
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help=_("no progress bar and no summary line")
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help=_(
            "fail a file that takes longer than this (its worker is stopped); default: no limit"
        ),
    )
    p.add_argument(
        "--watchdog",
        type=_seconds,
        default=DEFAULT_WATCHDOG,
        metavar="SECONDS",
        help=_(
            "stop a worker that shows no progress at all for this long and fail its file as "
            "hung (default: %(default)g; 0 turns it off)"
        ),
    )
    if takes_paths:
        p.add_argument(
            "--include",
            action="append",
            default=[],
            metavar="GLOB",
            help=_("only files whose name or path matches GLOB (may be given more than once)"),
        )
        p.add_argument(
            "--exclude",
            action="append",
            default=[],
            metavar="GLOB",
            help=_("leave out files and folders matching GLOB (may be given more than once)"),
        )
        p.add_argument("paths", nargs="+", metavar="PATH", help=_("files and folders"))
    journal_cli.add_journal_arguments(p)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a number of seconds: {text}").format(text=repr(text))
        ) from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(
            _("must be 0 or more seconds: {text}").format(text=repr(text))
        )
    return value


class _Parser(argparse.ArgumentParser):
    """The command line's parser (its subcommands' parsers are of the same class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, other operations are not imported (faster start)."""
    parser = _Parser(prog="parabatch-cli", description=_("Process batches of files in parallel."))
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show the program's version and exit"),
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", title=_("commands")
    )
    builtin = only is not None and only in operations.REGISTRY
    for name in list(operations.REGISTRY) if builtin else operations.names():
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        op = operations.get(name)
        p = sub.add_parser(name, help=_(op.help), description=_(op.help))
        if op.input == "manifest":
            p.add_argument("manifest", metavar="MANIFEST", help=_("checksum file to verify"))
        _add_common(p, takes_paths=op.input == "paths")
        if op.has_dry_run:
            p.add_argument(
                "--dry-run", action="store_true", help=_("list input -> output, write nothing")
            )
        op.add_arguments(p)
    journal_cli.add_parser(sub)
    cluster_cli.add_parser(sub)
    sub.add_parser("operations", help=_("list the operations, built in and from plugins"))
    return parser


def _list_operations() -> int:
    """``parabatch-cli operations``: name, title and origin of each; broken plugins with why."""
    from core import plugins

    found = {p.name: p for p in plugins.plugins(operations.REGISTRY)}
    for name in operations.names():
        p = None if name in operations.REGISTRY else found.get(name)
        where = f"{p.distribution} {p.version} ({p.location})" if p else _("built in")
        title = p.title if p else _(operations.get(name).title)
        sys.stdout.write(f"{name}\t{title}\t{_text(where)}\n")
    for p in found.values():
        if p.error is not None:
            where = f"{p.distribution} {p.version} ({p.location})"
            unusable = _("(not usable: {error})").format(error=p.error)
            sys.stdout.write(f"{p.name}\t{unusable}\t{_text(where)}\n")
    return EXIT_OK


_text = printable


class ProgressLine:
    """A one-line progress bar on a terminal's standard error, never wider than the terminal
    (a wider line wraps, and every redraw then leaves a line behind). Parts that do not fit are
    left out, least useful first; the width is read at every redraw, so a resize is followed.
    ``columns``: a fixed width (tests), instead of the terminal's."""

    BAR = 24

    def __init__(self, stream: IO[str], columns: int | None = None) -> None:
        self.stream = stream
        self.columns = columns
        self.width = 0

    def _columns(self) -> int:
        if self.columns is not None:
            return self.columns
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return 80

    def __call__(self, job: Job) -> None:
        t = job.tracker
        if t.input_open:  # still finding files: no total yet, so no bar and no ETA
            scanning = _("scanning")
            head = f"[{pad(scanning, self.BAR, '^')}]"
            count = f"{t.finished}/{t.n}+"
            parts = [
                ngettext("{count} file", "{count} files", t.n).format(count=count),
                f"{format_bytes(t.bytes_done)}/{format_bytes(t.total_bytes)}+",
                f"{format_bytes(t.rate)}/s",
            ]
        else:
            frac = t.fraction
            head = f"[{'#' * int(frac * self.BAR):<{self.BAR}}] {frac * 100:5.1f}%"
            count = f"{t.finished}/{t.n}"
            parts = [
                ngettext("{count} file", "{count} files", t.n).format(count=count),
                f"{format_bytes(t.bytes_done)}/{format_bytes(t.total_bytes)}",
                f"{format_bytes(t.rate)}/s",
                _("ETA {time}").format(time=format_duration(t.eta)),
            ]
        if job.cancel_requested and not job.done.is_set():
            parts.insert(0, _("cancelling…"))
        room = self._columns() - 1  # the last column: some terminals wrap when it is written
        line = self._fit(head, parts, room)
        self.stream.write("\r" + pad(line, min(self.width, room)))
        self.width = columns(line)  # in terminal columns: a CJK character takes two
        self.stream.flush()

    def _fit(self, head: str, parts: list[str], room: int) -> str:
        """``head`` and as many ``parts`` as fit (the first ones are kept longest)."""
        for n in range(len(parts), -1, -1):
            line = "  ".join([head, *parts[:n]])
            if columns(line) <= room:
                return line
        if parts and columns(parts[0]) <= room:  # too narrow for the bar: the most useful part
            return parts[0]
        return clip(head, room) if room > 0 else ""

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def _record(task: Task, r: FileResult | None) -> dict[str, Any]:
    rec: dict[str, Any] = {"path": _text(task.path), "size": task.size}
    if r is None:
        rec["status"] = "pending"
        return rec
    rec["status"] = r.status.name.lower()
    if r.kind:
        rec["kind"] = r.kind.slug
    if r.value:
        rec["value"] = r.value
    if r.message:
        rec["message"] = r.message
    if r.output:
        rec["output"] = _text(r.output)
    if r.detail:
        import json

        with contextlib.suppress(ValueError):
            rec["detail"] = json.loads(r.detail)  # a failed command's time, exit, output tails
    return rec


def _print_results(args: argparse.Namespace, op_name: str, job: Job, report: JobReport) -> None:
    """--json records and a summary; else the operation's own output, failures, summary."""
    out, err = sys.stdout, sys.stderr
    results = job.tracker.results
    if args.json:
        import json  # only here: the common runs do not pay for it at start

        for task, r in zip(job.tasks, results, strict=True):
            out.write(json.dumps(_record(task, r)) + "\n")
        summary: dict[str, Any] = {"summary": job.tracker.summary(), "lines": report.lines}
        if report.error:
            summary["error"] = report.error
        out.write(json.dumps(summary) + "\n")
        return
    op = operations.get(op_name)
    named_failures = op.print_results(out, job.options, job.tasks, results)
    if not named_failures:
        for i in results.indices(Status.FAILED):
            r = results[i]
            assert r is not None
            if report.error and r.message == report.error:
                continue  # the job-level error, said once below
            path = _text(job.tasks.paths[i])
            err.write(f"parabatch-cli: {path}: {_text(for_people(r.message))}\n")
    for line in report.lines:
        err.write(_text(for_people(line)) + "\n")
    if report.error:
        err.write(_error(for_people(report.error)))
    if args.quiet:
        return
    s = job.tracker.summary()
    summary_line = _(
        "{done} done, {failed} failed, {skipped} skipped, {cancelled} cancelled of {files} "
        "in {time} ({rate}/s)"
    )
    err.write(
        summary_line.format(
            done=s["done"],
            failed=s["failed"],
            skipped=s["skipped"],
            cancelled=s["cancelled"],
            files=s["files"],
            time=format_duration(float(s["seconds"])),
            rate=format_bytes(job.tracker.rate),
        )
        + "\n"
    )


def _error(message: str) -> str:
    """``parabatch-cli: error: MESSAGE`` and a newline, in the language in use."""
    return _("parabatch-cli: error: {message}").format(message=_text(message)) + "\n"


def _note(message: str) -> str:
    return _("parabatch-cli: note: {message}").format(message=_text(for_people(message))) + "\n"


def _warning(message: str) -> str:
    text = _("parabatch-cli: warning: {message}").format(message=_text(for_people(message)))
    return text + "\n"


def _stdout_stat() -> os.stat_result | None:
    """Standard output's file, when it is a regular file (``checksum . > SUMS``)."""
    try:
        st = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _skip_own_stdout(entries: list[Any], st: os.stat_result | None) -> list[Any]:
    """``parabatch-cli checksum . > SUMS`` must not hash the half-written SUMS itself."""
    if st is None:
        return entries
    out = []
    for e in entries:
        # Same size first (nothing writes to standard output before the end): one stat per
        # candidate, not per file.
        if isinstance(e, FileEntry) and e.size == st.st_size:
            try:
                same = os.path.samestat(os.stat(e.path), st)
            except OSError:
                same = False
            if same:
                e = SkippedEntry(e.path, "this is the manifest being written (standard output)")
        out.append(e)
    return out


def _dry_run(op: Any, entries: list[Any], options: Any) -> int:
    lines = getattr(op, "dry_run_lines", None)  # the commands themselves, byte for byte
    if lines is not None:
        out = getattr(sys.stdout, "buffer", None)
        for line in lines(entries, options):
            if out is None:
                sys.stdout.write(line + "\n")
            else:
                out.write(line.encode("utf-8", "surrogateescape") + b"\n")
        return EXIT_OK
    for src, dst, note in op.dry_run(entries, options):
        arrow = _text(dst) if dst else _("(nothing written)")
        shown = f"  [{_text(for_people(note))}]" if note else ""
        sys.stdout.write(f"{_text(src)} -> {arrow}{shown}\n")
    return EXIT_OK


# Collect young garbage every 100,000 allocations instead of every 700, and old objects almost
# never: a job allocates a few long-lived, acyclic records per file, and with the default
# thresholds the collector walks them again and again (measured: 30 ms of a 90 ms manifest
# step, and more the bigger the batch). Cyclic garbage is still found, in fewer passes.
GC_THRESHOLDS = (100_000, 50, 1000)


def main(argv: Sequence[str] | None = None, *, exiting: bool = False) -> int:
    """Run the command line. ``exiting``: the program ends when this returns (``core.__main__``),
    so stop signals are ignored from the moment its results are out and its exit code decided
    (see :func:`core.stopsignals.ignore_from_now`)."""
    gc.set_threshold(*GC_THRESHOLDS)
    argv = list(sys.argv[1:] if argv is None else argv)
    stopsignals.install()  # again, for callers of main() that did not come through core.__main__
    use_language(None)  # LANGUAGE, LC_ALL, LC_MESSAGES, LANG: messages and --help follow them
    engine: Engine | None = None
    try:
        command = next((a for a in argv if not a.startswith("-")), None)
        # A built-in command does not wait for the installed plugins to be found and loaded.
        known = command in operations.REGISTRY or command in operations.names()
        # An operation that runs a command takes it whole after "--" (run PATH... -- CMD ARG...).
        tail = None
        if (
            command
            and known
            and "--" in argv
            and getattr(operations.get(command), "command_tail", False)
        ):
            cut = argv.index("--")
            argv, tail = argv[:cut], argv[cut + 1 :]
        parser = build_parser(command if known else None)
        args = parser.parse_args(argv)
        if tail is not None:
            args.run_command = tail
        if args.command == "cluster":
            return cluster_cli.run(args)
        if args.command == "operations":
            return _list_operations()
        if getattr(args, "workers", 1) < 1:
            parser.error(_("--workers must be at least 1"))
        if args.command == "jobs":
            if args.verb in ("resume", "retry"):
                mapped = cluster_cli.path_map(args, parser)
                engine = Engine(args.workers, cluster=args.cluster, path_map=mapped)
            return journal_cli.run(args, engine)
        op = operations.get(args.command)
        try:
            options = op.options_from_args(args)
        except ValueError as e:
            parser.error(for_people(str(e)))
        mapped = cluster_cli.path_map(args, parser)
        engine = Engine(args.workers, cluster=args.cluster, path_map=mapped)
        seen = [p for p in getattr(args, "paths", []) if os.path.lexists(p)]
        unusable = cluster_cli.connect(engine, seen)  # a cluster: reachable, sees the inputs
        if unusable is not None:
            return unusable
        return _run(args, parser, op, options, engine)
    except KeyboardInterrupt:
        with stopsignals.held(reraise=False):
            if engine is not None:
                engine.shutdown()
            sys.stderr.write(_("parabatch-cli: interrupted before any file was processed") + "\n")
        return EXIT_INTERRUPTED
    finally:
        with stopsignals.held(reraise=False):  # the workers are being ended anyway
            if engine is not None:
                engine.shutdown()
            if exiting:
                stopsignals.ignore_from_now()


def _run(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    op: Any,
    options: Any,
    engine: Engine,
) -> int:
    inputs = Found(iter(()))  # an operation that reads a manifest finds its inputs in it
    if op.input == "paths":
        missing = [p for p in args.paths if not os.path.lexists(p)]
        if missing:
            names = ", ".join(map(_text, missing))
            parser.error(_("no such file or folder: {paths}").format(paths=names))
        if op.inline_safe and engine.cluster is None and _tiny(args.paths):
            engine.inline = True  # a few small files: hashing them beats starting workers
        # Start the workers now: they boot while the folders are scanned.
        engine.warm_up()
        scanner = Scanner(args.paths, Filters(tuple(args.include), tuple(args.exclude)))
        own_stdout = _stdout_stat()
        inputs = Found(_skip_own_stdout(b, own_stdout) for b in scanner.batches(SCAN_BATCH))
        if getattr(args, "dry_run", False):
            entries = inputs.entries()
            try:
                with stopsignals.held(reraise=False):  # the list is printed whole, or not begun
                    return _dry_run(op, entries, options)
            except FileError as e:
                sys.stderr.write(_error(for_people(str(e))))
                return EXIT_USAGE
    recorder = None
    if not args.no_journal:
        given: dict[str, Any] = {"cwd": os.getcwd(), "timeout": args.timeout}
        given["watchdog"] = args.watchdog
        if op.input == "paths":
            given.update(paths=args.paths, include=args.include, exclude=args.exclude)
        recorder = Recorder(args.journal, given)
    return drive(
        args, args.command, options, inputs, engine, args.timeout, args.watchdog, None, recorder
    )


def _tiny(paths: Sequence[str]) -> bool:
    """Whether these inputs are a few small regular files (no folder: a folder may hold any
    number), a job that runs faster in this process than on spawned workers."""
    from core.executor.inline import INLINE_MAX_FILES, fits_inline

    if len(paths) > INLINE_MAX_FILES:
        return False
    total = 0
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            return False  # the scan reports it; the pool handles whatever it is
        if not stat.S_ISREG(st.st_mode):
            return False
        total += st.st_size
    return fits_inline(len(paths), total)


def drive(
    args: argparse.Namespace,
    op_name: str,
    options: Any,
    inputs: Inputs,
    engine: Engine,
    timeout: float | None,
    watchdog: float | None,
    carry: Carry | None,
    recorder: Recorder | None,
    limits: ChunkLimits | None = None,
) -> int:
    """Plan and run one job, print its results; returns the exit code. ``args``: ``json``,
    ``quiet``; ``carry``, ``recorder`` and ``limits``: see :class:`core.session.Session`."""
    # A streaming operation starts on the first files while the rest are still found; the
    # others are planned here on every input (a stop signal meanwhile ends the program).
    session = Session(
        engine,
        op_name,
        options,
        inputs,
        timeout=timeout,
        watchdog=watchdog,
        carry=carry,
        recorder=recorder,
        limits=limits,
    )
    try:
        job = session.plan()
    except FileError as e:
        sys.stderr.write(_error(for_people(str(e))))
        return EXIT_USAGE
    for note in job.notes:
        sys.stderr.write(_note(note))
    progress = ProgressLine(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    # From here on a stop signal never raises: the job loop sees it and cancels the job, every
    # result is taken in, and the results are printed whole. One that comes while they are
    # printed changes nothing: they are complete, and the exit code says how the job ended.
    with stopsignals.held(reraise=False):
        job, report = run_session(session, progress, should_stop=stopsignals.pending)
        if progress:
            progress.close()
        # The workers are done: let them exit while the results are printed (main() still
        # waits for them before the program ends).
        closing = threading.Thread(target=engine.shutdown, name="parabatch-close", daemon=True)
        closing.start()
        try:
            _print_results(args, op_name, job, report)
            if report.interrupted:
                sys.stderr.write(_interrupted_text(args, op_name, job, recorder) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (``| head``): say nothing more there
            _silence_stdout()
        if recorder is not None:
            _close_journal(recorder)
        closing.join()
    if report.interrupted:
        return EXIT_INTERRUPTED
    counts = job.tracker.counts
    if report.error or counts[Status.FAILED] or counts[Status.CANCELLED]:
        return EXIT_FAILED
    return EXIT_OK


def _interrupted_text(
    args: argparse.Namespace, op_name: str, job: Job, recorder: Recorder | None
) -> str:
    """What an interrupt kept, and where."""
    counts = job.tracker.counts
    done, n = counts[Status.DONE], job.tracker.n
    head = ngettext(
        "parabatch-cli: interrupted: {done} of {n} file was finished",
        "parabatch-cli: interrupted: {done} of {n} files were finished",
        n,
    ).format(done=done, n=n)
    if args.json:
        kept = _("each file's result, finished or cancelled, is in the JSON output above")
    else:
        kept = operations.get(op_name).interrupted_text(job.options)
    text = _("{head}; {kept}").format(head=head, kept=kept)
    if recorder is not None and recorder.job_number is not None:
        resume = _("'parabatch-cli jobs resume {number}' finishes the job")
        text = _("{head}; {kept}").format(head=text, kept=resume.format(number=recorder.job_number))
    return text


def _close_journal(recorder: Recorder) -> None:
    """Wait for the journal's last writes; say once if it could not be used."""
    done = recorder.close(JOURNAL_WAIT)
    for note in recorder.notes:
        sys.stderr.write(_note(note))
    if recorder.warning:
        sys.stderr.write(_warning(recorder.warning))
    elif not done:
        busy = _(
            "the job journal did not take this job's last results in time (another program "
            "keeps it busy); the job shows as interrupted in 'jobs list'"
        )
        sys.stderr.write(_warning(busy))


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
