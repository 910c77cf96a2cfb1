"""``parabatch-cli`` end to end: ``python -m core`` in a subprocess with real worker processes,
checked by the real ``sha256sum -c``, its JSON output, its exit codes and Ctrl-C."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from core.cli import ProgressLine
from core.progress import Tracker
from core.records import FileResult, Status
from tests.support import needs_tool, wait_for_exit, wait_until

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
GIB = 1024**3

needs_sha256sum = needs_tool("sha256sum")


def cli(cwd: Path, *args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """Run the command line to the end (no terminal: no progress bar)."""
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env=ENV,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=90,
        check=False,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256sum_check(cwd: Path, manifest: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["sha256sum", "--strict", "-c", manifest], cwd=cwd, capture_output=True, check=False
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A small tree under tmp_path/data with awkward names."""
    root = tmp_path / "data"
    files = {
        "a.txt": b"alpha\n",
        "with space.txt": b"space",
        "empty": b"",
        "sub/img10.png": os.urandom(3000),
        "sub/img2.png": os.urandom(70_000),
        "sub/deep/notes.md": b"# notes",
        "line\nbreak.txt": b"newline in the name",
        "back\\slash": b"backslash",
    }
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
    return root


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- checksum ------------------------------------------------------------------------------------


@needs_sha256sum
def test_checksum_to_stdout_is_accepted_by_sha256sum(tmp_path: Path, data: Path) -> None:
    r = cli(tmp_path, "checksum", "-w", "2", "data")
    assert r.returncode == 0, r.stderr.decode()
    (tmp_path / "SUMS").write_bytes(r.stdout)
    check = sha256sum_check(tmp_path, "SUMS")
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    lines = [ln for ln in r.stdout.split(b"\n") if ln]
    assert len(lines) == len(all_files(data))
    assert f"{sha256(data / 'a.txt')}  data/a.txt".encode() in lines
    assert b"8 done, 0 failed, 0 skipped, 0 cancelled of 8" in r.stderr


@needs_sha256sum
def test_checksum_while_still_scanning_covers_every_file(tmp_path: Path) -> None:
    """More files than one discovery batch: hashing starts before the scan ends (the rows stream
    into the job) and the manifest still lists every file once, in order, accepted by sha256sum."""
    root = tmp_path / "many"
    for i in range(2500):
        sub = root / f"d{i // 300}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i}").write_bytes(i.to_bytes(4, "little"))
    res = cli(tmp_path, "checksum", "-w", "2", "-o", "SUMS", "many")
    assert res.returncode == 0, res.stderr
    lines = (tmp_path / "SUMS").read_bytes().splitlines()
    assert len(lines) == 2500
    names = [line.split(b"  ", 1)[1] for line in lines]
    assert names == sorted(names) and len(set(names)) == 2500
    assert sha256sum_check(tmp_path, "SUMS").returncode == 0
    res = cli(tmp_path, "checksum", "-w", "2", "--json", "many")
    summary = json.loads(res.stdout.splitlines()[-1])["summary"]
    assert (summary["files"], summary["done"]) == (2500, 2500)


@needs_sha256sum
def test_checksum_manifest_file_is_accepted_by_sha256sum(tmp_path: Path, data: Path) -> None:
    (tmp_path / "out").mkdir()
    r = cli(tmp_path, "checksum", "-w", "2", "-o", "out/SHA256SUMS", "data")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b""
    assert b"Manifest written" in r.stderr
    manifest = (tmp_path / "out" / "SHA256SUMS").read_bytes()
    assert f"{sha256(data / 'empty')}  ../data/empty".encode() in manifest.split(b"\n")
    check = sha256sum_check(tmp_path / "out", "SHA256SUMS")
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    assert check.stdout.count(b": OK") == len(all_files(data))
    assert [n for n in os.listdir(tmp_path / "out") if "partial" in n] == []


@needs_sha256sum
def test_manifest_inside_the_scanned_folder_does_not_list_itself(
    tmp_path: Path, data: Path
) -> None:
    for _ in range(2):  # the second run finds the first run's manifest in the folder
        r = cli(tmp_path, "checksum", "-w", "2", "-o", "data/SHA256SUMS", "data")
        assert r.returncode == 0, r.stderr.decode()
    manifest = (data / "SHA256SUMS").read_bytes()
    assert b"SHA256SUMS" not in manifest
    assert sha256sum_check(data, "SHA256SUMS").returncode == 0


@needs_sha256sum
def test_stdout_redirected_into_the_scanned_folder_is_not_listed(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).write_bytes(name.encode() * 100)
    with open(tmp_path / "SUMS", "wb") as out:
        r = cli(tmp_path, "checksum", "-w", "2", ".", stdout=out)
    assert r.returncode == 0, r.stderr.decode()
    manifest = (tmp_path / "SUMS").read_bytes()
    assert b"SUMS" not in manifest
    assert len(manifest.splitlines()) == 3
    check = sha256sum_check(tmp_path, "SUMS")
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()


def run_json(cwd: Path, *args: str) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    r = cli(cwd, *args, "--json")
    lines = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    assert lines, r.stderr.decode()
    *records, summary = lines
    return records, summary, r.returncode


def test_json_records_parse_and_summary_adds_up(tmp_path: Path, data: Path) -> None:
    os.mkfifo(data / "pipe")
    records, summary, rc = run_json(tmp_path, "checksum", "-w", "2", "-a", "sha256", "data")
    assert rc == 0
    by_path = {rec["path"]: rec for rec in records}
    assert len(by_path) == len(records) == len(all_files(data)) + 1
    for f in all_files(data):
        rec = by_path[str(f)]
        assert rec == {"path": str(f), "size": f.stat().st_size, "status": "done"} | {
            "value": sha256(f)
        }
    pipe = by_path[str(data / "pipe")]
    assert pipe["status"] == "skipped"
    assert "FIFO" in pipe["message"]
    s = summary["summary"]
    assert s["files"] == len(records)
    assert s["done"] + s["failed"] + s["skipped"] + s["cancelled"] == s["files"]
    assert (s["done"], s["skipped"]) == (len(records) - 1, 1)
    assert s["bytes"] == sum(f.stat().st_size for f in all_files(data))
    assert isinstance(summary["lines"], list)


def test_include_and_exclude(tmp_path: Path, data: Path) -> None:
    args = shlex.split("checksum -w 2 --include *.png --include *.md --exclude deep data")
    records, summary, rc = run_json(tmp_path, *args)
    assert rc == 0
    assert [rec["path"] for rec in records] == [
        str(data / "sub" / "img2.png"),
        str(data / "sub" / "img10.png"),
    ]
    assert summary["summary"]["files"] == 2


def test_empty_selection_succeeds(tmp_path: Path, data: Path) -> None:
    records, summary, rc = run_json(tmp_path, "checksum", "--include", "*.nothing", "data")
    assert (records, summary["summary"]["files"], rc) == ([], 0, 0)


# --- verify and exit codes -----------------------------------------------------------------------


@pytest.fixture
def listed(tmp_path: Path) -> Path:
    """Three files and a SHA256SUMS written by the real sha256sum."""
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_bytes(name.encode() * 1000)
    digests = [f"{sha256(tmp_path / n)}  {n}\n" for n in ("a.txt", "b.txt", "c.txt")]
    (tmp_path / "SHA256SUMS").write_text("".join(digests))
    return tmp_path


def test_verify_all_ok_exits_0(listed: Path) -> None:
    r = cli(listed, "verify", "-w", "2", "SHA256SUMS")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().splitlines() == ["a.txt: OK", "b.txt: OK", "c.txt: OK"]
    assert "3 of 3 listed files OK" in r.stderr.decode()


def test_verify_changed_file_exits_1(listed: Path) -> None:
    (listed / "b.txt").write_bytes(b"tampered")
    r = cli(listed, "verify", "-w", "2", "SHA256SUMS")
    assert r.returncode == 1, r.stderr.decode()
    out = r.stdout.decode().splitlines()
    assert out[0] == "a.txt: OK"
    assert out[1].startswith("b.txt: FAILED (")
    assert "does not match" in out[1]
    assert out[2] == "c.txt: OK"
    assert "WARNING: 1 computed checksum did NOT match" in r.stderr.decode()


def test_verify_missing_listed_file_exits_1(listed: Path) -> None:
    (listed / "c.txt").unlink()
    r = cli(listed, "verify", "-w", "2", "SHA256SUMS")
    assert r.returncode == 1, r.stderr.decode()
    out = r.stdout.decode().splitlines()
    assert out[:2] == ["a.txt: OK", "b.txt: OK"]
    assert out[2].startswith("c.txt: FAILED (missing")


def test_verify_json_reports_the_failure(listed: Path) -> None:
    (listed / "a.txt").write_bytes(b"changed")
    records, summary, rc = run_json(listed, "verify", "SHA256SUMS")
    assert rc == 1
    assert [rec["status"] for rec in records] == ["failed", "done", "done"]
    assert (summary["summary"]["failed"], summary["summary"]["done"]) == (1, 2)


@pytest.mark.parametrize(
    "args",
    [
        ["checksum", "-a", "crc32", "data"],
        ["checksum", "no-such-folder"],
        ["checksum", "data", "no-such-file"],
        ["checksum", "-w", "0", "data"],
        ["checksum", "-w", "many", "data"],
        ["checksum"],
        ["frobnicate", "data"],
        [],
        ["verify", "no-such.sha256"],
        ["verify", "data"],  # a folder
        ["verify", "malformed.sha256"],
        ["verify", "empty.sha256"],
        ["verify", "-a", "md5", "SHA256SUMS"],  # sha256 digests are not md5 digests
    ],
    ids=lambda a: " ".join(a) or "no-args",
)
def test_usage_errors_exit_2(tmp_path: Path, data: Path, args: list[str]) -> None:
    (tmp_path / "malformed.sha256").write_text("this is not a checksum line\n")
    (tmp_path / "empty.sha256").write_text("")
    (tmp_path / "SHA256SUMS").write_text(f"{sha256(data / 'a.txt')}  data/a.txt\n")
    r = cli(tmp_path, *args)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.strip()
    assert "Traceback" not in err


# --- Ctrl-C --------------------------------------------------------------------------------------


def proc_children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(p) for p in f.read().split())
        except OSError:
            continue
    return out


def open_files(pid: int) -> set[str]:
    found = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return found


def group_members(pgid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes of the process group ``pgid``, with their command lines."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append((int(entry), cmd))
    return out


@pytest.mark.parametrize(
    "how", ["SIGINT to the group", "SIGTERM to the CLI", "SIGHUP to the group (terminal closed)"]
)
def test_interrupt_exits_130_and_leaves_nothing(tmp_path: Path, how: str) -> None:
    work, logs = tmp_path / "work", tmp_path / "logs"
    work.mkdir()
    logs.mkdir()
    bigs = {str(work / "big1"), str(work / "big2")}
    for path in bigs:
        with open(path, "wb") as f:
            f.truncate(3 * GIB)  # sparse: reading it costs no disk
    with open(logs / "out", "wb") as out, open(logs / "err", "wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "core",
                *shlex.split("checksum -a md5 -w 2 -o out.md5 big1 big2"),
            ],
            cwd=work,
            env=ENV,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    pgid = proc.pid
    try:

        def both_files_being_read() -> bool:
            assert proc.poll() is None, (logs / "err").read_text()
            opened: set[str] = set()
            for child in proc_children(proc.pid):
                opened |= open_files(child)
            return bigs <= opened

        wait_until(
            both_files_being_read, 30, lambda: "the workers to open both big files", proc.pid
        )
        sent = time.monotonic()
        if how.startswith("SIGINT"):
            os.killpg(pgid, signal.SIGINT)  # what a terminal's Ctrl-C does
        elif how.startswith("SIGHUP"):
            os.killpg(pgid, signal.SIGHUP)  # what closing the terminal does
        else:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the CLI did not exit within 10 s of {how}")
        took = time.monotonic() - sent
        err_text = (logs / "err").read_text(errors="replace")
        assert code == 130, err_text
        assert took < 3.0, f"exit took {took:.1f} s"
        assert "interrupted" in err_text
        assert "Traceback" not in err_text
        assert sorted(os.listdir(work)) == ["big1", "big2"]  # no out.md5, no .out.md5.partial-*
        left = wait_for_exit([pid for pid, _ in group_members(pgid)], 3)
        assert not left, f"processes of the group still running: {group_members(pgid)}"
    finally:
        if proc.poll() is None or group_members(pgid):
            os.killpg(pgid, signal.SIGKILL)
            proc.wait()


# A program that sends itself ``sig`` while ``core.cli`` is being imported, then runs the CLI.
SIGNAL_DURING_IMPORT = """
import importlib.abc, os, signal, sys

SIG = int(sys.argv[1])

class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "core.cli":
            os.kill(os.getpid(), SIG)  # arrives while the command line loads
        return None

sys.meta_path.insert(0, Hook())
sys.argv[1:] = ["checksum", "-o", "SUMS", "big"]
from core.__main__ import main
sys.exit(main())
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_stop_signal_while_the_cli_loads_exits_130(tmp_path: Path, sig: int) -> None:
    (tmp_path / "big").write_bytes(b"x")
    proc = subprocess.run(
        [sys.executable, "-c", SIGNAL_DURING_IMPORT, str(int(sig))],
        cwd=tmp_path,
        env=ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == b"parabatch-cli: interrupted before any file was processed\n"
    assert sorted(os.listdir(tmp_path)) == ["big"]


# The program as the parabatch-cli script runs it, with an exit handler of the kind a plugin or a
# library registers: it must still run, after everything the command line printed.
WITH_EXIT_HANDLER = """
import atexit, sys
atexit.register(lambda: sys.stdout.write("handler ran\\n"))
sys.argv[1:] = sys.argv[2:]
from core.__main__ import main
main()
raise SystemExit("main() returned")
"""


@pytest.mark.parametrize("changed", [False, True])
def test_program_exit_keeps_output_handlers_and_code(tmp_path: Path, changed: bool) -> None:
    """The program ends without the interpreter's teardown (core.__main__.leave): every line is
    still out, exit handlers still run, and the exit code is the job's (1: a file changed)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3000):
        (folder / f"f{i:04d}").write_bytes(b"%d" % i)
    run = [sys.executable, "-c", WITH_EXIT_HANDLER, "-"]
    opts = dict(cwd=tmp_path, env=ENV, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    made = subprocess.run([*run, "checksum", "--no-journal", "-q", "in"], **opts)  # type: ignore[call-overload]
    lines = made.stdout.decode().splitlines()
    assert lines[-1] == "handler ran", made.stderr
    assert made.returncode == 0 and b"main() returned" not in made.stderr
    assert [line.split("  ", 1)[1] for line in lines[:-1]] == [f"in/f{i:04d}" for i in range(3000)]
    (tmp_path / "SUMS").write_text("\n".join(lines[:-1]) + "\n")
    if changed:
        (folder / "f1234").write_bytes(b"changed")
    checked = subprocess.run([*run, "verify", "--no-journal", "-q", "SUMS"], **opts)  # type: ignore[call-overload]
    assert checked.stdout.decode().splitlines()[-1] == "handler ran", checked.stderr
    assert checked.returncode == (1 if changed else 0), checked.stderr
    assert b"main() returned" not in checked.stderr


# --- progress line -------------------------------------------------------------------------------


class _Job:
    """What ProgressLine reads of a job."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.cancel_requested = False
        self.done = threading.Event()


def test_progress_line_while_scanning_then_with_a_total() -> None:
    out = io.StringIO()
    line = ProgressLine(out)
    tracker = Tracker([1000, 3000])
    tracker.input_open = True  # rows are still streaming in: no percentage, no ETA yet
    tracker.file_result(FileResult(0, Status.DONE, "x"))
    line(_Job(tracker))
    first = out.getvalue()
    assert "scanning" in first and "1/2+ files" in first and "ETA" not in first
    tracker.add_rows([6000])
    tracker.input_open = False
    line(_Job(tracker))
    second = out.getvalue()[len(first) :]
    assert second.startswith("\r[") and "1/3 files" in second and "ETA" in second
    assert "10.0%" in second  # 1,000 of 10,000 bytes (plus one of three files)
    line.close()
    assert out.getvalue().endswith("\r")


@pytest.mark.parametrize("columns", [80, 60, 40, 20])
def test_progress_line_never_wraps_a_narrow_terminal(columns: int) -> None:
    """Every redraw fits in the terminal's width (a wider line wraps and leaves a trail), even
    with large numbers and a cancel under way; what is left out is the least useful part."""
    out = io.StringIO()
    line = ProgressLine(out, columns=columns)
    tracker = Tracker([123_456_789_012] * 3 + [5] * 999_997)
    for i in range(123_456):
        tracker.file_result(FileResult(i, Status.DONE, "x"))
    job = _Job(tracker)
    line(job)
    job.cancel_requested = True
    line(job)
    redraws = out.getvalue().split("\r")[1:]
    assert len(redraws) == 2
    for drawn in redraws:
        assert 0 < len(drawn) < columns, (columns, drawn)
    if columns >= 60:
        assert "123456/1000000 files" in redraws[0] and "cancelling…" in redraws[1]
    if columns == 80:
        assert redraws[0].startswith("[") and "%" in redraws[0]


def _catches(pid: int, sig: int) -> bool:
    """Whether process ``pid`` has a handler installed for ``sig`` (/proc's SigCgt mask)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def _run_cli_until(args: list[str], cwd: Path, ready: Any, sig: int) -> tuple[int, str, str]:
    """Start parabatch-cli, send ``sig`` once ``ready(pid)`` holds, and collect its output."""
    logs = cwd / "logs"
    logs.mkdir(exist_ok=True)
    with open(logs / "out", "wb") as out, open(logs / "err", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core", *args],
            cwd=cwd,
            env=ENV,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: proc.poll() is not None or ready(proc.pid),
            30,
            lambda: "the moment to send the signal",
            proc.pid,
        )
        assert proc.poll() is None, (logs / "err").read_text()
        os.kill(proc.pid, sig)
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return code, (logs / "out").read_text(errors="replace"), (logs / "err").read_text()


def test_sigterm_while_planning_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """A stop signal before any file is processed (here: while verify reads and plans a big
    manifest) ends cleanly, says so, and leaves no worker."""
    (tmp_path / "f").write_bytes(b"x")
    digest = hashlib.sha256(b"x").hexdigest()
    with open(tmp_path / "SHA256SUMS", "w") as f:
        for i in range(300_000):  # every line names a file that is not there: planning stats
            f.write(f"{digest}  missing{i}\n")
    code, _out, err = _run_cli_until(
        ["verify", "-w", "2", "--json", "SHA256SUMS"],
        tmp_path,
        lambda pid: _catches(pid, signal.SIGTERM),  # its handlers are in place: planning next
        signal.SIGTERM,
    )
    assert code == 130, err
    assert "Traceback" not in err and "interrupted" in err


def test_interrupted_json_run_lists_every_input_once(tmp_path: Path) -> None:
    """SIGTERM mid-job with --json: finished records, the rest as cancelled, then the summary,
    all valid JSON lines; the finished digests are right."""
    work = tmp_path / "w"
    work.mkdir()
    for i in range(4):
        with open(work / f"big{i}", "wb") as f:
            f.truncate(2 * GIB)  # sparse: slow enough to be interrupted, costs no disk
    for i in range(50):
        (work / f"small{i:02d}").write_bytes(os.urandom(100))
    bigs = {str(work / f"big{i}") for i in range(4)}

    def reading_a_big_file(pid: int) -> bool:
        return any(bigs & open_files(child) for child in proc_children(pid))

    code, out, err = _run_cli_until(
        ["checksum", "-w", "2", "--json", "-a", "md5", "w"],
        tmp_path,
        reading_a_big_file,
        signal.SIGTERM,
    )
    assert code == 130, err
    lines = [json.loads(line) for line in out.splitlines()]
    records, summary = lines[:-1], lines[-1]
    assert sorted(r["path"] for r in records) == sorted(str(p) for p in work.iterdir())
    assert {r["status"] for r in records} <= {"done", "cancelled"}
    assert any(r["status"] == "cancelled" for r in records)
    for r in records:
        if r["status"] == "done":
            assert r["value"] == hashlib.md5(Path(r["path"]).read_bytes()).hexdigest()
    s = summary["summary"]
    assert s["done"] + s["cancelled"] == len(records) == s["files"]
    assert "interrupted" in err and "Traceback" not in err


def test_ctrl_z_and_fg_go_on_without_anything_called_hung(tmp_path: Path) -> None:
    """SIGTSTP to the group (Ctrl-Z) stops the command line and its workers; SIGCONT (fg)
    resumes them. A stop longer than the watchdog's time does not make it kill anyone."""
    work = tmp_path / "w"
    work.mkdir()
    for i in range(2):
        with open(work / f"big{i}", "wb") as f:
            f.truncate(GIB)  # sparse: a second or two of reading, no disk
    logs = tmp_path / "logs"
    logs.mkdir()
    with open(logs / "out", "wb") as out, open(logs / "err", "wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "core",
                *["checksum", "-a", "md5", "-w", "2", "--json", "--watchdog", "2", "w"],
            ],
            cwd=tmp_path,
            env=ENV,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    bigs = {str(work / "big0"), str(work / "big1")}
    try:
        wait_until(
            lambda: bigs <= {f for c in proc_children(proc.pid) for f in open_files(c)},
            30,
            lambda: "the workers to read both files",
            proc.pid,
        )
        # Ctrl-Z's SIGTSTP stops the group by its default action (nobody here catches it);
        # the kernel discards SIGTSTP to an orphaned group such as this test's, so send the
        # same stop as SIGSTOP.
        os.killpg(proc.pid, signal.SIGSTOP)
        members = [pid for pid, _ in group_members(proc.pid)]

        def all_stopped() -> bool:
            return all(_proc_state(pid) in ("T", "Z", "") for pid in members)

        wait_until(all_stopped, 10, lambda: "the group to stop", proc.pid)
        # Stay stopped longer than the watchdog's 2 s: the exit wait times out (bounded).
        assert wait_for_exit([proc.pid], 3.0) == [proc.pid]
        os.killpg(proc.pid, signal.SIGCONT)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = (logs / "out").read_text()
    records = [json.loads(line) for line in text.splitlines()][:-1]
    assert code == 0, (logs / "err").read_text()
    assert [r["status"] for r in records] == ["done", "done"]


def _proc_state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""
