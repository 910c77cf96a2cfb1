"""``parabatch-cli jobs ...``: the journal's verbs on the command line.

``list``, ``show`` and ``export`` read the journal; ``resume`` and ``retry`` run a new job over a
past job's inputs through the same driver as any operation (:func:`core.cli.drive`), with the
past results carried over (:mod:`core.journal_resume`); ``forget`` deletes jobs and compacts the
file. No operation is named here: a job's operation comes from its row, through the registry.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from core import operations
from core.wording import printable

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
)


def add_journal_arguments(p: argparse.ArgumentParser, *, off: bool = True) -> None:
    """``--journal PATH`` (and ``--no-journal`` for verbs that run a job)."""
    p.add_argument(
        "--journal",
        metavar="PATH",
        default=None,
        help="the job journal to use (default: $PARABATCH_JOURNAL, else one in the user's data "
        "folder)",
    )
    if off:
        p.add_argument(
            "--no-journal", action="store_true", help="do not record this job in the journal"
        )


def add_parser(sub: Any) -> None:
    """The ``jobs`` command and its verbs."""
    jobs = sub.add_parser(
        "jobs",
        help="list, show, export, resume, retry or forget past jobs (the job journal)",
        description="Past jobs, from the job journal. JOB is the number 'jobs list' shows.",
    )
    verbs = jobs.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("list", help="every job in the journal")
    p.add_argument("--json", action="store_true", help="one JSON document")
    add_journal_arguments(p, off=False)
    p = verbs.add_parser("show", help="one job and the result of each of its files")
    p.add_argument("job", metavar="JOB", help="a job number, or 'last'")
    p.add_argument("--failed", action="store_true", help="only the files that failed")
    p.add_argument("--json", action="store_true", help="one JSON document")
    add_journal_arguments(p, off=False)
    p = verbs.add_parser("export", help="one job's results as CSV, JSON or a joblog")
    p.add_argument("job", metavar="JOB", help="a job number, or 'last'")
    p.add_argument("--format", choices=FORMATS, default="csv", help="(default: %(default)s)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of to stdout")
    add_journal_arguments(p, off=False)
    for verb, text in (
        ("resume", "finish a cancelled or interrupted job: files it finished are not redone"),
        ("retry", "run a job's failed files again (its other results are kept)"),
    ):
        p = verbs.add_parser(verb, help=text, description=text)
        p.add_argument("job", metavar="JOB", help="a job number, or 'last'")
        p.add_argument(
            "-w", "--workers", type=int, default=os.cpu_count() or 1, help="worker processes"
        )
        p.add_argument("--json", action="store_true", help="one JSON record per file, a summary")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
        add_journal_arguments(p)
    p = verbs.add_parser("forget", help="delete jobs from the journal and compact it")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("job", metavar="JOB", nargs="?", help="a job number, or 'last'")
    which.add_argument("--older-than", type=float, metavar="DAYS", help="every job older than")
    add_journal_arguments(p, off=False)


def run(args: argparse.Namespace, engine: Engine | None) -> int:
    """Run a ``jobs`` verb; returns the exit code."""
    from core.journal import Journal, JournalError

    try:
        journal = Journal.open(args.journal)
    except JournalError as e:
        return _error(str(e))
    for note in journal.notes:
        sys.stderr.write(f"parabatch-cli: note: {note}\n")
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
    sys.stderr.write(f"parabatch-cli: error: {printable(text)}\n")
    return EXIT_USAGE


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def _inputs_text(job: JobRow) -> str:
    inputs = json.loads(job.inputs)
    shown = inputs.get("paths") or [inputs.get("manifest") or ""]
    return " ".join(printable(p) for p in shown)


# --- list, show, export ----------------------------------------------------------------------
def _list(args: argparse.Namespace, journal: Journal) -> int:
    jobs = journal.jobs()
    out = sys.stdout
    if args.json:
        out.write(json.dumps([j.as_dict() for j in jobs]) + "\n")
        return EXIT_OK
    out.write(
        f"{'JOB':>5}  {'STARTED':19}  {'OPERATION':10} {'STATE':11} {'FILES':>7} {'DONE':>7} "
        f"{'FAILED':>7}  INPUTS\n"
    )
    for j in jobs:
        how = f" ({j.how} of {j.origin})" if j.origin else ""
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
    return rec


def _quarantined(journal: Journal, job: JobRow) -> list[tuple[Any, ...]]:
    from core.journal import QUARANTINE_KINDS

    marks = ", ".join("?" * len(QUARANTINE_KINDS))
    return list(journal.results(job.id, f"kind IN ({marks})", QUARANTINE_KINDS))


def _show(args: argparse.Namespace, journal: Journal, job: JobRow) -> int:
    where, params = ("status = ?", ("failed",)) if args.failed else ("", ())
    rows = journal.results(job.id, where, params)
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
    took = f" ({job.ended - job.started:.1f} s)" if job.ended else ""
    out.write(f"job {job.id}: {job.operation}, {job.state}\n")
    out.write(f"  started {_when(job.started)}, ended {_when(job.ended)}{took}\n")
    out.write(f"  on {job.host} (pid {job.pid}), Parabatch {job.version}\n")
    if job.origin:
        out.write(f"  {job.how} of job {job.origin}\n")
    out.write(f"  options {job.options}\n  inputs  {_inputs_text(job)}\n")
    out.write(
        f"  {job.files} files: {job.done} done, {job.failed} failed, {job.skipped} skipped, "
        f"{job.cancelled} cancelled\n"
    )
    if job.error:
        out.write(f"  error: {printable(job.error)}\n")
    for note in json.loads(job.notes):
        out.write(f"  note: {printable(note)}\n")
    for r in rows:
        rec = dict(zip(RESULT_FIELDS, r, strict=True))
        why = f"  [{rec['kind']}] {rec['message']}" if rec["message"] else ""
        carried = f"  (from job {rec['carried_from']})" if rec["carried_from"] else ""
        path = printable(os.fsdecode(rec["path"]))
        out.write(f"{rec['status']:9} {path}{why}{carried}\n")
    if quarantined:
        out.write(
            f"quarantined ({len(quarantined)}: crashed a worker twice, timed out or hung; "
            "'jobs retry' runs them again):\n"
        )
        for r in quarantined:
            out.write(f"  {printable(os.fsdecode(r[1]))}  [{r[5]}]\n")
    if job.failed and job.ending:
        out.write(f"retry the failed files with: parabatch-cli jobs retry {job.id}\n")
    return EXIT_OK


def _export(args: argparse.Namespace, journal: Journal, job: JobRow) -> int:
    rows = journal.results(job.id)
    if args.output:
        try:
            f = open(  # noqa: SIM115  # closed below
                args.output, "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as e:
            return _error(f"cannot write {args.output}: {e.strerror or e}")
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
    sys.stderr.write(f"parabatch-cli: forgot {n} job{'s' if n != 1 else ''}\n")
    return EXIT_OK


# --- resume, retry -----------------------------------------------------------------------------
def _rerun(args: argparse.Namespace, journal: Journal, engine: Engine) -> int:
    from core import cli
    from core.discover import Filters, Scanner
    from core.job import DEFAULT_WATCHDOG
    from core.journal_resume import Carried, retry_entries
    from core.journal_writer import Recorder
    from core.options import from_canonical, options_key
    from core.session import Found

    job = journal.job(args.job)
    try:
        op = operations.get(job.operation)
    except KeyError:
        return _error(f"job {job.id} ran the operation {job.operation!r}, which is not known here")
    options = from_canonical(op.options_type, job.options)
    inputs = json.loads(job.inputs)
    cwd = inputs.get("cwd")
    if cwd:
        try:
            os.chdir(cwd)  # relative names (a manifest, its listing) mean what they meant
        except OSError as e:
            return _error(f"job {job.id} ran in {cwd}, which cannot be entered: {e.strerror}")
    retry = args.verb == "retry"
    carry = Carried(journal, job, options_key(job.operation, options), retry=retry)
    found = Found(iter(()))
    if op.input == "paths":
        if retry:
            found = Found(iter([retry_entries(journal, job)]))
        else:
            paths = [p for p in inputs.get("paths", []) if os.path.lexists(p)]  # gone: noted
            filters = Filters(tuple(inputs.get("include", ())), tuple(inputs.get("exclude", ())))
            engine.warm_up()
            found = Found(Scanner(paths, filters).batches(cli.SCAN_BATCH))
    recorder = None
    if not args.no_journal:
        recorder = Recorder(args.journal, inputs, origin=job.id, how=args.verb)
    timeout = inputs.get("timeout")
    watchdog = inputs.get("watchdog", DEFAULT_WATCHDOG)
    return cli.drive(
        args, job.operation, options, found, engine, timeout, watchdog, carry, recorder
    )
