"""The job journal: every job and every file's final result, in one SQLite file.

One file (``journal.sqlite`` in the user's data folder; ``PARABATCH_JOURNAL`` or ``--journal``
elsewhere) in WAL mode, so that several instances write to it at once and readers never wait.
The schema has a version (``PRAGMA user_version``) and a migration per version; a file that is
not a journal (corrupt, or another program's database) is moved aside and a new one started. A
job whose process is gone without having ended is marked interrupted when the journal is opened.

Paths are stored as bytes (``os.fsencode``), so names that are not UTF-8 come back exact. This
module only reads and writes rows; the writer thread fed by a job is :mod:`core.journal_writer`,
resume and retry are :mod:`core.journal_resume`, the ``jobs`` verbs :mod:`core.journal_cli`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from core import journal_chunks as chunks
from core import messages as M
from core.i18n import english

ENV_PATH = "PARABATCH_JOURNAL"
ENV_KEEP = "PARABATCH_JOURNAL_KEEP"
ENV_KEEP_DAYS = "PARABATCH_JOURNAL_KEEP_DAYS"
FILE_NAME = "journal.sqlite"
APPLICATION_ID = 0x50424A4C  # "PBJL": tells a journal from another program's database
SCHEMA_VERSION = 5
DEFAULT_KEEP = 200  # jobs kept; older ones are forgotten when a job starts
DEFAULT_KEEP_DAYS = 0.0  # and jobs older than this many days (0: whatever their age)
ENV_MAX_MB = "PARABATCH_JOURNAL_MAX_MB"
# And the oldest ended jobs while the journal holds more than this (a job of a million files
# takes about 240 MB: 200 of them would have been 48 GB in the user's data folder).
DEFAULT_MAX_MB = 2048.0
AUTOCHECKPOINT_BYTES = 1 << 20  # the log is copied into the file every MiB or so
PAGE_SIZE = 16384  # of a new journal: a job's chunks (blobs of 10-30 KB) in a third of the pages
# and two thirds of the CPU of SQLite's default 4096 (files made before keep theirs)
BUSY_TIMEOUT = 3.0  # seconds a statement waits for another instance's transaction

ENDINGS = ("finished", "cancelled", "failed", "interrupted")
STATUS_NAMES = ("done", "failed", "skipped", "cancelled")
QUARANTINE_KINDS = ("crashed-worker", "timed-out", "hung")
"""Kinds of a file that stopped a worker (it crashed it twice, or ran past a limit)."""


class JournalError(Exception):
    """The journal cannot be used; the message says why and what to do."""


def default_path() -> str:
    """Where the journal is: ``$PARABATCH_JOURNAL``, else the user's data folder."""
    env = os.environ.get(ENV_PATH)
    if env:
        return env
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("parabatch", appauthor=False), FILE_NAME)


def host_name() -> str:
    """This computer's name, as jobs record it (``socket.gethostname``, without importing
    socket at every start where the system can tell)."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().nodename)
    import socket

    return socket.gethostname()


def default_keep() -> int:
    """How many jobs are kept (``$PARABATCH_JOURNAL_KEEP``, else :data:`DEFAULT_KEEP`)."""
    with contextlib.suppress(ValueError):
        return max(1, int(os.environ.get(ENV_KEEP, "")))
    return DEFAULT_KEEP


def default_keep_days() -> float:
    """Jobs older than this many days are forgotten (``$PARABATCH_JOURNAL_KEEP_DAYS``, else
    :data:`DEFAULT_KEEP_DAYS`; 0: none for its age)."""
    with contextlib.suppress(ValueError):
        return max(0.0, float(os.environ.get(ENV_KEEP_DAYS, "")))
    return DEFAULT_KEEP_DAYS


def default_max_bytes() -> int:
    """The most the journal holds before its oldest ended jobs are forgotten
    (``$PARABATCH_JOURNAL_MAX_MB``, else :data:`DEFAULT_MAX_MB`; 0: no limit)."""
    with contextlib.suppress(ValueError):
        return int(max(0.0, float(os.environ.get(ENV_MAX_MB, ""))) * 2**20)
    return int(DEFAULT_MAX_MB * 2**20)


def _create_v1(con: sqlite3.Connection) -> None:
    _script(
        con,
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            operation TEXT NOT NULL,
            options TEXT NOT NULL,         -- canonical JSON (core.options.canonical)
            options_key TEXT NOT NULL,
            inputs TEXT NOT NULL,          -- JSON: what the job was given (see Recorder)
            started REAL NOT NULL,         -- seconds since the epoch
            ended REAL,                    -- NULL while it runs
            ending TEXT,                   -- finished, cancelled, failed, interrupted
            error TEXT,
            notes TEXT NOT NULL DEFAULT '[]',
            files INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            cancelled INTEGER NOT NULL DEFAULT 0,
            version TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            pid_start INTEGER,             -- the process's start time (tells a reused pid)
            origin INTEGER,                -- the job this one resumes or retries
            how TEXT NOT NULL DEFAULT 'run'  -- run, resume, retry
        );
        CREATE TABLE results (
            job INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            row INTEGER NOT NULL,
            path BLOB NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,     -- -1: not known
            status TEXT NOT NULL,          -- done, failed, skipped, cancelled
            kind TEXT,                     -- core.records.Kind slug (NULL: none)
            value TEXT,
            output BLOB,
            message TEXT,
            attempt INTEGER NOT NULL,
            at REAL NOT NULL,              -- when the result came in
            duration REAL,                 -- seconds, when known
            carried INTEGER,               -- the job it was taken from (not processed again)
            PRIMARY KEY (job, row)
        ) WITHOUT ROWID;
        CREATE INDEX jobs_started ON jobs(started);
        """,
    )


def _script(con: sqlite3.Connection, script: str) -> None:
    """Run statements inside the caller's transaction (``executescript`` would commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            con.execute(statement)


def _detail_v2(con: sqlite3.Connection) -> None:
    """Version 2: a result's detail (``FileResult.detail``: JSON, NULL for nearly every row)."""
    con.execute("ALTER TABLE results ADD COLUMN detail TEXT")


# A result row inside a chunk (a JSON array, job and time kept by the chunk): the columns of
# RESULT_COLUMNS but ``at``.
_IN_CHUNK = (
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
    "duration",
    "carried",
    "detail",
    "worker",
)
_VIEW_COLUMNS = ", ".join(
    f"CAST(json_extract(r.value, '$[{i}]') AS BLOB) AS {name}"
    if name in ("path", "output")
    else f"json_extract(r.value, '$[{i}]') AS {name}"
    for i, name in enumerate(_IN_CHUNK)
)


def _chunks_v3(con: sqlite3.Connection) -> None:
    """Version 3: results are stored as chunks, one JSON array of rows per write.

    A row per file cost the writer 3-4 us of Python and SQLite per file (14 bound values),
    14% of a 20,000-small-file checksum job; one bound JSON text per batch costs a fraction of
    that. The ``results`` view shows the rows as before, for people reading the file with
    ``sqlite3`` (a path that is not UTF-8 comes out approximate there; :meth:`Journal.results`
    gives it back exact)."""
    con.execute(
        f"""
        CREATE TABLE chunks (
            job INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,          -- write order within the job
            at REAL NOT NULL,              -- when its results came in (seconds since the epoch)
            count INTEGER NOT NULL,        -- rows in data
            data TEXT NOT NULL,            -- JSON array of rows: {", ".join(_IN_CHUNK)}
            PRIMARY KEY (job, seq)
        )
        """
    )
    v2 = RESULT_COLUMNS.removesuffix(", worker")  # the results table of version 2
    old = con.execute(f"SELECT job, {v2} FROM results ORDER BY job, row").fetchall()
    con.execute("DROP TABLE results")
    by_job: dict[int, list[tuple[Any, ...]]] = {}
    for job, *row in old:
        by_job.setdefault(job, []).append(tuple(row))
    for job, rows in by_job.items():
        for seq, first in enumerate(range(0, len(rows), MIGRATE_CHUNK)):
            part = rows[first : first + MIGRATE_CHUNK]
            at = max(r[10] for r in part)
            packed = [(*r[:10], *r[11:], None) for r in part]  # no ``at``; no worker known
            con.execute(
                "INSERT INTO chunks (job, seq, at, count, data) VALUES (?, ?, ?, ?, ?)",
                (job, seq, at, len(part), _encode(packed)),
            )
    con.execute(
        f"CREATE VIEW results AS SELECT c.job AS job, {_VIEW_COLUMNS}, c.at AS at "
        "FROM chunks c, json_each(c.data) r"
    )


MIGRATE_CHUNK = 5000
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False)
# Rows (or list items) JSON-encoded at a time: the C encoder holds the GIL for a whole call, and a
# window's GUI thread must not wait for a million rows (a few ms a piece).
ENCODE_PIECE = 2000


def _encode(rows: Sequence[Sequence[Any]]) -> str:
    """A version 3 chunk's JSON: rows in :data:`_IN_CHUNK` order, paths as ``str``
    (``os.fsdecode``; a name that is not UTF-8 travels as surrogate escapes, which JSON keeps
    exact) or bytes."""
    if any(type(r[1]) is bytes or type(r[7]) is bytes for r in rows):
        rows = [_as_text(r) for r in rows]
    if len(rows) <= ENCODE_PIECE:
        return _ENCODER.encode(rows)
    encode = _ENCODER.encode
    pieces = [encode(rows[k : k + ENCODE_PIECE])[1:-1] for k in range(0, len(rows), ENCODE_PIECE)]
    return "[" + ",".join(pieces) + "]"


def dumps(value: Any) -> str:
    """``json.dumps(value, sort_keys=True)``, but a long list in it (a job's million input paths)
    encoded a piece at a time, as :func:`_encode` does (the same text), and joined once."""
    parts: list[str] = []
    _dump_parts(value, parts)
    return "".join(parts)


def _dump_parts(value: Any, out: list[str]) -> None:
    if isinstance(value, dict) and all(type(k) is str for k in value):
        out.append("{")
        for n, (k, v) in enumerate(sorted(value.items(), key=lambda kv: kv[0])):
            out.append(f"{', ' if n else ''}{json.dumps(k)}: ")
            _dump_parts(v, out)
        out.append("}")
    elif isinstance(value, list) and len(value) > ENCODE_PIECE:
        out.append("[")
        for k in range(0, len(value), ENCODE_PIECE):
            piece = json.dumps(value[k : k + ENCODE_PIECE], sort_keys=True)
            out.append(f"{', ' if k else ''}{piece[1:-1]}")
        out.append("]")
    else:
        out.append(json.dumps(value, sort_keys=True))


def _as_text(r: Sequence[Any]) -> tuple[Any, ...]:
    path, output = r[1], r[7]
    if type(path) is bytes:
        path = os.fsdecode(path)
    if type(output) is bytes:
        output = os.fsdecode(output)
    return (r[0], path, *r[2:7], output, *r[8:])


def _paths_v4(con: sqlite3.Connection) -> None:
    """Version 4: a job's many given paths (the window's listed files) in pieces of their own,
    not inside ``jobs.inputs``: one text of a million paths (60 MB) held the GIL for 80 ms when
    the job began, a stall of the window, and every ``jobs list`` read it."""
    con.execute(
        """
        CREATE TABLE job_paths (
            job INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            data TEXT NOT NULL,            -- JSON array of paths, in order
            PRIMARY KEY (job, seq)
        )
        """
    )


def _columns_v5(con: sqlite3.Connection) -> None:
    """Version 5: a chunk's results as columns of bytes (see :mod:`core.journal_chunks`), not
    a JSON array of rows: the writer's JSON encoding was most of the journal's cost."""
    con.execute("DROP VIEW results")
    _create_chunks(con, "chunks_v5")
    old = con.execute("SELECT job, seq, at, data FROM chunks ORDER BY job, seq")
    seq: dict[int, int] = {}
    for job, _seq, at, data in old:  # a chunk at a time: a big journal is not read whole
        rows = json.loads(data)
        for first in range(0, len(rows), chunks.CHUNK_ROWS):
            part = rows[first : first + chunks.CHUNK_ROWS]
            n = seq[job] = seq.get(job, -1) + 1
            _insert_chunk(con, "chunks_v5", job, n, at, len(part), chunks.pack_rows(part))
    con.execute("DROP TABLE chunks")
    con.execute("ALTER TABLE chunks_v5 RENAME TO chunks")
    con.execute(chunks.view_sql())


_CHUNK_TYPES = {  # column: (type, what it holds)
    "statuses": ("BLOB NOT NULL", "a byte per row: core.records.Status value"),
    "kinds": ("BLOB NOT NULL", "a byte per row: core.records.Kind value (0: none)"),
    "path_ends": ("BLOB NOT NULL", "uint32 per row: where its path ends in paths"),
    "value_ends": ("BLOB NOT NULL", "uint32 per row: where its value ends in vals"),
    "sizes": ("BLOB NOT NULL", "int64 per row"),
    "mtimes": ("BLOB NOT NULL", "int64 per row: mtime_ns (-1: not known)"),
    "durations": ("BLOB NOT NULL", "int64 per row: microseconds (-1: not known)"),
    "worker": ("TEXT", "who ran every row (NULL: extra.worker, or none)"),
    "extra": ("TEXT", "JSON: lists of the rarely set fields, if any"),
    "numbers": ("TEXT NOT NULL", "JSON array of the rows' numbers, in their order here"),
    "paths": ("BLOB NOT NULL", "the paths' bytes, one after another"),
    "vals": ("BLOB NOT NULL", "the values (UTF-8), one after another"),
}


def _create_chunks(con: sqlite3.Connection, name: str) -> None:
    columns = "\n".join(
        f"            {c} {_CHUNK_TYPES[c][0]},  -- {_CHUNK_TYPES[c][1]}" for c in chunks.COLUMNS
    )
    con.execute(
        f"""
        CREATE TABLE {name} (
            job INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,          -- write order within the job
            at REAL NOT NULL,              -- when its results came in (seconds since the epoch)
            count INTEGER NOT NULL,        -- rows in it (little-endian arrays: core.journal_chunks)
{columns}
            PRIMARY KEY (job, seq)
        )
        """
    )


_CHUNK_INSERT = ", ".join(chunks.COLUMNS)
_CHUNK_MARKS = ", ".join("?" * len(chunks.COLUMNS))


def _insert_chunk(
    con: sqlite3.Connection,
    table: str,
    job: int,
    seq: int | None,
    at: float,
    count: int,
    packed: chunks.Packed,
) -> None:
    number = (
        "?" if seq is not None else f"(SELECT coalesce(max(seq) + 1, 0) FROM {table} WHERE job = ?)"
    )
    con.execute(
        f"INSERT INTO {table} (job, seq, at, count, {_CHUNK_INSERT}) "
        f"VALUES (?, {number}, ?, ?, {_CHUNK_MARKS})",
        (job, seq if seq is not None else job, at, count, *packed),
    )


def _ensure_view(con: sqlite3.Connection) -> None:
    """The ``results`` view as this version writes it (its kinds are this version's): made
    again if another version made it differently. A read-only journal keeps the one it has."""
    found = con.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'results'")
    row = found.fetchone()
    if row is not None and row[0] == chunks.view_sql():
        return
    with contextlib.suppress(sqlite3.OperationalError):
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute("DROP VIEW IF EXISTS results")
            con.execute(chunks.view_sql())
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


PATHS_INLINE = 1000  # given paths kept in jobs.inputs; more go to job_paths (see _paths_v4)
PATHS_PIECE = 2000  # paths per job_paths row
PATHS_STORED = "paths_stored"  # the inputs' key that says how many paths job_paths holds

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _create_v1,
    _detail_v2,
    _chunks_v3,
    _paths_v4,
    _columns_v5,
]
"""``MIGRATIONS[v]`` takes a journal from version ``v`` to ``v + 1`` (inside one transaction)."""


class JobRow(NamedTuple):
    """One job as the journal has it (see the ``jobs`` table)."""

    id: int
    operation: str
    options: str
    options_key: str
    inputs: str
    started: float
    ended: float | None
    ending: str | None
    error: str | None
    notes: str
    files: int
    done: int
    failed: int
    skipped: int
    cancelled: int
    version: str
    host: str
    pid: int
    pid_start: int | None
    origin: int | None
    how: str

    @property
    def state(self) -> str:
        """How it ended, or ``"running"``."""
        return self.ending or "running"

    def as_dict(self) -> dict[str, Any]:
        d = self._asdict()
        d["options"] = json.loads(self.options)
        d["inputs"] = json.loads(self.inputs)
        d["notes"] = json.loads(self.notes)
        d["state"] = self.state
        return d


JOB_COLUMNS = ", ".join(JobRow._fields)
RESULT_COLUMNS = (
    "row, path, size, mtime_ns, status, kind, value, output, message, attempt, at, duration, "
    "carried, detail, worker"
)
INSERT_RESULT = "job, " + RESULT_COLUMNS
"""The order of a row given to :meth:`Journal.add_results` (``worker`` may be left off)."""


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot), or None if there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int, started: int | None) -> bool:
    if os.path.isdir("/proc/self"):
        now = process_start(pid)
        return now is not None and (started is None or now == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class _Unusable(Exception):
    """Not a journal: move it aside."""


class Journal:
    """An open journal. Not shared between threads: each thread opens its own."""

    def __init__(self, con: sqlite3.Connection, path: str, notes: list[str]) -> None:
        self.con = con
        self.path = path
        self.notes = notes  # what was done to open it (a corrupt file moved aside)

    @classmethod
    def open(cls, path: str | None = None, *, sweep: bool = True) -> Journal:
        """Open (or start) the journal at ``path`` (default: :func:`default_path`).

        ``sweep``: mark jobs whose process is gone interrupted.

        Raises:
            JournalError: it cannot be used (a read-only or full disk, a lock held too long, a
                journal of a newer version); the job goes on without one.
        """
        path = os.path.abspath(path or default_path())
        notes: list[str] = []
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # One instance at a time creates, migrates or replaces the file: another one that
            # opened it half made would take it for a damaged file and move it aside.
            with _opening_lock(path):
                try:
                    con = _connect(path)
                except _Unusable as e:
                    aside = _move_aside(path)
                    notes.append(english(M.JOURNAL_MOVED_ASIDE, path=path, what=e, aside=aside))
                    con = _connect(path)
        except (sqlite3.Error, OSError, _Unusable, JournalError) as e:
            raise JournalError(english(M.JOURNAL_UNUSABLE, path=path, reason=reason(e))) from None
        journal = cls(con, path, notes)
        if sweep:
            with contextlib.suppress(sqlite3.Error):  # read-only: shown as it is
                journal.sweep()
        return journal

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------
    def begin_job(self, fields: dict[str, Any], paths: Sequence[str] | None = None) -> int:
        """A new job row, and (``paths``) the many paths its inputs name, in pieces (see
        :data:`PATHS_STORED`), in one transaction; returns its number."""
        names = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        with self.transaction():
            cur = self.con.execute(
                f"INSERT INTO jobs ({names}) VALUES ({marks})", tuple(fields.values())
            )
            job = cur.lastrowid
            assert job is not None
            for seq, first in enumerate(range(0, len(paths or ()), PATHS_PIECE)):
                piece = _ENCODER.encode(list(paths[first : first + PATHS_PIECE]))  # type: ignore[index]
                self.con.execute(
                    "INSERT INTO job_paths (job, seq, data) VALUES (?, ?, ?)", (job, seq, piece)
                )
        return job

    def inputs(self, job: JobRow) -> dict[str, Any]:
        """What job ``job`` was given (``JobRow.inputs``), with its paths whole again when they
        were stored on their own."""
        given: dict[str, Any] = json.loads(job.inputs)
        if given.get(PATHS_STORED) is not None:
            paths: list[str] = []
            for (data,) in self.con.execute(
                "SELECT data FROM job_paths WHERE job = ? ORDER BY seq", (job.id,)
            ):
                paths.extend(json.loads(data))
            given["paths"] = paths
            del given[PATHS_STORED]
        return given

    def add_results(self, rows: Iterable[Sequence[Any]]) -> None:
        """Result rows in :data:`INSERT_RESULT` order (paths as bytes or ``str``), in one
        transaction: chunks per job. A row's first result wins (see :meth:`results`)."""
        by_job: dict[int, tuple[list[float], list[tuple[Any, ...]]]] = {}
        for job, *r in rows:
            ats, packed = by_job.setdefault(job, ([], []))
            ats.append(r[10])
            packed.append((*r[:10], *r[11:]))
        with self.transaction():
            for job, (ats, packed) in by_job.items():
                for first in range(0, len(packed), chunks.CHUNK_ROWS):
                    part = packed[first : first + chunks.CHUNK_ROWS]
                    at = max(ats[first : first + chunks.CHUNK_ROWS])
                    self._add_chunk(job, at, len(part), chunks.pack_rows(part))

    def add_chunks(self, job: int, at: float, parts: Sequence[tuple[int, chunks.Packed]]) -> None:
        """Chunks of ``job``'s results that came in at ``at``, each ``(count, columns)`` (see
        :func:`core.journal_chunks.pack`), in one transaction: the writer thread's batch."""
        with self.transaction():
            for count, packed in parts:
                self._add_chunk(job, at, count, packed)

    def _add_chunk(self, job: int, at: float, count: int, packed: chunks.Packed) -> None:
        if count:
            _insert_chunk(self.con, "chunks", job, None, at, count, packed)

    def end_job(
        self,
        job: int,
        ending: str,
        error: str | None,
        ended: float | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        """Mark ``job`` ended with its rows counted by status (``counts``: the writer's own
        count of what it wrote; else counted here)."""
        with self.transaction():
            self._end(job, ending, error, ended if ended is not None else time.time(), counts)

    def _end(
        self,
        job: int,
        ending: str,
        error: str | None,
        ended: float,
        counted: dict[str, int] | None = None,
    ) -> None:
        counts = dict.fromkeys(STATUS_NAMES, 0)
        if counted is not None:
            for name in STATUS_NAMES:
                counts[name] = counted.get(name, 0)
        else:
            for r in self.results(job):
                counts[r[4]] += 1
        self.con.execute(
            "UPDATE jobs SET ended = ?, ending = ?, error = ?, files = ?, done = ?, failed = ?, "
            "skipped = ?, cancelled = ? WHERE id = ?",
            (ended, ending, error, sum(counts.values()), *counts.values(), job),
        )

    def sweep(self) -> list[int]:
        """Mark interrupted the jobs of this host whose process is gone; returns their numbers."""
        host = host_name()
        rows = self.con.execute(
            "SELECT id, pid, pid_start FROM jobs WHERE ending IS NULL AND host = ?", (host,)
        ).fetchall()
        gone = [job for job, pid, started in rows if not _alive(pid, started)]
        if gone:
            with self.transaction():
                for job in gone:
                    (last,) = self.con.execute(
                        "SELECT max(at) FROM chunks WHERE job = ?", (job,)
                    ).fetchone()
                    self._end(job, "interrupted", None, last or time.time())
        return gone

    def forget(self, jobs: Iterable[int]) -> int:
        """Delete these jobs and their results; returns how many there were."""
        ids = list(jobs)
        with self.transaction():
            n = 0
            for job in ids:
                self.con.execute("DELETE FROM chunks WHERE job = ?", (job,))
                self.con.execute("DELETE FROM job_paths WHERE job = ?", (job,))
                n += self.con.execute("DELETE FROM jobs WHERE id = ?", (job,)).rowcount
        return n

    def forget_older(self, days: float) -> int:
        cutoff = time.time() - days * 86400
        old = [j for (j,) in self.con.execute("SELECT id FROM jobs WHERE started < ?", (cutoff,))]
        return self.forget(old)

    def retain(self, keep: int, days: float = 0.0, max_bytes: int = 0) -> int:
        """Forget all but the newest ``keep`` jobs, (``days`` > 0) the ended jobs that started
        more than ``days`` days ago, and (``max_bytes`` > 0) the oldest ended jobs while the
        journal holds more than ``max_bytes``; returns how many were forgotten. A job still
        running (in another instance) is never forgotten for its age or size, nor the newest."""
        n = self._retain_count_and_age(keep, days)
        if max_bytes > 0:
            n += self._retain_size(max_bytes)
        return n

    def used_bytes(self) -> int:
        """What the journal's rows take (its pages less the free ones)."""
        ((size,),) = self.con.execute("PRAGMA page_size")
        ((pages,),) = self.con.execute("PRAGMA page_count")
        ((free,),) = self.con.execute("PRAGMA freelist_count")
        return int((pages - free) * size)

    def _retain_size(self, max_bytes: int) -> int:
        n = 0
        while self.used_bytes() > max_bytes:
            row = self.con.execute(
                "SELECT id FROM jobs WHERE ended IS NOT NULL "
                "AND id < (SELECT max(id) FROM jobs) ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                break
            n += self.forget([row[0]])
        return n

    def _retain_count_and_age(self, keep: int, days: float) -> int:
        old = {
            j
            for (j,) in self.con.execute(
                "SELECT id FROM jobs ORDER BY id DESC LIMIT -1 OFFSET ?", (keep,)
            )
        }
        if days > 0:
            cutoff = time.time() - days * 86400
            old.update(
                j
                for (j,) in self.con.execute(
                    "SELECT id FROM jobs WHERE started < ? AND ended IS NOT NULL", (cutoff,)
                )
            )
        return self.forget(sorted(old)) if old else 0

    def compact(self) -> None:
        """Give the space of forgotten rows back to the file system."""
        # executescript steps it to the end (execute would free one page; no transaction is open)
        self.con.executescript("PRAGMA incremental_vacuum;")
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # --- reading ---------------------------------------------------------------------------
    def jobs(self) -> list[JobRow]:
        """Every job, oldest first."""
        return [JobRow(*r) for r in self.con.execute(f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY id")]

    def job(self, ref: str | int) -> JobRow:
        """Job number ``ref``, or the newest for ``"last"``.

        Raises:
            JournalError: there is no such job.
        """
        if ref == "last":
            row = self.con.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise JournalError(english(M.JOURNAL_EMPTY, path=self.path))
            return JobRow(*row)
        try:
            number = int(ref)
        except ValueError:
            raise JournalError(english(M.NOT_A_JOB_NUMBER, ref=repr(ref))) from None
        row = self.con.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise JournalError(english(M.NO_SUCH_JOB, job=number))
        return JobRow(*row)

    def results(
        self,
        job: int,
        *,
        statuses: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Job ``job``'s result rows in row order, in :data:`RESULT_COLUMNS` order (paths as
        the exact bytes), each row's first result only; ``statuses`` / ``kinds`` keep those
        rows only."""
        found: dict[int, tuple[Any, ...]] = {}
        query = f"SELECT at, {_CHUNK_INSERT} FROM chunks WHERE job = ? ORDER BY seq"
        for at, *packed in self.con.execute(query, (job,)):
            for r in chunks.decode(packed):
                if r[0] not in found:
                    found[r[0]] = (*r[:10], at, *r[10:])
        rows = [found[k] for k in sorted(found)]
        if statuses is not None:
            rows = [r for r in rows if r[4] in statuses]
        if kinds is not None:
            rows = [r for r in rows if r[5] in kinds]
        return rows


@contextlib.contextmanager
def _opening_lock(path: str) -> Iterator[None]:
    """An exclusive lock on ``PATH.lock`` beside the journal while it is opened (POSIX). Where
    that file cannot be made (a read-only folder) the journal is opened without it: nobody can
    create or replace the journal there either."""
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking only
        yield
        return
    try:
        fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _connect(path: str) -> sqlite3.Connection:
    """A connection to a journal of :data:`SCHEMA_VERSION` (created or migrated).

    Raises:
        _Unusable: the file is not a journal (corrupt, or another program's database).
    """
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        try:
            app, version = _header(con)
            if version > SCHEMA_VERSION:
                raise JournalError(english(M.JOURNAL_NEWER, version=version, known=SCHEMA_VERSION))
            if app != APPLICATION_ID and (app != 0 or version != 0 or _has_tables(con)):
                raise _Unusable(M.JOURNAL_FOREIGN)
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("PRAGMA foreign_keys = ON")
            if version < SCHEMA_VERSION:
                _migrate(con)
            # Copy the log into the file every MiB or so, as the job goes: the checkpoint that
            # closing the connection makes at the job's end (while the command line waits) then
            # has little left to do.
            (page_size,) = con.execute("PRAGMA page_size").fetchone()
            pages = max(1, AUTOCHECKPOINT_BYTES // page_size)
            con.execute(f"PRAGMA wal_autocheckpoint = {pages}")
            _ensure_view(con)
        except sqlite3.DatabaseError as e:
            if getattr(e, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise _Unusable(M.JOURNAL_DAMAGED) from None
            raise
    except BaseException:
        con.close()
        raise
    return con


def _header(con: sqlite3.Connection) -> tuple[int, int]:
    (app,) = con.execute("PRAGMA application_id").fetchone()
    (version,) = con.execute("PRAGMA user_version").fetchone()
    return app, version


def _has_tables(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def _migrate(con: sqlite3.Connection) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`; another instance may be doing the same."""
    (app,) = con.execute("PRAGMA application_id").fetchone()
    if app == 0:  # a new file: settings that must come before the first table
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        con.execute("PRAGMA auto_vacuum = INCREMENTAL")
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("BEGIN IMMEDIATE")
    try:
        app, version = _header(con)  # again, under the write lock
        if app not in (0, APPLICATION_ID):
            raise _Unusable(M.JOURNAL_FOREIGN)
        for step in MIGRATIONS[version:SCHEMA_VERSION]:
            step(con)
        con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _move_aside(path: str) -> str:
    """Rename the unusable file (and its WAL and shared-memory files) out of the way."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = f"{path}.unusable-{stamp}"
    n = 1
    while os.path.lexists(aside):
        aside = f"{path}.unusable-{stamp}-{n}"
        n += 1
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path + suffix, aside + suffix)
    return aside


def reason(e: BaseException) -> str:
    """A short sentence for why the journal cannot be used."""
    if isinstance(e, JournalError | _Unusable):
        return str(e)
    if isinstance(e, OSError):
        return e.strerror or str(e)
    name = getattr(e, "sqlite_errorname", "")
    if name.startswith("SQLITE_BUSY") or "locked" in str(e):
        return M.JOURNAL_LOCKED
    if name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN"):
        return english(M.JOURNAL_READ_ONLY, detail=e)
    if name == "SQLITE_FULL":
        return M.JOURNAL_DISK_FULL
    return str(e)
