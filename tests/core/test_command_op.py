"""The "run" operation: real programs (sh, cp, gzip, Python scripts that crash, hang, write to
stderr or leave processes behind) in real workers, over files with awkward names; the same jobs
through GNU parallel; and no process of a command surviving cancel, the time limit or its
worker being SIGKILLed (checked in /proc)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.discover import scan
from core.engine import Engine, run_job, run_session
from core.naming import Collision, NamingRule
from core.operations import command_template as tpl
from core.operations import get
from core.operations.command import RunOptions, temporary_for
from core.records import FileError, Kind, Status
from tests.support import require_tool, wait_for_exit

REPO = Path(__file__).resolve().parents[2]
AWKWARD = ["a b.txt", 'it\'s "q".txt', "$HOME.txt", "new\nline.txt", "-dash.txt", "plain"]
PY = sys.executable

# A program that records its arguments, one JSON file per call in the folder given by ARGV_DIR.
DUMP = """
import json, os, sys
d = os.environ["ARGV_DIR"]
with open(os.path.join(d, "%d.json" % os.getpid()), "w") as f:
    json.dump(sys.argv[1:], f)
if os.environ.get("TOUCH"):  # the argument to create, as a command writing {out} would
    open(sys.argv[int(os.environ["TOUCH"])], "w").close()
"""
# Starts a grandchild (in its group; with "escape", in a session of its own), writes
# "group child grandchild" to the folder in its second argument, then sleeps forever (or,
# with "exit" or "escape", exits 0).
SPAWN = """
import os, subprocess, sys, time
mode = sys.argv[1]
g = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"],
                     start_new_session=(mode == "escape"))
d = sys.argv[2]
tmp = os.path.join(d, ".%d" % os.getpid())
with open(tmp, "w") as f:
    f.write("%d %d %d" % (os.getpgrp(), os.getpid(), g.pid))
os.rename(tmp, os.path.join(d, "%d" % os.getpid()))
if mode in ("exit", "escape"):
    sys.exit(0)
while True:
    time.sleep(3600)
"""


def make_awkward(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: f"content of {name!r}\n".encode() * (i + 1) for i, name in enumerate(AWKWARD)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def script(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def run(engine: Engine, folder: Path, options: RunOptions, **kw):  # type: ignore[no-untyped-def]
    plan = get("run").plan(scan([str(folder)]), options)
    return run_job(engine, "run", options, plan, **kw)


def by_name(job) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        os.path.basename(t.path): r for t, r in zip(job.tasks, job.tracker.results, strict=True)
    }


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [PY, "-m", "core", *args], cwd=REPO, capture_output=True, env=env, timeout=120
    )


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# --- the template --------------------------------------------------------------------------------
def test_replacement_strings_are_gnu_parallels() -> None:
    v = tpl.values("/a/b.c/d.tar.gz", 3, "/o/x.gz")
    assert [v[k] for k in ("", ".", "/", "//", "/.", "#", "out")] == [
        "/a/b.c/d.tar.gz", "/a/b.c/d.tar", "d.tar.gz", "/a/b.c", "d.tar", "3", "/o/x.gz",
    ]  # fmt: skip
    assert tpl.values("/a/.bashrc", 1, None)["."] == "/a/"  # as GNU parallel computes it
    assert tpl.parse("wc -l") == ["wc", "-l", "{}"]  # no replacement string: {} appended
    assert tpl.parse("gzip -c > x", shell=True) == ["gzip -c > x {}"]
    words = tpl.parse("cp {} 'pre {/} post' {x}")
    argv = tpl.expand(words, tpl.values("/d/a b $x", 1, None))
    assert argv == ["cp", "/d/a b $x", "pre a b $x post", "{x}"]  # one word, one argument
    line = tpl.expand(["echo {} > {/}.out"], tpl.values("/d/it's", 1, None), shell=True)
    assert line == ["sh", "-c", "echo '/d/it'\"'\"'s' > 'it'\"'\"'s'.out"]
    with pytest.raises(ValueError, match="cannot be split"):
        tpl.parse("echo 'unbalanced")
    with pytest.raises(ValueError, match="empty"):
        RunOptions(command="  ").words  # noqa: B018


def test_each_replacement_reaches_the_program_as_one_argument(
    engine: Engine, tmp_path: Path
) -> None:
    make_awkward(tmp_path / "in")
    dump = script(tmp_path, "dump.py", DUMP)
    argv_dir = tmp_path / "argv"
    argv_dir.mkdir()
    os.environ["ARGV_DIR"] = str(argv_dir)  # workers are spawned after this: they inherit it
    try:
        template = shlex.join([PY, dump]) + " {} {.} {/} {//} {/.} {#} x{}y"
        job, _ = run(engine, tmp_path / "in", RunOptions(command=template))
    finally:
        del os.environ["ARGV_DIR"]
    assert job.tracker.counts[Status.DONE] == len(AWKWARD)
    got = sorted(json.loads(p.read_text()) for p in argv_dir.iterdir())
    want = sorted(
        [t.path, *(tpl.values(t.path, t.index + 1, None)[k] for k in (".", "/", "//", "/.", "#")),
         f"x{t.path}y"]
        for t in job.tasks
    )  # fmt: skip
    assert got == want


# --- outputs -------------------------------------------------------------------------------------
def test_cp_and_gzip_with_out_write_every_output_atomically(engine: Engine, tmp_path: Path) -> None:
    files = make_awkward(tmp_path / "in")
    out = tmp_path / "out"
    naming = NamingRule(output_dir=str(out), template="{name}.gz")
    options = RunOptions(command='sh -c \'gzip -nc -- "$1" > "$2"\' sh {} {out}', naming=naming)
    job, _ = run(engine, tmp_path / "in", options)
    assert job.tracker.counts[Status.DONE] == len(files)
    for name, data in files.items():
        stem = os.path.splitext(name)[0]
        made = subprocess.run(["gzip", "-dc", str(out / f"{stem}.gz")], capture_output=True)
        assert made.stdout == data, name
    assert not [n for n in os.listdir(out) if ".partial-" in n]
    r = by_name(job)["a b.txt"]
    assert r.value.startswith("exit 0 in ") and r.output == str(out / "a b.gz")  # type: ignore[attr-defined]


def test_failed_or_silent_command_leaves_nothing_under_the_final_name(
    engine: Engine, tmp_path: Path
) -> None:
    make_awkward(tmp_path / "in")
    out = tmp_path / "out"
    writes_then_fails = "sh -c 'echo partial > \"$1\"; echo giving up >&2; exit 4' sh {out}"
    naming = NamingRule(output_dir=str(out))
    job, _ = run(engine, tmp_path / "in", RunOptions(command=writes_then_fails, naming=naming))
    r = by_name(job)["plain"]
    assert r.status == Status.FAILED and r.message == "exit 4: giving up"  # type: ignore[attr-defined]
    assert os.listdir(out) == []  # no final name, no temporary
    job, _ = run(engine, tmp_path / "in", RunOptions(command="true {out}", naming=naming))
    r = by_name(job)["plain"]
    assert r.kind == Kind.OUTPUT_FAILED and "wrote no file" in r.message  # type: ignore[attr-defined]
    assert os.listdir(out) == []


def test_the_temporary_keeps_the_final_extension(tmp_path: Path) -> None:
    tmp = temporary_for(str(tmp_path / "clip.tar.gz"))
    assert tmp.endswith(".tar.gz") and os.path.dirname(tmp) == str(tmp_path)
    assert os.path.basename(tmp).startswith(".clip.tar.gz.partial-")


def test_temporaries_that_keep_their_extension_are_cleared_when_their_writer_died(
    tmp_path: Path,
) -> None:
    """The one clean-up of core.outputs handles them: a dead writer's goes, a live one's stays."""
    from core.outputs import remove_stale_partials

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f".clip.mp4.partial-{dead.pid}-abcdef.mp4"
    live = tmp_path / f".clip.mp4.partial-{os.getpid()}-abcdef.mp4"
    other = tmp_path / f".clip.mp4.partial-{dead.pid}-abcdefmp4"  # not one of ours
    for p in (gone, live, other):
        p.write_bytes(b"half")
    assert remove_stale_partials([str(tmp_path)]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


# --- failures ------------------------------------------------------------------------------------
def test_crash_stderr_and_signal_fail_with_code_and_last_line(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    for name in ("crash", "noisy", "killed", "fine"):
        (tmp_path / "in" / name).write_text(name)
    prog = script(tmp_path, "prog.py", """
import os, signal, sys
name = os.path.basename(sys.argv[1])
if name == "crash":
    1 / 0
if name == "noisy":  # far more than the buffers keep, then fail
    for i in range(200_000):
        sys.stderr.write("line %d\\n" % i)
    sys.exit(7)
if name == "killed":
    os.kill(os.getpid(), signal.SIGSEGV)
print("ok"); sys.stderr.write("a warning\\n")
""")  # fmt: skip
    job, _ = run(engine, tmp_path / "in", RunOptions(command=shlex.join([PY, prog]) + " {}"))
    got = {n: (r.status, r.message) for n, r in by_name(job).items()}  # type: ignore[attr-defined]
    assert got["crash"] == (Status.FAILED, "exit 1: ZeroDivisionError: division by zero")
    assert got["noisy"] == (Status.FAILED, "exit 7: line 199999")
    assert got["killed"] == (Status.FAILED, "killed by signal 11 (SIGSEGV): no error output")
    assert got["fine"] == (Status.DONE, "a warning")


def test_a_missing_program_is_one_error_before_start(tmp_path: Path) -> None:
    make_awkward(tmp_path / "in")
    op = get("run")
    with pytest.raises(FileError, match="'no-such-program-x' was not found on PATH"):
        op.plan(scan([str(tmp_path / "in")]), RunOptions(command="no-such-program-x {}"))
    (tmp_path / "notexec").write_text("#!/bin/sh\n")
    with pytest.raises(FileError, match="is not executable"):
        op.plan(scan([str(tmp_path / "in")]), RunOptions(command=f"{tmp_path}/notexec {{}}"))
    p = cli("run", str(tmp_path / "in"), "--", "no-such-program-x", "{}")
    assert p.returncode == 2
    assert p.stderr.decode().splitlines() == [
        "parabatch-cli: error: the program 'no-such-program-x' was not found on PATH; install "
        "it, or give its full path"
    ]


# --- the command line ----------------------------------------------------------------------------
def test_dry_run_prints_each_command_exactly_as_it_runs(tmp_path: Path) -> None:
    make_awkward(tmp_path / "in")
    dump = script(tmp_path, "dump.py", DUMP)
    out = tmp_path / "out"
    args = ["--output-dir", str(out), "--on-collision", "overwrite", str(tmp_path / "in")]
    command = ["--", PY, dump, "{}", "{/.}", "{out}", "{#}"]
    dry = cli("run", "--dry-run", *args, *command)
    assert dry.returncode == 0, dry.stderr
    assert not out.exists()  # nothing written
    # The printed lines, run by sh, give the program what the real run gives it.
    env = {**os.environ, "ARGV_DIR": str(tmp_path / "from-dry"), "TOUCH": "3"}
    (tmp_path / "from-dry").mkdir()
    out.mkdir()
    subprocess.run(["sh", "-c", dry.stdout.decode()], env=env, check=True)
    from_dry = sorted(json.loads(p.read_text()) for p in (tmp_path / "from-dry").iterdir())
    (tmp_path / "real").mkdir()
    env["ARGV_DIR"] = str(tmp_path / "real")
    real = cli("run", "-q", "--no-journal", *args, *command, env=env)
    assert real.returncode == 0, real.stderr
    from_real = sorted(json.loads(p.read_text()) for p in (tmp_path / "real").iterdir())
    # {out} is the final name in the dry run, the temporary beside it in the real run
    for d, r in zip(from_dry, from_real, strict=True):
        assert d[:2] == r[:2] and d[3] == r[3]
        assert os.path.dirname(r[2]) == str(out) and ".partial-" in r[2]
        assert r[2].endswith(os.path.splitext(d[2])[1])
    assert len(from_dry) == len(AWKWARD)


def test_cli_run_needs_a_command_and_shell_mode_quotes(tmp_path: Path) -> None:
    make_awkward(tmp_path / "in")
    p = cli("run", str(tmp_path / "in"))
    assert p.returncode == 2 and b"give the command after '--'" in p.stderr
    out = tmp_path / "out"
    p = cli(
        "run", "-q", "--no-journal", "--shell", "--output-dir", str(out), "--name", "{name}.n",
        str(tmp_path / "in"), "--", "wc -c < {} > {out}",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    for name, data in make_awkward(tmp_path / "in").items():
        assert (out / f"{os.path.splitext(name)[0]}.n").read_text().strip() == str(len(data))


# --- GNU parallel: the same jobs, the same outputs -----------------------------------------------
def _parallel(tmp_path: Path, inputs: list[str], *command: str) -> None:
    parallel = require_tool("parallel")
    lst = tmp_path / "inputs.bin"
    lst.write_bytes(b"".join(os.fsencode(p) + b"\0" for p in inputs))
    subprocess.run(
        [parallel, "--will-cite", "-0", "-a", str(lst), "-j", "2", *command],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def test_same_outputs_as_gnu_parallel(tmp_path: Path) -> None:
    make_awkward(tmp_path / "in")
    inputs = sorted(str(p) for p in (tmp_path / "in").iterdir())
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    theirs.mkdir()
    # cp without a shell: {out} named {/} in the output folder
    p = cli("run", "-q", "--no-journal", "--output-dir", str(ours / "cp"), "--name", "{name}",
            *inputs, "--", "cp", "--", "{}", "{out}")  # fmt: skip
    assert p.returncode == 0, p.stderr
    (theirs / "cp").mkdir()
    _parallel(tmp_path, inputs, "cp", "--", "{}", f"{theirs}/cp/{{/}}")
    assert listing(ours / "cp") == listing(theirs / "cp")
    # gzip through the shell: both quote the replacements for sh
    p = cli("run", "-q", "--no-journal", "--shell", *inputs, "--",
            f"gzip -nc -- {{}} > {ours}/{{/.}}.gz")  # fmt: skip
    assert p.returncode == 0, p.stderr
    _parallel(tmp_path, inputs, f"gzip -nc -- {{}} > {theirs}/{{/.}}.gz")
    gz = {n: d for n, d in listing(ours).items() if n.endswith(".gz")}
    assert len(gz) == len(AWKWARD) and gz == {
        n: d for n, d in listing(theirs).items() if n.endswith(".gz")
    }
    # every replacement string, and the sequence number in the same order
    dump = script(tmp_path, "echo.py", "import sys; print(repr(sys.argv[1:]))")
    strings = ["{}", "{.}", "{/}", "{//}", "{/.}", "{#}"]
    (ours / "rep").mkdir()
    (theirs / "rep").mkdir()
    p = cli("run", "-q", "--no-journal", "--shell", *inputs, "--",
            f"{PY} {dump} {' '.join(strings)} > {ours}/rep/{{#}}")  # fmt: skip
    assert p.returncode == 0, p.stderr
    _parallel(tmp_path, inputs, f"{PY} {dump} {' '.join(strings)} > {theirs}/rep/{{#}}")
    assert listing(ours / "rep") == listing(theirs / "rep")


# --- no process left behind ----------------------------------------------------------------------
def group_members(pgid: int) -> list[int]:
    """Live processes in process group ``pgid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(entry))
    return out


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` (the state it reads sends no events) until it holds or time is up."""
    deadline = time.monotonic() + timeout
    ev = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        ev.wait(0.02)


class Spawned:
    """Commands of SPAWN started in a background job; the pids they wrote."""

    def __init__(self, engine: Engine, tmp_path: Path, mode: str, count: int = 1, **kw) -> None:  # type: ignore[no-untyped-def]
        (tmp_path / "in").mkdir()
        for i in range(count):
            (tmp_path / "in" / f"f {i}").write_text("x")
        self.dir = tmp_path / "pids"
        self.dir.mkdir()
        prog = script(tmp_path, "spawn.py", SPAWN)
        self.stop = threading.Event()
        options = RunOptions(
            command=f"{shlex.join([PY, prog, mode, str(self.dir)])} # {{}}", shell=True, **kw
        )
        self.result: list[object] = []

        def target() -> None:
            self.result.extend(run(engine, tmp_path / "in", options, should_stop=self.stop.is_set))

        self.thread = threading.Thread(target=target)
        self.thread.start()
        if mode not in ("exit", "escape"):
            wait_for(lambda: len(self.pids()) >= count, 30, "the commands to start")

    def pids(self) -> list[tuple[int, int, int]]:
        return [
            tuple(map(int, p.read_text().split()))  # type: ignore[misc]
            for p in self.dir.iterdir()
            if not p.name.startswith(".")
        ]

    def join(self):  # type: ignore[no-untyped-def]
        self.thread.join(60)
        assert not self.thread.is_alive()
        return self.result[0]

    def assert_none_left(self) -> None:
        for group, child, grandchild in self.pids():
            assert wait_for_exit([group, child, grandchild], 10) == []
            assert group_members(group) == [], "a process of the command's group survived"


def test_cancel_ends_the_whole_process_group(engine: Engine, tmp_path: Path) -> None:
    s = Spawned(engine, tmp_path, "sleep", count=2)
    s.stop.set()
    job = s.join()
    assert job.tracker.counts[Status.CANCELLED] == 2
    s.assert_none_left()


def test_the_time_limit_ends_the_whole_process_group(engine: Engine, tmp_path: Path) -> None:
    s = Spawned(engine, tmp_path, "sleep", timeout=0.3)
    job = s.join()
    (r,) = job.tracker.results
    assert r.status == Status.FAILED and r.kind == Kind.TIMED_OUT
    assert r.message == "timed out after 0.3 s: its processes were stopped"
    s.assert_none_left()


def test_nothing_survives_a_sigkilled_worker(engine: Engine, tmp_path: Path) -> None:
    s = Spawned(engine, tmp_path, "sleep")
    ((group, child, grandchild),) = s.pids()
    worker = parent_of(group)  # the command (sh) leads its group; the worker started it
    assert worker in engine.worker_pids()
    assert group_members(group) == sorted({group, child, grandchild})
    os.kill(worker, signal.SIGKILL)  # as the engine does to a worker that does not stop
    assert wait_for_exit([worker, group, child, grandchild], 10) == []
    assert group_members(group) == []
    # The engine retries the file in another worker; cancel that one.
    wait_for(lambda: len(s.pids()) == 2, 30, "the retry to start")
    s.stop.set()
    job = s.join()
    assert job.tracker.counts[Status.CANCELLED] == 1
    s.assert_none_left()


@pytest.mark.parametrize("mode", ["exit", "escape"])
def test_what_a_finished_command_left_running_is_ended(
    engine: Engine, tmp_path: Path, mode: str
) -> None:
    """A background process in its group ("exit"), or one in a session of its own that the
    worker, a child subreaper, inherited ("escape")."""
    s = Spawned(engine, tmp_path, mode)
    job = s.join()
    assert job.tracker.counts[Status.DONE] == 1
    s.assert_none_left()


def test_options_round_trip_through_the_journal_form() -> None:
    from core.options import canonical, from_canonical

    o = RunOptions(command="cp {} {out}", timeout=2.5, naming=NamingRule(collision=Collision.SKIP))
    assert from_canonical(RunOptions, canonical(o)) == o


# --- hover: what a failed command said -----------------------------------------------------------
def test_a_failed_commands_detail_keeps_its_output_tails_and_exit_code(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    for name in ("fails", "fine", "long"):
        (tmp_path / "in" / name).write_text(name)
    prog = script(tmp_path, "prog.py", """
import os, sys
name = os.path.basename(sys.argv[1])
if name == "fine":
    sys.exit(0)
if name == "long":  # far more than a detail keeps
    for i in range(5000):
        print("out %d" % i)
        sys.stderr.write("err %d %s\\n" % (i, "x" * 400 if i == 4999 else ""))
    sys.exit(4)
for i in range(3):
    print("progress %d" % i)
    sys.stderr.write("problem %d\\n" % i)
sys.exit(3)
""")  # fmt: skip
    job, _ = run(engine, tmp_path / "in", RunOptions(command=shlex.join([PY, prog]) + " {}"))
    got = by_name(job)
    fails = got["fails"]
    assert fails.status == Status.FAILED and fails.message == "exit 3: problem 2"  # type: ignore[attr-defined]
    detail = json.loads(fails.detail)  # type: ignore[attr-defined]
    assert detail["exit"] == 3 and 0 < detail["seconds"] < 60
    assert detail["stderr"] == "problem 0\nproblem 1\nproblem 2"
    assert detail["stdout"] == "progress 0\nprogress 1\nprogress 2"
    assert got["fine"].detail == ""  # type: ignore[attr-defined]  # a done row keeps none
    long = json.loads(got["long"].detail)  # type: ignore[attr-defined]
    err_lines, out_lines = long["stderr"].splitlines(), long["stdout"].splitlines()
    assert len(err_lines) == len(out_lines) == 20  # the last lines only, each bounded
    assert out_lines[-1] == "out 4999" and err_lines[0] == "err 4980"
    assert err_lines[-1].startswith("…") and len(err_lines[-1]) == 301
    assert len(got["long"].detail) < 2 * 4096 + 200  # type: ignore[attr-defined]


def test_details_are_journaled_and_exported(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "f").write_text("x")
    jpath = str(tmp_path / "journal.sqlite")
    prog = script(tmp_path, "p.py", "import sys; print('said'); sys.exit('went wrong')")
    p = cli("run", "-q", "--journal", jpath, str(tmp_path / "in"), "--", PY, prog, "{}")
    assert p.returncode == 1, p.stderr
    p = cli("jobs", "export", "--journal", jpath, "--format", "json", "last")
    assert p.returncode == 0, p.stderr
    (rec,) = json.loads(p.stdout)["results"]
    assert rec["message"] == "exit 1: went wrong"
    assert rec["detail"]["stderr"] == "went wrong" and rec["detail"]["stdout"] == "said"
    assert rec["detail"]["exit"] == 1


# --- pause stops the command's whole process group -----------------------------------------------
# Appends a counter to child.log every 5 ms (and its grandchild, in its group, to
# grandchild.log) until a file "finish" appears; writes "pgid pid grandchild" to "pids" first;
# on SIGTERM writes "terminated" and exits.
PACE = """
import os, signal, subprocess, sys, time
d = sys.argv[1]
def term(*_):
    open(os.path.join(d, "terminated"), "w").close()
    os._exit(0)
signal.signal(signal.SIGTERM, term)
tick = "import sys, time\\nf = open(sys.argv[1], 'a', buffering=1)\\nn = 0\\nwhile True:\\n" \\
       "    n += 1; f.write('%d\\\\n' % n); time.sleep(0.005)\\n"
g = subprocess.Popen([sys.executable, "-c", tick, os.path.join(d, "grandchild.log")])
with open(os.path.join(d, ".pids"), "w") as f:
    f.write("%d %d %d" % (os.getpgrp(), os.getpid(), g.pid))
os.rename(os.path.join(d, ".pids"), os.path.join(d, "pids"))
n = 0
with open(os.path.join(d, "child.log"), "a", buffering=1) as f:
    while not os.path.exists(os.path.join(d, "finish")):
        n += 1
        f.write("%d\\n" % n)
        time.sleep(0.005)
"""
STOPPED_LOOK = 2.5  # seconds a paused command is watched (longer than its time limit)


def proc_state(pid: int) -> str:
    """The state letter in /proc/PID/stat ("T": stopped; "" once the process is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


class Paced:
    """A PACE command run in a background job that the test pauses, resumes and cancels."""

    def __init__(self, engine: Engine, tmp_path: Path, **kw) -> None:  # type: ignore[no-untyped-def]
        from core.session import Session

        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "f").write_text("x")
        self.dir = tmp_path / "run"
        self.dir.mkdir()
        prog = script(tmp_path, "pace.py", PACE)
        options = RunOptions(command=shlex.join([PY, prog, str(self.dir)]) + " {}", **kw)
        plan = get("run").plan(scan([str(tmp_path / "in")]), options)
        self.session = Session(engine, "run", options, plan)
        self.job = self.session.plan()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=run_session, args=(self.session,), kwargs={"should_stop": self.stop.is_set}
        )
        self.thread.start()
        pids = self.dir / "pids"
        wait_for(pids.exists, 30, "the command to start")
        self.group, self.child, self.grandchild = map(int, pids.read_text().split())
        assert self.group == self.child  # without a shell the program leads its group
        wait_for(lambda: self.sizes() > (0, 0), 30, "both processes to write")

    def sizes(self) -> tuple[int, int]:
        def size(name: str) -> int:
            p = self.dir / name
            return p.stat().st_size if p.exists() else 0

        return size("child.log"), size("grandchild.log")

    def states(self) -> tuple[str, str]:
        return proc_state(self.child), proc_state(self.grandchild)

    def pause_and_watch(self) -> None:
        """Pause; once both are stopped, their logs stand still for STOPPED_LOOK seconds."""
        self.job.pause()
        wait_for(lambda: self.states() == ("T", "T"), 10, "the command's group to stop")
        self.still = self.sizes()
        threading.Event().wait(STOPPED_LOOK)  # a window to watch, not a wait for something
        assert self.states() == ("T", "T") and self.sizes() == self.still

    def join(self) -> None:
        self.thread.join(60)
        assert not self.thread.is_alive()

    def assert_none_left(self) -> None:
        assert wait_for_exit([self.child, self.grandchild], 10) == []
        assert group_members(self.group) == [], "a process of the command's group survived"


def test_pause_stops_the_commands_group_and_resume_continues_it(
    engine: Engine, tmp_path: Path
) -> None:
    p = Paced(engine, tmp_path, timeout=2.0)  # paused longer than that: not counted
    p.pause_and_watch()
    before = p.sizes()
    p.job.resume()
    wait_for(lambda: "T" not in p.states(), 10, "the command's group to continue")
    wait_for(lambda: all(a > b for a, b in zip(p.sizes(), before, strict=True)), 10,
             "both processes to write again")  # fmt: skip
    (p.dir / "finish").touch()
    p.join()
    (r,) = p.job.tracker.results
    assert r is not None and r.status == Status.DONE, r
    seconds = float(r.value.split()[3])  # "exit 0 in 1.23 s": paused time not counted
    assert seconds < 2.0
    assert not (p.dir / "terminated").exists()
    p.assert_none_left()


def test_cancel_while_paused_ends_the_stopped_group(engine: Engine, tmp_path: Path) -> None:
    p = Paced(engine, tmp_path)
    p.pause_and_watch()
    p.stop.set()  # cancel, as a stop signal or the Cancel button does
    p.join()
    assert p.job.tracker.counts[Status.CANCELLED] == 1
    # SIGTERM, then SIGCONT: the command woke up to its SIGTERM (not only the later SIGKILL),
    # and the grandchild ended on it without running on
    assert (p.dir / "terminated").exists()
    assert p.sizes()[1] == p.still[1]
    p.assert_none_left()
