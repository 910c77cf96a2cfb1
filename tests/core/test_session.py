"""core.session: one way to plan, run and follow a job, with real worker processes."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from core.discover import Scanner
from core.engine import Engine, run_session
from core.operations.checksum import ChecksumOptions
from core.operations.image import ImageOptions
from core.records import Status
from core.session import Found, Session


def files(folder: Path, n: int) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    out = {}
    for i in range(n):
        data = f"file {i}".encode() * (i + 1)
        (folder / f"f{i:03}").write_bytes(data)
        out[str(folder / f"f{i:03}")] = hashlib.sha256(data).hexdigest()
    return out


def found(folder: Path) -> Found:
    return Found(Scanner([str(folder)]).batches(7))  # small batches: several of them


def test_a_streaming_operation_starts_before_its_inputs_are_all_found(
    engine: Engine, tmp_path: Path
) -> None:
    expect = files(tmp_path / "in", 40)
    session = Session(engine, "checksum", ChecksumOptions(), found(tmp_path / "in"))
    assert session.streams
    job = session.plan()
    assert len(job.tasks) == 0 and job.tracker.input_open  # rows come while the job runs
    job, report = run_session(session)
    assert session.ended and report.error is None
    got = {job.tasks.paths[i]: r.value for i, r in enumerate(job.tracker.results) if r}
    assert got == expect
    assert job.tracker.ended_at is not None


def test_other_operations_are_planned_on_every_input_first(engine: Engine, tmp_path: Path) -> None:
    files(tmp_path / "in", 10)  # not images: tried all the same, each fails on its own
    options = ImageOptions(any_file=True)
    session = Session(engine, "image", options, found(tmp_path / "in"))
    assert not session.streams
    job = session.plan()
    assert len(job.tasks) == 10 and not job.tracker.input_open
    job, _ = run_session(session)
    assert job.tracker.counts[Status.FAILED] == 10
    assert {r.kind.slug for r in job.tracker.results if r and r.kind} == {"not-an-image"}


def test_tick_ends_the_job_once_after_the_run_loop_returned(engine: Engine, tmp_path: Path) -> None:
    files(tmp_path / "in", 20)
    session = Session(engine, "checksum", ChecksumOptions(), found(tmp_path / "in"))
    job = session.plan()
    assert session.tick(0.01) is False  # not run yet: nothing has ended
    runner = threading.Thread(target=session.run)
    runner.start()
    runner.join()
    assert job.tracker.ended_at is None  # the run loop does not touch the tracker's clock
    assert session.tick(0.01) is True
    ended_at = job.tracker.ended_at
    assert ended_at is not None and job.tracker.counts[Status.DONE] == 20
    assert session.tick(None) is True and job.tracker.ended_at == ended_at


def test_a_cancel_while_planning_stops_the_job_at_once(engine: Engine, tmp_path: Path) -> None:
    files(tmp_path / "in", 30)
    session = Session(engine, "checksum", ChecksumOptions(), found(tmp_path / "in"))
    session.cancel()  # the user pressed Cancel while the job was still being planned
    job, report = run_session(session)
    assert report.cancelled
    assert job.tracker.counts[Status.DONE] == 0
    assert len(job.tasks) == 30  # every input still has its (cancelled) row
    assert job.tracker.counts[Status.CANCELLED] == 30
