"""The "verify" operation: planning from a manifest, per-file checks through the real worker
context, the coreutils-like summary, unlisted files, and whole jobs on real worker processes
against manifests written by sha256sum, b3sum and our own checksum job."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from core import manifest, operations
from core.discover import scan
from core.engine import Engine, Job, run_job
from core.operations.checksum import ChecksumOptions
from core.operations.verify import VerifyOperation, VerifyOptions, split_expected, unlisted_files
from core.records import FileError, FileResult, Kind, Status, Task
from core.worker import run_file
from tests.core.conftest import worker_context as ctx
from tests.support import require_tool

OP = VerifyOperation()
NAMES = [b"a.txt", b"sub/b.txt", b"sub/deeper/c.txt", b"back\\slash", b"new\nline", b"\xff.bin"]


def path_of(root: Path, raw: bytes) -> str:
    return os.fsdecode(os.path.join(os.fsencode(root), raw))


def make_files(root: Path, names: list[bytes] = NAMES) -> list[str]:
    paths = []
    for raw in names:
        p = path_of(root, raw)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"data of " + raw)
        paths.append(p)
    return paths


def tool_manifest(root: Path, tool: str, name: str, names: list[bytes] = NAMES) -> Path:
    """A manifest written by the real tool, run in ``root``."""
    require_tool(tool)
    args = [tool, "--", *(os.fsdecode(n) for n in names)]
    out = subprocess.run(args, cwd=root, capture_output=True, timeout=60, check=True).stdout
    target = root / name
    target.write_bytes(out)
    return target


def test_registered_with_name_and_title() -> None:
    op = operations.get("verify")
    assert isinstance(op, VerifyOperation)
    assert (op.name, op.title) == ("verify", "Verify checksums")
    assert op.options_type is VerifyOptions
    with pytest.raises(ValueError, match="unknown algorithm"):
        VerifyOptions(algorithm="crc32")


def test_plan_makes_one_row_per_manifest_line(tmp_path: Path) -> None:
    paths = make_files(tmp_path)
    target = tool_manifest(tmp_path, "sha256sum", "SHA256SUMS")
    os.unlink(paths[1])
    dropped = scan([str(tmp_path / "sub")])  # inputs are ignored: the manifest decides
    plan = OP.plan(dropped, VerifyOptions(manifest=str(target)))
    assert [t.index for t in plan.tasks] == list(range(len(NAMES)))
    assert [t.path for t in plan.tasks] == paths
    assert [t.size for t in plan.tasks] == [
        0 if i == 1 else os.path.getsize(p) for i, p in enumerate(paths)
    ]
    for t in plan.tasks:
        assert t.expected is not None
        algorithm, digest = split_expected(t.expected)
        assert algorithm == "sha256" and len(digest) == 64
    assert plan.settled == [] and plan.notes == []


def test_plan_notes_a_guessed_algorithm(tmp_path: Path) -> None:
    make_files(tmp_path, [b"a"])
    target = tool_manifest(tmp_path, "sha256sum", "list.txt", [b"a"])
    plan = OP.plan([], VerifyOptions(manifest=str(target)))
    (note,) = plan.notes
    assert "guessed from the digest length: sha256 (blake3 digests are as long)" in note
    assert "--algorithm" in note
    assert OP.plan([], VerifyOptions(manifest=str(target), algorithm="sha256")).notes == []


def test_plan_refuses_a_bad_or_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="no manifest given"):
        OP.plan([], VerifyOptions())
    with pytest.raises(FileError, match="no such manifest"):
        OP.plan([], VerifyOptions(manifest=str(tmp_path / "SHA256SUMS")))
    bad = tmp_path / "SHA256SUMS"
    bad.write_bytes(b"ab" * 32 + b"  ok\nthis is not a checksum line\n")
    with pytest.raises(FileError, match=f"{bad}: line 2: it is not a checksum line"):
        OP.plan([], VerifyOptions(manifest=str(bad), strict=True))
    bad.write_bytes(b"this is not a checksum line\n")
    with pytest.raises(FileError, match=f"{bad}: line 1: it is not a checksum line"):
        OP.plan([], VerifyOptions(manifest=str(bad)))  # no line to check at all


def check(path: str, expected: str) -> FileResult:
    """Run process() as the worker does and return the row's result."""
    status, value, message, output, kind, detail = run_file(
        OP, Task(0, path, 0, expected=expected), VerifyOptions(), ctx()
    )
    return FileResult(0, Status(status), value, message, output, Kind(kind), 1, detail)


def test_process_ok_mismatch_missing_and_folder(tmp_path: Path) -> None:
    (path,) = make_files(tmp_path, [b"f"])
    good = manifest.ALGORITHMS["blake3"].new()
    good.update(b"data of f")
    hexd = good.hexdigest()
    assert check(path, f"blake3:{hexd}") == FileResult(0, Status.DONE, "OK")
    assert check(path, f"blake3:{hexd.upper()}").status == Status.DONE
    bad = check(path, f"blake3:{'0' * 64}")
    assert bad.status == Status.FAILED
    assert bad.message == (
        f"checksum does not match the manifest (expected 000000000000…, got {hexd[:12]}…); "
        "the file changed since the manifest was made, or it is damaged"
    )
    missing = check(str(tmp_path / "nope"), f"blake3:{hexd}")
    assert missing.status == Status.FAILED
    assert missing.message == "missing: no such file; was it moved or deleted?"
    folder = check(str(tmp_path), f"blake3:{hexd}")
    assert folder.status == Status.FAILED
    assert folder.message.startswith("cannot verify: a folder")


def test_unlisted_files(tmp_path: Path) -> None:
    paths = make_files(tmp_path)
    (tmp_path / "SUMS").write_bytes(b"")
    (tmp_path / "sub" / "extra").write_bytes(b"")
    (tmp_path / "z extra\n").write_bytes(b"")
    (tmp_path / "empty dir").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "not ours").write_bytes(b"")
    (tmp_path / "linked").symlink_to(outside, target_is_directory=True)
    listed = [p for p in paths if not p.endswith("c.txt")]
    assert unlisted_files(str(tmp_path / "SUMS"), listed) == [
        "sub/deeper/c.txt",
        "sub/extra",
        "z extra\n",
    ]
    tasks = [Task(i, p, 0) for i, p in enumerate(listed)]
    lines = OP.finish(VerifyOptions(str(tmp_path / "SUMS"), list_unlisted=True), tasks, [])
    assert lines[-4:] == [
        f"3 files under {tmp_path} not listed in the manifest",
        "UNLISTED: sub/deeper/c.txt",
        "UNLISTED: sub/extra",
        "UNLISTED: \\z extra\\n",  # one line per name, escaped like sha256sum -c output
    ]
    shutil.rmtree(outside)


def test_finish_summarises_like_coreutils(tmp_path: Path) -> None:
    tasks = [Task(i, str(tmp_path / f"f{i}"), 0) for i in range(6)]
    results = [
        FileResult(0, Status.DONE, "OK"),
        FileResult(1, Status.DONE, "OK"),
        FileResult(2, Status.FAILED, message="checksum does not match", kind=Kind.MISMATCH),
        FileResult(3, Status.FAILED, message="missing: no such file", kind=Kind.MISSING),
        FileResult(4, Status.FAILED, message="permission denied", kind=Kind.UNREADABLE),
        FileResult(5, Status.CANCELLED, message="cancelled", kind=Kind.CANCELLED_RUNNING),
    ]
    lines = OP.finish(VerifyOptions(manifest=str(tmp_path / "SUMS")), tasks, results)
    assert lines == [
        "2 of 6 listed files OK",
        "WARNING: 1 computed checksum did NOT match",
        "WARNING: 2 listed files could not be read",
        "1 file was not checked (cancelled)",
    ]
    tasks, results = tasks[:1], results[:1]
    options = VerifyOptions(manifest=str(tmp_path / "SUMS"))
    assert OP.finish(options, tasks, results) == ["1 of 1 listed file OK"]


def test_command_line_arguments() -> None:
    parser = argparse.ArgumentParser()
    OP.add_arguments(parser)
    args = parser.parse_args(["-a", "md5", "--unlisted"])
    args.manifest = "MD5SUMS"  # set by the CLI from the first path
    assert OP.options_from_args(args) == VerifyOptions("MD5SUMS", "md5", True)
    args = parser.parse_args(["--strict", "--inside-only"])
    assert OP.options_from_args(args) == VerifyOptions(strict=True, inside_only=True)
    assert OP.options_from_args(parser.parse_args([])) == VerifyOptions()


# --- whole jobs on real worker processes ---------------------------------------------------------


def statuses(job: Job) -> dict[str, tuple[Status, str]]:
    out = {}
    for t in job.tasks:
        r = job.tracker.results[t.index]
        assert r is not None
        out[t.path] = (r.status, r.message)
    return out


def test_verify_job_reports_ok_failed_missing_and_unlisted(engine: Engine, tmp_path: Path) -> None:
    paths = make_files(tmp_path)
    target = tool_manifest(tmp_path, "sha256sum", "SHA256SUMS")
    Path(paths[0]).write_bytes(b"changed")
    os.unlink(paths[2])
    (tmp_path / "sub" / "new.txt").write_bytes(b"not in the manifest")
    options = VerifyOptions(manifest=str(target), list_unlisted=True)
    job, report = run_job(engine, "verify", options, OP.plan([], options))
    assert report.error is None
    got = statuses(job)
    assert got[paths[0]][0] == Status.FAILED
    assert got[paths[0]][1].startswith("checksum does not match the manifest (expected ")
    assert got[paths[2]] == (Status.FAILED, "missing: no such file; was it moved or deleted?")
    assert all(got[p] == (Status.DONE, "") for p in paths[1:2] + paths[3:])
    assert all(job.tracker.results[i].value == "OK" for i in (1, 3, 4, 5))
    assert report.lines == [
        "4 of 6 listed files OK",
        "WARNING: 1 computed checksum did NOT match",
        "WARNING: 1 listed file could not be read",
        f"1 file under {tmp_path} not listed in the manifest",
        "UNLISTED: sub/new.txt",
    ]


def test_verify_job_reads_a_b3sum_manifest(engine: Engine, tmp_path: Path) -> None:
    names = NAMES[:5]  # b3sum cannot write non-UTF-8 names
    make_files(tmp_path, names)
    target = tool_manifest(tmp_path, "b3sum", "B3SUMS", names)
    options = VerifyOptions(manifest=str(target))
    job, report = run_job(engine, "verify", options, OP.plan([], options))
    assert job.tracker.counts[Status.DONE] == len(names)
    assert report.lines == ["5 of 5 listed files OK"]


@pytest.mark.parametrize("algorithm", ["md5", "blake2b", "xxh128"])
def test_checksum_then_verify_round_trip(engine: Engine, tmp_path: Path, algorithm: str) -> None:
    paths = make_files(tmp_path)
    target = str(tmp_path / f"all{manifest.ALGORITHMS[algorithm].suffixes[0]}")
    made = ChecksumOptions(algorithm, target)
    checksum = operations.get("checksum")
    _, report = run_job(engine, "checksum", made, checksum.plan(scan([str(tmp_path)]), made))
    assert report.lines == [f"Manifest written: {target} ({len(paths)} files)"]
    options = VerifyOptions(manifest=target, list_unlisted=True)
    job, report = run_job(engine, "verify", options, OP.plan([], options))
    assert {t.expected.split(":")[0] for t in job.tasks if t.expected} == {algorithm}
    assert report.lines == [
        f"{len(paths)} of {len(paths)} listed files OK",
        f"0 files under {tmp_path} not listed in the manifest",
    ]
