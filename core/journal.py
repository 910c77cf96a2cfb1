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
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

ENV_PATH = "PARABATCH_JOURNAL"
ENV_KEEP = "PARABATCH_JOURNAL_KEEP"
FILE_NAME = "journal.sqlite"
APPLICATION_ID = 0x50424A4C  # "PBJL": tells a journal from another program's database
SCHEMA_VERSION = 1
DEFAULT_KEEP = 200  # jobs kept; older ones are forgotten when a job ends
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


def default_keep() -> int:
    """How many jobs are kept (``$PARABATCH_JOURNAL_KEEP``, else :data:`DEFAULT_KEEP`)."""
    with contextlib.suppress(ValueError):
        return max(1, int(os.environ.get(ENV_KEEP, "")))
    return DEFAULT_KEEP


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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_create_v1]
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
    "carried"
)
INSERT_RESULT = (
    "INSERT OR IGNORE INTO results (job, row, path, size, mtime_ns, status, kind, value, output, "
    "message, attempt, at, duration, carried) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
                    notes.append(
                        f"the journal {path} {e}; it was moved to {aside} and a new one was started"
                    )
                    con = _connect(path)
        except (sqlite3.Error, OSError, _Unusable, JournalError) as e:
            raise JournalError(f"the job journal {path} cannot be used: {reason(e)}") from None
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
    def begin_job(self, fields: dict[str, Any]) -> int:
        """A new job row; returns its number."""
        names = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        with self.transaction():
            cur = self.con.execute(
                f"INSERT INTO jobs ({names}) VALUES ({marks})", tuple(fields.values())
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def add_results(self, rows: Iterable[Sequence[Any]]) -> None:
        """Result rows in :data:`INSERT_RESULT` order, in one transaction (a row's first wins)."""
        with self.transaction():
            self.con.executemany(INSERT_RESULT, rows)

    def end_job(self, job: int, ending: str, error: str | None, ended: float | None = None) -> None:
        """Mark ``job`` ended and count its rows."""
        with self.transaction():
            self._end(job, ending, error, ended if ended is not None else time.time())

    def _end(self, job: int, ending: str, error: str | None, ended: float) -> None:
        counts = dict.fromkeys(STATUS_NAMES, 0)
        for status, n in self.con.execute(
            "SELECT status, count(*) FROM results WHERE job = ? GROUP BY status", (job,)
        ):
            counts[status] = n
        self.con.execute(
            "UPDATE jobs SET ended = ?, ending = ?, error = ?, files = ?, done = ?, failed = ?, "
            "skipped = ?, cancelled = ? WHERE id = ?",
            (ended, ending, error, sum(counts.values()), *counts.values(), job),
        )

    def sweep(self) -> list[int]:
        """Mark interrupted the jobs of this host whose process is gone; returns their numbers."""
        host = socket.gethostname()
        rows = self.con.execute(
            "SELECT id, pid, pid_start FROM jobs WHERE ending IS NULL AND host = ?", (host,)
        ).fetchall()
        gone = [job for job, pid, started in rows if not _alive(pid, started)]
        if gone:
            with self.transaction():
                for job in gone:
                    (last,) = self.con.execute(
                        "SELECT max(at) FROM results WHERE job = ?", (job,)
                    ).fetchone()
                    self._end(job, "interrupted", None, last or time.time())
        return gone

    def forget(self, jobs: Iterable[int]) -> int:
        """Delete these jobs and their results; returns how many there were."""
        ids = list(jobs)
        with self.transaction():
            n = 0
            for job in ids:
                self.con.execute("DELETE FROM results WHERE job = ?", (job,))
                n += self.con.execute("DELETE FROM jobs WHERE id = ?", (job,)).rowcount
        return n

    def forget_older(self, days: float) -> int:
        cutoff = time.time() - days * 86400
        old = [j for (j,) in self.con.execute("SELECT id FROM jobs WHERE started < ?", (cutoff,))]
        return self.forget(old)

    def retain(self, keep: int) -> int:
        """Forget all but the newest ``keep`` jobs; returns how many were forgotten."""
        old = [
            j
            for (j,) in self.con.execute(
                "SELECT id FROM jobs ORDER BY id DESC LIMIT -1 OFFSET ?", (keep,)
            )
        ]
        return self.forget(old) if old else 0

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
                raise JournalError(f"the journal {self.path} holds no job yet")
            return JobRow(*row)
        try:
            number = int(ref)
        except ValueError:
            raise JournalError(f"not a job number: {ref!r} (see 'jobs list')") from None
        row = self.con.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise JournalError(f"there is no job {number} in the journal (see 'jobs list')")
        return JobRow(*row)

    def results(
        self, job: int, where: str = "", args: Sequence[Any] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """Job ``job``'s result rows in row order, in :data:`RESULT_COLUMNS` order; ``where``
        adds a condition (``"status = ?"``)."""
        extra = f" AND ({where})" if where else ""
        return self.con.execute(
            f"SELECT {RESULT_COLUMNS} FROM results WHERE job = ?{extra} ORDER BY row",
            (job, *args),
        )


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
                raise JournalError(
                    f"it was made by a newer Parabatch (schema {version}, this one knows "
                    f"{SCHEMA_VERSION}); update Parabatch or use --journal with another file"
                )
            if app != APPLICATION_ID and (app != 0 or version != 0 or _has_tables(con)):
                raise _Unusable("is not a Parabatch journal (another program's database)")
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("PRAGMA foreign_keys = ON")
            if version < SCHEMA_VERSION:
                _migrate(con)
        except sqlite3.DatabaseError as e:
            if getattr(e, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise _Unusable("is damaged or not a database") from None
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
        con.execute("PRAGMA auto_vacuum = INCREMENTAL")
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("BEGIN IMMEDIATE")
    try:
        app, version = _header(con)  # again, under the write lock
        if app not in (0, APPLICATION_ID):
            raise _Unusable("is not a Parabatch journal (another program's database)")
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
        return "another program holds it locked"
    if name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN"):
        return f"{e} (is the file or its folder read-only?)"
    if name == "SQLITE_FULL":
        return "the disk is full"
    return str(e)
