"""Jobs on a Dask cluster: real LocalCluster worker processes (and a real ``dask scheduler`` with
``dask worker`` processes) on 127.0.0.1, against the local Pool's results.

Skipped where Dask is not installed, except in CI (which installs the ``dask`` extra).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.engine import Engine, run_job
from core.executor.dask_address import ClusterError, parse_address
from core.records import Kind, Status
from tests.core.test_engine import (
    HASH,
    SEGV,
    SLOW,
    assert_all_final,
    finish,
    make_files,
    plan_for,
    pump_until,
    sha,
    start,
)
from tests.support import in_ci, needs_tool, wait_for_exit, wait_until

HAVE_DASK = importlib.util.find_spec("distributed") is not None
if not HAVE_DASK and in_ci():
    raise ImportError("CI installs the dask extra: distributed must be importable")
needs_dask = pytest.mark.skipif(not HAVE_DASK, reason="dask[distributed] is not installed")

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
DASK = str(Path(sys.executable).with_name("dask"))


def descendants() -> set[int]:
    """Every live process below this one (the local cluster's nannies and their workers)."""
    out: set[int] = set()
    todo = [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            for k in kids:
                if k not in out:
                    out.add(k)
                    todo.append(k)
    return out


@pytest.fixture
def cluster_engine() -> Iterator[Engine]:
    """An engine on a local cluster of 2 worker processes (1 thread each), shut down after."""
    eng = Engine(2, cluster="local:2")
    eng.warm_up()
    yield eng
    eng.shutdown()


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        env=ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=90,
        check=False,
    )


# --- addresses (no Dask needed) ------------------------------------------------------------


def test_addresses_parse_and_bad_ones_say_what_is_expected() -> None:
    assert parse_address("local").local and parse_address("local").workers is None
    assert parse_address("local:3").workers == 3
    assert parse_address("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    for bad in ("local:0", "local:x", "10.0.0.5:8786", "http://x:1", "tcp://"):
        with pytest.raises(ValueError, match="local"):
            parse_address(bad)


def test_a_bad_cluster_address_is_a_usage_error(tmp_path: Path) -> None:
    r = cli(tmp_path, "checksum", "--no-journal", "--cluster", "nowhere:1", ".")
    assert r.returncode == 2 and b"not a cluster address" in r.stderr


def test_version_mismatch_names_the_worker() -> None:
    from core.executor.dask import version_problems
    from core.executor.dask_worker import describe_worker

    mine = describe_worker()
    same = {"tcp://127.0.0.1:1": dict(mine)}
    assert version_problems(mine, same) is None
    other = {**same, "tcp://127.0.0.1:2": {**mine, "parabatch": "0.0.9"}}
    problem = version_problems(mine, other)
    assert problem is not None
    assert "tcp://127.0.0.1:2 has Parabatch 0.0.9" in problem and "127.0.0.1:1" not in problem
    fewer = {"tcp://127.0.0.1:3": {**mine, "operations": mine["operations"][:-1]}}
    assert "tcp://127.0.0.1:3 has other operations" in (version_problems(mine, fewer) or "")


# --- same results as the Pool ----------------------------------------------------------------


@needs_dask
def test_checksum_and_verify_give_the_pools_bytes(tmp_path: Path) -> None:
    make_files(tmp_path / "in" / "a", 300, size=2000)
    make_files(tmp_path / "in" / "b", 3, size=9 << 20, prefix="big")  # memory-mapped, alone
    pool = cli(tmp_path, "checksum", "--no-journal", "-w", "2", "-o", "pool.sha256", "in")
    dask = cli(
        tmp_path, "checksum", "--no-journal", "--cluster", "local:2", "-o", "dask.sha256", "in"
    )
    assert pool.returncode == 0 and dask.returncode == 0, dask.stderr
    assert (tmp_path / "pool.sha256").read_bytes() == (tmp_path / "dask.sha256").read_bytes()
    assert len((tmp_path / "dask.sha256").read_bytes().splitlines()) == 303
    (tmp_path / "in" / "a" / "f007.bin").write_bytes(b"changed")
    outs = [
        cli(tmp_path, "verify", "--no-journal", "--json", *extra, "pool.sha256")
        for extra in (["-w", "2"], ["--cluster", "local:2"])
    ]
    assert [o.returncode for o in outs] == [1, 1]
    records = [[json.loads(line) for line in o.stdout.splitlines()] for o in outs]
    for rec in records:  # the summary's timing differs; every file's record is the same
        rec[-1].pop("seconds", None)
        rec[-1].pop("elapsed", None)
    assert records[0][:-1] == records[1][:-1]
    assert sum(r.get("status") != "done" for r in records[1][:-1]) == 1


@needs_dask
def test_image_outputs_are_byte_identical(tmp_path: Path) -> None:
    from tests.core.test_image_op import photo

    src = tmp_path / "photos"
    src.mkdir()
    for i in range(12):
        photo(320 + i, 240).save(src / f"p{i:02d}.jpg", quality=90)
    for where, extra in (("pool", ["-w", "2"]), ("dask", ["--cluster", "local:2"])):
        r = cli(tmp_path, "image", "--no-journal", *extra, "--max-width", "100",
                "--output-dir", where, "photos")  # fmt: skip
        assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in (tmp_path / "pool").iterdir())
    assert len(made) == 12 and made == sorted(p.name for p in (tmp_path / "dask").iterdir())
    for name in made:
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


@needs_dask
def test_tcp_scheduler_and_dask_workers_run_a_job(tmp_path: Path) -> None:
    """A real ``dask scheduler`` and two ``dask worker`` processes, as a user would run them."""
    dask = str(Path(sys.executable).with_name("dask"))
    info = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info)],
            env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]  # fmt: skip
    try:
        wait_until(
            lambda: info.exists() and bool(info.read_text().strip()),
            30,
            lambda: "the scheduler to write its address",
            procs[0].pid,
        )
        address = json.loads(info.read_text())["address"]
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                     "--no-dashboard", "--nworkers", "1"],
                    env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )  # fmt: skip
        files = make_files(tmp_path / "in", 120)
        with Engine(2, cluster=address) as eng:
            client = eng.current_executor()._client  # type: ignore[attr-defined]
            client.wait_for_workers(2, timeout=30)  # Dask's own wait, on the scheduler's news
            job, report = run_job(eng, HASH, None, plan_for(HASH, tmp_path / "in"))
        assert report.error is None
        assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
        r = cli(tmp_path, "cluster", "info", address)
        assert r.returncode == 0 and b"2 workers, 2 threads" in r.stdout, r.stderr
    finally:
        for p in reversed(procs):
            end_session(p)


# --- faults ----------------------------------------------------------------------------------


@needs_dask
def test_sigkilled_worker_mid_job_every_file_once(cluster_engine: Engine, tmp_path: Path) -> None:
    files = make_files(tmp_path / "in", 24, size=1 << 20)
    job, t = start(cluster_engine, SLOW, plan_for(SLOW, tmp_path / "in"), 20)
    pump_until(job, lambda: cluster_engine.current_executor().busy() != [], 30)
    busy = cluster_engine.current_executor().busy()
    os.kill(busy[0].pid, signal.SIGKILL)
    finish(job, t, 90)
    assert_all_final(job)
    c = job.tracker.counts
    assert c[Status.DONE] == len(files), [r.message for r in job.tracker.results if r]
    assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
    assert any(r.attempt > 1 for r in job.tracker.results if r)  # resubmitted after the loss


@needs_dask
def test_a_crashing_file_is_retried_then_failed(cluster_engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 20)
    (tmp_path / "in" / "f005-CRASH.bin").write_bytes(b"x" * 100)
    job, report = run_job(cluster_engine, SEGV, None, plan_for(SEGV, tmp_path / "in"))
    assert report.error is None
    bad = [r for r in job.tracker.results if r and r.status != Status.DONE]
    assert len(bad) == 1 and job.tracker.counts[Status.DONE] == 20
    assert bad[0].kind == Kind.CRASHED_WORKER and "2 times" in bad[0].message
    assert job.tasks[bad[0].index].path.endswith("CRASH.bin")


@needs_dask
def test_cancel_stops_within_a_second_and_the_cluster_runs_the_next_job(
    cluster_engine: Engine, tmp_path: Path
) -> None:
    make_files(tmp_path / "in", 16, size=4 << 20)
    job, t = start(cluster_engine, SLOW, plan_for(SLOW, tmp_path / "in"), 40)
    pump_until(job, lambda: job.tracker.counts[Status.DONE] >= 1, 60)
    asked = time.monotonic()
    job.cancel()
    finish(job, t, 10)
    assert time.monotonic() - asked < 1.5
    assert job.report is not None and job.report.cancelled
    assert_all_final(job)
    assert job.tracker.counts[Status.CANCELLED] > 0
    client = cluster_engine.current_executor()._client  # type: ignore[attr-defined]
    wait_until(  # no task keeps running
        lambda: not any(client.processing().values()),
        2,
        lambda: f"the cluster's tasks to stop: {client.processing()}",
        os.getpid(),
    )
    files = make_files(tmp_path / "next", 30)
    job2, report = run_job(cluster_engine, HASH, None, plan_for(HASH, tmp_path / "next"))
    assert report.error is None and [r.value for r in job2.tracker.results if r] == [
        sha(p) for p in files
    ]


@needs_dask
def test_pause_stops_progress_until_resumed(cluster_engine: Engine, tmp_path: Path) -> None:
    make_files(tmp_path / "in", 10, size=4 << 20)
    # About a second per file here, so the job is far from its end when it pauses (at 40
    # rounds a file takes 0.1 s and the job could end before the workers see the pause).
    job, t = start(cluster_engine, SLOW, plan_for(SLOW, tmp_path / "in"), 400)
    pump_until(job, lambda: job.tracker.counts[Status.DONE] >= 1, 60)
    job.pause()

    def progress() -> tuple[int, int]:
        job.poll(None)
        return job.tracker.counts[Status.DONE], job.tracker.bytes_done

    # Workers notice within LOOK_INTERVAL and a block: wait until progress stands still for
    # half a second, then watch it for a second more (deadline conditions, not sleeps).
    last = [progress(), time.monotonic()]

    def still() -> bool:
        now, seen = time.monotonic(), progress()
        if seen != last[0]:
            last[:] = [seen, now]
        return now - last[1] >= 0.5

    wait_until(still, 5, lambda: "the paused workers to stop", os.getpid())
    held = progress()
    watch_until = time.monotonic() + 1.0
    wait_until(
        lambda: progress() != held or time.monotonic() >= watch_until,
        5,
        lambda: "a second of pause",
        os.getpid(),
    )
    assert progress() == held
    assert not job.done.is_set()
    job.resume()
    finish(job, t, 90)
    assert job.tracker.counts[Status.DONE] == 10


@needs_dask
def test_inputs_the_workers_cannot_see_fail_the_job_before_it_starts(
    cluster_engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(ClusterError, match=r"cannot see /nonexistent/input\.bin.*share"):
        cluster_engine.check_visible(["/nonexistent/input.bin"])
    make_files(tmp_path / "in", 5)
    plan = plan_for(HASH, tmp_path / "in")
    (tmp_path / "in" / "f000.bin").unlink()  # planned here, gone for the workers
    job, report = run_job(cluster_engine, HASH, None, plan)
    assert report.error is not None and "cannot see" in report.error
    assert job.tracker.counts[Status.FAILED] == 5


@needs_dask
def test_unreachable_address_fails_fast_and_clearly(tmp_path: Path) -> None:
    began = time.monotonic()
    with Engine(1, cluster="tcp://127.0.0.1:9") as eng, pytest.raises(ClusterError) as e:
        eng.warm_up()
    assert time.monotonic() - began < 6
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in str(e.value)
    r = cli(tmp_path, "checksum", "--no-journal", "--cluster", "tcp://127.0.0.1:9", ".")
    assert r.returncode == 2 and b"cannot reach the Dask scheduler" in r.stderr


@needs_dask
def test_real_workers_versions_and_a_mismatch_is_reported(cluster_engine: Engine) -> None:
    from core.executor.dask import version_problems

    ex = cluster_engine.current_executor()
    theirs = ex.worker_versions()  # type: ignore[attr-defined]
    assert len(theirs) == 2 and all(v["parabatch"] for v in theirs.values())
    mine = {**next(iter(theirs.values())), "parabatch": "9.9.9"}
    problem = version_problems(mine, theirs)
    assert problem is not None and all(a in problem for a in theirs)


@needs_dask
def test_the_apps_local_cluster_leaves_no_process(tmp_path: Path) -> None:
    before = descendants()
    eng = Engine(2, cluster="local:2")
    eng.warm_up()
    made = descendants() - before
    assert len(eng.worker_pids()) == 2 and set(eng.worker_pids()) <= made
    files = make_files(tmp_path / "in", 10)
    job, _ = run_job(eng, HASH, None, plan_for(HASH, tmp_path / "in"))
    assert [r.value for r in job.tracker.results if r] == [sha(p) for p in files]
    eng.shutdown()
    assert wait_for_exit(made, 5.0) == []


@needs_dask
def test_cluster_info_lists_workers_and_threads(tmp_path: Path) -> None:
    r = cli(tmp_path, "cluster", "info", "local:2")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "2 workers, 2 threads" in out and out.count("parabatch 0.") == 2
    dead = cli(tmp_path, "cluster", "info", "tcp://127.0.0.1:9")
    assert dead.returncode == 2 and b"cannot reach" in dead.stderr


def test_without_a_cluster_nothing_imports_dask(tmp_path: Path) -> None:
    code = (
        "import sys; from core.engine import Engine, run_job; from core import cli; "
        "e = Engine(1); e.warm_up(); e.shutdown(); "
        "print('distributed' in sys.modules or 'dask' in sys.modules)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env=ENV, capture_output=True, timeout=60, check=True
    )
    assert r.stdout.strip() == b"False"


# --- --path-map --------------------------------------------------------------------------------


def test_a_path_map_turns_paths_both_ways() -> None:
    from core.executor.pathmap import build

    m = build(["/mnt/data=/shared/data", "/mnt/data/deep=/other", "rel=/r"])
    assert m.to_remote("/mnt/data/a/b.bin") == "/shared/data/a/b.bin"
    assert m.to_remote("/mnt/data") == "/shared/data"
    assert m.to_remote("/mnt/data/deep/x") == "/other/x"  # the deepest folder wins
    assert m.to_remote("/mnt/database/x") == "/mnt/database/x"  # not a folder under it
    assert m.to_remote(os.path.abspath("rel/y")) == "/r/y"  # LOCAL is this folder's
    assert m.to_local("/other/x") == "/mnt/data/deep/x"
    assert m.to_local("/shared/data/a/b.bin") == "/mnt/data/a/b.bin"
    text = "cannot read /shared/data/a.bin: gone; '/shared/database' and /other kept"
    assert m.local_text(text) == (
        "cannot read /mnt/data/a.bin: gone; '/shared/database' and /mnt/data/deep kept"
    )
    assert not build([]) and build([]).to_remote("/x") == "/x"


def test_path_map_usage_errors_exit_2(tmp_path: Path) -> None:
    cases = [
        (("checksum", "--path-map", "/a=/b", "."), b"give --cluster ADDRESS too"),
        (("jobs", "resume", "last", "--path-map", "/a=/b"), b"give --cluster ADDRESS too"),
        (("checksum", "--cluster", "local:1", "--path-map", "nothing", "."), b"not LOCAL=REMOTE"),
        (("checksum", "--cluster", "local:1", "--path-map", "/a=", "."), b"not LOCAL=REMOTE"),
        (("checksum", "--cluster", "local:1", "--path-map", "/a=b", "."), b"must be an absolute"),
        (
            ("checksum", "--cluster", "local:1", "--path-map", "/a=/b", "--path-map=/a/=/c", "."),
            b"gives /a twice, as /b and as /c",
        ),
    ]
    for args, said in cases:
        r = cli(tmp_path, *args, "--no-journal")
        assert r.returncode == 2 and said in r.stderr, (args, r.stderr)
        assert b"Traceback" not in r.stderr


def end_session(p: subprocess.Popen[bytes]) -> None:
    """End a ``dask`` command and everything it started: SIGTERM first, which it answers by
    closing its workers (their multiprocessing semaphores are released), then SIGKILL of its
    session for whatever is left. A SIGKILL of the session alone also killed multiprocessing's
    resource tracker, and each run left named semaphores behind in /dev/shm."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(p.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        p.wait(20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, signal.SIGKILL)
    p.wait(10)


@contextlib.contextmanager
def scheduler(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A real ``dask scheduler`` on a loopback port: (its address, the processes to end after:
    add workers to it). Every process is ended, with its session, at the end (see end_session)."""
    info = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info)],
            env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]  # fmt: skip
    try:
        wait_until(
            lambda: info.exists() and bool(info.read_text().strip()),
            30,
            lambda: "the scheduler to write its address",
            procs[0].pid,
        )
        yield json.loads(info.read_text())["address"], procs
    finally:
        for p in reversed(procs):
            end_session(p)


# The worker's own view of the files, as on another machine that mounts the same share elsewhere:
# in a mount namespace of its own, the folder $1 is bound at $2, then hidden under an empty tmpfs.
HIDE_AND_MOUNT = (
    'mount --bind "$1" "$2" && mount -t tmpfs -o size=1m tmpfs "$1" && exec "$3" worker "$4" '
    "--nthreads 1 --host 127.0.0.1 --no-dashboard --nworkers 1"
)


def worker_elsewhere(address: str, here: Path, there: Path) -> subprocess.Popen[bytes]:
    """A ``dask worker`` that sees the folder ``here`` only as ``there`` (which this process
    sees as an empty folder), and ``here`` empty."""
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        message = "unshare -m is not allowed here (the test needs root, as in CI)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    there.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", HIDE_AND_MOUNT, "sh",
         str(here), str(there), DASK, address],
        env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def wait_for_workers(address: str, n: int) -> None:
    client = distributed_module().Client(address, timeout=10, set_as_default=False)
    try:
        client.wait_for_workers(n, timeout=30)  # Dask's own wait, on the scheduler's news
    finally:
        client.close()


def distributed_module() -> Any:
    import distributed

    return distributed


@needs_dask
@needs_tool("unshare")
def test_path_map_runs_a_job_whose_inputs_the_workers_see_elsewhere(tmp_path: Path) -> None:
    """The workers cannot see ``app`` (the user's path) but see the same folder as ``remote``:
    without --path-map the job does not start; with it the manifest and the outputs are the local
    Pool's, and every path shown, written or journalled is this computer's."""
    from tests.core.test_image_op import photo

    app, remote = tmp_path / "app", tmp_path / "remote"
    make_files(app / "in", 40)
    (app / "photos").mkdir()
    for i in range(4):
        photo(200 + i, 150).save(app / "photos" / f"p{i}.jpg", quality=90)
    journal = str(tmp_path / "journal.sqlite")
    mapping = f"{app}={remote}"
    with scheduler(tmp_path) as (address, procs):
        procs.append(worker_elsewhere(address, app, remote))
        wait_for_workers(address, 1)
        assert not any(remote.iterdir())  # this computer sees nothing there
        plain = cli(tmp_path, "checksum", "--journal", journal, "--cluster", address,
                    "-o", "app/SUMS", "app/in")  # fmt: skip
        assert plain.returncode == 2, plain.stderr
        err = plain.stderr.decode()
        assert f"cannot see {app}/in" in err and "--path-map LOCAL=REMOTE" in err
        assert not (app / "SUMS").exists()
        wrong = cli(tmp_path, "checksum", "--no-journal", "--cluster", address, "--path-map",
                    f"{app}={tmp_path}/elsewhere", "-o", "app/SUMS", "app/in")  # fmt: skip
        assert wrong.returncode == 2 and b"does not lead the workers" in wrong.stderr
        mapped = cli(tmp_path, "checksum", "--journal", journal, "--cluster", address,
                     "--path-map", mapping, "-o", "app/SUMS", "app/in")  # fmt: skip
        assert mapped.returncode == 0, mapped.stderr
        image = cli(tmp_path, "image", "--no-journal", "--json", "--cluster", address,
                    "--path-map", mapping, "--max-width", "100", "--output-dir", "app/out",
                    "app/photos")  # fmt: skip
        assert image.returncode == 0, image.stderr
    pool = cli(tmp_path, "checksum", "--no-journal", "-w", "2", "-o", "app/REF", "app/in")
    assert pool.returncode == 0, pool.stderr
    assert (app / "SUMS").read_bytes() == (app / "REF").read_bytes()
    shown = json.loads(cli(tmp_path, "jobs", "show", "last", "--json", "--journal", journal).stdout)
    assert shown["job"]["done"] == 40
    assert all(r["path"].startswith(f"{app}/in/") for r in shown["results"])
    records = [json.loads(line) for line in image.stdout.splitlines()][:-1]
    assert [r["status"] for r in records] == ["done"] * 4
    assert all(r["output"].startswith(f"{app}/out/") for r in records)  # not the workers' path
    local = cli(tmp_path, "image", "--no-journal", "-w", "2", "--max-width", "100",
                "--output-dir", "pool-out", "app/photos")  # fmt: skip
    assert local.returncode == 0, local.stderr
    for r in records:
        name = Path(r["output"]).name
        assert Path(r["output"]).read_bytes() == (tmp_path / "pool-out" / name).read_bytes()


# --- jobs resume and retry on a cluster --------------------------------------------------------


@needs_dask
def test_a_job_that_failed_here_is_retried_and_resumed_on_a_cluster(tmp_path: Path) -> None:
    """A checksum job on this computer where one file times out (a TiB of holes, hours of
    reading), then the file is made small: ``jobs retry`` and ``jobs resume`` with ``--cluster``
    run there (a path map the workers cannot follow stops them) and write the manifest an
    uninterrupted run writes, taking the other files over from the journal."""
    data = tmp_path / "data"
    make_files(data, 30)
    slow = data / "f100-slow.bin"
    with open(slow, "wb") as f:
        f.truncate(1 << 40)
    journal = str(tmp_path / "journal.sqlite")
    first = cli(tmp_path, "checksum", "--journal", journal, "-w", "2", "--timeout", "1", "-q",
                "-o", "SUMS", "data")  # fmt: skip
    assert first.returncode == 1, first.stderr
    assert b"f100-slow.bin" in first.stderr
    slow.write_bytes(b"a small file now")
    ref = cli(tmp_path, "checksum", "--no-journal", "-w", "2", "-o", "REF", "data")
    assert ref.returncode == 0, ref.stderr
    assert (tmp_path / "SUMS").read_bytes() != (tmp_path / "REF").read_bytes()

    def jobs() -> list[dict[str, Any]]:
        r = cli(tmp_path, "jobs", "list", "--json", "--journal", journal)
        return json.loads(r.stdout)  # type: ignore[no-any-return]

    for verb in ("retry", "resume"):
        away = cli(tmp_path, "jobs", verb, "1", "--journal", journal, "--cluster", "local:1",
                   "--path-map", f"{data}=/nonexistent/data")  # fmt: skip
        assert away.returncode == 2 and b"cannot see /nonexistent/data" in away.stderr, away
        before = len(jobs())
        (tmp_path / "SUMS").unlink()
        r = cli(tmp_path, "jobs", verb, "1", "--journal", journal, "--cluster", "local:1", "-q")
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "SUMS").read_bytes() == (tmp_path / "REF").read_bytes(), verb
        listed = jobs()
        assert len(listed) == before + 1
        last = listed[-1]
        assert (last["how"], last["origin"], last["done"], last["failed"]) == (verb, 1, 31, 0)
        shown = json.loads(cli(tmp_path, "jobs", "show", "last", "--json", "--journal",
                               journal).stdout)  # fmt: skip
        redone = [Path(r["path"]).name for r in shown["results"] if r["carried_from"] is None]
        assert redone == ["f100-slow.bin"], verb  # the 30 others were taken from job 1
