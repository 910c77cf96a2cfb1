"""The scan controller's pacing, on fake time: rows found are appended at most every
``FLUSH_SECONDS`` (one insert and one repaint each), the first ones at once, the rest at the end.

The scanner is replaced by one that yields the batches the test hands it, so the test decides
what has been found when; the timer and the clock are fakes the test moves.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest

from core.discover import Found, Scanner
from core.records import FileEntry
from gui import scan_worker
from gui.file_model import FileModel
from gui.scan_worker import APPEND_ROWS, COUNT_MS, FLUSH_SECONDS, ScanController
from tests.gui.fake_timers import FakeClock, FakeTimers

Feed = queue.Queue[list[Found] | None]


@pytest.fixture
def feed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Feed]:
    """What the scan finds: each list put here is one batch; ``None`` ends the scan."""
    batches: Feed = queue.Queue()

    class HandFedScanner(Scanner):
        def batches(self, size: int = 2000) -> Iterator[list[Found]]:
            while (items := batches.get(timeout=30)) is not None:
                yield items

    monkeypatch.setattr(scan_worker, "Scanner", HandFedScanner)
    yield batches
    batches.put(None)  # a test that failed half-way still ends its scan thread


def entries(lo: int, hi: int) -> list[Found]:
    return [FileEntry(f"/found/{i:03d}", i, 0.0) for i in range(lo, hi)]


def test_found_rows_are_appended_at_most_every_flush_interval(qtbot, feed: Feed) -> None:
    timers, clock = FakeTimers(), FakeClock()
    model = FileModel()
    scans = ScanController(model, timers=timers, clock=clock)
    timer = timers.of(scans, COUNT_MS)
    scans.add(["/found"])
    assert scans.scanning and timer.isActive()

    feed.put(entries(0, 3))
    qtbot.waitUntil(lambda: scans.waiting == 3, timeout=5000)
    assert model.rowCount() == 0  # found, not appended: only a tick appends
    timer.fire()
    assert model.rowCount() == 3  # the first rows show up at the first tick

    feed.put(entries(3, 5))
    qtbot.waitUntil(lambda: scans.waiting == 2, timeout=5000)
    clock.advance(FLUSH_SECONDS * 0.6)
    timer.fire()
    assert model.rowCount() == 3  # too soon after the last append
    clock.advance(FLUSH_SECONDS * 0.4)
    timer.fire()
    assert model.rowCount() == 5 and scans.waiting == 0

    feed.put(entries(5, 6))
    qtbot.waitUntil(lambda: scans.waiting == 1, timeout=5000)
    with qtbot.waitSignal(scans.finished, timeout=5000) as done:
        feed.put(None)
    assert done.args == [6, False]  # the end appends what is left at once
    assert model.rowCount() == 6 and not timer.isActive() and not scans.scanning
    assert [model.path(i) for i in range(6)] == [e.path for e in entries(0, 6)]


def test_a_large_flush_goes_in_pieces_and_the_scan_finishes_after_the_last(
    qtbot, feed: Feed
) -> None:
    """A fast disk finds 50,000 rows per flush: they are appended APPEND_ROWS at a time, one
    piece per turn of the event loop (the window repaints and answers between them), and the
    scan reports its end only when every row found is in the model."""
    timers, clock = FakeTimers(), FakeClock()
    model = FileModel()
    scans = ScanController(model, timers=timers, clock=clock)
    tick, piece = timers.of(scans, COUNT_MS), timers.of(scans, 0)
    scans.add(["/found"])
    big = 2 * APPEND_ROWS + 5
    feed.put(entries(0, big))
    qtbot.waitUntil(lambda: scans.waiting == big, timeout=5000)
    tick.fire()
    assert model.rowCount() == APPEND_ROWS and piece.isActive()
    feed.put(entries(big, big + 7))  # found meanwhile: it waits for the next flush
    qtbot.waitUntil(lambda: scans.waiting == big - APPEND_ROWS + 7, timeout=5000)
    clock.advance(FLUSH_SECONDS)
    tick.fire()  # a flush under way is not started again
    assert model.rowCount() == APPEND_ROWS
    piece.fire()
    assert model.rowCount() == 2 * APPEND_ROWS and piece.isActive()
    piece.fire()
    assert model.rowCount() == big and not piece.isActive() and scans.waiting == 7

    feed.put(entries(big + 7, big + 7 + APPEND_ROWS))
    qtbot.waitUntil(lambda: scans.waiting == 7 + APPEND_ROWS, timeout=5000)
    ended: list[tuple[int, bool]] = []
    scans.finished.connect(lambda added, cancelled: ended.append((added, cancelled)))
    feed.put(None)
    qtbot.waitUntil(lambda: model.rowCount() == big + APPEND_ROWS, timeout=5000)
    assert scans.scanning and not ended and piece.isActive()  # the rest is still to come
    scans.add(["/later"])  # waits for this scan's end, as during the listing
    piece.fire()
    total = big + 7 + APPEND_ROWS
    assert model.rowCount() == total and ended == [(total, False)]
    assert [model.path(i) for i in range(total)] == [e.path for e in entries(0, total)]
    assert scans.scanning  # the queued path's scan started
    feed.put(None)
    qtbot.waitUntil(lambda: not scans.scanning, timeout=5000)
    assert ended[-1] == (0, False)
