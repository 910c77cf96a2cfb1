"""One command run as a child of a worker: its own session and process group, no terminal,
stdin closed, stdout and stderr read into bounded tails, stopped as a whole group.

No process of a command outlives its file, whoever stops it:

- **It ends.** Whatever it left running in its process group (``cmd &``) is SIGKILLed once the
  command itself exited; in a pool worker (a child subreaper) descendants that left the group
  are re-parented to the worker and killed too.
- **Cancel, the time limit.** SIGTERM to the group, SIGKILL after :data:`KILL_GRACE`.
- **Pause.** The whole group is SIGSTOPped while the job is paused and SIGCONTinued when it
  resumes (paused time does not count against the time limit); a cancel while paused sends
  SIGTERM, then SIGCONT so that the group can act on it, then SIGKILL after the grace period.
- **The worker is SIGKILLed** (the parent kills workers that do not stop in time). The command
  has PR_SET_PDEATHSIG=SIGKILL, and before it is executed it registers its group with the
  worker's *guard*: a small process started once per worker that holds the other end of a pipe
  from the worker. When the worker dies the pipe reaches EOF and the guard SIGKILLs every group
  still registered. Registration is done by the child itself, before ``exec``: there is no
  moment when the command runs unregistered.

Linux only for the guard, the death signal and the subreaper (elsewhere: the group is still
stopped on cancel, time limit and end).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

log = logging.getLogger(__name__)

KILL_GRACE = 0.5  # seconds between SIGTERM and SIGKILL (inside the scheduler's 0.8 s cancel grace)
POLL = 0.05  # seconds between looks at cancel while a command runs
TAIL_BYTES = 16 * 1024  # the last bytes kept of each of stdout and stderr
DRAIN_WAIT = 1.0  # seconds to read what is left in the pipes once the group is gone
_LINUX = sys.platform.startswith("linux")
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36

# The guard: reads "+PGID" / "-PGID" lines; at EOF (the worker is gone) SIGKILLs what is left.
GUARD_CODE = r"""
import os, signal
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN)
groups, rest = set(), b""
while True:
    try:
        data = os.read(0, 65536)
    except InterruptedError:
        continue
    if not data:
        break
    *lines, rest = (rest + data).split(b"\n")
    for line in lines:
        if line[:1] == b"+":
            groups.add(int(line[1:]))
        elif line[:1] == b"-":
            groups.discard(int(line[1:]))
for g in groups:
    try:
        os.killpg(g, signal.SIGKILL)
    except OSError:
        pass
"""


class Finished:
    """How one command ended: ``returncode`` (negative: killed by that signal), its running
    time, the tails of its outputs, and whether the time limit stopped it."""

    __slots__ = ("returncode", "seconds", "stdout", "stderr", "timed_out")

    def __init__(
        self, returncode: int, seconds: float, stdout: bytes, stderr: bytes, timed_out: bool
    ) -> None:
        self.returncode = returncode
        self.seconds = seconds
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


class Tail:
    """The last :data:`TAIL_BYTES` bytes written to a stream (and how many there were)."""

    def __init__(self, limit: int = TAIL_BYTES) -> None:
        self.limit = limit
        self.buf = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        self.buf += data
        if len(self.buf) > 2 * self.limit:
            del self.buf[: len(self.buf) - self.limit]

    def value(self) -> bytes:
        return bytes(self.buf[-self.limit :])


# --- this worker's protections (Linux) ----------------------------------------------------------
_libc: Any = None
_guard: subprocess.Popen[bytes] | None = None
_guard_fd = -1
_subreaper = False


def _load_libc() -> Any:
    global _libc
    if _libc is None and _LINUX:
        with contextlib.suppress(OSError):
            import ctypes

            _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _prctl(option: int, value: int) -> bool:
    libc = _load_libc()
    try:
        return libc is not None and int(libc.prctl(option, value, 0, 0, 0)) == 0
    except AttributeError:
        return False


def in_pool_worker() -> bool:
    """True in a worker process (spawned by the pool), False in the app or a test process."""
    return multiprocessing.parent_process() is not None


def _protect() -> int:
    """Make this worker a child subreaper and start its guard (once, in pool workers only:
    the app must not reap or kill others' children). Returns the guard's pipe or -1."""
    global _guard, _guard_fd, _subreaper
    if not _LINUX or not in_pool_worker():
        return -1
    if not _subreaper:
        _subreaper = _prctl(PR_SET_CHILD_SUBREAPER, 1)
    if _guard is not None and _guard.poll() is None:
        return _guard_fd
    if _guard_fd >= 0:
        os.close(_guard_fd)
        _guard_fd = -1
    _load_libc()  # now: the child setup (between fork and exec) must not import
    r, w = os.pipe()
    try:
        _guard = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", GUARD_CODE],
            stdin=r,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as e:  # a frozen app's executable takes no -c: death signal and killpg only
        log.warning("the process guard could not start (%s); relying on the death signal", e)
        os.close(w)
        return -1
    finally:
        os.close(r)
    _guard_fd = w
    return w


def _child_setup(guard_fd: int, worker: int) -> Callable[[], None]:
    """What the child does between fork and exec (it is in its own session already)."""
    line = b"+%d\n"
    libc = _load_libc()
    kill = int(signal.SIGKILL)

    def setup() -> None:
        if libc is not None:
            libc.prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != worker:  # the worker died before the death signal was set
            os._exit(127)
        if guard_fd >= 0:
            os.write(guard_fd, line % os.getpid())

    return setup


def _unregister(guard_fd: int, pgid: int) -> None:
    if guard_fd >= 0:
        with contextlib.suppress(OSError):
            os.write(guard_fd, b"-%d\n" % pgid)


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _sweep_orphans() -> None:
    """SIGKILL and reap children re-parented to this worker (descendants of a command that
    left its process group), except the guard."""
    if not _subreaper:
        return
    me, sid = os.getpid(), os.getsid(0)
    guard = _guard.pid if _guard is not None else -1
    for task in os.listdir(f"/proc/{me}/task"):
        try:
            with open(f"/proc/{me}/task/{task}/children") as f:
                pids = [int(p) for p in f.read().split()]
        except OSError:
            continue
        for pid in pids:
            if pid == guard:
                continue
            try:
                if os.getsid(pid) == sid:
                    continue  # not a command's (this worker starts nothing else)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                continue


# --- running one command ------------------------------------------------------------------------
def run(
    argv: Sequence[str],
    *,
    timeout: float | None,
    check_cancel: Callable[[], None],
    paused: Callable[[], bool] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Finished:
    """Run ``argv`` to its end (or until cancel or ``timeout``). Raises Cancelled once the
    group is stopped; OSError if the program cannot be started. ``check_cancel`` raises
    Cancelled, and waits while the job is paused; ``paused`` says, without waiting, whether
    it is (the group is then stopped for the wait)."""
    guard_fd = _protect()
    setup = _child_setup(guard_fd, os.getpid()) if _LINUX else None
    start = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=setup,
    )
    pgid = proc.pid  # a session leader leads its process group
    if on_start is not None:
        on_start(pgid)
    out, err = Tail(), Tail()
    assert proc.stdout is not None and proc.stderr is not None
    streams: dict[int, tuple[IO[bytes], Tail]] = {
        proc.stdout.fileno(): (proc.stdout, out),
        proc.stderr.fileno(): (proc.stderr, err),
    }
    sel = selectors.DefaultSelector()
    pidfd = _pidfd(proc.pid)
    try:
        for fd in streams:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        if pidfd >= 0:
            sel.register(pidfd, selectors.EVENT_READ)
        timed_out = False
        waited = 0.0  # seconds check_cancel waited (paused)
        try:
            while proc.poll() is None:
                _read(sel, streams, POLL, pidfd)
                before = time.monotonic()
                if paused is not None and paused():
                    _killpg(pgid, signal.SIGSTOP)
                    check_cancel()  # waits out the pause; a cancel goes to _stop (stopped)
                    _killpg(pgid, signal.SIGCONT)
                else:
                    check_cancel()
                now = time.monotonic()  # the time waited while paused is not counted
                waited += now - before
                if timeout is not None and now - start - waited > timeout:
                    timed_out = True
                    _stop(proc, pgid)
                    break
        except BaseException:  # Cancelled, or anything else: never leave the group running
            _stop(proc, pgid)
            raise
        finally:
            _killpg(pgid, signal.SIGKILL)  # whatever it left behind in its group
            proc.wait()
            _unregister(guard_fd, pgid)
            _sweep_orphans()
        seconds = time.monotonic() - start - waited
        if pidfd >= 0:
            sel.unregister(pidfd)
        deadline = time.monotonic() + DRAIN_WAIT
        while streams and time.monotonic() < deadline:
            _read(sel, streams, deadline - time.monotonic(), -1)
        return Finished(proc.returncode, seconds, out.value(), err.value(), timed_out)
    finally:
        sel.close()
        if pidfd >= 0:
            os.close(pidfd)
        for f, _tail in streams.values():
            f.close()
        proc.stdout.close()
        proc.stderr.close()


def _pidfd(pid: int) -> int:
    try:
        return os.pidfd_open(pid)  # readable the moment the child exits
    except (AttributeError, OSError):
        return -1


def _read(
    sel: selectors.BaseSelector,
    streams: dict[int, tuple[IO[bytes], Tail]],
    wait: float,
    pidfd: int,
) -> None:
    for key, _ in sel.select(max(wait, 0.0)):
        fd = key.fd
        if fd == pidfd:
            continue  # the loop's poll() sees the exit
        f, tail = streams[fd]
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if data:
            tail.add(data)
        else:
            sel.unregister(fd)
            f.close()
            del streams[fd]


def _stop(proc: subprocess.Popen[bytes], pgid: int) -> None:
    """SIGTERM the group, SIGKILL it after the grace period (or at once when the command
    itself is gone: what is left of its group is not waited for). A group stopped by a pause
    gets SIGCONT after the SIGTERM, so that it wakes up to the signal already pending."""
    _killpg(pgid, signal.SIGTERM)
    _killpg(pgid, signal.SIGCONT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(KILL_GRACE)
    _killpg(pgid, signal.SIGKILL)
