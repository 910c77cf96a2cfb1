"""The job journal in this process: its file (schema, WAL, versions, a damaged or foreign file
moved aside), the interrupted sweep, retention, and the writer fed by a real job's result sink
on real worker processes (bytes-exact names, a journal that cannot be written, quarantine)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from core import __version__, journal
from core.discover import Filters, Scanner
from core.engine import Engine, run_session
from core.journal import Journal, JournalError
from core.journal_writer import Recorder
from core.operations.checksum import ChecksumOptions
from core.options import canonical, options_key
from core.session import Found, Session
from tests.core.mounts import fill, tmpfs


@pytest.fixture
def jpath(tmp_path: Path) -> str:
    return str(tmp_path / "state" / "journal.sqlite")


def files(root: Path, n: int) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = root / f"f{i:03d}"
        p.write_bytes(os.urandom(100 + i))
        out.append(p)
    return out


def run_recorded(
    engine: Engine, op: str, options: Any, roots: list[str], recorder: Recorder
) -> Any:
    scanner = Scanner(roots, Filters((), ()))
    session = Session(engine, op, options, Found(scanner.batches(100)), recorder=recorder)
    job, report = run_session(session)
    assert recorder.close(30)
    return job, report


def rows(path: str, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def fake_job(j: Journal, pid: int, **extra: Any) -> int:
    fields: dict[str, Any] = {
        "operation": "checksum",
        "options": "null",
        "options_key": "k",
        "inputs": "{}",
        "started": 1.0,
        "version": __version__,
        "host": socket.gethostname(),
        "pid": pid,
        "pid_start": journal.process_start(pid),
    }
    fields.update(extra)
    return j.begin_job(fields)


# --- the file ----------------------------------------------------------------------------------


def test_a_new_journal_is_wal_with_its_version(jpath: str) -> None:
    j = Journal.open(jpath)
    j.close()
    con = sqlite3.connect(jpath)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("PRAGMA user_version").fetchone() == (journal.SCHEMA_VERSION,)
    assert con.execute("PRAGMA application_id").fetchone() == (journal.APPLICATION_ID,)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA page_size").fetchone() == (journal.PAGE_SIZE,)
    con.close()
    Journal.open(jpath).close()  # opens again as it is


def test_an_empty_file_is_migrated_to_the_current_version(jpath: str) -> None:
    os.makedirs(os.path.dirname(jpath))
    open(jpath, "wb").close()  # what another instance leaves when it dies while creating it
    with Journal.open(jpath) as j:
        assert j.jobs() == []
    assert rows(jpath, "PRAGMA user_version") == [(journal.SCHEMA_VERSION,)]


@pytest.mark.parametrize("what", ["garbage", "foreign"])
def test_a_damaged_or_foreign_file_is_moved_aside(jpath: str, what: str) -> None:
    os.makedirs(os.path.dirname(jpath))
    if what == "garbage":
        Path(jpath).write_bytes(b"this is not SQLite at all\n" * 400)
    else:
        con = sqlite3.connect(jpath)
        con.execute("CREATE TABLE songs (title TEXT)")
        con.commit()
        con.close()
    before = Path(jpath).read_bytes()
    with Journal.open(jpath) as j:
        (note,) = j.notes
        assert "moved to" in note and "a new one was started" in note
        fake_job(j, os.getpid())
        assert len(j.jobs()) == 1
    aside = [p for p in os.listdir(os.path.dirname(jpath)) if ".unusable-" in p]
    assert len(aside) == 1
    assert (Path(jpath).parent / aside[0]).read_bytes() == before  # kept as it was


def test_a_version_1_journal_gains_the_detail_column_and_keeps_its_rows(jpath: str) -> None:
    os.makedirs(os.path.dirname(jpath))
    con = sqlite3.connect(jpath, isolation_level=None)
    journal._create_v1(con)  # a journal as version 1 wrote it
    con.execute(f"PRAGMA application_id = {journal.APPLICATION_ID}")
    con.execute("PRAGMA user_version = 1")
    con.execute(
        "INSERT INTO jobs (operation, options, options_key, inputs, started, version, host, pid)"
        " VALUES ('run', '{}', 'k', '[]', 1.0, 'old', 'h', 1)"
    )
    con.execute(
        "INSERT INTO results (job, row, path, size, mtime_ns, status, message, attempt, at) "
        "VALUES (1, 0, x'2f61', 1, 2, 'failed', 'exit 1: no', 1, 3.0)"
    )
    con.close()
    with Journal.open(jpath) as j:
        assert rows(jpath, "PRAGMA user_version") == [(journal.SCHEMA_VERSION,)]
        (row,) = j.results(1)
        got = dict(zip(journal.RESULT_COLUMNS.split(", "), row, strict=True))
        assert (got["path"], got["status"], got["message"], got["at"]) == (
            b"/a", "failed", "exit 1: no", 3.0
        )  # fmt: skip
        assert got["detail"] is None  # version 2 added it, empty for rows from before


def test_rows_of_an_old_journal_move_into_chunks_exact_and_the_view_shows_them(
    jpath: str,
) -> None:
    os.makedirs(os.path.dirname(jpath))
    con = sqlite3.connect(jpath, isolation_level=None)
    journal._create_v1(con)
    journal._detail_v2(con)  # a journal as version 2 wrote it: a row per file
    con.execute(f"PRAGMA application_id = {journal.APPLICATION_ID}")
    con.execute("PRAGMA user_version = 2")
    con.execute(
        "INSERT INTO jobs (operation, options, options_key, inputs, started, version, host, pid)"
        " VALUES ('checksum', '{}', 'k', '[]', 1.0, 'old', 'h', 1)"
    )
    for row, path in enumerate((b"/d/caf\xc3\xa9", b"/d/\xff\xfe name", b"/d/z")):
        con.execute(
            "INSERT INTO results (job, row, path, size, mtime_ns, status, value, attempt, at) "
            "VALUES (1, ?, ?, 10, 20, 'done', 'ab', 1, ?)",
            (row, path, 3.0 + row),
        )
    con.close()
    with Journal.open(jpath) as j:
        got = j.results(1)
        assert [r[1] for r in got] == [b"/d/caf\xc3\xa9", b"/d/\xff\xfe name", b"/d/z"]
        assert [r[4] for r in got] == ["done"] * 3
        # Later results of a row that has one do not replace it (the first wins).
        j.add_results([(1, 0, b"/d/caf\xc3\xa9", 10, 20, "failed", None, None, None, "x", 2,
                        9.0, None, None, None)])  # fmt: skip
        assert [r[4] for r in j.results(1)] == ["done"] * 3
        assert [r[1] for r in j.results(1, statuses=("done",))][2] == b"/d/z"
    view = rows(jpath, "SELECT row, path, status, value FROM results WHERE job = 1 AND row = 2")
    assert view == [(2, b"/d/z", "done", "ab")]


VIEW_ROWS = (
    "SELECT row, path, size, mtime_ns, status, kind, value, output, message, attempt, at, "
    "duration, carried, detail, worker FROM results WHERE job = ? ORDER BY row"
)


def odd_rows(n: int) -> list[tuple[Any, ...]]:
    """``n`` result rows in :data:`journal.RESULT_COLUMNS` order (paths and outputs as bytes)
    with every field a journal must keep exact: names that are not UTF-8, sizes past 4 GiB,
    negative and large times, outputs, messages, retries, carried rows, details, several
    workers, durations not known."""
    out = []
    for i in range(n):
        out.append((
            i,
            [b"/d/caf\xc3\xa9 %d" % i, b"/d/\xff\xfe name %d" % i, b"/d/z%d" % i][i % 3],
            [0, 2**40 + i, 17][i % 3],
            [-5, 1_700_000_000_123_456_789, i][i % 3],
            ["done", "failed", "skipped", "cancelled"][i % 4],
            [None, "unreadable", "output-exists", "cancelled-before-start", "mismatch"][i % 5],
            ["ab" * 32, None][i % 2],
            [None, b"/out/\xff%d.jpg" % i, b"/out/%d.png" % i][i % 3],
            [None, "Permission denied", "d\u00e9j\u00e0 l\u00e0"][i % 3],
            1 + i % 3,
            1000.0 + i // 300,
            [0.25, None, 1.5, 0.000125][i % 4],
            [None, 7][i % 2],
            [None, '{"exit": 2}'][i % 2],
            [f"w{i % 3}", None][i % 7 == 0],
        ))  # fmt: skip
    return out


def test_a_version_4_journal_moves_into_columns_exact_and_the_view_agrees(jpath: str) -> None:
    os.makedirs(os.path.dirname(jpath))
    con = sqlite3.connect(jpath, isolation_level=None)
    for step in journal.MIGRATIONS[:4]:  # a journal as version 4 wrote it: JSON chunks
        step(con)
    con.execute(f"PRAGMA application_id = {journal.APPLICATION_ID}")
    con.execute("PRAGMA user_version = 4")
    for _ in range(2):
        con.execute(
            "INSERT INTO jobs (operation, options, options_key, inputs, started, version, host,"
            " pid) VALUES ('checksum', '{}', 'k', '[]', 1.0, 'old', 'h', 1)"
        )
    want = odd_rows(700)  # more than a version 5 chunk holds: split
    stored = [(*r[:10], *r[11:]) for r in want]  # a version 3 chunk's row: no ``at``
    for seq, first in enumerate(range(0, 700, 300)):  # version 3's chunks: 300 rows at a time
        part = stored[first : first + 300]
        con.execute(
            "INSERT INTO chunks (job, seq, at, count, data) VALUES (1, ?, ?, ?, ?)",
            (seq, 1000.0 + seq, len(part), journal._encode(part)),
        )
    con.execute(  # a later result of row 5 that must not replace its first
        "INSERT INTO chunks (job, seq, at, count, data) VALUES (1, 3, 9.0, 1, ?)",
        (journal._encode([(5, "/d/x", 1, 1, "done", None, "ff", None, None, 2, None, None,
                           None, None)]),),
    )  # fmt: skip
    con.execute(
        "INSERT INTO chunks (job, seq, at, count, data) VALUES (2, 0, 5.0, 1, ?)",
        (journal._encode([(0, "/one", 3, 4, "done", None, "cd", None, None, 1, 0.5, None,
                           None, "solo")]),),
    )  # fmt: skip
    con.close()
    with Journal.open(jpath) as j:
        assert rows(jpath, "PRAGMA user_version") == [(journal.SCHEMA_VERSION,)]
        got = j.results(1)
        assert got == want
        assert j.results(2) == [(0, b"/one", 3, 4, "done", None, "cd", None, None, 1, 5.0, 0.5,
                                 None, None, "solo")]  # fmt: skip
        assert [r[0] for r in j.results(1, statuses=("failed",), kinds=("unreadable",))] == [
            r[0] for r in want if r[4] == "failed" and r[5] == "unreadable"
        ]
    stored_chunks = rows(jpath, "SELECT max(count), sum(count) FROM chunks WHERE job = 1")
    assert stored_chunks == [(256, 701)]
    # The view shows the same rows (row 5 twice: it shows what is stored), outputs that are not
    # UTF-8 approximately (as JSON holds them), everything else exact.
    view = [r for r in rows(jpath, VIEW_ROWS, (1,)) if r[3] != 1]
    assert len(view) == 700
    for seen, exact in zip(view, want, strict=True):
        assert seen[:7] + seen[8:] == exact[:7] + exact[8:]
        assert seen[7] == exact[7] or b"\xff" in exact[7]
    assert rows(jpath, VIEW_ROWS, (2,)) == Journal.open(jpath).results(2)


def test_a_chunk_packs_and_decodes_exact() -> None:
    from core import journal_chunks as jc

    for n in (1, 2, 255):
        want = [(*r[:10], *r[11:]) for r in odd_rows(n)]
        assert jc.decode(jc.pack_rows(want)) == want
    plain = [(0, "/a", 1, 2, "done", None, "ab", None, None, 1, None, None, None, "w")]
    packed = jc.pack_rows(plain)
    assert packed[jc.COLUMNS.index("extra")] is None  # nothing rare: no JSON at all
    assert packed[jc.COLUMNS.index("worker")] == "w"
    unknown = bytearray(packed[jc.COLUMNS.index("kinds")])
    unknown[0] = 250  # a kind a newer version wrote
    newer = list(packed)
    newer[jc.COLUMNS.index("kinds")] = bytes(unknown)
    assert jc.decode(newer)[0][5] == jc.UNKNOWN_KIND


def test_a_view_another_version_made_differently_is_made_again(jpath: str) -> None:
    Journal.open(jpath).close()
    con = sqlite3.connect(jpath, isolation_level=None)
    con.execute("DROP VIEW results")
    con.execute("CREATE VIEW results AS SELECT 1 AS job")
    con.close()
    with Journal.open(jpath) as j:
        job = fake_job(j, os.getpid())
        j.add_results([(job, 0, b"/a\xff", 1, 2, "done", None, "ab", None, None, 1, 3.0, 0.5,
                        None, None, "w")])  # fmt: skip
    assert rows(jpath, VIEW_ROWS, (job,)) == [
        (0, b"/a\xff", 1, 2, "done", None, "ab", None, None, 1, 3.0, 0.5, None, None, "w")
    ]


def test_a_journal_of_a_newer_version_is_left_alone(jpath: str) -> None:
    Journal.open(jpath).close()
    con = sqlite3.connect(jpath)
    con.execute(f"PRAGMA user_version = {journal.SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(JournalError, match="newer Parabatch"):
        Journal.open(jpath)
    assert rows(jpath, "PRAGMA user_version") == [(journal.SCHEMA_VERSION + 1,)]


def test_the_default_place_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARABATCH_JOURNAL", str(tmp_path / "j.sqlite"))
    assert journal.default_path() == str(tmp_path / "j.sqlite")
    monkeypatch.delenv("PARABATCH_JOURNAL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert journal.default_path() == str(tmp_path / "xdg" / "parabatch" / "journal.sqlite")


# --- sweep, retention ------------------------------------------------------------------------


def test_a_job_whose_process_is_gone_is_marked_interrupted(jpath: str) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with Journal.open(jpath) as j:
        dead = fake_job(j, gone.pid)
        alive = fake_job(j, os.getpid())
        j.add_results(
            [
                (dead, 0, b"/x/a", 1, 5, "done", None, "ab", None, None, 1, 7.5, None, None, None),
                (
                    dead,
                    1,
                    b"/x/b",
                    1,
                    5,
                    "failed",
                    "unreadable",
                    None,
                    None,
                    "no",
                    1,
                    8.0,
                    None,
                    None,
                    None,
                ),
            ]
        )
    with Journal.open(jpath) as j:
        by_id = {r.id: r for r in j.jobs()}
        assert by_id[dead].state == "interrupted"
        assert (by_id[dead].files, by_id[dead].done, by_id[dead].failed) == (2, 1, 1)
        assert by_id[dead].ended == 8.0  # when its last result came in
        assert by_id[alive].state == "running"


def test_retention_keeps_the_newest_jobs_and_compacts(jpath: str) -> None:
    with Journal.open(jpath) as j:
        ids = [fake_job(j, os.getpid(), ending="finished") for _ in range(6)]
        big = [
            (ids[0], i, b"/p%d" % i, 1, 1, "done", None, "x" * 64, None, None, 1, 1.0) + (None,) * 3
            for i in range(5000)
        ]
        j.add_results(big)
        size = os.path.getsize(jpath) + os.path.getsize(jpath + "-wal")
        assert j.retain(3) == 3
        j.compact()
        assert [r.id for r in j.jobs()] == ids[3:]
        assert j.con.execute("SELECT count(*) FROM results").fetchone() == (0,)
        assert os.path.getsize(jpath) + os.path.getsize(jpath + "-wal") < size / 2


def test_retention_by_size_forgets_the_oldest_ended_jobs_never_a_running_one_nor_the_newest(
    jpath: str,
) -> None:
    """A million-file job takes about 240 MB of journal: past the size limit the oldest ended
    jobs go (while the file holds more), so that 200 big jobs do not fill the user's disk."""

    def results(job: int, n: int = 4000) -> list[tuple[Any, ...]]:
        rest = (None, None, 1, 1.0, None, None, None)
        return [
            (job, i, b"/data/%08d/a-long-name.bin" % i, 1, 1, "done", None, f"{i:064x}", *rest)
            for i in range(n)
        ]

    with Journal.open(jpath) as j:
        running = fake_job(j, os.getpid())  # the oldest, and still running elsewhere
        ended = [fake_job(j, os.getpid(), ended=2.0, ending="finished") for _ in range(4)]
        newest = fake_job(j, os.getpid(), ended=3.0, ending="cancelled")
        for job in [running, *ended, newest]:
            j.add_results(results(job))
        one = (j.used_bytes() - 200_000) // 6  # about what each job takes
        assert j.retain(200, max_bytes=0) == 0  # no size limit: nothing forgotten
        assert j.retain(200, max_bytes=j.used_bytes()) == 0
        assert j.retain(200, max_bytes=j.used_bytes() - one // 2) == 1  # the oldest ended one
        assert [r.id for r in j.jobs()] == [running, *ended[1:], newest]
        assert j.retain(200, max_bytes=1) == 3  # all it may: never the running one, the newest
        assert [r.id for r in j.jobs()] == [running, newest]
        assert len(j.results(newest)) == 4000 and len(j.results(running)) == 4000
        size = os.path.getsize(jpath) + os.path.getsize(jpath + "-wal")
        j.compact()
        assert os.path.getsize(jpath) + os.path.getsize(jpath + "-wal") < size


def test_the_size_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(journal.ENV_MAX_MB, raising=False)
    assert journal.default_max_bytes() == journal.DEFAULT_MAX_MB * 2**20
    monkeypatch.setenv(journal.ENV_MAX_MB, "1.5")
    assert journal.default_max_bytes() == 1_572_864
    monkeypatch.setenv(journal.ENV_MAX_MB, "0")
    assert journal.default_max_bytes() == 0  # no limit
    monkeypatch.setenv(journal.ENV_MAX_MB, "lots")
    assert journal.default_max_bytes() == journal.DEFAULT_MAX_MB * 2**20


def test_retention_by_age_forgets_old_ended_jobs_but_never_a_running_one(jpath: str) -> None:
    day = 86400.0
    now = time.time()
    with Journal.open(jpath) as j:
        old = fake_job(j, os.getpid(), started=now - 40 * day, ended=now - 40 * day,
                       ending="finished")  # fmt: skip
        running = fake_job(j, os.getpid(), started=now - 50 * day)  # still running elsewhere
        recent = fake_job(j, os.getpid(), started=now - 2 * day, ended=now - 2 * day,
                          ending="cancelled")  # fmt: skip
        assert j.retain(200, days=0) == 0  # no age limit: nothing forgotten
        assert j.retain(200, days=30) == 1
        assert [r.id for r in j.jobs()] == [running, recent]
        assert old not in [r.id for r in j.jobs()]


def test_a_recorded_job_forgets_jobs_past_the_retention_and_never_itself(
    engine: Engine, tmp_path: Path, jpath: str
) -> None:
    root = tmp_path / "data"
    files(root, 30)
    numbers = []
    for keep in (5, 5, 2, 1):
        rec = Recorder(jpath, {"paths": [str(root)]}, keep=keep)
        run_recorded(engine, "checksum", ChecksumOptions(), [str(root)], rec)
        assert rec.warning is None and rec.job_number is not None
        numbers.append(rec.job_number)
        with Journal.open(jpath) as j:
            kept = [r.id for r in j.jobs()]
            assert kept == numbers[-keep:]  # the newest, this one with them
            assert len(j.results(numbers[-1])) == 30  # its results came in after the forgetting
            assert j.jobs()[-1].ending == "finished"
    assert rows(jpath, "SELECT DISTINCT job FROM chunks") == [(numbers[-1],)]
    rec = Recorder(jpath, {"paths": [str(root)]}, max_bytes=1)  # past any size: all but itself
    run_recorded(engine, "checksum", ChecksumOptions(), [str(root)], rec)
    with Journal.open(jpath) as j:
        assert [r.id for r in j.jobs()] == [rec.job_number]
        assert len(j.results(rec.job_number)) == 30


# --- the writer, on a real job ---------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="non-UTF-8 names need a POSIX file system")
def test_every_result_is_recorded_bytes_exact(engine: Engine, tmp_path: Path, jpath: str) -> None:
    root = tmp_path / "data"
    made = files(root, 40)
    odd = root / os.fsdecode(b"caf\xe9 \xff.bin")  # Latin-1, not UTF-8
    odd.write_bytes(b"odd")
    options = ChecksumOptions()
    rec = Recorder(jpath, {"paths": [str(root)]})
    _, report = run_recorded(engine, "checksum", options, [str(root)], rec)
    assert rec.warning is None and report.error is None
    (j,) = rows(
        jpath,
        "SELECT operation, options, options_key, ending, files, done, version, host, pid FROM jobs",
    )
    assert j == (
        "checksum",
        canonical(options),
        options_key("checksum", options),
        "finished",
        41,
        41,
        __version__,
        socket.gethostname(),
        os.getpid(),
    )
    with Journal.open(jpath) as journal_file:
        stored = journal_file.results(rec.job_number or 0)
    got = {r[1]: (r[2], r[3], r[4], r[6]) for r in stored}
    assert len(got) == 41
    # Each file's running time, and the worker process that did it.
    workers = {str(pid) for pid in engine.all_worker_pids()}
    assert all(r[11] is not None and 0 <= r[11] < 60 and r[14] in workers for r in stored)
    # The results view (for people with the sqlite3 shell) has the same rows.
    assert rows(jpath, "SELECT count(*), sum(size) FROM results") == [
        (41, sum(v[0] for v in got.values()))
    ]
    for p in [*made, odd]:
        st = p.stat()
        size, mtime, status, value = got[os.fsencode(p)]
        assert (size, mtime, status) == (st.st_size, st.st_mtime_ns, "done")
        assert value == hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_a_journal_that_cannot_be_written_warns_once_and_the_job_runs(
    engine: Engine, tmp_path: Path, disk: str
) -> None:
    root = tmp_path / "data"
    files(root, 200)
    with tmpfs(tmp_path / "disk", readonly=disk == "read-only") as folder:
        where = str(folder / "journal.sqlite")
        if disk == "full":
            Journal.open(where).close()
            fill(folder)
        rec = Recorder(where, {})
        job, report = run_recorded(engine, "checksum", ChecksumOptions(), [str(root)], rec)
    assert report.error is None and job.tracker.summary()["done"] == 200
    assert rec.warning is not None
    assert "cannot be used" in rec.warning and "--no-journal" in rec.warning


def test_a_journal_locked_by_another_connection_warns_and_the_job_runs(
    engine: Engine, tmp_path: Path, jpath: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "BUSY_TIMEOUT", 0.2)
    Journal.open(jpath).close()
    holder = sqlite3.connect(jpath, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another instance in the middle of a long write
    try:
        root = tmp_path / "data"
        files(root, 20)
        rec = Recorder(jpath, {})
        job, report = run_recorded(engine, "checksum", ChecksumOptions(), [str(root)], rec)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert report.error is None and job.tracker.summary()["done"] == 20
    assert rec.warning is not None and "locked" in rec.warning


def test_files_that_stopped_a_worker_are_quarantined(
    engine: Engine, tmp_path: Path, jpath: str
) -> None:
    root = tmp_path / "data"
    files(root, 10)
    (root / "CRASH.bin").write_bytes(b"boom")
    rec = Recorder(jpath, {})
    run_recorded(engine, "tests.fault_ops:SegfaultOperation", None, [str(root)], rec)
    assert rec.warning is None
    (job,) = rows(jpath, "SELECT ending, done, failed FROM jobs")
    assert job == ("finished", 10, 1)
    with Journal.open(jpath) as j:
        quarantined = j.results(rec.job_number or 0, kinds=journal.QUARANTINE_KINDS)
    assert [(os.path.basename(os.fsdecode(r[1])), r[5]) for r in quarantined] == [
        ("CRASH.bin", "crashed-worker")
    ]
    assert quarantined[0][9] == 2  # the second try, alone, crashed it too


def test_chunks_from_workers_and_rows_after_a_crash_are_each_written_once(
    engine: Engine, tmp_path: Path, jpath: str
) -> None:
    # Chunks come back from the workers as columns (core.records.ResultBatch); the crashed
    # chunk's rows come back one by one, its neighbours again as columns on a second try.
    root = tmp_path / "data"
    made = files(root, 60)
    (root / "f030-CRASH.bin").write_bytes(b"boom")
    rec = Recorder(jpath, {})
    run_recorded(engine, "tests.fault_ops:SegfaultOperation", None, [str(root)], rec)
    assert rec.warning is None
    number = rec.job_number or 0
    assert rows(jpath, "SELECT sum(count) FROM chunks WHERE job = ?", (number,)) == [(61,)]
    assert rows(jpath, "SELECT count(DISTINCT row), count(*) FROM results") == [(61, 61)]
    with Journal.open(jpath) as j:
        stored = {os.path.basename(os.fsdecode(r[1])): r for r in j.results(number)}
    crashed = stored.pop("f030-CRASH.bin")
    assert (crashed[4], crashed[5], crashed[9]) == ("failed", "crashed-worker", 2)
    assert crashed[8]  # its message
    assert sorted(stored) == sorted(p.name for p in made)
    for p in made:
        r = stored[p.name]
        assert (r[2], r[3], r[4], r[5]) == (p.stat().st_size, p.stat().st_mtime_ns, "done", None)
        assert r[6] == hashlib.sha256(p.read_bytes()).hexdigest() and r[8] is None
        assert r[9] in (1, 2) and r[14]  # neighbours of the crash ran again; a worker did
    assert any(r[9] == 2 for r in stored.values())


def test_many_given_paths_are_stored_beside_the_job_and_a_rerun_keeps_them(
    engine: Engine, tmp_path: Path, jpath: str
) -> None:
    root = tmp_path / "data"
    files(root, 3)
    listed = [
        str(root / f"listed {i:05d} \N{SNOWMAN}.bin") for i in range(2 * journal.PATHS_PIECE + 7)
    ]
    listed.append(os.fsdecode(b"/odd/caf\xe9"))  # not UTF-8: comes back exact
    rec = Recorder(jpath, {"paths": listed, "cwd": "/"})
    run_recorded(engine, "checksum", ChecksumOptions(), [str(root)], rec)
    with Journal.open(jpath) as j:
        first = j.job(rec.job_number or 0)
        stored = json.loads(first.inputs)
        assert "paths" not in stored and stored[journal.PATHS_STORED] == len(listed)
        assert len(first.inputs) < 200  # the list is not in the job's row
        assert j.inputs(first)["paths"] == listed and j.inputs(first)["cwd"] == "/"
    # A rerun given the stored form (as the window passes it on) records the paths again.
    again = Recorder(jpath, stored, origin=first.id, how="resume")
    run_recorded(engine, "checksum", ChecksumOptions(), [str(root)], again)
    with Journal.open(jpath) as j:
        assert j.inputs(j.job(again.job_number or 0))["paths"] == listed
        j.forget([first.id])
        assert rows(jpath, "SELECT count(*) FROM job_paths WHERE job = ?", (first.id,)) == [(0,)]
