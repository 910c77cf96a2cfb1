"""The "checksum" operation: per-file hashing through the real worker context, the manifest its
finish step writes, its command line, and whole jobs on real worker processes checked by
``sha256sum -c``."""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import manifest, operations, worker
from core.discover import scan
from core.engine import Engine, run_job
from core.executor.table import CANCELLED_JOB, HEADER_WORDS, ROW_WORDS
from core.operations.checksum import ChecksumOperation, ChecksumOptions
from core.records import Cancelled, FileError, FileResult, Status, Task
from core.worker import BLOCK_SIZE, CANCEL_EVERY, MAP_MIN_SIZE, MAP_STEP, Context
from tests.core.conftest import worker_context as ctx
from tests.support import needs_tool

OP = ChecksumOperation()


def sha256(path: Path | str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_registered_with_name_title_and_grouping_limits() -> None:
    op = operations.get("checksum")
    assert isinstance(op, ChecksumOperation)
    assert (op.name, op.title) == ("checksum", "Create checksums")
    assert op.options_type is ChecksumOptions
    # Small files share chunks; a large file fits no shared chunk, so it is alone.
    assert op.limits.max_files >= 32
    assert op.limits.large_file <= op.limits.max_bytes


def test_options_reject_unknown_algorithm() -> None:
    assert ChecksumOptions() == ChecksumOptions("sha256", None)
    with pytest.raises(ValueError, match="unknown algorithm 'crc'"):
        ChecksumOptions(algorithm="crc")


@pytest.mark.parametrize("algorithm", list(manifest.ALGORITHMS))
def test_process_hashes_across_blocks(algorithm: str, tmp_path: Path) -> None:
    data = os.urandom(2 * BLOCK_SIZE + 123)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    out = OP.process(Task(0, str(path), len(data)), ChecksumOptions(algorithm), ctx())
    h = manifest.ALGORITHMS[algorithm].new()
    h.update(data)
    assert out.value == h.hexdigest()


@pytest.mark.parametrize("mapped", [True, False], ids=["memory-mapped", "read"])
def test_large_file_digest_is_the_same_mapped_or_read(mapped: bool, tmp_path: Path) -> None:
    data = os.urandom(MAP_MIN_SIZE + MAP_STEP + 7)
    path = tmp_path / "large.bin"
    path.write_bytes(data)
    context = Context(job_id=1, queue=None, map_large=mapped)
    out = OP.process(Task(0, str(path), len(data)), ChecksumOptions(), context)
    assert out.value == hashlib.sha256(data).hexdigest()


def test_reads_without_readv_as_on_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Windows has no os.readv: the worker reads through a file object there instead."""
    monkeypatch.setattr(worker, "_readv", None)
    data = os.urandom(3 * BLOCK_SIZE + 5)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    context = Context(job_id=1, queue=None, map_large=False)
    assert b"".join(bytes(b) for b in context.source_blocks(str(path))) == data
    out = OP.process(Task(0, str(path), len(data)), ChecksumOptions(), context)
    assert out.value == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "size",
    [0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE, 3 * BLOCK_SIZE + 5],
)
def test_blocks_give_the_whole_file_at_every_size_around_a_block(size: int, tmp_path: Path) -> None:
    # A small file is one read; one of a block or more goes on block by block.
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    blocks = [bytes(b) for b in Context(job_id=1, queue=None).source_blocks(str(path))]
    assert b"".join(blocks) == data and all(0 < len(b) <= BLOCK_SIZE for b in blocks)
    assert len(blocks) == -(-size // BLOCK_SIZE)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux /proc file")
def test_blocks_of_a_file_whose_size_says_zero_are_read_to_the_end() -> None:
    # /proc files say 0 bytes and have content: read until a read gives nothing.
    status = "/proc/self/status"
    want = Path(status).read_bytes().split(b"\n")[0]  # "Name: ...": the same at every read
    got = b"".join(bytes(b) for b in Context(job_id=1, queue=None).source_blocks(status))
    assert got.split(b"\n")[0] == want and len(got) > 100


@pytest.mark.parametrize("size", [MAP_MIN_SIZE + 3 * MAP_STEP, 3 * BLOCK_SIZE * CANCEL_EVERY])
def test_cancel_stops_inside_a_large_file(size: int, tmp_path: Path) -> None:
    path = tmp_path / "large.bin"
    path.write_bytes(bytes(size))
    table = [0] * (HEADER_WORDS + ROW_WORDS)  # as the pool's shared table is laid out
    context = Context(job_id=1, queue=None, table=table, row=HEADER_WORDS)
    blocks = context.source_blocks(str(path))
    next(blocks)
    table[CANCELLED_JOB] = 1  # what Engine.cancel_job writes
    with pytest.raises(Cancelled):
        for _ in blocks:
            pass


def test_process_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    out = OP.process(Task(0, str(tmp_path / "empty"), 0), ChecksumOptions(), ctx())
    assert out.value == hashlib.sha256(b"").hexdigest()


def test_plan_skips_the_manifest_being_written(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a")
    (tmp_path / "SHA256SUMS").write_bytes(b"old manifest")
    entries = scan([str(tmp_path)])
    plan = OP.plan(entries, ChecksumOptions(manifest=str(tmp_path / "SHA256SUMS")))
    assert len(plan.tasks) == 2
    (settled,) = plan.settled
    assert plan.tasks[settled.index].path == str(tmp_path / "SHA256SUMS")
    assert settled.status == Status.SKIPPED
    assert "not listed in itself" in settled.message
    assert OP.plan(entries, ChecksumOptions()).settled == []


def test_finish_writes_only_done_rows_atomically(tmp_path: Path) -> None:
    tasks = [Task(i, str(tmp_path / n), 1) for i, n in enumerate(["b", "a", "c", "d"])]
    results = [
        FileResult(0, Status.DONE, "bb" * 32),
        FileResult(1, Status.DONE, "aa" * 32),
        FileResult(2, Status.FAILED, message="vanished"),
        FileResult(3, Status.SKIPPED, message="skipped: a named pipe (FIFO), not a regular file"),
    ]
    target = tmp_path / "out" / "SUMS"
    target.parent.mkdir()
    lines = OP.finish(ChecksumOptions(manifest=str(target)), tasks, results)
    assert target.read_bytes() == b"aa" * 32 + b"  ../a\n" + b"bb" * 32 + b"  ../b\n"
    assert lines == [
        f"Manifest written: {target} (2 files)",
        "1 failed file left out of the manifest",
        "1 skipped file left out of the manifest",
    ]
    assert os.listdir(target.parent) == ["SUMS"]  # no temporary left behind


def test_finish_after_cancel_keeps_the_old_manifest(tmp_path: Path) -> None:
    target = tmp_path / "SUMS"
    target.write_bytes(b"the complete manifest of an earlier run\n")
    tasks = [Task(0, str(tmp_path / "a"), 1), Task(1, str(tmp_path / "b"), 1)]
    results = [FileResult(0, Status.DONE, "aa" * 32), FileResult(1, Status.CANCELLED)]
    lines = OP.finish(ChecksumOptions(manifest=str(target)), tasks, results)
    assert lines == ["Manifest not written: the job was cancelled before all files were hashed"]
    assert target.read_bytes() == b"the complete manifest of an earlier run\n"


def test_finish_without_manifest_writes_nothing(tmp_path: Path) -> None:
    assert OP.finish(ChecksumOptions(), [], []) == []
    assert list(tmp_path.iterdir()) == []


def test_finish_reports_unwritable_manifest(tmp_path: Path) -> None:
    target = tmp_path / "no such folder" / "SUMS"
    with pytest.raises(FileError, match=r"could not write the manifest .*folder exists"):
        OP.finish(ChecksumOptions(manifest=str(target)), [], [])


def test_command_line_arguments() -> None:
    parser = argparse.ArgumentParser()
    OP.add_arguments(parser)
    args = parser.parse_args(["-a", "blake3", "-o", "B3SUMS"])
    assert OP.options_from_args(args) == ChecksumOptions("blake3", "B3SUMS")
    assert OP.options_from_args(parser.parse_args([])) == ChecksumOptions()
    with pytest.raises(SystemExit):
        parser.parse_args(["--algorithm", "crc32"])


# --- whole jobs on real worker processes ---------------------------------------------------------


def make_tree(root: Path) -> list[Path]:
    """Small files in folders, awkward names, and one large file that gets a chunk of its own."""
    files = []
    for i in range(40):
        p = root / f"dir{i % 3}" / f"file{i}.txt"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(b"x" * i)
        files.append(p)
    for raw in (b"back\\slash", b"new\nline", b"cr\rret", b"\xff\xfebad", b" lead"):
        p = Path(os.fsdecode(os.path.join(os.fsencode(root), raw)))
        p.write_bytes(raw * 3)
        files.append(p)
    big = root / "big.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024))
    files.append(big)
    return files


@needs_tool("sha256sum")
def test_checksum_job_writes_a_manifest_sha256sum_accepts(engine: Engine, tmp_path: Path) -> None:
    files = make_tree(tmp_path)
    target = tmp_path / "SHA256SUMS"
    options = ChecksumOptions(manifest=str(target))
    plan = OP.plan(scan([str(tmp_path)]), options)
    job, report = run_job(engine, "checksum", options, plan)
    assert report.error is None
    assert report.lines == [f"Manifest written: {target} ({len(files)} files)"]  # not itself
    assert job.tracker.counts[Status.DONE] == len(files)
    by_path = {t.path: job.tracker.results[t.index] for t in job.tasks}
    assert all(r is not None and r.value == sha256(p) for p, r in by_path.items())
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, (check.stdout, check.stderr)
    assert check.stdout.count(b": OK\n") == len(files)
    first = target.read_bytes()
    # The same files give the same manifest, byte for byte; the manifest does not list itself.
    _, again = run_job(engine, "checksum", options, OP.plan(scan([str(tmp_path)]), options))
    assert again.lines == report.lines
    assert target.read_bytes() == first


def test_checksum_job_leaves_failed_files_out(engine: Engine, tmp_path: Path) -> None:
    for name in ("keep1", "gone", "keep2"):
        (tmp_path / name).write_bytes(name.encode())
    target = tmp_path / "out.b3"
    options = ChecksumOptions("blake3", str(target))
    plan = OP.plan(scan([str(tmp_path)]), options)
    (tmp_path / "gone").unlink()  # vanishes between the scan and the run
    job, report = run_job(engine, "checksum", options, plan)
    assert report.lines == [
        f"Manifest written: {target} (2 files)",
        "1 failed file left out of the manifest",
    ]
    failed = [r for r in job.tracker.results if r is not None and r.status == Status.FAILED]
    assert len(failed) == 1 and failed[0].message
    entries = manifest.read_manifest(str(target))
    assert [(e.name, e.algorithm) for e in entries] == [("keep1", "blake3"), ("keep2", "blake3")]


def test_failed_files_never_replace_a_manifest_that_was_there(
    engine: Engine, tmp_path: Path
) -> None:
    """A good manifest (here sha256sum's) keeps the digests of files that fail in a later job:
    that job's incomplete manifest goes beside it. A manifest the job wrote itself is replaced
    by a rerun with the same options, complete or not."""
    for name in ("keep1", "gone", "keep2"):
        (tmp_path / name).write_bytes(name.encode())
    target = tmp_path / "SHA256SUMS"
    good = subprocess.run(
        ["sha256sum", "gone", "keep1", "keep2"], cwd=tmp_path, capture_output=True, check=True
    ).stdout
    target.write_bytes(good)
    options = ChecksumOptions("sha256", str(target))
    plan = OP.plan(scan([str(tmp_path)]), options)
    (tmp_path / "gone").unlink()  # vanishes between the scan and the run
    _, report = run_job(engine, "checksum", options, plan)
    beside = tmp_path / "SHA256SUMS.1"
    assert report.lines == [
        f"Manifest kept: {target} was not replaced, because 1 failed file would be missing "
        f"from it; this job's manifest (2 files) is in {beside}"
    ]
    assert target.read_bytes() == good
    assert [e.name for e in manifest.read_manifest(str(beside))] == ["keep1", "keep2"]
    beside.unlink()
    # Its own manifest a rerun may replace (the window's retry runs with the same options).
    target.unlink()
    _, first = run_job(engine, "checksum", options, OP.plan(scan([str(tmp_path)]), options))
    assert first.lines[0] == f"Manifest written: {target} (2 files)"
    (tmp_path / "keep2").write_bytes(b"changed")
    rows = OP.plan(scan([str(tmp_path)]), options)
    (tmp_path / "keep1").unlink()
    options.manifest_ours = True  # as after the first run: plan() starts a new job's state
    _, rerun = run_job(engine, "checksum", options, rows)
    assert rerun.lines == [
        f"Manifest written: {target} (1 file)",
        "1 failed file left out of the manifest",
    ]
    assert sorted(os.listdir(tmp_path)) == ["SHA256SUMS", "keep2"]


def test_cancelled_checksum_job_writes_no_manifest(engine: Engine, tmp_path: Path) -> None:
    make_tree(tmp_path)
    target = tmp_path / "SHA256SUMS"
    options = ChecksumOptions(manifest=str(target))
    job = engine.new_job("checksum", options, OP.plan(scan([str(tmp_path)]), options))
    job.cancel()
    report = job.run()
    assert report.cancelled
    assert report.lines == [
        "Manifest not written: the job was cancelled before all files were hashed"
    ]
    assert not target.exists()


def test_unwritable_manifest_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    options = ChecksumOptions(manifest=str(tmp_path / "missing" / "SHA256SUMS"))
    with pytest.raises(FileError, match="does not exist or is not writable"):
        operations.get("checksum").plan(scan([str(tmp_path)]), options)
