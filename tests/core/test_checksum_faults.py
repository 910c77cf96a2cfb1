"""The checksum operation's manifest under pressure: names ``b3sum --check`` cannot read, a
manifest another run or program wrote while the job ran, jobs that hashed nothing, cancels, and
temporaries left by dead writers. Checked with the real sha256sum and b3sum."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from core import manifest
from core.discover import scan
from core.engine import Engine, run_job
from core.operations.checksum import ChecksumOperation, ChecksumOptions
from core.operations.verify import VerifyOperation, VerifyOptions
from core.records import FileError, FileResult, Status, Task
from tests.support import require_tool

OP = ChecksumOperation()


def make(root: Path, names: list[bytes]) -> list[str]:
    paths = []
    for raw in names:
        p = os.fsdecode(os.path.join(os.fsencode(root), raw))
        with open(p, "wb") as f:
            f.write(b"data of " + raw)
        paths.append(p)
    return paths


def run(tool: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    require_tool(tool[0])
    return subprocess.run(tool, cwd=cwd, capture_output=True, timeout=60, check=False)


def blake3_results(paths: list[str]) -> tuple[list[Task], list[FileResult]]:
    tasks, results = [], []
    for i, p in enumerate(paths):
        h = manifest.ALGORITHMS["blake3"].new()
        with open(p, "rb") as f:
            h.update(f.read())
        tasks.append(Task(i, p, 1))
        results.append(FileResult(i, Status.DONE, h.hexdigest()))
    return tasks, results


# --- b3sum's limits ------------------------------------------------------------------------------


def test_blake3_manifest_names_what_b3sum_cannot_read(tmp_path: Path) -> None:
    paths = make(tmp_path, [b"plain.txt", b"cr\rret", b"\xff\xfebad", b"back\\slash"])
    target = tmp_path / "B3SUMS"
    tasks, results = blake3_results(paths)
    lines = OP.finish(ChecksumOptions("blake3", str(target)), tasks, results)
    assert lines == [
        f"Manifest written: {target} (4 files)",
        "WARNING: b3sum --check cannot read 2 names in this manifest (not UTF-8 or holding a "
        'carriage return): "cr\\rret", "\\xff\\xfebad"; parabatch-cli verify and other readers '
        "of sha256sum-style manifests can",
    ]
    # What the warning says, measured: b3sum fails on them, our verify reads every line.
    assert run(["b3sum", "--check", "B3SUMS"], tmp_path).returncode != 0
    listed = manifest.read_manifest(str(target))
    assert sorted(e.path for e in listed) == sorted(paths) and not listed.bad


def test_blake3_manifest_b3sum_reads_has_no_warning(tmp_path: Path) -> None:
    paths = make(tmp_path, [b"plain.txt", b"new\nline", b"back\\slash", "caf\u00e9".encode()])
    target = tmp_path / "B3SUMS"
    tasks, results = blake3_results(paths)
    lines = OP.finish(ChecksumOptions("blake3", str(target)), tasks, results)
    assert lines == [f"Manifest written: {target} (4 files)"]
    r = run(["b3sum", "--check", "B3SUMS"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(b": OK\n") == 4


def test_many_unreadable_names_are_counted(tmp_path: Path) -> None:
    paths = make(tmp_path, [b"\xff%d" % i for i in range(5)])
    tasks, results = blake3_results(paths)
    lines = OP.finish(ChecksumOptions("blake3", str(tmp_path / "B3SUMS")), tasks, results)
    assert lines[1].startswith("WARNING: b3sum --check cannot read 5 names in this manifest")
    assert '"\\xff0", "\\xff1", "\\xff2" and 2 more;' in lines[1]
    # The same names in a sha256 manifest are no concern: sha256sum reads them.
    lines = OP.finish(ChecksumOptions("sha256", str(tmp_path / "SUMS")), tasks, results)
    assert lines == [f"Manifest written: {tmp_path / 'SUMS'} (5 files)"]


# --- a manifest written by someone else while the job ran ----------------------------------------


def test_second_run_does_not_replace_a_manifest_written_meanwhile(
    engine: Engine, tmp_path: Path
) -> None:
    """Job A is planned, job B writes the same manifest, then A runs: A keeps B's manifest,
    writes its own beside it and says so as an error naming both."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b", "c"):
        (data / name).write_bytes(name.encode())
    target = tmp_path / "SHA256SUMS"
    first = ChecksumOptions(manifest=str(target))
    first_plan = OP.plan(scan([str(data / "a"), str(data / "b")]), first)
    second = ChecksumOptions(manifest=str(target))
    _, report = run_job(engine, "checksum", second, OP.plan(scan([str(data)]), second))
    assert report.lines == [f"Manifest written: {target} (3 files)"]
    by_second = target.read_bytes()
    _, report = run_job(engine, "checksum", first, first_plan)
    assert report.error == (
        f"{target} changed while this job ran (another program or job wrote it); it was not "
        f"replaced: this job's manifest (2 files) is in {target}.1"
    )
    assert report.lines == []
    assert target.read_bytes() == by_second  # B's manifest is kept
    sibling = tmp_path / "SHA256SUMS.1"
    assert [e.name for e in manifest.read_manifest(str(sibling))] == ["data/a", "data/b"]
    r = run(["sha256sum", "--strict", "-c", "SHA256SUMS.1"], tmp_path)
    assert r.returncode == 0, r.stderr
    # verify picks sha256 from the numbered name, without guessing.
    assert VerifyOperation().plan([], VerifyOptions(manifest=str(sibling))).notes == []
    assert sorted(os.listdir(tmp_path)) == ["SHA256SUMS", "SHA256SUMS.1", "data"]


def finish_one(options: ChecksumOptions, path: Path) -> list[str]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return OP.finish(options, [Task(0, str(path), 1)], [FileResult(0, Status.DONE, digest)])


def test_manifest_changed_or_created_by_another_program_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a")
    target = tmp_path / "SUMS"
    target.write_bytes(b"old\n")
    options = ChecksumOptions(manifest=str(target))
    OP.plan([], options)
    target.write_bytes(b"edited by hand\n")  # same inode, new size and time
    (tmp_path / "SUMS.1").write_bytes(b"taken\n")
    with pytest.raises(FileError) as info:
        finish_one(options, tmp_path / "a")
    assert str(info.value) == (
        f"{target} changed while this job ran (another program or job wrote it); it was not "
        f"replaced: this job's manifest (1 file) is in {target}.2"
    )
    assert target.read_bytes() == b"edited by hand\n"
    assert (tmp_path / "SUMS.1").read_bytes() == b"taken\n"
    assert (tmp_path / "SUMS.2").read_bytes().endswith(b"  a\n")
    # Absent when planned, there at the end: kept too.
    fresh = tmp_path / "NEW"
    options = ChecksumOptions(manifest=str(fresh))
    OP.plan([], options)
    fresh.write_bytes(b"someone else's\n")
    with pytest.raises(FileError, match=r"NEW changed while this job ran"):
        finish_one(options, tmp_path / "a")
    assert fresh.read_bytes() == b"someone else's\n"
    assert (tmp_path / "NEW.1").read_bytes().endswith(b"  a\n")
    assert not [n for n in os.listdir(tmp_path) if ".partial-" in n]


def test_unchanged_or_deleted_manifest_is_written_in_place(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a")
    target = tmp_path / "SUMS"
    target.write_bytes(b"old\n")
    options = ChecksumOptions(manifest=str(target))
    OP.plan([], options)
    assert finish_one(options, tmp_path / "a") == [f"Manifest written: {target} (1 file)"]
    assert target.read_bytes().endswith(b"  a\n")
    OP.plan([], options)
    target.unlink()  # deleted meanwhile: nothing to keep, the name is free
    assert finish_one(options, tmp_path / "a") == [f"Manifest written: {target} (1 file)"]
    assert sorted(os.listdir(tmp_path)) == ["SUMS", "a"]


def test_plan_removes_temporaries_of_dead_writers(tmp_path: Path) -> None:
    child = subprocess.Popen(["true"])
    child.wait()  # a process id that is no longer alive
    dead = tmp_path / f".SUMS.partial-{child.pid}-abcdef"
    live = tmp_path / f".SUMS.partial-{os.getpid()}-fedcba"
    dead.write_bytes(b"half a manifest")
    live.write_bytes(b"a manifest being written now")
    OP.plan([], ChecksumOptions(manifest=str(tmp_path / "SUMS")))
    assert not dead.exists()
    assert live.exists()


# --- jobs that hashed nothing --------------------------------------------------------------------


def test_job_that_hashed_nothing_keeps_the_old_manifest(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b"):
        (data / name).write_bytes(name.encode())
    target = tmp_path / "SUMS"
    target.write_bytes(b"a good manifest of an earlier run\n")
    options = ChecksumOptions(manifest=str(target))
    plan = OP.plan(scan([str(data)]), options)
    for name in ("a", "b"):
        (data / name).unlink()  # both vanish between the scan and the run
    job, report = run_job(engine, "checksum", options, plan)
    assert job.tracker.counts[Status.FAILED] == 2
    assert report.lines == ["Manifest not written: no file was hashed (2 failed)"]
    assert target.read_bytes() == b"a good manifest of an earlier run\n"


def test_cancelled_job_keeps_the_old_manifest(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for i in range(50):
        (data / f"f{i}").write_bytes(b"x" * i)
    target = tmp_path / "SUMS"
    target.write_bytes(b"a good manifest of an earlier run\n")
    options = ChecksumOptions(manifest=str(target))
    job = engine.new_job("checksum", options, OP.plan(scan([str(data)]), options))
    job.cancel()
    report = job.run()
    assert report.cancelled
    assert report.lines == [
        "Manifest not written: the job was cancelled before all files were hashed"
    ]
    assert target.read_bytes() == b"a good manifest of an earlier run\n"


def test_empty_input_still_writes_an_empty_manifest(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "empty"
    data.mkdir()
    target = tmp_path / "SUMS"
    target.write_bytes(b"old\n")
    options = ChecksumOptions(manifest=str(target))
    _, report = run_job(engine, "checksum", options, OP.plan(scan([str(data)]), options))
    assert report.lines == [f"Manifest written: {target} (0 files)"]
    assert target.read_bytes() == b""


def test_rerun_with_the_same_options_replaces_its_own_manifest(tmp_path: Path) -> None:
    """The window's retry of failed rows reruns finish with the same options and no new plan:
    the manifest its first run wrote is replaced; one another program wrote since is not."""
    (tmp_path / "a").write_bytes(b"a")
    target = tmp_path / "SUMS"
    options = ChecksumOptions(manifest=str(target))
    OP.plan([], options)
    assert finish_one(options, tmp_path / "a") == [f"Manifest written: {target} (1 file)"]
    assert finish_one(options, tmp_path / "a") == [f"Manifest written: {target} (1 file)"]
    target.write_bytes(b"another program's\n")
    with pytest.raises(FileError, match=r"SUMS changed while this job ran"):
        finish_one(options, tmp_path / "a")
    assert sorted(os.listdir(tmp_path)) == ["SUMS", "SUMS.1", "a"]
