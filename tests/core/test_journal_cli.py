"""``parabatch-cli`` with its job journal, end to end: real subprocesses, real worker processes,
a real SQLite file. SIGKILLed jobs resumed to a manifest byte-identical to an uninterrupted
run's, resume after files changed, vanished or were added, retry, two instances at once, a
journal that is locked or damaged, and the ``jobs`` verbs' output formats."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import needs_tool, wait_for_exit

REPO = Path(__file__).resolve().parents[2]

needs_sha256sum = needs_tool("sha256sum")


def env(journal: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PARABATCH_JOURNAL": str(journal)}


def start(cwd: Path, journal: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env=env(journal),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def cli(cwd: Path, journal: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env=env(journal),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


def make_tree(root: Path, n: int, seed: int = 7, top: int = 16 * 1024) -> None:
    rng = random.Random(seed)
    for i in range(n):
        sub = root / f"d{i // 500:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:05d}.bin").write_bytes(rng.randbytes(rng.randint(1, top)))


def query(journal: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(journal, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def jobs(cwd: Path, journal: Path) -> list[dict[str, Any]]:
    r = cli(cwd, journal, "jobs", "list", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def show(cwd: Path, journal: Path, job: str, *extra: str) -> dict[str, Any]:
    r = cli(cwd, journal, "jobs", "show", job, "--json", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def processed(journal: Path, job: int) -> int:
    """Rows job ``job`` processed itself (not taken from the journal)."""
    ((n,),) = query(
        journal, "SELECT count(*) FROM results WHERE job = ? AND carried IS NULL", (job,)
    )
    return int(n)


def processed_some(journal: Path, job: int) -> bool:
    """Whether job ``job`` has a result it processed itself, from its newest chunk only (cheap
    enough to ask every few milliseconds while the job runs)."""
    newest = "SELECT extra FROM chunks WHERE job = ? ORDER BY seq DESC LIMIT 1"
    rows = query(journal, newest, (job,))
    if not rows:
        return False
    carried = json.loads(rows[0][0] or "{}").get("carried")  # listed when some row is carried
    return carried is None or None in carried


def newest_job(journal: Path) -> int:
    try:
        return int(query(journal, "SELECT max(id) FROM jobs")[0][0] or 0)
    except sqlite3.Error:  # not created yet
        return 0


def kill_after_progress(
    proc: subprocess.Popen[bytes], journal: Path, before: int, results: int
) -> int | None:
    """SIGKILL ``proc`` as soon as its job (newer than job ``before``) is in the journal and holds
    a result it processed itself (``results`` 1; 0: at once); returns the job's number if killed
    before it ended by itself (before its end was in the journal)."""
    deadline = time.monotonic() + 60
    newest = None
    while wait_for_exit([proc.pid], 0.005):  # still running: look at the journal again
        assert time.monotonic() < deadline, "the job recorded no result in time"
        try:
            newest = newest_job(journal)
            if newest > before and (results == 0 or processed_some(journal, newest)):
                proc.kill()
                break
        except sqlite3.Error:  # not created yet
            continue
    proc.communicate()
    if proc.returncode != -signal.SIGKILL or newest is None:
        return None
    ((ended,),) = query(journal, "SELECT ended FROM jobs WHERE id = ?", (newest,))
    return newest if ended is None else None  # (an end already written: it was not cut short)


@needs_sha256sum
def test_sigkilled_again_and_again_then_resumed_equals_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    n = 20_000  # small files: the tenth run still has work left when it is killed
    make_tree(tmp_path / "data", n, top=8 * 1024)
    journal = tmp_path / "journal.sqlite"
    ref = cli(tmp_path, journal, "checksum", "--no-journal", "-q", "-o", "REF", "data")
    assert ref.returncode == 0, ref.stderr
    killed: list[int] = []
    for attempt in range(10):
        if attempt == 0:
            args = ("checksum", "-w", "1", "-q", "-o", "SUMS", "data")
        else:
            args = ("jobs", "resume", "last", "-w", "1", "-q")
        before = newest_job(journal)
        # Killed after some progress, or the moment the job is there (while it plans)
        wanted = 1 if attempt % 2 == 0 else 0
        job = kill_after_progress(start(tmp_path, journal, *args), journal, before, wanted)
        if job is not None:
            killed.append(job)
    assert len(killed) >= 8, f"only {len(killed)} of 10 runs were killed before they ended"
    assert query(journal, "PRAGMA integrity_check") == [("ok",)]
    listed = jobs(tmp_path, journal)
    assert [j["id"] for j in listed if j["state"] == "interrupted"] == killed
    r = cli(tmp_path, journal, "jobs", "resume", "last", "-q")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "SUMS").read_bytes() == (tmp_path / "REF").read_bytes()
    check = subprocess.run(["sha256sum", "--strict", "-c", "SUMS"], cwd=tmp_path, check=False)
    assert check.returncode == 0
    final = jobs(tmp_path, journal)[-1]
    assert (final["state"], final["files"], final["done"]) == ("finished", n, n)
    assert final["how"] == "resume" and final["origin"] == listed[-1]["id"]
    paths = query(journal, "SELECT path FROM results WHERE job = ?", (final["id"],))
    assert len(paths) == len(set(paths)) == n  # every file exactly once
    assert processed(journal, final["id"]) < n  # what the killed runs finished was kept


def test_resume_after_files_changed_vanished_and_were_added(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", 30)
    journal = tmp_path / "journal.sqlite"
    first = cli(tmp_path, journal, "checksum", "-q", "-o", "SUMS", "data")
    assert first.returncode == 0, first.stderr
    changed = tmp_path / "data/d00/f00003.bin"
    changed.write_bytes(b"new content, other size")
    (tmp_path / "data/d00/f00004.bin").unlink()
    (tmp_path / "data/d00/new.bin").write_bytes(b"added")
    r = cli(tmp_path, journal, "jobs", "resume", "last")
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert "28 files finished in job 1 and unchanged since" in err
    assert "1 file changed since job 1: processed again" in err
    assert "1 file of job 1 is gone (moved or deleted):" in err and "f00004.bin" in err
    doc = show(tmp_path, journal, "last")
    results = {Path(r["path"]).name: r for r in doc["results"]}
    assert len(doc["results"]) == 30 and doc["job"]["done"] == 30  # nothing counted twice
    assert results["f00003.bin"]["carried_from"] is None
    assert results["new.bin"]["carried_from"] is None
    assert results["f00000.bin"]["carried_from"] == 1
    assert "f00004.bin" not in results
    import hashlib

    assert results["f00003.bin"]["value"] == hashlib.sha256(changed.read_bytes()).hexdigest()
    manifest = (tmp_path / "SUMS").read_text()
    assert "new.bin" in manifest and "f00004.bin" not in manifest


def test_a_resumed_job_to_stdout_prints_the_whole_manifest(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", 20)
    journal = tmp_path / "journal.sqlite"
    first = cli(tmp_path, journal, "checksum", "data")
    again = cli(tmp_path, journal, "jobs", "resume", "1")
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout and len(first.stdout.splitlines()) == 20


def test_retry_runs_only_the_failed_files(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", 12)
    journal = tmp_path / "journal.sqlite"
    assert cli(tmp_path, journal, "checksum", "-q", "-o", "SUMS", "data").returncode == 0
    victim = tmp_path / "data/d00/f00005.bin"
    good = victim.read_bytes()
    victim.write_bytes(b"damaged")
    bad = cli(tmp_path, journal, "verify", "-q", "SUMS")
    assert bad.returncode == 1
    failed = show(tmp_path, journal, "last", "--failed")["results"]
    assert [Path(r["path"]).name for r in failed] == ["f00005.bin"]
    victim.write_bytes(good)
    r = cli(tmp_path, journal, "jobs", "retry", "last")
    assert r.returncode == 0, r.stderr
    doc = show(tmp_path, journal, "last")
    assert (doc["job"]["how"], doc["job"]["done"], doc["job"]["failed"]) == ("retry", 12, 0)
    assert [Path(r["path"]).name for r in doc["results"] if r["carried_from"] is None] == [
        "f00005.bin"
    ]


def test_two_instances_at_once_both_complete(tmp_path: Path) -> None:
    make_tree(tmp_path / "a", 1500, seed=1, top=4096)
    make_tree(tmp_path / "b", 1500, seed=2, top=4096)
    journal = tmp_path / "journal.sqlite"
    procs = [start(tmp_path, journal, "checksum", "-q", "-w", "1", d) for d in ("a", "b")]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0 and b"warning" not in err, err
        assert b"moved to" not in err, err  # neither took the other's new journal for damaged
    listed = jobs(tmp_path, journal)
    assert sorted((j["state"], j["files"], j["done"]) for j in listed) == [
        ("finished", 1500, 1500),
        ("finished", 1500, 1500),
    ]
    assert query(journal, "SELECT count(*) FROM results") == [(3000,)]


def test_a_locked_journal_warns_once_and_the_exit_code_is_unchanged(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", 10)
    journal = tmp_path / "journal.sqlite"
    assert cli(tmp_path, journal, "jobs", "list").returncode == 0  # creates it
    holder = sqlite3.connect(journal, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = cli(tmp_path, journal, "checksum", "-q", "-o", "SUMS", "data")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 0
    err = r.stderr.decode()
    assert err.count("warning:") == 1 and "locked" in err and "not recorded" in err
    assert len((tmp_path / "SUMS").read_bytes().splitlines()) == 10


@pytest.mark.parametrize("content", [b"\x00garbage" * 1000, b""])
def test_a_damaged_journal_is_moved_aside_and_a_new_one_started(
    tmp_path: Path, content: bytes
) -> None:
    make_tree(tmp_path / "data", 5)
    journal = tmp_path / "journal.sqlite"
    journal.write_bytes(content)
    r = cli(tmp_path, journal, "checksum", "-q", "-o", "SUMS", "data")
    assert r.returncode == 0, r.stderr
    if content:
        assert b"moved to" in r.stderr and b"a new one was started" in r.stderr
        assert len(list(tmp_path.glob("journal.sqlite.unusable-*"))) == 1
    else:  # an empty file is a journal not yet begun
        assert b"note:" not in r.stderr
    assert [(j["state"], j["done"]) for j in jobs(tmp_path, journal)] == [("finished", 5)]


@pytest.mark.skipif(sys.platform != "linux", reason="non-UTF-8 names need a POSIX file system")
def test_show_export_and_forget(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_tree(data, 4)
    odd = data / os.fsdecode(b"caf\xe9.bin")
    odd.write_bytes(b"latin-1 name")
    os.mkfifo(data / "pipe")
    journal = tmp_path / "journal.sqlite"
    assert cli(tmp_path, journal, "checksum", "-q", "-o", "SUMS", "data").returncode == 0
    text = cli(tmp_path, journal, "jobs", "show", "1").stdout.decode()
    assert "job 1: checksum, finished" in text and "skipped   " in text
    out = cli(tmp_path, journal, "jobs", "export", "1", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(out.decode("utf-8", "surrogateescape"))))
    assert len(table) == 6
    assert os.fsencode(odd) in out  # the name's own bytes
    assert {r["status"] for r in table} == {"done", "skipped"}
    doc = json.loads(cli(tmp_path, journal, "jobs", "export", "1", "--format", "json").stdout)
    named = [r for r in doc["results"] if "path_bytes" in r]
    assert [bytes.fromhex(r["path_bytes"]) for r in named] == [os.fsencode(odd)]
    target = tmp_path / "log.tsv"
    r = cli(tmp_path, journal, "jobs", "export", "1", "--format", "joblog", "-o", str(target))
    assert r.returncode == 0, r.stderr
    lines = target.read_bytes().splitlines()
    assert lines[0] == b"Seq\tHost\tStarttime\tJobRuntime\tStatus\tFile"
    assert [ln.split(b"\t")[0] for ln in lines[1:]] == [b"%d" % i for i in range(1, 7)]
    assert cli(tmp_path, journal, "checksum", "-q", "data").returncode == 0
    assert cli(tmp_path, journal, "jobs", "forget", "1").returncode == 0
    assert [j["id"] for j in jobs(tmp_path, journal)] == [2]
    assert cli(tmp_path, journal, "jobs", "forget", "--older-than", "0").returncode == 0
    assert jobs(tmp_path, journal) == []
    missing = cli(tmp_path, journal, "jobs", "show", "7")
    assert missing.returncode == 2 and b"there is no job 7" in missing.stderr


def test_no_journal_records_nothing(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", 3)
    journal = tmp_path / "journal.sqlite"
    assert cli(tmp_path, journal, "checksum", "--no-journal", "-q", "data").returncode == 0
    assert not journal.exists()
    other = tmp_path / "other.sqlite"
    r = cli(tmp_path, journal, "checksum", "--journal", str(other), "-q", "data")
    assert r.returncode == 0 and other.exists() and not journal.exists()


def test_retry_quarantined_runs_only_those_files_each_alone_in_a_fresh_worker(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b", "slow c", "d"):
        (data / name).write_text(name)
    block, log = tmp_path / "block", tmp_path / "ran.log"
    block.touch()
    # The command sleeps on "slow c" while the block file is there; each run logs the file and
    # its worker (the command's parent process).
    script = (
        f'echo "$PPID ${{1##*/}}" >> {log}; case "${{1##*/}}" in slow*) '
        f'while [ -e {block} ]; do sleep 0.05; done;; esac; cp "$1" "$2"'
    )
    journal = tmp_path / "journal.sqlite"
    out = tmp_path / "out"
    first = cli(
        tmp_path, journal, "run", "--output-dir", str(out), "--timeout", "1", "-w", "2", "-q",
        str(data), "--", "sh", "-c", script, "sh", "{}", "{out}",
    )  # fmt: skip
    assert first.returncode == 1, first.stderr
    shown = show(tmp_path, journal, "last")
    assert [os.path.basename(p) for p in shown["quarantined"]] == ["slow c"]
    first_workers = {line.split()[0] for line in log.read_text().splitlines()}
    block.unlink()
    log.unlink()
    again = cli(tmp_path, journal, "jobs", "retry", "last", "--quarantined", "-q")
    assert again.returncode == 0, again.stderr
    ran = [line.split(maxsplit=1) for line in log.read_text().splitlines()]
    assert [name for _pid, name in ran] == ["slow c"]  # only the quarantined file ran
    assert ran[0][0] not in first_workers  # in a worker of its own, not one of the first job's
    assert sorted(p.name for p in out.iterdir()) == ["a", "b", "d", "slow c"]
    final = jobs(tmp_path, journal)[-1]
    assert (final["state"], final["files"], final["done"]) == ("finished", 4, 4)
    assert final["how"] == "retry"
    none = cli(tmp_path, journal, "jobs", "retry", "last", "--quarantined")
    assert none.returncode != 0 and b"no quarantined file" in none.stderr
