"""``parabatch-cli jobs ...``: the journal's verbs on the command line.

``list``, ``show`` and ``export`` read the journal; ``resume`` and ``retry`` run a new job over a
past job's inputs through the same driver as any operation (:func:`core.cli.drive`), with the
past results carried over (:mod:`core.journal_resume`), on this computer or on a Dask cluster
(``--cluster``, ``--path-map``: the cluster is checked before anything is recorded);
``forget`` deletes jobs and compacts the file. No operation is named here: a job's operation
comes from its row, through the registry.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from core import cluster_cli, operations
from core.i18n import _, message_for_people, ngettext
from core.wording import pad, printable

if TYPE_CHECKING:
    from core.engine import Engine
    from core.journal import JobRow, Journal

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("csv", "json", "joblog")
RESULT_FIELDS = (
    "row",
    "path",
    "size",
    "mtime_ns",
    "status",
    "kind",
    "value",
    "output",
    "message",
    "attempt",
    "finished_at",
    "duration",
    "carried_from",
    "detail",
    "worker",
)


def add_journal_arguments(p: argparse.ArgumentParser, *, off: bool = True) -> None:
    """``--journal PATH`` (and ``--no-journal`` for verbs that run a job)."""
    p.add_argument(
        "--journal",
        metavar="PATH",
        default=None,
        help=_(
            "the job journal to use (default: $PARABATCH_JOURNAL, else one in the user's data "
            "folder)"
        ),
    )
    if off:
        p.add_argument(
            "--no-journal", action="store_true", help=_("do not record this job in the journal")
        )


def add_parser(sub: Any) -> None:
    """The ``jobs`` command and its verbs."""
    jobs = sub.add_parser(
        "jobs",
        help=_("list, show, export, resume, retry or forget past jobs (the job journal)"),
        description=_("Past jobs, from the job journal. JOB is the number 'jobs list' shows."),
    )
    verbs = jobs.add_subparsers(dest="verb", required=True, metavar="VERB")
    a_job, one_json = _("a job number, or 'last'"), _("one JSON document")
    p = verbs.add_parser("list", help=_("every job in the journal"))
    p.add_argument("--json", action="store_true", help=one_json)
    add_journal_arguments(p, off=False)
    p = verbs.add_parser("show", help=_("one job and the result of each of its files"))
    p.add_argument("job", metavar="JOB", help=a_job)
    p.add_argument("--failed", action="store_true", help=_("only the files that failed"))
    p.add_argument("--json", action="store_true", help=one_json)
    add_journal_arguments(p, off=False)
    p = verbs.add_parser("export", help=_("one job's results as CSV, JSON or a joblog"))
    p.add_argument("job", metavar="JOB", help=a_job)
    p.add_argument("--format", choices=FORMATS, default="csv", help=_("(default: %(default)s)"))
    p.add_argument("-o", "--output", metavar="FILE", help=_("write here instead of to stdout"))
    add_journal_arguments(p, off=False)
    for verb, text in (
        ("resume", _("finish a cancelled or interrupted job: files it finished are not redone")),
        ("retry", _("run a job's failed files again (its other results are kept)")),
    ):
        p = verbs.add_parser(verb, help=text, description=text)
        p.add_argument("job", metavar="JOB", help=a_job)
        p.add_argument(
            "-w", "--workers", type=int, default=os.cpu_count() or 1, help=_("worker processes")
        )
        p.add_argument("--json", action="store_true", help=_("one JSON record per file, a summary"))
        p.add_argument("-q", "--quiet", action="store_true", help=_("no progress bar, no summary"))
        if verb == "retry":
            p.add_argument(
                "--quarantined",
                action="store_true",
                help=_(
                    "only the quarantined files (they crashed a worker twice, timed out or "
                    "hung), each on its own in one fresh worker"
                ),
            )
        cluster_cli.add_cluster_argument(p)
        add_journal_arguments(p)
    p = verbs.add_parser("forget", help=_("delete jobs from the journal and compact it"))
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("job", metavar="JOB", nargs="?", help=a_job)
    which.add_argument(
        "--older-than", type=float, metavar="DAYS", help=_("every job older than DAYS days")
    )
    add_journal_arguments(p, off=False)


def run(args: argparse.Namespace, engine: Engine | None) -> int:
    """Run a ``jobs`` verb; returns the exit code."""
    from core.journal import Journal, JournalError

    try:
        journal = Journal.open(args.journal)
    except JournalError as e:
        return _error(str(e))
    for note in journal.notes:
        note = message_for_people(note)
        sys.stderr.write(_("parabatch-cli: note: {message}").format(message=note) + "\n")
    try:
        if args.verb in ("resume", "retry"):
            assert engine is not None
            return _rerun(args, journal, engine)
        if args.verb == "list":
            return _list(args, journal)
        if args.verb == "forget":
            return _forget(args, journal)
        job = journal.job(args.job)
        if args.verb == "show":
            return _show(args, journal, job)
        return _export(args, journal, job)
    except JournalError as e:
        return _error(str(e))
    except BrokenPipeError:  # the reader went away (``| head``)
        from core.cli import _silence_stdout

        _silence_stdout()
        return EXIT_OK
    finally:
        journal.close()


def _error(text: str) -> int:
    text = printable(message_for_people(text))
    sys.stderr.write(_("parabatch-cli: error: {message}").format(message=text) + "\n")
    return EXIT_USAGE


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def _inputs_text(job: JobRow) -> str:
    from core.journal import PATHS_STORED

    inputs = json.loads(job.inputs)
    stored = inputs.get(PATHS_STORED)
    if stored is not None:  # the window's list of many files, kept beside the job
        return ngettext("{n} listed file", "{n} listed files", stored).format(n=f"{stored:,}")
    shown = inputs.get("paths") or [inputs.get("manifest") or ""]
    return " ".join(printable(p) for p in shown)


# --- list, show, export ----------------------------------------------------------------------
def _list(args: argparse.Namespace, journal: Journal) -> int:
    jobs = journal.jobs()
    out = sys.stdout
    if args.json:
        out.write(json.dumps([j.as_dict() for j in jobs]) + "\n")
        return EXIT_OK
    heads = [
        pad(_("JOB"), 5, ">"),
        " " + pad(_("STARTED"), 19),
        " " + pad(_("OPERATION"), 10),
        pad(_("STATE"), 11),
        pad(_("FILES"), 7, ">"),
        pad(_("DONE"), 7, ">"),
        pad(_("FAILED"), 7, ">"),
        " " + _("INPUTS"),
    ]
    out.write(" ".join(heads) + "\n")
    for j in jobs:
        how = _(" ({how} of {job})").format(how=j.how, job=j.origin) if j.origin else ""
        out.write(
            f"{j.id:>5}  {_when(j.started):19}  {j.operation:10} {j.state:11} {j.files:>7} "
            f"{j.done:>7} {j.failed:>7}  {_inputs_text(j)}{how}\n"
        )
    return EXIT_OK


def _result_record(job: JobRow, row: tuple[Any, ...]) -> dict[str, Any]:
    rec = dict(zip(RESULT_FIELDS, row, strict=True))
    raw = rec["path"]
    rec["path"] = printable(os.fsdecode(raw))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        rec["path_bytes"] = raw.hex()  # the exact name, for a name that is not UTF-8
    if rec["output"] is not None:
        rec["output"] = printable(os.fsdecode(rec["output"]))
    if rec["detail"]:
        with contextlib.suppress(ValueError):
            rec["detail"] = json.loads(rec["detail"])  # an object, not a string of JSON
    return rec


def _quarantined(journal: Journal, job: JobRow) -> list[tuple[Any, ...]]:
    from core.journal import QUARANTINE_KINDS

    return journal.results(job.id, kinds=QUARANTINE_KINDS)


def _show(args: argparse.Namespace, journal: Journal, job: JobRow) -> int:
    rows = journal.results(job.id, statuses=("failed",) if args.failed else None)
    quarantined = _quarantined(journal, job)
    out = sys.stdout
    if args.json:
        doc = {
            "job": job.as_dict(),
            "results": [_result_record(job, r) for r in rows],
            "quarantined": [_result_record(job, r)["path"] for r in quarantined],
        }
        out.write(json.dumps(doc) + "\n")
        return EXIT_OK
    took = _(" ({seconds:.1f} s)").format(seconds=job.ended - job.started) if job.ended else ""
    out.write(
        _("job {job}: {operation}, {state}").format(
            job=job.id, operation=job.operation, state=job.state
        )
        + "\n"
    )
    out.write(
        _("  started {started}, ended {ended}{took}").format(
            started=_when(job.started), ended=_when(job.ended), took=took
        )
        + "\n"
    )
    out.write(
        _("  on {host} (pid {pid}), Parabatch {version}").format(
            host=job.host, pid=job.pid, version=job.version
        )
        + "\n"
    )
    if job.origin:
        out.write(_("  {how} of job {job}").format(how=job.how, job=job.origin) + "\n")
    out.write(_("  options {options}").format(options=job.options) + "\n")
    out.write(_("  inputs  {inputs}").format(inputs=_inputs_text(job)) + "\n")
    counts = _("  {files} files: {done} done, {failed} failed, {skipped} skipped, ")
    counts += _("{cancelled} cancelled")
    out.write(
        counts.format(
            files=job.files,
            done=job.done,
            failed=job.failed,
            skipped=job.skipped,
            cancelled=job.cancelled,
        )
        + "\n"
    )
    if job.error:
        error = printable(message_for_people(job.error))
        out.write(_("  error: {message}").format(message=error) + "\n")
    for note in json.loads(job.notes):
        note = printable(message_for_people(note))
        out.write(_("  note: {message}").format(message=note) + "\n")
    for r in rows:
        rec = dict(zip(RESULT_FIELDS, r, strict=True))
        message = message_for_people(rec["message"] or "")
        why = f"  [{rec['kind']}] {message}" if message else ""
        origin = rec["carried_from"]
        carried = _("  (from job {job})").format(job=origin) if origin else ""
        path = printable(os.fsdecode(rec["path"]))
        out.write(f"{rec['status']:9} {path}{why}{carried}\n")
    if quarantined:
        n = len(quarantined)
        head = ngettext(
            "quarantined ({n}: crashed a worker twice, timed out or hung; 'jobs retry {job} "
            "--quarantined' runs it again, on its own):",
            "quarantined ({n}: crashed a worker twice, timed out or hung; 'jobs retry {job} "
            "--quarantined' runs them again, each on its own):",
            n,
        )
        out.write(head.format(n=n, job=job.id) + "\n")
        for r in quarantined:
            out.write(f"  {printable(os.fsdecode(r[1]))}  [{r[5]}]\n")
    if job.failed and job.ending:
        retry = _("retry the failed files with: parabatch-cli jobs retry {job}")
        out.write(retry.format(job=job.id) + "\n")
    return EXIT_OK


def _export(args: argparse.Namespace, journal: Journal, job: JobRow) -> int:
    rows = journal.results(job.id)
    if args.output:
        try:
            f = open(  # noqa: SIM115  # closed below
                args.output, "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as e:
            cannot = _("cannot write {path}: {reason}")
            return _error(cannot.format(path=args.output, reason=e.strerror or e))
    else:
        f = io.TextIOWrapper(
            sys.stdout.buffer, encoding="utf-8", errors="surrogateescape", newline=""
        )
    try:
        if args.format == "csv":
            writer = csv.writer(f)
            writer.writerow(RESULT_FIELDS)
            for r in rows:
                writer.writerow(_csv_row(r))
        elif args.format == "json":
            doc = {"job": job.as_dict(), "results": [_result_record(job, r) for r in rows]}
            f.write(json.dumps(doc) + "\n")
        else:
            _joblog(f, job, rows)
        f.flush()
    finally:
        if args.output:
            f.close()
        else:
            f.detach()
    return EXIT_OK


def _csv_row(r: tuple[Any, ...]) -> list[Any]:
    row = list(r)
    row[1] = os.fsdecode(row[1])  # written back as the original bytes (surrogateescape)
    if row[7] is not None:
        row[7] = os.fsdecode(row[7])
    return ["" if v is None else v for v in row]


def _joblog(f: IO[str], job: JobRow, rows: Any) -> None:
    """Tab-separated, in the spirit of GNU parallel's ``--joblog``: one line per file."""
    f.write("Seq\tHost\tStarttime\tJobRuntime\tStatus\tFile\n")
    for r in rows:
        row, raw, status, at, duration = r[0], r[1], r[4], r[10], r[11]
        start = at - duration if duration is not None else at
        runtime = f"{duration:.3f}" if duration is not None else "-"
        name = os.fsdecode(raw).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        f.write(f"{row + 1}\t{job.host}\t{start:.3f}\t{runtime}\t{status}\t{name}\n")


def _forget(args: argparse.Namespace, journal: Journal) -> int:
    if args.older_than is not None:
        n = journal.forget_older(args.older_than)
    else:
        n = journal.forget([journal.job(args.job).id])
    journal.compact()
    forgot = ngettext("parabatch-cli: forgot {n} job", "parabatch-cli: forgot {n} jobs", n)
    sys.stderr.write(forgot.format(n=n) + "\n")
    return EXIT_OK


# --- resume, retry -----------------------------------------------------------------------------
def _rerun(args: argparse.Namespace, journal: Journal, engine: Engine) -> int:
    from core import cli
    from core.discover import Filters, Scanner
    from core.job import DEFAULT_WATCHDOG
    from core.journal_resume import Carried, retry_entries
    from core.journal_writer import Recorder
    from core.operations.base import ChunkLimits
    from core.options import from_canonical, options_key
    from core.records import FileEntry
    from core.session import Found

    job = journal.job(args.job)
    try:
        op = operations.get(job.operation)
    except KeyError:
        unknown = _("job {job} ran the operation {operation}, which is not known here")
        return _error(unknown.format(job=job.id, operation=repr(job.operation)))
    options = from_canonical(op.options_type, job.options)
    inputs = journal.inputs(job)
    cwd = inputs.get("cwd")
    if cwd:
        try:
            os.chdir(cwd)  # relative names (a manifest, its listing) mean what they meant
        except OSError as e:
            gone = _("job {job} ran in {folder}, which cannot be entered: {reason}")
            return _error(gone.format(job=job.id, folder=cwd, reason=e.strerror))
    retry = args.verb == "retry"
    only = None
    limits = None
    if getattr(args, "quarantined", False):
        only = {os.fsdecode(r[1]) for r in _quarantined(journal, job)}
        if not only:
            none = _("job {job} has no quarantined file (see 'jobs show {job}')")
            return _error(none.format(job=job.id))
        # Each suspect alone, one at a time, in a worker of its own: a crash takes nothing
        # else with it, and the worker that comes after it is a fresh one.
        engine.workers = 1
        limits = ChunkLimits(max_files=1, max_bytes=op.limits.max_bytes, large_file=0)
    key = options_key(job.operation, options)
    carry = Carried(journal, job, key, retry=retry, only=only)
    found = Found(iter(()))
    seen: list[str] = []  # inputs a cluster's workers must see (a sample of them)
    if op.input == "paths":
        if retry:
            entries = retry_entries(journal, job)
            seen = [e.path for e in entries if isinstance(e, FileEntry) and e.mtime_ns >= 0]
            found = Found(iter([entries]))
        else:
            paths = [p for p in inputs.get("paths", []) if os.path.lexists(p)]  # gone: noted
            seen = paths
            filters = Filters(tuple(inputs.get("include", ())), tuple(inputs.get("exclude", ())))
            found = Found(Scanner(paths, filters).batches(cli.SCAN_BATCH))
    unusable = cluster_cli.connect(engine, seen[:: max(1, len(seen) // 8)][:8])
    if unusable is not None:  # on a cluster: unreachable, or it cannot see the inputs
        return unusable
    engine.warm_up()
    recorder = None
    if not args.no_journal:
        recorder = Recorder(args.journal, inputs, origin=job.id, how=args.verb)
    timeout = inputs.get("timeout")
    watchdog = inputs.get("watchdog", DEFAULT_WATCHDOG)
    return cli.drive(
        args, job.operation, options, found, engine, timeout, watchdog, carry, recorder, limits
    )
