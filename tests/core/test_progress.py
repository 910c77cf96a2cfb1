"""The Qt-free progress tracker, driven by a fake clock, and the display formatters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.progress import Tracker, format_bytes, format_duration
from core.records import FileResult, Status


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def done(i: int, value: str = "") -> FileResult:
    return FileResult(i, Status.DONE, value)


def test_new_tracker_is_all_pending() -> None:
    t = Tracker([10, 20, 30], clock=FakeClock())
    assert (t.n, t.total_bytes, t.bytes_done, t.finished) == (3, 60, 0, 0)
    assert t.counts[Status.PENDING] == 3
    assert sum(t.counts.values()) == 3
    assert list(t.state) == [Status.PENDING] * 3
    assert list(t.sizes) == [10, 20, 30]
    assert list(t.results) == [None, None, None]
    assert not t.all_final
    assert t.take_changed() is None


def test_counts_always_add_up_to_n() -> None:
    t = Tracker([5] * 6, clock=FakeClock())
    t.file_running(0, 1)
    t.file_running(1, 2)
    t.file_result(done(0))
    t.file_result(FileResult(2, Status.FAILED, message="bad"))
    t.file_result(FileResult(3, Status.SKIPPED))
    t.file_result(FileResult(4, Status.CANCELLED))
    assert sum(t.counts.values()) == 6
    assert dict(t.counts) == {
        Status.PENDING: 1,
        Status.RUNNING: 1,
        Status.DONE: 1,
        Status.FAILED: 1,
        Status.SKIPPED: 1,
        Status.CANCELLED: 1,
    }
    assert t.finished == 4
    assert [t.status(i) for i in range(6)] == [
        Status.DONE,
        Status.RUNNING,
        Status.FAILED,
        Status.SKIPPED,
        Status.CANCELLED,
        Status.PENDING,
    ]
    t.file_result(done(1))
    t.file_result(done(5))
    assert t.all_final
    assert t.summary() == {
        "files": 6,
        "done": 3,
        "failed": 1,
        "skipped": 1,
        "cancelled": 1,
        "bytes": 15,  # what was read: three done files; none of the failed, skipped, cancelled
        "seconds": 0.0,
    }


@given(
    st.lists(
        st.tuples(
            st.integers(0, 4), st.sampled_from(["run", *Status.__members__]), st.integers(0, 200)
        ),
        max_size=60,
    )
)
def test_random_updates_keep_counts_and_bytes_consistent(
    events: list[tuple[int, str, int]],
) -> None:
    sizes = [0, 10, 100, 50, 7]
    t = Tracker(sizes, clock=FakeClock())
    read = [0] * len(sizes)  # the model: bytes each row had read when it ended
    for i, what, n in events:
        if what == "run":
            t.file_running(i, n)
        elif Status[what].final and not t.status(i).final:
            ran = t.partial[i] if t.status(i) == Status.RUNNING else 0
            read[i] = {"DONE": sizes[i], "SKIPPED": 0}.get(what, ran)
            t.file_result(FileResult(i, Status[what]))
    assert sum(t.counts.values()) == len(sizes)
    for s in Status:
        assert t.counts[s] == sum(1 for x in t.state if x == s)
    expected = handled = 0
    for i in range(len(sizes)):
        if t.status(i).final:
            expected += read[i]
            handled += sizes[i] + 1 if t.status(i) != Status.CANCELLED else 0
        elif t.status(i) == Status.RUNNING:
            expected += t.partial[i]
            handled += t.partial[i]
    assert t.bytes_done == expected
    assert 0 <= t.bytes_done <= t.total_bytes
    assert t.fraction == pytest.approx(handled / (sum(sizes) + len(sizes)))


FINAL = [s for s in Status if s.final]


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("grow"), st.lists(st.integers(0, 100), max_size=4)),
            st.tuples(st.just("run"), st.tuples(st.integers(0, 20), st.integers(0, 200))),
            st.tuples(
                st.just("batch"),
                st.lists(st.tuples(st.integers(0, 20), st.sampled_from(FINAL)), max_size=6),
            ),
        ),
        max_size=40,
    )
)
def test_rows_added_while_running_and_batched_results_stay_consistent(
    events: list[tuple[str, object]],
) -> None:
    """The streaming path: rows arrive during the job, results come a chunk at a time."""
    sizes = [5, 50]
    t = Tracker(sizes, clock=FakeClock())
    views = (t.state, t.results, t.partial, t.sizes)  # a GUI model shares these objects
    for what, arg in events:
        if what == "grow":
            t.add_rows(arg)  # type: ignore[arg-type]
            sizes += arg  # type: ignore[arg-type]
        elif what == "run":
            i, n = arg  # type: ignore[misc]
            if i < t.n:
                t.file_running(i, n)
        else:
            batch = [FileResult(i, s) for i, s in arg if i < t.n]  # type: ignore[attr-defined]
            t.file_results(batch)
    assert all(a is b for a, b in zip((t.state, t.results, t.partial, t.sizes), views, strict=True))
    assert t.n == len(sizes) == len(t.state) == len(t.results) == len(t.partial)
    assert t.total_bytes == sum(sizes)
    assert sum(t.counts.values()) == t.n
    for s in Status:
        assert t.counts[s] == sum(1 for x in t.state if x == s)
    running = sum(t.partial[i] for i in range(t.n) if t.status(i) == Status.RUNNING)
    final = sum(sizes[i] for i in range(t.n) if t.status(i) == Status.DONE)
    assert t.bytes_done >= running + final  # plus what failed and cancelled rows had read
    assert t.bytes_done <= t.total_bytes
    assert 0.0 <= t.fraction <= 1.0


def test_batch_result_first_wins_and_marks_the_changed_range() -> None:
    t = Tracker([10, 10, 10, 10], clock=FakeClock())
    t.take_changed()
    t.file_results([FileResult(2, Status.FAILED, message="bad"), done(1, "x")])
    t.file_results([done(2, "late"), done(1, "again")])
    assert t.results[2] is not None and t.results[2].message == "bad"
    assert t.results[1] is not None and t.results[1].value == "x"
    assert t.take_changed() == (1, 2)
    t.add_rows([7])
    assert t.counts[Status.PENDING] == 3 and t.total_bytes == 47


def test_bytes_done_counts_running_partials() -> None:
    t = Tracker([100, 200, 50], clock=FakeClock())
    t.file_running(0, 40)
    assert t.bytes_done == 40
    t.file_running(0, 70)  # absolute, not added
    t.file_running(1, 30)
    assert t.bytes_done == 100
    t.file_running(2, 500)  # clamped to the file's size
    assert t.bytes_done == 150
    t.file_result(done(0))
    assert t.bytes_done == 100 + 30 + 50
    t.file_running(0, 10)  # a late progress message for a finished row is ignored
    assert t.bytes_done == 180
    assert t.status(0) == Status.DONE
    t.file_running(1, 0)  # a resubmitted file starts again from zero
    assert t.bytes_done == 150


def test_duplicate_final_result_is_ignored_first_wins() -> None:
    t = Tracker([10, 10], clock=FakeClock())
    first = FileResult(0, Status.FAILED, message="worker crashed")
    assert t.file_result(first) is True
    assert t.file_result(done(0, "abc")) is False
    assert t.results[0] == first
    assert t.status(0) == Status.FAILED
    assert (t.counts[Status.FAILED], t.counts[Status.DONE]) == (1, 0)
    assert t.bytes_done == 0  # it failed before reading anything
    assert t.fraction == pytest.approx(11 / 22)  # but it was dealt with
    assert t.results[1] is None


def test_take_changed_returns_the_range_then_resets() -> None:
    t = Tracker([1] * 10, clock=FakeClock())
    t.file_running(4, 0)
    t.file_result(done(7))
    t.file_running(5, 1)
    assert t.take_changed() == (4, 7)
    assert t.take_changed() is None
    t.file_result(done(2))
    assert t.take_changed() == (2, 2)
    t.file_result(done(2))  # duplicate: nothing changed
    t.file_running(2, 1)  # final row: nothing changed
    assert t.take_changed() is None
    t.file_result(done(9))
    t.file_result(done(0))
    assert t.take_changed() == (0, 9)


def test_fraction_moves_for_empty_files() -> None:
    t = Tracker([0, 0, 0, 0], clock=FakeClock())
    assert t.fraction == 0.0
    t.file_result(done(0))
    assert t.fraction == pytest.approx(0.25)
    for i in (1, 2, 3):
        t.file_result(done(i))
    assert t.fraction == 1.0


def test_fraction_weights_bytes() -> None:
    t = Tracker([98, 0], clock=FakeClock())
    t.file_running(0, 49)
    assert t.fraction == pytest.approx(49 / 100)
    t.file_result(done(1))
    assert t.fraction == pytest.approx(50 / 100)
    t.file_result(done(0))
    assert t.fraction == 1.0


def test_after_a_cancel_the_numbers_are_what_really_happened() -> None:
    """The bar shows the share processed, not 100%; bytes and rate count what was read (a
    cancelled large file counts the part it had read, a skipped one nothing)."""
    clock = FakeClock()
    t = Tracker([1000] * 4 + [10**9], clock=clock)
    t.file_result(done(0))
    t.file_result(FileResult(1, Status.SKIPPED))
    t.file_running(2, 400)
    t.file_result(FileResult(2, Status.FAILED, message="not an image"))
    t.file_running(4, 3000)
    clock.t += 2.0
    t.file_results([FileResult(4, Status.CANCELLED), FileResult(3, Status.CANCELLED)])
    t.mark_ended()
    assert t.all_final
    assert t.bytes_done == 1000 + 400 + 3000
    assert t.rate == pytest.approx(4400 / 2.0)
    assert t.fraction == pytest.approx((3000 + 3) / (10**9 + 4000 + 5))
    assert t.summary()["bytes"] == 4400


def test_no_rows_is_complete() -> None:
    t = Tracker([], clock=FakeClock())
    assert t.fraction == 1.0
    assert t.all_final
    assert t.eta == 0.0
    assert t.take_changed() is None


def test_rate_smoothing_and_eta() -> None:
    clock = FakeClock(0.0)
    t = Tracker([1000, 1000], clock=clock)
    assert t.rate == 0.0
    assert t.eta is None  # unknown before any rate
    clock.t = 0.01
    t.file_running(0, 100)
    t.tick()  # under 50 ms since the last sample: ignored
    assert t.rate == 0.0
    clock.t = 1.0
    t.tick()  # the first sample is taken as is
    assert t.rate == pytest.approx(100.0)
    assert t.eta == pytest.approx(1900 / 100)
    clock.t = 2.0
    t.file_running(0, 400)  # 300 B in 1 s; alpha = dt / 2 = 0.5
    t.tick()
    assert t.rate == pytest.approx(100 + 0.5 * (300 - 100))
    assert t.eta == pytest.approx(1600 / 200)
    clock.t = 6.0
    t.file_running(0, 1000)  # 600 B in 4 s: alpha capped at 1, the rate is the new sample
    t.tick()
    assert t.rate == pytest.approx(150.0)


def test_rate_never_negative_when_bytes_go_back() -> None:
    clock = FakeClock(0.0)
    t = Tracker([1000], clock=clock)
    t.file_running(0, 900)
    clock.t = 1.0
    t.tick()
    t.file_running(0, 0)  # resubmitted after a crash
    clock.t = 3.0
    t.tick()
    assert t.rate >= 0.0


def test_elapsed_freezes_at_mark_ended_and_rate_is_the_average() -> None:
    clock = FakeClock(50.0)
    t = Tracker([300, 100], clock=clock)
    clock.t = 52.5
    assert t.elapsed == pytest.approx(2.5)
    t.file_result(done(0))
    t.file_result(done(1))
    clock.t = 54.0
    t.mark_ended()
    clock.t = 99.0
    t.mark_ended()  # a second call keeps the first end
    assert t.elapsed == pytest.approx(4.0)
    assert t.rate == pytest.approx(400 / 4.0)
    assert t.eta == 0.0
    assert t.summary()["seconds"] == 4.0


def test_eta_is_zero_when_all_final_even_without_rate() -> None:
    t = Tracker([10], clock=FakeClock())
    t.file_result(FileResult(0, Status.CANCELLED))
    assert t.eta == 0.0


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (1536, "1.5 KB"),
        (2_500_000, "2.5 MB"),
        (3 * 10**9, "3.0 GB"),
        (7.25 * 10**12, "7.2 TB"),
        (5 * 10**15, "5000.0 TB"),
    ],
)
def test_format_bytes(n: float, text: str) -> None:
    assert format_bytes(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(999.7, "1.0 KB"), (999_960, "1.0 MB"), (999_999_999, "1.0 GB"), (999_950_000_000, "1.0 TB")],
)
def test_format_bytes_rounds_up_into_the_next_unit(n: float, text: str) -> None:
    """A value that rounds to 1000 of a unit reads as 1.0 of the next: never "1000.0 KB"."""
    assert format_bytes(n) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "--:--"),
        (0, "00:00"),
        (0.4, "00:00"),
        (59.4, "00:59"),
        (59.6, "01:00"),
        (61, "01:01"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3661, "1:01:01"),
        (100 * 3600 + 5, "100:00:05"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text
