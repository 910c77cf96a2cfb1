"""Verify against awkward manifests, compared with the real ``sha256sum -c``: improperly
formatted lines (checked around, as coreutils does, or refused with ``strict``), NUL bytes in
names, names outside the manifest's folder (read and counted, or refused with ``inside_only``),
and the wording of a mismatch as the command line shows it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.engine import Engine, Job, run_job
from core.manifest import ManifestError
from core.operations.verify import VerifyOperation, VerifyOptions
from core.records import Status
from tests.support import require_tool

OP = VerifyOperation()
REPO = Path(__file__).resolve().parents[2]


def sha256sum(cwd: Path, *names: str) -> bytes:
    """The lines the real sha256sum writes for ``names``, run in ``cwd``."""
    require_tool("sha256sum")
    return subprocess.run(
        ["sha256sum", "--", *names], cwd=cwd, capture_output=True, timeout=60, check=True
    ).stdout


def sha256sum_check(cwd: Path, manifest: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["sha256sum", "-c", manifest], cwd=cwd, capture_output=True, timeout=60, check=False
    )


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=90,
        check=False,
    )


def rows(job: Job) -> list[tuple[str, Status, str]]:
    out = []
    for t in job.tasks:
        r = job.tracker.results[t.index]
        assert r is not None
        out.append((t.path, r.status, r.message))
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """a.txt, b.txt, c.txt and a SHA256SUMS holding junk and a NUL name between their lines."""
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_bytes(name.encode() * 100)
    lines = sha256sum(tmp_path, "a.txt", "b.txt", "c.txt").splitlines(keepends=True)
    digest = lines[0][:64]
    text = (
        lines[0]
        + b"this is not a checksum line\n"  # line 2
        + lines[1]
        + digest
        + b"  nul\0name\n"  # line 4
        + b"SHA384 (x.iso) = "
        + b"ab" * 48
        + b"\n"  # line 5
        + lines[2]
    )
    (tmp_path / "SHA256SUMS").write_bytes(text)
    return tmp_path


def test_plan_makes_a_failed_row_per_improper_line(folder: Path) -> None:
    """Every line is accounted for, in line order; a NUL in a name no longer crashes planning."""
    manifest_path = str(folder / "SHA256SUMS")
    plan = OP.plan([], VerifyOptions(manifest=manifest_path))
    assert [t.path for t in plan.tasks] == [
        str(folder / "a.txt"),
        manifest_path,  # no name to recover from line 2
        str(folder / "b.txt"),
        manifest_path,  # nor from the NUL one
        str(folder / "x.iso"),  # the name of line 5 is clear: the row shows it
        str(folder / "c.txt"),
    ]
    assert [(r.index, r.status) for r in plan.settled] == [(i, Status.FAILED) for i in (1, 3, 4)]
    messages = [r.message for r in plan.settled]
    assert messages[0] == (
        "line 2 of SHA256SUMS is improperly formatted: it is not a checksum line "
        "(expected 'HEX  NAME' or 'SHA256 (NAME) = HEX')"
    )
    assert messages[1] == (
        "line 4 of SHA256SUMS is improperly formatted: its name holds a NUL byte, "
        "which no file name can hold"
    )
    assert messages[2].startswith("line 5 of SHA256SUMS is improperly formatted: the algorithm")
    assert not any("--algorithm" in m for m in messages)  # none is about the algorithm
    assert [t.expected is None for t in plan.tasks] == [False, True, False, True, True, False]
    (note,) = plan.notes
    assert note.startswith(f"3 lines of {manifest_path} are improperly formatted")


def test_job_checks_the_good_lines_and_warns_like_sha256sum(engine: Engine, folder: Path) -> None:
    # The real sha256sum -c on a manifest with a junk line: checks the rest and warns (with
    # exit status 0, 1 only with its --strict; ours fails the line's row, so the CLI exits 1).
    (folder / "JUNKSUMS").write_bytes(
        b"this is not a checksum line\n" + sha256sum(folder, "a.txt", "b.txt")
    )
    theirs = sha256sum_check(folder, "JUNKSUMS")
    assert theirs.returncode == 0
    assert b"WARNING: 1 line is improperly formatted" in theirs.stderr
    assert theirs.stdout.splitlines() == [b"a.txt: OK", b"b.txt: OK"]
    options = VerifyOptions(manifest=str(folder / "JUNKSUMS"))
    job, report = run_job(engine, "verify", options, OP.plan([], options))
    assert report.error is None
    assert [s for _, s, _ in rows(job)] == [Status.FAILED, Status.DONE, Status.DONE]
    assert report.lines == ["2 of 2 listed files OK", "WARNING: 1 line is improperly formatted"]
    # The whole folder manifest, with a NUL name among its lines.
    options = VerifyOptions(manifest=str(folder / "SHA256SUMS"))
    job, report = run_job(engine, "verify", options, OP.plan([], options))
    done, failed = Status.DONE, Status.FAILED
    assert [s for _, s, _ in rows(job)] == [done, failed, done, failed, failed, done]
    assert report.lines == ["3 of 3 listed files OK", "WARNING: 3 lines are improperly formatted"]


def test_command_line_exits_1_on_improper_lines_and_2_with_strict(folder: Path) -> None:
    r = cli(folder, "verify", "-w", "1", "SHA256SUMS")
    out, err = r.stdout.decode(), r.stderr.decode()
    assert r.returncode == 1, err
    assert "Traceback" not in err
    assert out.splitlines()[:2] == [
        "a.txt: OK",
        "SHA256SUMS: FAILED (line 2 of SHA256SUMS is improperly formatted: it is not a checksum "
        "line (expected 'HEX  NAME' or 'SHA256 (NAME) = HEX'))",
    ]
    assert "WARNING: 3 lines are improperly formatted" in err
    r = cli(folder, "verify", "--strict", "SHA256SUMS")
    assert r.returncode == 2
    assert "line 2: it is not a checksum line" in r.stderr.decode()


def test_strict_refuses_the_whole_manifest(folder: Path) -> None:
    manifest_path = str(folder / "SHA256SUMS")
    with pytest.raises(ManifestError) as info:
        OP.plan([], VerifyOptions(manifest=manifest_path, strict=True))
    message = str(info.value)
    assert message.startswith(f"{manifest_path}: line 2: it is not a checksum line")
    assert "2 more bad line(s): 4, 5" in message
    assert "Fix or remove these lines" in message
    assert "--algorithm" not in message


def test_a_manifest_with_no_valid_line_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "SHA256SUMS"
    path.write_bytes(b"junk\nmore junk\n")
    with pytest.raises(ManifestError, match="no line that can be checked"):
        OP.plan([], VerifyOptions(manifest=str(path)))


def test_algorithm_advice_only_where_it_applies(tmp_path: Path) -> None:
    """A digest too long for the algorithm the manifest's name implies: choosing another with
    --algorithm may help, and the row says so; a line that is no checksum line does not."""
    (tmp_path / "a").write_bytes(b"a")
    (tmp_path / "b").write_bytes(b"b")
    md5 = subprocess.run(["md5sum", "a"], cwd=tmp_path, capture_output=True, check=True).stdout
    path = tmp_path / "MD5SUMS"
    path.write_bytes(md5 + sha256sum(tmp_path, "b") + b"junk\n")
    plan = OP.plan([], VerifyOptions(manifest=str(path)))
    by_path = {plan.tasks[r.index].path: r.message for r in plan.settled}
    assert by_path[str(tmp_path / "b")] == (
        "line 2 of MD5SUMS is improperly formatted: its digest has 64 hex digits, md5 has 32 "
        "(md5 is implied by the manifest's name); choose the algorithm with --algorithm"
    )
    assert "--algorithm" not in by_path[str(path)]  # line 3, the junk


# --- names outside the manifest's folder ---------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """tmp/m/SHA256SUMS lists inside.txt, ../up.txt, an absolute /.../abs.txt and link/far.txt
    through a symbolic link to a folder outside; written by the real sha256sum run in tmp/m."""
    m = tmp_path / "m"
    m.mkdir()
    (m / "inside.txt").write_bytes(b"inside")
    (tmp_path / "up.txt").write_bytes(b"up")
    far = tmp_path / "far"
    far.mkdir()
    (far / "abs.txt").write_bytes(b"absolute")
    (far / "far.txt").write_bytes(b"far")
    (m / "link").symlink_to(far, target_is_directory=True)
    text = sha256sum(m, "inside.txt", "../up.txt", str(far / "abs.txt"), "link/far.txt")
    (m / "SHA256SUMS").write_bytes(text)
    assert sha256sum_check(m, "SHA256SUMS").returncode == 0  # coreutils reads them all
    return m / "SHA256SUMS"


def test_outside_names_are_read_and_counted(engine: Engine, outside: Path) -> None:
    options = VerifyOptions(manifest=str(outside))
    job, report = run_job(engine, "verify", options, OP.plan([], options))
    assert [s for _, s, _ in rows(job)] == [Status.DONE] * 4
    assert report.lines == [
        "4 of 4 listed files OK",
        "2 listed entries point outside the manifest's folder (absolute or ../ names); "
        "--inside-only refuses them",
    ]


def test_inside_only_refuses_outside_names_without_reading_them(
    engine: Engine, outside: Path
) -> None:
    options = VerifyOptions(manifest=str(outside), inside_only=True)
    plan = OP.plan([], options)
    refused = {plan.tasks[r.index].path: r for r in plan.settled}
    m = outside.parent
    assert sorted(refused) == sorted(
        [str(m / "../up.txt"), str(m.parent / "far" / "abs.txt"), str(m / "link/far.txt")]
    )
    assert all(r.status == Status.FAILED for r in refused.values())
    assert refused[str(m / "../up.txt")].message == (
        "not read: its name leads outside the manifest's folder, as an absolute or ../ name, "
        "and --inside-only was given; run without --inside-only to check it"
    )
    assert refused[str(m / "link/far.txt")].message.startswith(
        "not read: its name leads outside the manifest's folder through a symbolic link "
        f"(to {os.path.realpath(m.parent / 'far' / 'far.txt')})"
    )
    assert all(plan.tasks[r.index].size == 0 for r in plan.settled)  # not even looked at
    job, report = run_job(engine, "verify", options, plan)
    assert [s for _, s, _ in rows(job)] == [Status.DONE] + [Status.FAILED] * 3
    assert report.lines == [
        "1 of 4 listed files OK",
        "3 listed entries lead outside the manifest's folder and were not read (--inside-only)",
    ]


# --- the mismatch, as the command line shows it --------------------------------------------------


def test_mismatch_reads_well_after_the_command_lines_failed_prefix(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / "SHA256SUMS").write_bytes(sha256sum(tmp_path, "a.txt"))
    (tmp_path / "a.txt").write_bytes(b"changed")
    r = cli(tmp_path, "verify", "-w", "1", "SHA256SUMS")
    assert r.returncode == 1
    (line,) = r.stdout.decode().splitlines()
    assert line.startswith("a.txt: FAILED (checksum does not match the manifest (expected ")
    assert line.endswith("); the file changed since the manifest was made, or it is damaged)")
    assert "FAILED: " not in line
    assert "WARNING: 1 computed checksum did NOT match" in r.stderr.decode()
