"""Black-box fault injection for ``parabatch-cli``.

Each run builds its own corpus, starts the real command line (its own session, a private TMPDIR,
and a marker variable ``PARABATCH_FAULT_TAG=<uuid>`` that its workers inherit), injects one fault
at a random moment, waits for it with a bound, and returns every broken invariant as a
:class:`Violation` (category, detail, item count). Nothing here imports the engine: the command
line is the only interface, so the harness keeps working while the engine is rewritten, and it
imports nothing outside the standard library, so ``run_many.py`` runs it without pytest.

Every wait is bounded and wakes early: on the CLI's pidfd (readable the moment it exits) or on the
pidfds of the processes waited for. State that sends no event (/proc, the size of the output file)
is looked at every 20 ms at most (every 1-5 ms while timing a fault), always against a deadline.
A CLI that does not exit in time is reported as a hang with its process tree and the Python
stacks of all its threads (faulthandler, through SIGABRT), then its whole tree is SIGKILLed.

The invariants (see the check_* functions): no hang; exit code 0 or 1, 130 exactly when
SIGINT/SIGTERM/SIGHUP reached the CLI before it had finished, -9 after its SIGKILL; no tagged
process left 3 s after the exit; no ``.partial-`` file and no ``parabatch-*`` temp folder left
(after a SIGKILL of the CLI: once a second, unharmed run in the same folders has succeeded); a
good manifest is never emptied, truncated or replaced unless by a complete correct one on exit 0;
``--json`` output is JSON lines with exactly one record per input, each in a final state, done
ones with the right value, and a last summary that adds up; no Python traceback on stderr. Also
reported: runs that exit but stall (``slow``), more failed files than worker faults
(``collateral``), and interrupts that take more than 3 s (``slow_cancel``).

Linux only (/proc, pidfds).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import random
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
TAG_VAR = "PARABATCH_FAULT_TAG"
MANIFEST_NAME = "SHA256SUMS"
FINAL_STATES = frozenset({"done", "failed", "skipped", "cancelled"})
TRACEBACK = "Traceback (most recent call last)"
PARTIAL_MARK = ".partial-"
TEMP_PREFIX = "parabatch-"
# Options the engine is gaining right now; dropped (with a note) when the CLI does not know them.
DEFAULT_EXTRA_ARGS: tuple[str, ...] = ("--watchdog", "2")
WORKERS = 2
POLL = 0.02  # seconds between looks at state that sends no event
ORPHAN_GRACE = 3.0  # seconds after the CLI's exit for tagged processes to go
CANCEL_LATENCY = 3.0  # seconds from SIGINT/SIGTERM/SIGHUP to exit ("about a second" + printing)
# A run that exits but takes this long (plus a storm's length, plus two watchdog periods after a
# SIGSTOP) stalled somewhere: a normal run here takes about a second.
SLOW_AFTER = 8.0
KIB, MIB = 1024, 1024 * 1024

KINDS = ("none", "worker_kill", "kill_storm", "worker_stop", "cli_signal", "cli_kill")
MIXED_WEIGHTS = {
    "none": 1,
    "worker_kill": 6,
    "kill_storm": 2,
    "worker_stop": 2,
    "cli_signal": 4,
    "cli_kill": 1,
}
CLI_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

# Violation categories, in table order, with the label run_many.py prints.
CATEGORIES: dict[str, str] = {
    "hang": "hangs",
    "slow": "slow runs (no hang)",
    "orphan": "orphans",
    "partial": "partials",
    "temp_dir": "temp folders",
    "manifest": "empty or replaced manifests",
    "final_state": "inputs without a final state",
    "exit_code": "bad exit codes",
    "traceback": "tracebacks",
    "json": "invalid JSON",
    "wrong_result": "wrong results",
    "collateral": "collateral failures",
    "slow_cancel": "slow cancels",
    "cli_option": "unsupported CLI options",
    "harness": "harness errors",
}


class HarnessError(Exception):
    """The harness itself could not do its part (corpus, reference tool): not a CLI failure."""


@dataclasses.dataclass(frozen=True)
class Violation:
    category: str
    detail: str
    count: int = 1  # items concerned: orphan processes, partial files, inputs...

    def __str__(self) -> str:
        return f"{self.category}: {self.detail}"


# --- /proc ---------------------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/PID/stat (state first), or None when the process is gone."""
    data = _read(f"/proc/{pid}/stat")
    if not data:
        return None
    return data.rsplit(b")", 1)[1].decode().split()


def proc_state(pid: int) -> str | None:
    fields = proc_stat(pid)
    return fields[0] if fields else None


def cpu_seconds(pid: int) -> float:
    fields = proc_stat(pid)
    if not fields:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cmdline(pid: int) -> str:
    data = _read(f"/proc/{pid}/cmdline") or b""
    return data.replace(b"\0", b" ").decode(errors="replace").strip()


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        data = _read(f"/proc/{pid}/task/{task}/children")
        if data:
            out.extend(int(p) for p in data.split())
    return sorted(set(out))


def descendants(pid: int) -> list[int]:
    out: list[int] = []
    todo = children(pid)
    while todo:
        p = todo.pop()
        if p not in out:
            out.append(p)
            todo.extend(children(p))
    return sorted(out)


def role(cmd: str) -> str:
    if not cmd:
        return "exited"  # a zombie has no command line
    if "resource_tracker" in cmd:
        return "resource-tracker"
    if "forkserver" in cmd:
        return "forkserver"
    if "spawn_main" in cmd or "multiprocessing-fork" in cmd:
        return "worker"
    return "cli"


def live(pid: int) -> bool:
    return proc_state(pid) not in (None, "Z", "X")


def worker_pids(cli_pid: int) -> list[int]:
    """The CLI's live worker processes (multiprocessing spawn children, not its resource
    tracker), whatever thread started them."""
    return [p for p in descendants(cli_pid) if role(cmdline(p)) == "worker" and live(p)]


def sig_caught(pid: int, signum: int) -> bool:
    """Whether ``pid`` has a handler for ``signum`` (SigCgt in /proc/PID/status)."""
    data = _read(f"/proc/{pid}/status") or b""
    m = re.search(rb"^SigCgt:\s*([0-9a-fA-F]+)", data, re.M)
    return bool(m) and bool(int(m.group(1), 16) >> (signum - 1) & 1)


def tagged_pids(tag: str) -> list[int]:
    """Live processes whose environment carries ``PARABATCH_FAULT_TAG=tag``. Only the presence
    of the marker is looked at; nothing else of another process's environment is kept."""
    needle = f"{TAG_VAR}={tag}".encode()
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, me):
            continue
        data = _read(f"/proc/{entry}/environ")
        if data and needle in data.split(b"\0") and live(int(entry)):
            out.append(int(entry))
    return out


def describe_pid(pid: int) -> str:
    fields = proc_stat(pid)
    if not fields:
        return f"{pid} (gone)"
    wchan = (_read(f"/proc/{pid}/wchan") or b"?").decode(errors="replace") or "-"
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return (
        f"{pid} {role(cmdline(pid))} state={fields[0]} ppid={fields[1]} cpu={cpu:.2f}s "
        f"wchan={wchan}"
    )


def open_paths(pid: int, under: str) -> list[str]:
    """Files under ``under`` that ``pid`` has open or memory-mapped."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith(under):
                    found.add(target)
    maps = (_read(f"/proc/{pid}/maps") or b"").decode(errors="replace")
    for line in maps.splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[5].startswith(under):
            found.add(parts[5])
    return sorted(found)


# --- bounded waits on pidfds ---------------------------------------------------------------------


def wait_pids_exit(pids: Iterable[int], timeout: float) -> list[int]:
    """Wait until every process in ``pids`` has exited (pidfds, no naps); returns those still
    alive at the deadline."""
    fds: dict[int, int] = {}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            fds[os.pidfd_open(pid)] = pid
    deadline = time.monotonic() + timeout
    try:
        while fds:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(fds), [], [], left)
            for fd in ready:
                fds.pop(fd)
                os.close(fd)
        return sorted(p for p in fds.values() if live(p))
    finally:
        for fd in fds:
            os.close(fd)


def kill_tagged(tag: str, timeout: float = 5.0) -> list[int]:
    """SIGKILL every process carrying ``tag``; returns those still alive after ``timeout``."""
    pids = tagged_pids(tag)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return wait_pids_exit(pids, timeout)


# --- the command line ----------------------------------------------------------------------------


def cli_command() -> tuple[list[str], dict[str, str]]:
    """How to start the CLI, and what to add to its environment.

    ``PARABATCH_CLI`` (split like a shell) overrides, e.g. to test another checkout:
    ``PARABATCH_CLI='env PYTHONPATH=/tmp/other /work/main/.venv/bin/python -m core'``.
    """
    override = os.environ.get("PARABATCH_CLI")
    if override:
        return shlex.split(override), {}
    for candidate in (
        Path(sys.executable).with_name("parabatch-cli"),
        REPO / ".venv" / "bin" / "parabatch-cli",
    ):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)], {}
    return [sys.executable, "-m", "core"], {"PYTHONPATH": str(REPO)}


@functools.cache
def supported_options(command: str) -> frozenset[str]:
    """The long options ``parabatch-cli COMMAND --help`` lists (empty if the help fails)."""
    cmd, extra_env = cli_command()
    try:
        r = subprocess.run(
            [*cmd, command, "--help"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **extra_env},
            cwd="/",  # as the runs do, away from any checkout (python -m puts the cwd first)
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    if r.returncode != 0:
        return frozenset()
    return frozenset(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", r.stdout))


def filter_options(command: str, extra: Sequence[str]) -> tuple[list[str], list[str]]:
    """``extra`` without the long options the CLI does not list (with their values).

    Returns (kept, dropped). When the help cannot be read (the CLI is broken) nothing is
    dropped: the runs then show the breakage themselves.
    """
    known = supported_options(command)
    if not known:
        return list(extra), []
    kept: list[str] = []
    dropped: list[str] = []
    i = 0
    while i < len(extra):
        arg = extra[i]
        takes_value = arg.startswith("--") and "=" not in arg
        group = [arg]
        if takes_value and i + 1 < len(extra) and not extra[i + 1].startswith("-"):
            group.append(extra[i + 1])
        name = arg.split("=", 1)[0]
        (kept if not name.startswith("--") or name in known else dropped).extend(group)
        i += len(group)
    return kept, dropped


def describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit"
    if code < 0:
        try:
            return f"{code} (killed by {signal.Signals(-code).name})"
        except ValueError:
            return f"{code} (killed by signal {-code})"
    return str(code)


class CliRun:
    """One ``parabatch-cli`` process under test.

    Started in its own session with stdout and stderr to files, a private TMPDIR and a fresh
    fault tag. Every wait is bounded; :meth:`close` (also on ``with`` exit) SIGKILLs whatever of
    its tree is left and closes every descriptor.
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        run_dir: Path,
        name: str = "cli",
        tmpdir: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        cmd, extra_env = cli_command()
        self.argv = [*cmd, *args]
        self.tag = uuid.uuid4().hex
        self.tmpdir = tmpdir if tmpdir is not None else run_dir / "tmp"
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = run_dir / f"{name}.stdout"
        self.stderr_path = run_dir / f"{name}.stderr"
        env = {
            **os.environ,
            **extra_env,
            "TMPDIR": str(self.tmpdir),
            TAG_VAR: self.tag,
            "PYTHONFAULTHANDLER": "1",  # SIGABRT on a hang prints every thread's stack
        }
        self._out: IO[bytes] = open(self.stdout_path, "wb")  # noqa: SIM115 - closed in close()
        self._err: IO[bytes] = open(self.stderr_path, "wb")  # noqa: SIM115
        self.cwd = cwd if cwd is not None else run_dir
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=self._err,
                cwd=self.cwd,
                env=env,
                start_new_session=True,
            )
        except BaseException:
            self._out.close()
            self._err.close()
            raise
        self.pid = self.proc.pid
        self.pidfd = os.pidfd_open(self.pid)
        self.returncode: int | None = None
        self.ended: float | None = None
        self._closed = False

    # --- time and state ---
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def exited(self) -> bool:
        return bool(select.select([self.pidfd], [], [], 0)[0])

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the CLI exits first; True if it has exited."""
        if seconds <= 0:
            return self.exited()
        return bool(select.select([self.pidfd], [], [], seconds)[0])

    def wait_for(self, condition: Callable[[], bool], timeout: float, step: float = POLL) -> bool:
        """Wait until ``condition()`` holds; False at the deadline or when the CLI exited
        without it holding."""
        deadline = time.monotonic() + timeout
        while True:
            if condition():
                return True
            left = deadline - time.monotonic()
            if left <= 0 or self.pause(min(step, left)):
                return condition()

    def workers(self) -> list[int]:
        return worker_pids(self.pid)

    def wait_workers(self, timeout: float) -> list[int]:
        self.wait_for(lambda: bool(self.workers()), timeout)
        return self.workers()

    def stdout_size(self) -> int:
        if self._out.closed:
            return self.stdout_path.stat().st_size
        return os.fstat(self._out.fileno()).st_size

    def send(self, sig: int) -> bool:
        """Signal the CLI itself (not its group); False if it had exited already."""
        if self.exited() or not live(self.pid):
            return False
        try:
            signal.pidfd_send_signal(self.pidfd, sig)
        except ProcessLookupError:
            return False
        return True

    # --- the end ---
    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if the CLI is still running after ``timeout``."""
        if self.returncode is None:
            if not self.pause(max(0.0, timeout)):
                return None
            self.returncode = self.proc.wait()
            self.ended = time.monotonic()
        return self.returncode

    def hang_report(self) -> str:
        """The process tree and every Python thread's stack of a CLI that did not exit, then
        SIGKILL of the whole tree."""
        tree = [describe_pid(self.pid)] + [describe_pid(p) for p in descendants(self.pid)]
        size_before = self.stderr_path.stat().st_size
        if self.send(signal.SIGABRT):  # faulthandler dumps the stacks, then the CLI dies
            self.pause(2.0)
        with open(self.stderr_path, "rb") as f:
            f.seek(size_before)
            dump = summarize_stacks(f.read().decode(errors="replace"))
        self.kill_all()
        return "processes: " + "; ".join(tree) + (f"; stacks: {dump}" if dump else "")

    def kill_all(self) -> None:
        """SIGKILL the CLI's process group and every tagged process; reap the CLI."""
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)
        kill_tagged(self.tag)
        if self.returncode is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.returncode = self.proc.wait(timeout=5)
                self.ended = time.monotonic()

    def orphans(self, grace: float = ORPHAN_GRACE) -> list[str]:
        """Tagged processes still alive ``grace`` seconds after the CLI exited (described, then
        SIGKILLed so that runs do not pile up)."""
        deadline = time.monotonic() + grace
        while True:
            pids = tagged_pids(self.tag)
            left = deadline - time.monotonic()
            if not pids or left <= 0:
                break
            wait_pids_exit(pids, min(left, 0.25))  # wakes the moment they exit
        described = [describe_pid(p) for p in pids]
        kill_tagged(self.tag)
        return described

    def stdout(self) -> bytes:
        return self.stdout_path.read_bytes()  # the CLI writes the file itself: nothing to flush

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.returncode is None or tagged_pids(self.tag):
            self.kill_all()
        os.close(self.pidfd)
        self._out.close()
        self._err.close()

    def __enter__(self) -> CliRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def summarize_stacks(text: str, frames: int = 4) -> str:
    """faulthandler's dump, shortened to the innermost frames of each thread."""
    out: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith(("Thread 0x", "Current thread 0x")):
            if current:
                out.append(" <- ".join(current))
            current = [line.split(" (most recent", 1)[0] + ":"]
        elif current and line.startswith("  File ") and len(current) <= frames:
            m = re.match(r'\s*File "([^"]+)", line (\d+) in (\S+)', line)
            if m:
                current.append(f"{os.path.basename(m.group(1))}:{m.group(2)} {m.group(3)}")
    if current:
        out.append(" <- ".join(current))
    return " | ".join(out)


# --- corpus --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Corpus:
    work: Path  # the manifest's folder
    data: Path  # the folder that is checksummed
    manifest: Path
    digests: dict[str, str]  # absolute path -> sha256 of every listed/scanned input
    unlisted: list[str]  # names relative to ``work`` that the manifest does not list
    good_manifest: bytes | None  # the manifest's bytes before the run (None: no manifest)
    total_bytes: int
    sparse: frozenset[str] = frozenset()  # names relative to ``work`` of the sparse busy files

    def rel(self, path: str) -> str:
        return os.path.relpath(path, self.work)


@functools.cache
def zeros_sha256(size: int) -> str:
    """sha256 of ``size`` zero bytes: the content of a sparse file (computed once per size)."""
    h = hashlib.sha256()
    block = bytes(MIB)
    for _ in range(size // MIB):
        h.update(block)
    h.update(bytes(size % MIB))
    return h.hexdigest()


@functools.cache
def _random_pool() -> bytes:
    return os.urandom(8 * MIB)


def _write(path: str, chunks: Sequence[bytes | memoryview]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _content(rng: random.Random, size: int) -> list[bytes | memoryview]:
    """Random bytes: a fresh 16-byte prefix (so every file differs) and slices of a random pool."""
    pool = memoryview(_random_pool())
    head = os.urandom(min(16, size))
    parts: list[bytes | memoryview] = [head]
    left = size - len(head)
    while left > 0:
        start = rng.randrange(0, len(pool) - 1)
        piece = pool[start : start + min(left, len(pool) - start)]
        parts.append(piece)
        left -= len(piece)
    return parts


def sha256sum_manifest(work: Path, rels: Sequence[str]) -> bytes:
    """A manifest made by the real ``sha256sum`` in ``work``."""
    tool = shutil.which("sha256sum")
    if tool is None:
        raise HarnessError("sha256sum is not installed (coreutils)")
    out = bytearray()
    for i in range(0, len(rels), 4000):
        r = subprocess.run(
            [tool, "--", *rels[i : i + 4000]],
            cwd=work,
            capture_output=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if r.returncode != 0:
            raise HarnessError(f"sha256sum failed: {r.stderr.decode(errors='replace')[:300]}")
        out += r.stdout
    return bytes(out)


def build_corpus(
    work: Path,
    rng: random.Random,
    *,
    n_small: int,
    large_sizes: Sequence[int] = (),
    sparse_sizes: Sequence[int] = (),
    with_manifest: bool = False,
    n_unlisted: int = 0,
    small_range: tuple[int, int] = (1 * KIB, 16 * KIB),
    per_dir: int = 250,
) -> Corpus:
    """``work/data/dNNN/fNNNNN.bin`` (random bytes), optionally a good ``work/SHA256SUMS`` made
    with sha256sum, and ``n_unlisted`` files the manifest does not list (after it was made).

    ``sparse_sizes``: big sparse files (``data/busy/``, all zeros, free to make) that keep the
    workers busy for seconds, so that a kill storm or a stopped worker lands mid-job. sha256sum
    would take far longer than the job to read them, so their manifest lines come from hashlib
    (same format), and :func:`check_manifest` leaves them out of its ``sha256sum -c``."""
    data = work / "data"
    data.mkdir(parents=True)
    digests: dict[str, str] = {}
    total = 0
    sizes = [rng.randint(*small_range) for _ in range(n_small)] + list(large_sizes)
    for i, size in enumerate(sizes):
        folder = data / f"d{i // per_dir:03d}"
        if i % per_dir == 0:
            folder.mkdir()
        kind = "f" if i < n_small else "big"
        path = str(folder / f"{kind}{i:05d}.bin")
        parts = _content(rng, size)
        h = hashlib.sha256()
        for p in parts:
            h.update(p)
        _write(path, parts)
        digests[path] = h.hexdigest()
        total += size
    sparse: dict[str, str] = {}
    if sparse_sizes:
        (data / "busy").mkdir()
    for i, size in enumerate(sparse_sizes):
        path = str(data / "busy" / f"s{i:02d}.bin")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)
        digests[path] = sparse[os.path.relpath(path, work)] = zeros_sha256(size)
        total += size
    manifest = work / MANIFEST_NAME
    good = None
    if with_manifest:
        # In a shuffled order: a manifest the CLI rewrote (it sorts) never looks untouched.
        rels = [r for r in sorted(os.path.relpath(p, work) for p in digests) if r not in sparse]
        rng.shuffle(rels)
        lines = sha256sum_manifest(work, rels).splitlines(keepends=True)
        for rel, digest in sparse.items():
            lines.insert(rng.randint(0, len(lines)), f"{digest}  {rel}\n".encode())
        good = b"".join(lines)
        listed, problems = parse_manifest(good)
        expect = {os.path.relpath(p, work): d for p, d in digests.items()}
        if problems or listed != expect:
            raise HarnessError("sha256sum's manifest disagrees with hashlib: harness bug")
        _write(str(manifest), [good])
    unlisted = []
    if n_unlisted:
        (data / "extra").mkdir()
        for i in range(n_unlisted):
            path = data / "extra" / f"u{i:03d}.bin"
            _write(str(path), _content(rng, rng.randint(*small_range)))
            unlisted.append(os.path.relpath(path, work))
    return Corpus(work, data, manifest, digests, sorted(unlisted), good, total, frozenset(sparse))


MANIFEST_LINE = re.compile(rb"^\\?([0-9a-fA-F]{64}) [ *](.+)$")


def parse_manifest(data: bytes) -> tuple[dict[str, str], list[str]]:
    """(relative name -> digest, problems) of a GNU sha256 manifest."""
    problems: list[str] = []
    entries: dict[str, str] = {}
    if not data:
        return entries, ["empty"]
    if not data.endswith(b"\n"):
        problems.append(f"does not end with a newline (truncated?): ...{data[-60:]!r}")
    for n, line in enumerate(data.split(b"\n")[:-1], 1):
        m = MANIFEST_LINE.match(line)
        if not m:
            problems.append(f"line {n} malformed: {line[:80]!r}")
            continue
        name = os.fsdecode(m.group(2))
        if name in entries:
            problems.append(f"line {n} lists {name} again")
        entries[name] = m.group(1).decode().lower()
    last = data.split(b"\n")[-1]
    if last and not MANIFEST_LINE.match(last):
        problems.append(f"last line cut short: {last[:80]!r}")
    return entries, problems


# --- checks --------------------------------------------------------------------------------------


# A worker being spawned when the CLI is SIGKILLed: its bootstrap (multiprocessing's spawn_main,
# before any of our code runs) finds the pipe that should bring its start-up data closed. Nothing
# can catch that (the CLI is gone, the child runs no code of ours yet); it is the one traceback
# a kill -9 of the CLI may leave, and it says nothing about lost work.
SPAWN_EOF = ("multiprocessing/spawn.py", "EOFError: Ran out of input")


def check_traceback(stderr: str, *, cli_killed: bool = False) -> list[Violation]:
    """A Python traceback on stderr, with the exception line(s) it ended with (``cli_killed``:
    the CLI got SIGKILL, so a spawning worker's bootstrap traceback is not counted)."""
    if TRACEBACK not in stderr:
        return []
    endings = []
    n = 0
    for block in stderr.split(TRACEBACK)[1:]:
        if cli_killed and all(mark in block for mark in SPAWN_EOF):
            continue
        n += 1
        for line in block.splitlines()[1:]:
            if line and not line.startswith(" "):
                endings.append(line.strip()[:160])
                break
    if not n:
        return []
    return [Violation("traceback", f"{n} traceback(s) on stderr: {' / '.join(endings)}", n)]


def check_partials(folder: Path) -> list[Violation]:
    found = [
        os.path.join(d, name)
        for d, _dirs, names in os.walk(folder)
        for name in names
        if PARTIAL_MARK in name
    ]
    if not found:
        return []
    shown = ", ".join(os.path.relpath(p, folder) for p in sorted(found)[:5])
    return [Violation("partial", f"{len(found)} .partial- file(s) left: {shown}", len(found))]


def check_tempdirs(tmpdir: Path) -> list[Violation]:
    try:
        left = sorted(n for n in os.listdir(tmpdir) if n.startswith(TEMP_PREFIX))
    except OSError:
        return []
    if not left:
        return []
    shown = ", ".join(left[:5])
    return [Violation("temp_dir", f"{len(left)} {TEMP_PREFIX}* folder(s) in TMPDIR: {shown}")]


def check_orphans(described: list[str]) -> list[Violation]:
    if not described:
        return []
    return [
        Violation(
            "orphan",
            f"{len(described)} tagged process(es) alive {ORPHAN_GRACE:.0f}s after the CLI "
            f"exited: {'; '.join(described)}",
            len(described),
        )
    ]


@dataclasses.dataclass
class JsonStats:
    parsed: bool = False  # every line parsed and a summary came last
    records: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)
    summary: dict[str, Any] | None = None
    lines: list[str] = dataclasses.field(default_factory=list)  # the summary's report lines
    error: str | None = None  # the summary's "error"
    complete: bool = False  # exactly one final record per input

    def failed_messages(self, n: int = 3) -> str:
        msgs = [
            f"{os.path.basename(p)}: {r.get('message', '?')}"
            for p, r in self.records.items()
            if r.get("status") == "failed"
        ]
        return "; ".join(msgs[:n])


def check_json(
    stdout: bytes,
    inputs: dict[str, str],
    *,
    cwd: Path,
    command: str,
    unlisted: Sequence[str] | None = None,
) -> tuple[list[Violation], JsonStats]:
    """The --json output: JSON lines, one record per input with a final status, right values,
    and a last summary line whose counts add up. ``inputs``: absolute path -> sha256."""
    v: list[Violation] = []
    st = JsonStats()
    if not stdout:
        v.append(Violation("json", "stdout is empty: no records and no summary"))
        v.append(
            Violation(
                "final_state",
                f"{len(inputs)} of {len(inputs)} inputs have no record",
                len(inputs),
            )
        )
        return v, st
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        v.append(Violation("json", f"stdout is not UTF-8: {e}"))
        text = stdout.decode("utf-8", "replace")
    lines = text.split("\n")
    if lines[-1]:
        v.append(
            Violation("json", f"output ends without a newline (cut short): {lines[-1][:80]!r}")
        )
    lines = [ln for ln in lines if ln]
    bad: list[str] = []
    summaries: list[int] = []
    dup: list[str] = []
    unknown: list[str] = []
    for n, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append(f"line {n + 1}: {line[:80]!r}")
            continue
        if not isinstance(obj, dict):
            bad.append(f"line {n + 1} is not an object: {line[:80]!r}")
            continue
        if "summary" in obj:
            summaries.append(n)
            st.summary = obj["summary"] if isinstance(obj["summary"], dict) else None
            st.lines = [str(x) for x in obj.get("lines") or []]
            st.error = obj.get("error")
            continue
        path = obj.get("path")
        if not isinstance(path, str) or "status" not in obj:
            bad.append(f"line {n + 1} has no path or status: {line[:80]!r}")
            continue
        full = os.path.normpath(os.path.join(cwd, path))
        if full not in inputs:
            unknown.append(path)
        elif full in st.records:
            dup.append(path)
        st.records[full] = obj
    if bad:
        v.append(
            Violation("json", f"{len(bad)} line(s) not valid JSON records: {bad[0]}", len(bad))
        )
    if not summaries:
        v.append(Violation("json", "no summary line"))
    elif len(summaries) > 1:
        v.append(Violation("json", f"{len(summaries)} summary lines"))
    elif summaries[0] != len(lines) - 1:
        v.append(Violation("json", "the summary is not the last line"))
    if unknown:
        v.append(
            Violation(
                "json", f"{len(unknown)} record(s) for unknown paths: {unknown[0]}", len(unknown)
            )
        )
    if dup:
        v.append(Violation("json", f"{len(dup)} input(s) with several records: {dup[0]}", len(dup)))
    for r in st.records.values():
        st.statuses[str(r.get("status"))] += 1
    missing = [p for p in inputs if p not in st.records]
    not_final = {
        p: r.get("status") for p, r in st.records.items() if r.get("status") not in FINAL_STATES
    }
    if missing or not_final:
        parts = []
        if missing:
            parts.append(f"{len(missing)} without a record (e.g. {os.path.basename(missing[0])})")
        if not_final:
            seen = Counter(str(s) for s in not_final.values())
            parts.append(f"{len(not_final)} with a non-final status {dict(seen)}")
        n = len(missing) + len(not_final)
        v.append(Violation("final_state", f"{n} of {len(inputs)} inputs: {', '.join(parts)}", n))
    wrong = []
    for p, r in st.records.items():
        if r.get("status") != "done" or p not in inputs:
            continue
        value = r.get("value")
        ok = value == inputs[p] if command == "checksum" else value in ("OK", inputs[p])
        if not ok:
            wrong.append(f"{os.path.basename(p)}={value!r}")
    if wrong:
        v.append(
            Violation(
                "wrong_result",
                f"{len(wrong)} done record(s) with a wrong value: {wrong[0]}",
                len(wrong),
            )
        )
    if st.summary is not None:
        s = st.summary
        counts = {k: s.get(k) for k in ("files", "done", "failed", "skipped", "cancelled")}
        if not all(isinstance(x, int) for x in counts.values()):
            v.append(Violation("json", f"summary counts missing or not integers: {counts}"))
        else:
            total = sum(counts[k] for k in ("done", "failed", "skipped", "cancelled"))  # type: ignore[misc]
            if counts["files"] != len(inputs) or total != len(inputs):
                v.append(
                    Violation(
                        "json",
                        f"summary counts {counts} do not add up to the {len(inputs)} inputs",
                    )
                )
            for k in ("done", "failed", "skipped", "cancelled"):
                if counts[k] != st.statuses.get(k, 0):
                    v.append(
                        Violation(
                            "json",
                            f"summary says {counts[k]} {k}, the records {st.statuses.get(k, 0)}",
                        )
                    )
    st.parsed = not bad and len(summaries) == 1 and summaries[0] == len(lines) - 1
    st.complete = not missing and not not_final and not dup and not unknown
    if unlisted is not None and st.summary is not None and st.statuses.get("cancelled", 0) == 0:
        shown = sorted(
            ln.removeprefix("UNLISTED: ") for ln in st.lines if ln.startswith("UNLISTED: ")
        )
        if shown != sorted(unlisted):
            v.append(
                Violation(
                    "wrong_result",
                    f"--unlisted reported {len(shown)} file(s) {shown[:3]}, "
                    f"expected {len(unlisted)} {list(unlisted)[:3]}",
                )
            )
    return v, st


def check_manifest(
    corpus: Corpus, command: str, code: int | None, stats: JsonStats | None
) -> list[Violation]:
    """The manifest at the target path after a run of ``command``.

    verify: untouched. checksum: never empty, truncated or malformed; a good manifest that was
    there is byte-identical afterwards, or (exit 0, or the CLI SIGKILLed after writing it) a
    correct complete one; without one before, exit 0 leaves a correct complete manifest, exit 1
    at most a correct one listing the done files, any other exit none (or a complete one).
    Exit 0: ``sha256sum -c --quiet`` accepts it."""
    before = corpus.good_manifest
    try:
        after: bytes | None = corpus.manifest.read_bytes()
    except FileNotFoundError:
        after = None
    if command != "checksum":
        if after != before:
            return [Violation("manifest", "verify changed or removed the manifest it read")]
        return []
    expect = {corpus.rel(p): d for p, d in corpus.digests.items()}
    v: list[Violation] = []
    listed: dict[str, str] = {}
    problems: list[str] = []
    if after is not None:
        listed, problems = parse_manifest(after)
        if problems:
            v.append(
                Violation(
                    "manifest",
                    f"manifest is empty, truncated or malformed ({len(after)} bytes): "
                    + "; ".join(problems[:3]),
                )
            )
    wrong = sorted(n for n, d in listed.items() if expect.get(n) != d)
    complete = not problems and not wrong and set(listed) == set(expect)
    subset_ok = not problems and not wrong
    what = (
        "complete"
        if complete
        else f"lists {len(listed)} of {len(expect)} files, {len(wrong)} wrong or unknown"
    )
    if before is not None:
        if after is None:
            v.append(
                Violation("manifest", f"the good manifest was removed (exit {describe_exit(code)})")
            )
        elif after != before and not (code in (0, -signal.SIGKILL) and complete):
            # (a CLI SIGKILLed after it wrote a complete manifest had finished that part)
            v.append(
                Violation(
                    "manifest",
                    f"the good manifest was replaced (exit {describe_exit(code)}); "
                    f"the new one {what}",
                )
            )
    elif after is not None:
        if code == 1:
            if not subset_ok:
                v.append(Violation("manifest", f"manifest written with wrong entries: {what}"))
            elif stats is not None and stats.complete:
                done = {
                    corpus.rel(p) for p, r in stats.records.items() if r.get("status") == "done"
                }
                if set(listed) != done:
                    v.append(
                        Violation(
                            "manifest",
                            f"manifest lists {len(listed)} files, the JSON has {len(done)} done",
                        )
                    )
        elif not complete:
            v.append(
                Violation("manifest", f"manifest written though exit {describe_exit(code)}: {what}")
            )
    elif code == 0:
        v.append(Violation("manifest", "exit 0 but no manifest at the target path"))
    if code == 0 and after is not None and not complete and not v:
        v.append(Violation("manifest", f"exit 0 but the manifest is not right: it {what}"))
    if code == 0 and after is not None and after != before and not problems:
        # (a manifest byte-identical to the one sha256sum made and hashlib confirmed is good)
        checked = corpus.manifest
        if corpus.sparse:  # their digests were compared above; sha256sum would take too long
            checked = corpus.work.parent / f"{MANIFEST_NAME}.without-sparse"
            kept = [
                line
                for line in after.splitlines(keepends=True)
                if os.fsdecode(line.rstrip(b"\n").split(b" ", 2)[-1].lstrip(b"*"))
                not in corpus.sparse
            ]
            checked.write_bytes(b"".join(kept))
        r = subprocess.run(
            ["sha256sum", "-c", "--quiet", str(checked)],
            cwd=corpus.work,
            capture_output=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if r.returncode != 0:
            out = (r.stdout + r.stderr).decode(errors="replace").strip().splitlines()
            v.append(Violation("manifest", f"sha256sum -c --quiet fails: {' / '.join(out[:3])}"))
    return v


# --- runs ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class RunSpec:
    """One randomized run: what to build, what to start, which fault to inject when."""

    index: int
    kind: str  # one of KINDS
    command: str  # checksum | verify | verify-unlisted
    n_small: int
    large_sizes: tuple[int, ...] = ()
    sparse_sizes: tuple[int, ...] = ()
    good_manifest: bool = False
    n_unlisted: int = 0
    phase: str = ""  # early | mid | late: when a signal or kill hits the CLI
    signal_name: str = ""
    delay: float = 0.0  # seconds after the phase's anchor
    storm_seconds: float = 0.0
    seed: int = 0  # for this run's own choices (file sizes, which worker)

    def describe(self) -> str:
        parts = [self.kind, self.command, f"{self.n_small} files"]
        if self.large_sizes:
            parts.append("+" + "/".join(f"{s // MIB}M" for s in self.large_sizes))
        if self.sparse_sizes:
            parts.append(f"+{sum(self.sparse_sizes) // MIB}M sparse")
        if self.good_manifest and self.command == "checksum":
            parts.append("good manifest")
        if self.signal_name:
            parts.append(self.signal_name)
        if self.phase:
            parts.append(self.phase)
        if self.kind != "none":
            parts.append(f"delay {self.delay:.2f}s")
        if self.storm_seconds:
            parts.append(f"storm {self.storm_seconds:.1f}s")
        return " ".join(parts)


def estimate_seconds(n_small: int, large: Sequence[int], sparse: Sequence[int] = ()) -> float:
    """Rough length of the job once the workers hash, on the 2-core VM (for fault timing)."""
    return 0.02 + n_small * 20e-6 + sum(large) / 400e6 + sum(sparse) / 500e6


def make_spec(rng: random.Random, kind: str, index: int, *, wide: bool = False) -> RunSpec:
    """A random run of ``kind``; ``wide`` (run_many) draws bigger corpora more often. Runs
    without a fault cycle through checksum, checksum over a good manifest, verify, verify
    --unlisted."""
    command = rng.choices(["checksum", "verify", "verify-unlisted"], weights=[6, 2.5, 1.5])[0]
    if kind == "none":
        command = ["checksum", "checksum", "verify", "verify-unlisted"][index % 4]
    big = rng.random() < (0.25 if wide else 0.1) and kind not in ("kill_storm", "worker_stop")
    n_small = rng.randint(5000, 20000) if big else rng.randint(2000, 5000)
    if kind in ("kill_storm", "worker_stop") and not wide:  # long runs anyway: keep them small
        n_small = rng.randint(2000, 3500)
    p_large = {"kill_storm": 0.7, "worker_stop": 0.6}.get(kind, 0.3)
    large: tuple[int, ...] = ()
    if rng.random() < p_large:
        count = rng.randint(1, 4 if wide else 2)
        large = tuple(rng.randint(4, 32) * MIB for _ in range(count))
    # Sparse busy files (seconds of hashing, free to make): a storm or a stop lands mid-job.
    p_sparse = {"kill_storm": 1.0, "worker_stop": 0.8, "worker_kill": 0.2}.get(kind, 0.3)
    sparse: tuple[int, ...] = ()
    if kind != "none" and rng.random() < p_sparse:
        lo, hi = {"kill_storm": (4, 8), "worker_stop": (2, 4)}.get(kind, (1, 2))
        sparse = (256 * MIB,) * rng.randint(lo, hi)
    spec = RunSpec(
        index=index,
        kind=kind,
        command=command,
        n_small=n_small,
        large_sizes=large,
        sparse_sizes=sparse,
        good_manifest=(
            command != "checksum" or (index % 4 == 1 if kind == "none" else rng.random() < 0.5)
        ),
        n_unlisted=rng.randint(1, 5) if command == "verify-unlisted" else 0,
        seed=rng.getrandbits(32),
    )
    est = estimate_seconds(n_small, large, sparse)
    if kind in ("worker_kill", "worker_stop", "kill_storm"):
        # "boot": soon after the workers appear (starting up, or taking their first chunk);
        # "work": once a worker has an input open, somewhere in the job.
        spec.phase = rng.choices(["boot", "work"], weights=[3, 7])[0]
        spec.delay = rng.uniform(0.0, 0.15) if spec.phase == "boot" else rng.uniform(0.0, est)
        if kind == "kill_storm":
            spec.delay = min(spec.delay, 0.3)
            spec.storm_seconds = rng.uniform(2.0, 4.0)
    elif kind in ("cli_signal", "cli_kill"):
        # "early": once Python is up (importing, starting workers, scanning); "mid": once a
        # worker has an input open; "late": once the results have started to print.
        weights = [3, 5, 2] if kind == "cli_signal" else [2, 6, 2]
        spec.phase = rng.choices(["early", "mid", "late"], weights=weights)[0]
        if kind == "cli_signal":
            spec.signal_name = rng.choice(CLI_SIGNALS)
        if spec.phase == "early":
            spec.delay = rng.uniform(0.0, 0.3)
        elif spec.phase == "mid":
            spec.delay = rng.uniform(0.0, est)
        else:  # from the first bytes of output to a little after it ended
            spec.delay = rng.uniform(0.0, 0.08)
            if spec.n_small < 6000:  # a longer output: more time "while results print"
                spec.n_small = rng.randint(6000, 20000 if wide else 10000)
    return spec


def command_args(command: str, corpus: Corpus, extra: Sequence[str]) -> tuple[list[str], list[str]]:
    """The CLI arguments for ``command`` on ``corpus``, and the extra options it lacks."""
    name = "checksum" if command == "checksum" else "verify"
    kept, dropped = filter_options(name, extra)
    common = ["-w", str(WORKERS), "--json"]
    if name == "checksum":
        return [name, *common, "-o", str(corpus.manifest), *kept, str(corpus.data)], dropped
    unlisted = ["--unlisted"] if command == "verify-unlisted" else []
    return [name, *common, *unlisted, *kept, str(corpus.manifest)], dropped


@dataclasses.dataclass
class Injection:
    """What was actually done to the run (the fault may land after the CLI finished)."""

    events: list[str] = dataclasses.field(default_factory=list)
    worker_faults: int = 0  # SIGKILLs and SIGSTOPs delivered to workers
    cli_signal: str = ""  # the signal delivered to the CLI itself
    signal_at: float | None = None  # monotonic time of that signal
    stdout_started: bool = False  # the CLI had started printing results when signalled
    stopped: list[int] = dataclasses.field(default_factory=list)


def _pick(rng: random.Random, pids: Sequence[int]) -> int | None:
    return rng.choice(sorted(pids)) if pids else None


def signal_worker(run: CliRun, rng: random.Random, sig: int, inj: Injection) -> int | None:
    """Send ``sig`` to a random live (and not stopped) worker of ``run``."""
    pid = _pick(rng, [p for p in run.workers() if p not in inj.stopped])
    name = signal.Signals(sig).name
    if pid is None:
        inj.events.append(f"t={run.elapsed():.2f}s {name}: no live worker")
        return None
    cpu, state = cpu_seconds(pid), proc_state(pid)
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        inj.events.append(f"t={run.elapsed():.2f}s {name}: worker {pid} already gone")
        return None
    inj.worker_faults += 1
    if sig == signal.SIGSTOP:
        inj.stopped.append(pid)
    inj.events.append(f"t={run.elapsed():.2f}s {name} worker {pid} (state {state}, cpu {cpu:.2f}s)")
    return pid


def signal_cli(run: CliRun, sig: int, inj: Injection) -> bool:
    started = run.stdout_size() > 0
    name = signal.Signals(sig).name
    if not run.send(sig):
        inj.events.append(f"t={run.elapsed():.2f}s {name} to the CLI: it had exited already")
        return False
    inj.signal_at = time.monotonic()
    inj.cli_signal = name
    inj.stdout_started = started
    printing = ", results printing" if started else ""
    inj.events.append(f"t={run.elapsed():.2f}s {name} to the CLI{printing}")
    return True


def job_started(run: CliRun, under: str) -> bool:
    """Some worker has an input (a file under ``under``) open or mapped: the job is running."""
    return any(open_paths(w, under) for w in run.workers())


def inject(
    spec: RunSpec, run: CliRun, rng: random.Random, deadline: float, inputs_under: str
) -> Injection:
    """Inject ``spec``'s fault into ``run``; every wait ends at ``deadline`` or the CLI's exit.
    ``inputs_under``: the folder of the inputs (to tell when the job has started)."""
    inj = Injection()

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    if spec.kind == "none":
        return inj
    if spec.phase in ("boot", "work", "mid"):
        if not run.wait_workers(min(left(), 20.0)):
            inj.events.append(f"t={run.elapsed():.2f}s no worker process appeared")
            return inj
        if spec.phase != "boot" and not run.wait_for(
            lambda: job_started(run, inputs_under), min(left(), 20.0), step=0.005
        ):
            inj.events.append(f"t={run.elapsed():.2f}s no worker was seen with an input open")
    elif spec.phase == "early":  # once Python handles SIGINT: the earliest a program can react
        run.wait_for(lambda: sig_caught(run.pid, signal.SIGINT), min(left(), 10.0))
    elif spec.phase == "late":
        run.wait_for(lambda: run.stdout_size() > 0, left(), step=0.001)
    if run.pause(min(spec.delay, left())):
        inj.events.append(f"t={run.elapsed():.2f}s the CLI exited before the fault")
        return inj
    if spec.kind == "worker_kill":
        signal_worker(run, rng, signal.SIGKILL, inj)
    elif spec.kind == "worker_stop":
        signal_worker(run, rng, signal.SIGSTOP, inj)
    elif spec.kind == "kill_storm":
        end = min(time.monotonic() + spec.storm_seconds, deadline)
        while time.monotonic() < end:
            signal_worker(run, rng, signal.SIGKILL, inj)
            if run.pause(min(rng.uniform(0.1, 0.3), max(0.0, end - time.monotonic()))):
                break
        inj.events = [
            *inj.events[:3],
            *([f"... {len(inj.events) - 3} more"] * (len(inj.events) > 3)),
        ]
    elif spec.kind == "cli_signal":
        signal_cli(run, signal.Signals[spec.signal_name], inj)
    elif spec.kind == "cli_kill":
        signal_cli(run, signal.SIGKILL, inj)
    return inj


@dataclasses.dataclass
class RunRecord:
    spec: RunSpec
    violations: list[Violation] = dataclasses.field(default_factory=list)
    exit_codes: list[int | None] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    events: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def hung(self) -> bool:
        return any(v.category == "hang" for v in self.violations)

    def line(self) -> str:
        codes = ",".join(describe_exit(c) for c in self.exit_codes) or "-"
        head = f"run {self.spec.index:3d} [{self.spec.describe()}] exit {codes} {self.seconds:.1f}s"
        if self.events:
            head += " | " + "; ".join(self.events)
        if not self.violations:
            return head + " | ok"
        return head + " | " + " || ".join(str(v) for v in self.violations)


def check_exit(
    spec: RunSpec, run: CliRun, inj: Injection, stats: JsonStats | None, *, first_of_two: bool
) -> list[Violation]:
    code = run.returncode
    v: list[Violation] = []
    killed = spec.kind == "cli_kill" and inj.cli_signal == "SIGKILL" and first_of_two
    signalled = spec.kind == "cli_signal" and bool(inj.cli_signal)
    if killed:
        if code in (0, 1):  # it was exiting already: the SIGKILL came too late to matter
            return v
        if code != -signal.SIGKILL:
            v.append(Violation("exit_code", f"exit {describe_exit(code)} after SIGKILL of the CLI"))
        return v
    if code not in (0, 1, 130):
        tail = [ln for ln in run.stderr().splitlines() if ln.strip()][-1:]
        said = f"; stderr ends: {tail[0][:200]}" if tail else ""
        v.append(Violation("exit_code", f"exit {describe_exit(code)}{said}"))
        return v
    if code == 130 and not signalled:
        v.append(Violation("exit_code", "exit 130 though the CLI got no interrupt"))
    after = (run.ended or time.monotonic()) - (inj.signal_at or 0.0)
    if signalled and code != 130:
        finished = inj.stdout_started or (
            stats is not None and stats.complete and stats.statuses.get("cancelled", 0) == 0
        )
        if not finished:
            v.append(
                Violation(
                    "exit_code",
                    f"exit {code} after {inj.cli_signal} while the job ran (expected 130)",
                )
            )
        elif not inj.stdout_started and after > CANCEL_LATENCY:
            v.append(
                Violation(
                    "slow_cancel",
                    f"{inj.cli_signal} ignored: ran {after:.1f}s more and exited {code}",
                )
            )
    if signalled and code == 130 and after > CANCEL_LATENCY:
        v.append(Violation("slow_cancel", f"exit 130 only {after:.1f}s after {inj.cli_signal}"))
    if stats is not None and stats.summary is not None and code in (0, 1):
        bad = stats.statuses.get("failed", 0) + stats.statuses.get("cancelled", 0)
        if code == 0 and (bad or stats.error):
            v.append(
                Violation("exit_code", f"exit 0 though {bad} file(s) failed or were cancelled")
            )
        if code == 1 and not bad and not stats.error:
            v.append(Violation("exit_code", "exit 1 though every file is done and no error"))
    if spec.kind == "none" and code != 0:
        v.append(Violation("exit_code", f"exit {code} in a run without a fault"))
    return v


def check_collateral(spec: RunSpec, inj: Injection, stats: JsonStats) -> list[Violation]:
    """Only the faults' own victims may fail: a killed worker fails at most the file it was on
    (after a retry), nothing is cancelled without an interrupt, regular files are never skipped."""
    v: list[Violation] = []
    failed = stats.statuses.get("failed", 0)
    if failed > inj.worker_faults:
        v.append(
            Violation(
                "collateral",
                f"{failed} file(s) failed after {inj.worker_faults} worker fault(s): "
                + stats.failed_messages(),
                failed - inj.worker_faults,
            )
        )
    cancelled = stats.statuses.get("cancelled", 0)
    if cancelled and not (spec.kind == "cli_signal" and inj.cli_signal):
        v.append(
            Violation(
                "collateral", f"{cancelled} file(s) cancelled without an interrupt", cancelled
            )
        )
    skipped = stats.statuses.get("skipped", 0)
    if skipped:
        v.append(Violation("collateral", f"{skipped} regular file(s) skipped", skipped))
    return v


def check_finished_run(
    spec: RunSpec,
    corpus: Corpus,
    run: CliRun,
    inj: Injection,
    *,
    first_of_two: bool = False,
) -> list[Violation]:
    """Every invariant of a run whose CLI has exited and whose orphans were counted."""
    v: list[Violation] = []
    code = run.returncode
    killed = inj.cli_signal == "SIGKILL"
    v += check_traceback(run.stderr(), cli_killed=killed)
    stats = None
    if code in (0, 1, 130) and not interrupted_before_start(code, run):
        inputs = corpus.digests
        unlisted = corpus.unlisted if spec.command == "verify-unlisted" else None
        jv, stats = check_json(
            run.stdout(), inputs, cwd=run.cwd, command=spec.command, unlisted=unlisted
        )
        v += jv
        v += check_collateral(spec, inj, stats)
    v += check_exit(spec, run, inj, stats, first_of_two=first_of_two)
    v += check_manifest(corpus, "checksum" if spec.command == "checksum" else "verify", code, stats)
    if not first_of_two:  # after a SIGKILL of the CLI, leftovers may wait for the next run
        v += check_partials(corpus.work)
        v += check_tempdirs(run.tmpdir)
    return v


def interrupted_before_start(code: int | None, run: CliRun) -> bool:
    """A stop signal came before the job began (while the CLI was starting or scanning for a
    job that needs the whole list first): exit 130, nothing on stdout, and stderr says so. No
    file was processed, so there are no records to check; the manifest and leftovers still are."""
    return (
        code == 130
        and not run.stdout()
        and "interrupted before any file was processed" in run.stderr()
    )


def execute(
    spec: RunSpec,
    run_dir: Path,
    *,
    hang_timeout: float = 60.0,
    extra_args: Sequence[str] = DEFAULT_EXTRA_ARGS,
) -> RunRecord:
    """Build, start, inject, wait (bounded), check; a second normal run after a CLI SIGKILL."""
    rec = RunRecord(spec)
    rng = random.Random(spec.seed)
    run_dir.mkdir(parents=True)
    try:
        corpus = build_corpus(
            run_dir / "work",
            rng,
            n_small=spec.n_small,
            large_sizes=spec.large_sizes,
            sparse_sizes=spec.sparse_sizes,
            with_manifest=spec.good_manifest,
            n_unlisted=spec.n_unlisted,
        )
    except (HarnessError, OSError, subprocess.SubprocessError) as e:
        rec.violations.append(Violation("harness", f"could not build the corpus: {e}"))
        return rec
    args, dropped = command_args(spec.command, corpus, extra_args)
    if dropped:
        rec.notes.append(f"the CLI does not accept {' '.join(dropped)}: ran without it")
        if spec.kind == "worker_stop" and "--watchdog" in dropped:
            rec.violations.append(
                Violation("cli_option", "the CLI does not accept --watchdog (ran without it)")
            )
    tmpdir = run_dir / "tmp"
    t_start = time.monotonic()
    with CliRun(args, run_dir=run_dir, name="run1", tmpdir=tmpdir) as run:
        deadline = run.started + hang_timeout
        inj = inject(spec, run, rng, deadline, str(corpus.data) + os.sep)
        rec.events = inj.events
        limit = SLOW_AFTER + spec.storm_seconds + (4.0 if spec.kind == "worker_stop" else 0.0)
        code = run.wait(min(deadline, run.started + limit) - time.monotonic())
        stalled = ""
        if code is None:  # slow already: note what the processes do, then wait on (bounded)
            tree = [describe_pid(run.pid)] + [describe_pid(p) for p in descendants(run.pid)]
            stalled = f"; at {limit:.0f}s: " + "; ".join(tree)
            code = run.wait(deadline - time.monotonic())
        if code is None:
            rec.violations.append(
                Violation(
                    "hang",
                    f"no exit within {hang_timeout:.0f}s ({'; '.join(inj.events) or 'no fault'}); "
                    + run.hang_report(),
                )
            )
            rec.exit_codes.append(None)
            rec.seconds = time.monotonic() - t_start
            return rec
        rec.exit_codes.append(code)
        took = (run.ended or time.monotonic()) - run.started
        if took > limit:
            rec.violations.append(
                Violation("slow", f"exited only after {took:.1f}s (limit {limit:.0f}s){stalled}")
            )
        rec.violations += check_orphans(run.orphans())
        first_of_two = spec.kind == "cli_kill" and inj.cli_signal == "SIGKILL"
        rec.violations += check_finished_run(spec, corpus, run, inj, first_of_two=first_of_two)
    if first_of_two:
        # The same job again, unharmed, in the same folders: it must succeed and clean up
        # what the killed run left (partials, temp folders).
        second = dataclasses.replace(spec, kind="none")
        corpus.good_manifest = _read(str(corpus.manifest))
        with CliRun(args, run_dir=run_dir, name="run2", tmpdir=tmpdir) as run2:
            code2 = run2.wait(hang_timeout)
            rec.exit_codes.append(code2)
            if code2 is None:
                rec.violations.append(
                    Violation(
                        "hang",
                        f"second run: no exit within {hang_timeout:.0f}s; " + run2.hang_report(),
                    )
                )
            else:
                found = check_orphans(run2.orphans())
                found += check_finished_run(second, corpus, run2, Injection())
                rec.violations += [
                    dataclasses.replace(x, detail="second run: " + x.detail) for x in found
                ]
    rec.seconds = time.monotonic() - t_start
    return rec


# --- batches -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Batch:
    kind: str
    seed: int
    records: list[RunRecord] = dataclasses.field(default_factory=list)
    skipped: int = 0  # runs not started (too many hangs, or out of time)
    reason: str = ""
    seconds: float = 0.0

    def violations(self) -> list[tuple[RunRecord, Violation]]:
        return [(r, v) for r in self.records for v in r.violations]

    def report(self) -> str:
        """Every violation: run index, fault, what."""
        lines = [r.line() for r in self.records if r.violations]
        if self.skipped:
            lines.append(f"{self.skipped} run(s) not started: {self.reason}")
        return "\n".join(lines)


def run_batch(
    kind: str,
    count: int,
    seed: int,
    root: Path,
    *,
    hang_timeout: float = 60.0,
    max_hangs: int | None = None,
    budget: float | None = None,
    extra_args: Sequence[str] = DEFAULT_EXTRA_ARGS,
    keep: bool = False,
    wide: bool = False,
    log: Callable[[str], None] | None = None,
) -> Batch:
    """``count`` randomized runs of ``kind`` (``"mixed"``: every kind, weighted), from ``seed``.

    Stops early after ``max_hangs`` hangs or when ``budget`` seconds are spent (each run can
    take up to ``hang_timeout``), and says so in the batch's report.
    """
    rng = random.Random(f"parabatch-faults:{seed}:{kind}")
    batch = Batch(kind, seed)
    t0 = time.monotonic()
    hangs = 0
    noted: set[str] = set()
    for i in range(count):
        run_kind = kind
        if kind == "mixed":
            run_kind = rng.choices(list(MIXED_WEIGHTS), weights=list(MIXED_WEIGHTS.values()))[0]
        spec = make_spec(rng, run_kind, i, wide=wide)
        spent = time.monotonic() - t0
        if max_hangs is not None and hangs >= max_hangs:
            batch.skipped, batch.reason = count - i, f"stopped after {hangs} hangs"
            break
        # A run that hangs could overrun the budget: stop while there is time to report.
        if budget is not None and spent + hang_timeout > budget and spent > budget * 0.5:
            batch.skipped, batch.reason = count - i, f"out of time after {spent:.0f}s"
            break
        run_dir = root / f"run{i:03d}-{run_kind}"
        try:
            rec = execute(spec, run_dir, hang_timeout=hang_timeout, extra_args=extra_args)
        except Exception as e:  # a harness bug (or output it cannot read): report, go on
            rec = RunRecord(spec)
            where = traceback.extract_tb(e.__traceback__)[-1]
            rec.violations.append(
                Violation("harness", f"{type(e).__name__}: {e} (at {where.name}:{where.lineno})")
            )
        finally:
            if not keep:
                shutil.rmtree(run_dir, ignore_errors=True)
        hangs += rec.hung
        batch.records.append(rec)
        if log is not None:
            log(rec.line())
            for note in rec.notes:
                if note not in noted:  # the same for every run: say it once
                    noted.add(note)
                    log(f"note: {note}")
    batch.seconds = time.monotonic() - t0
    return batch


def tally(records: Iterable[RunRecord]) -> dict[str, Counter[str]]:
    """category -> {kind: runs with that violation, "_runs": all such runs, "_items": items}."""
    out: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    for r in records:
        seen = set()
        for v in r.violations:
            row = out.setdefault(v.category, Counter())
            row["_items"] += v.count
            if v.category not in seen:
                row[r.spec.kind] += 1
                row["_runs"] += 1
                seen.add(v.category)
    return out


def format_table(records: Sequence[RunRecord]) -> str:
    kinds = [k for k in KINDS if any(r.spec.kind == k for r in records)]
    runs = Counter(r.spec.kind for r in records)
    rows = tally(records)
    head = ["violation", *[f"{k} ({runs[k]})" for k in kinds], "runs", "items"]
    body = [
        [
            CATEGORIES.get(c, c),
            *[str(rows[c].get(k, 0)) for k in kinds],
            str(rows[c].get("_runs", 0)),
            str(rows[c].get("_items", 0)),
        ]
        for c in rows
    ]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]

    def fmt(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells))

    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)])
