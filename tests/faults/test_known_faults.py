"""Deterministic black-box reproductions of known faults of ``parabatch-cli``.

Each test drives the real command line (see ``harness.py``: own session, private TMPDIR, fault
tag, bounded waits, SIGKILL of the whole tree on timeout) into one situation that has gone wrong
before, and checks the same invariants as the randomized suite. Each stays under about 20 s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.faults import harness
from tests.faults.harness import CliRun, Corpus, Violation
from tests.support import require_tool

BOUND = 15.0  # seconds a CLI run may take before it counts as hung (a right one: 1-4 s)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
WATCHDOG = ("--watchdog", "2")

pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
        reason="the fault harness reads /proc and waits on pidfds (Linux)",
    ),
    pytest.mark.timeout(120),
]


# --- helpers -------------------------------------------------------------------------------------


def empty_tree(
    data: Path, n: int, *, per_dir: int = 500, fallback: tuple[int, float] | None = None
) -> list[str]:
    """``n`` empty files under ``data`` (os.open/close: fast). ``fallback=(m, s)``: stop at ``m``
    files if making them took more than ``s`` seconds (a slow disk)."""
    start = time.monotonic()
    paths = []
    for i in range(n):
        if i % per_dir == 0:
            if fallback and i >= fallback[0] and time.monotonic() - start > fallback[1]:
                break
            (data / f"d{i // per_dir:03d}").mkdir(parents=True)
        path = f"{data}/d{i // per_dir:03d}/e{i:06d}"
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644))
        paths.append(path)
    return paths


def empty_corpus(work: Path, n: int) -> Corpus:
    paths = empty_tree(work / "data", n)
    digests = dict.fromkeys(paths, EMPTY_SHA256)
    return Corpus(work, work / "data", work / harness.MANIFEST_NAME, digests, [], None, 0)


def finish(run: CliRun, what: str, bound: float = BOUND) -> int:
    """The CLI's exit code; a hang fails the test with its process tree and thread stacks."""
    code = run.wait(bound - run.elapsed())
    if code is None:
        pytest.fail(f"{what}: no exit within {bound:.0f}s; {run.hang_report()}")
    return code


def wchan(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read() or "-"
    except OSError:
        return "?"


def stderr_tail(run: CliRun, n: int = 6) -> str:
    lines = [ln for ln in run.stderr().splitlines() if ln.strip()]
    return "\n".join(lines[-n:])


def assert_clean(violations: Sequence[Violation], run: CliRun, events: Sequence[str]) -> None:
    print(f"{'; '.join(events)}; exit {harness.describe_exit(run.returncode)}")
    assert not violations, (
        f"{len(violations)} violation(s) after {'; '.join(events)} "
        f"(exit {harness.describe_exit(run.returncode)}):\n"
        + "\n".join(f"  {v}" for v in violations)
        + f"\nstderr ends:\n{stderr_tail(run)}"
    )


def leftovers(run: CliRun, corpus: Corpus) -> list[Violation]:
    """Orphans, tracebacks, partials and temp folders after a run that exited."""
    return (
        harness.check_orphans(run.orphans())
        + harness.check_traceback(run.stderr())
        + harness.check_partials(corpus.work)
        + harness.check_tempdirs(run.tmpdir)
    )


def watchdog(command: str = "checksum", *, required: bool = False) -> list[str]:
    """``--watchdog 2`` if the CLI accepts it (else nothing; ``required``: fail now, saying so)."""
    kept, dropped = harness.filter_options(command, WATCHDOG)
    if dropped and required:
        pytest.fail(f"the CLI does not accept {' '.join(dropped)} (needed by this test)")
    return kept


def checksum_args(corpus: Corpus, *, required: bool = False) -> list[str]:
    extra = watchdog(required=required)
    return ["checksum", "-w", "2", "--json", "-o", str(corpus.manifest), *extra, str(corpus.data)]


def wait_job_started(run: CliRun, corpus: Corpus) -> None:
    under = str(corpus.data) + os.sep
    if not run.wait_for(lambda: harness.job_started(run, under), BOUND, step=0.002):
        pytest.fail(
            f"no worker was ever seen with an input open (exit "
            f"{harness.describe_exit(run.wait(0))}); stderr:\n{stderr_tail(run)}"
        )


def stop_worker_on_a_file(run: CliRun, corpus: Corpus) -> tuple[int, list[str]]:
    """SIGSTOP a worker while it has an input open; returns it and the inputs it holds.

    A worker seen with a file open may close it before the SIGSTOP lands: then it is continued
    at once and another try is made (bounded)."""
    under = str(corpus.data) + os.sep
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        for pid in run.workers():
            if not harness.open_paths(pid, under):
                continue
            os.kill(pid, signal.SIGSTOP)
            held = harness.open_paths(pid, under)  # frozen now
            if held:
                return pid, held
            os.kill(pid, signal.SIGCONT)
        if run.pause(0.001):
            break
    pytest.fail(f"never caught a worker with an input open (stderr:\n{stderr_tail(run)})")


def json_violations(
    run: CliRun, corpus: Corpus, command: str = "checksum", unlisted: Sequence[str] | None = None
) -> tuple[list[Violation], harness.JsonStats]:
    return harness.check_json(
        run.stdout(), corpus.digests, cwd=run.cwd, command=command, unlisted=unlisted
    )


@pytest.fixture(autouse=True)
def _tools() -> None:
    require_tool("sha256sum")


# --- the reproductions ---------------------------------------------------------------------------


def test_1_worker_killed_during_unlisted_walk_does_not_hang(tmp_path: Path) -> None:
    """``verify --unlisted`` over 200,000 files (50,000 on a slow disk), one listed: a worker
    SIGKILLed while the parent walks the folder for unlisted files; the CLI must still exit."""
    work = tmp_path / "work"
    paths = empty_tree(work / "data", 200_000, fallback=(50_000, 4.0))
    listed = paths[0]
    manifest = work / harness.MANIFEST_NAME
    manifest.write_text(f"{EMPTY_SHA256}  {os.path.relpath(listed, work)}\n")
    corpus = Corpus(work, work / "data", manifest, {listed: EMPTY_SHA256}, [], None, 0)
    corpus.good_manifest = manifest.read_bytes()
    events = [f"{len(paths)} files"]
    args = ["verify", "-w", "2", "--json", "--unlisted", *watchdog("verify"), str(manifest)]
    with CliRun(args, run_dir=tmp_path) as run:
        walking = run.wait_for(
            lambda: bool(harness.open_paths(run.pid, str(corpus.data))), BOUND, step=0.002
        )
        assert walking, f"the unlisted walk was never seen; stderr:\n{stderr_tail(run)}"
        events.append(f"walk seen at t={run.elapsed():.2f}s")
        workers = run.wait_workers(BOUND)
        assert workers, "no worker process"
        # About 0.8 s in, while the walk runs (a smaller tree is walked sooner: kill at once).
        run.pause(max(0.05, 0.8 - run.elapsed()) if len(paths) == 200_000 else 0.05)
        # The idle worker blocked reading the task pipe holds the pool's task-queue lock: kill
        # that one (the other waits for the lock), the case that can leave the lock taken.
        readers = [w for w in workers if "pipe" in wchan(w)]
        victim = (readers or workers)[0]
        victim_wchan, cli_cpu = wchan(victim), harness.cpu_seconds(run.pid)
        os.kill(victim, signal.SIGKILL)
        killed_at = run.elapsed()
        events.append(
            f"SIGKILL worker {victim} (wchan {victim_wchan}) at t={killed_at:.2f}s, "
            f"CLI cpu {cli_cpu:.2f}s"
        )
        code = finish(run, "worker killed during the unlisted walk")
        events.append(f"CLI exited at t={run.elapsed():.2f}s")
        v = leftovers(run, corpus)
        if code not in (0, 1):
            v.append(Violation("exit_code", f"exit {harness.describe_exit(code)}"))
        else:
            unlisted = sorted(os.path.relpath(p, work) for p in paths[1:])
            jv, _ = json_violations(run, corpus, "verify", unlisted)
            v += jv
    assert_clean(v, run, events)


def test_2_stopped_worker_fails_its_file_and_the_rest_completes(tmp_path: Path) -> None:
    """SIGSTOP a worker in the middle of a chunk with ``--watchdog 2``: the job ends in bounded
    time, the file it was on fails, every other file is done, the stopped worker is gone."""
    rng = random.Random(2)
    sizes = [rng.randint(1 * harness.MIB, 3 * harness.MIB) for _ in range(120)]
    corpus = harness.build_corpus(tmp_path / "work", rng, n_small=300, large_sizes=sizes)
    with CliRun(checksum_args(corpus, required=True), run_dir=tmp_path) as run:
        pid, held = stop_worker_on_a_file(run, corpus)
        events = [f"SIGSTOP worker {pid} at t={run.elapsed():.2f}s on {held}"]
        code = finish(run, "a worker stopped mid-chunk with --watchdog 2")
        v = leftovers(run, corpus)
        if code != 1:
            v.append(Violation("exit_code", f"exit {harness.describe_exit(code)}, expected 1"))
        if code in (0, 1, 130):
            jv, st = json_violations(run, corpus)
            v += jv
            hung = set(held) & set(corpus.digests)
            for path, rec in st.records.items():
                want = "failed" if path in hung else "done"
                if rec.get("status") != want:
                    v.append(
                        Violation(
                            "final_state",
                            f"{os.path.basename(path)} is {rec.get('status')}, expected {want}"
                            + (f" ({rec.get('message')})" if rec.get("message") else ""),
                        )
                    )
            v += harness.check_manifest(corpus, "checksum", code, st)
    assert_clean(v, run, events)


def test_3_worker_stopped_before_taking_work_does_not_block_the_job(tmp_path: Path) -> None:
    """SIGSTOP a worker the moment it appears (before it took any work; the parent is still
    starting up or scanning a 20,000-file tree): the CLI still exits and leaves no orphan."""
    corpus = empty_corpus(tmp_path / "work", 20_000)
    with CliRun(checksum_args(corpus), run_dir=tmp_path) as run:
        assert run.wait_for(lambda: bool(run.workers()), BOUND, step=0.001), stderr_tail(run)
        pid = run.workers()[0]
        os.kill(pid, signal.SIGSTOP)
        events = [
            f"SIGSTOP worker {pid} at t={run.elapsed():.3f}s (cpu {harness.cpu_seconds(pid):.2f}s)"
        ]
        code = finish(run, "a worker stopped before it took work")
        v = leftovers(run, corpus)
        if code not in (0, 1):
            v.append(Violation("exit_code", f"exit {harness.describe_exit(code)}"))
        else:
            jv, st = json_violations(run, corpus)
            v += jv
            if st.statuses.get("failed", 0) > 1:
                v.append(
                    Violation(
                        "collateral",
                        f"{st.statuses['failed']} files failed for one stopped worker: "
                        + st.failed_messages(),
                    )
                )
    assert_clean(v, run, events)


def test_4_cli_killed_while_a_worker_is_stopped_leaves_no_orphan(tmp_path: Path) -> None:
    """SIGKILL of the CLI while one of its workers is SIGSTOPped: the stopped worker must not
    survive (reparented to PID 1, stopped forever)."""
    rng = random.Random(4)
    corpus = harness.build_corpus(
        tmp_path / "work", rng, n_small=2000, large_sizes=(32 * harness.MIB, 32 * harness.MIB)
    )
    with CliRun(checksum_args(corpus), run_dir=tmp_path) as run:
        wait_job_started(run, corpus)
        pid, held = stop_worker_on_a_file(run, corpus)
        run.pause(0.1)
        events = [f"SIGSTOP worker {pid} on {[os.path.basename(p) for p in held]}"]
        assert run.send(signal.SIGKILL), "the CLI had exited before the SIGKILL"
        events.append(f"SIGKILL of the CLI at t={run.elapsed():.2f}s")
        code = finish(run, "SIGKILL of the CLI", bound=run.elapsed() + 10)
        v = harness.check_orphans(run.orphans())
        if code != -signal.SIGKILL:
            v.append(Violation("exit_code", f"exit {harness.describe_exit(code)}, expected -9"))
    assert_clean(v, run, events)


def test_5_sighup_mid_job_exits_130_with_every_input_final(tmp_path: Path) -> None:
    """SIGHUP (the terminal went away) to the CLI mid-job: exit 130, no partials, the --json
    output valid with every input in a final state, the good manifest untouched."""
    rng = random.Random(5)
    corpus = harness.build_corpus(
        tmp_path / "work",
        rng,
        n_small=3000,
        large_sizes=(64 * harness.MIB,) * 4,  # the job lasts well past the SIGHUP
        with_manifest=True,
    )
    with CliRun(checksum_args(corpus), run_dir=tmp_path) as run:
        wait_job_started(run, corpus)
        run.pause(0.05)
        assert run.send(signal.SIGHUP), "the job ended before the SIGHUP"
        events = [f"SIGHUP to the CLI at t={run.elapsed():.2f}s"]
        code = finish(run, "SIGHUP mid-job")
        v = leftovers(run, corpus)
        if code != 130:
            v.append(Violation("exit_code", f"exit {harness.describe_exit(code)}, expected 130"))
        if code in (0, 1, 130):
            jv, st = json_violations(run, corpus)
            v += jv
            v += harness.check_manifest(corpus, "checksum", code, st)
    assert_clean(v, run, events)


def expected_json_size(corpus: Corpus) -> int:
    """About how many bytes the --json records of ``corpus`` take (all done)."""
    return sum(
        len(json.dumps({"path": p, "size": 0, "status": "done", "value": d})) + 1
        for p, d in corpus.digests.items()
    )


def test_6_sigterm_while_printing_json_keeps_the_output_complete(tmp_path: Path) -> None:
    """SIGTERM while the CLI prints 20,000 --json records (at the first bytes, and when about
    5, 10, 20, 40 and 70% are out; one run each): the output stays complete and valid (every
    record, then the summary), the exit code is 0, 1 or 130, and no traceback is printed."""
    rng = random.Random(6)
    corpus = harness.build_corpus(
        tmp_path / "work", rng, n_small=20_000, small_range=(512, 2048), per_dir=500
    )
    expected = expected_json_size(corpus)
    v: list[Violation] = []
    events: list[str] = []
    for attempt, fraction in enumerate((0.0, 0.05, 0.1, 0.2, 0.4, 0.7)):
        corpus.manifest.unlink(missing_ok=True)
        threshold = max(1, int(expected * fraction))
        with CliRun(checksum_args(corpus), run_dir=tmp_path, name=f"run{attempt}") as run:
            if not run.wait_for(
                lambda r=run, n=threshold: r.stdout_size() >= n, BOUND, step=0.0005
            ):
                pytest.fail(
                    f"the output never reached {threshold} bytes (exit "
                    f"{harness.describe_exit(run.wait(0))}); stderr:\n{stderr_tail(run)}"
                )
            at = run.stdout_size()
            sent = run.send(signal.SIGTERM)
            code = finish(run, f"SIGTERM at {fraction:.0%} of the output")
            if not sent or b'{"summary"' in run.stdout()[:at]:
                events.append(f"{fraction:.0%}: the output had finished before the SIGTERM")
                continue
            found = leftovers(run, corpus)
            if code not in (0, 1, 130):
                found.append(Violation("exit_code", f"exit {harness.describe_exit(code)}"))
            found += json_violations(run, corpus)[0]
            events.append(
                f"SIGTERM at {at} of ~{expected} output bytes ({fraction:.0%}): exit "
                f"{harness.describe_exit(code)}, {run.stdout_size()} bytes"
            )
            v += [dataclasses.replace(x, detail=f"at {fraction:.0%}: {x.detail}") for x in found]
    if not any("SIGTERM at" in e for e in events):
        pytest.fail("the SIGTERM never landed while the results printed: " + "; ".join(events))
    assert_clean(v, run, events)


@pytest.mark.parametrize(
    ("sig", "phase"),
    [("SIGINT", "mid"), ("SIGTERM", "late"), ("SIGINT", "early"), ("SIGHUP", "mid")],
)
def test_7_interrupted_checksum_keeps_the_good_manifest(
    tmp_path: Path, sig: str, phase: str
) -> None:
    """An interrupted ``checksum -o MANIFEST`` over a good manifest (made by sha256sum, in an
    order the CLI would not write): unless the run finished (exit 0 with a complete, correct
    manifest) the manifest is byte-identical afterwards."""
    rng = random.Random(7)
    corpus = harness.build_corpus(
        tmp_path / "work",
        rng,
        n_small=8000 if phase == "late" else 3000,
        large_sizes=(16 * harness.MIB, 16 * harness.MIB),
        with_manifest=True,
    )
    with CliRun(checksum_args(corpus), run_dir=tmp_path) as run:
        if phase == "mid":
            wait_job_started(run, corpus)
        elif phase == "late":
            run.wait_for(lambda: run.stdout_size() > 0, BOUND, step=0.0005)
        else:
            run.wait_for(lambda: harness.sig_caught(run.pid, signal.SIGINT), BOUND)
            run.pause(0.15)
        started = run.stdout_size() > 0
        assert run.send(signal.Signals[sig]), f"the CLI had exited before the {sig}"
        events = [f"{sig} ({phase}) at t={run.elapsed():.2f}s" + (", printing" * started)]
        code = finish(run, f"{sig} {phase}")
        st = None
        if code in (0, 1, 130):
            _, st = json_violations(run, corpus)
        v = harness.check_manifest(corpus, "checksum", code, st)
        v += harness.check_partials(corpus.work)
        others = [str(x) for x in leftovers(run, corpus) if x.category != "partial"]
    if others:  # this test is about the manifest; what else went wrong is context
        events.append("also: " + " / ".join(others))
    assert_clean(v, run, events)
