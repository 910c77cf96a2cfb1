"""Adding files and folders without freezing the window.

:class:`ScanWorker` runs :class:`core.discover.Scanner` on its own thread and hands batches of
found files to the GUI thread; :class:`ScanController` (GUI thread) appends them to the model
four times a second at most (one insert and one repaint per :data:`APPEND_ROWS` rows, however
fast the disk), shows a live count, queues paths added while a scan runs and cancels on
request. Dropping a folder and "Add folder" both end up here, so they behave exactly alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.discover import Filters, Found, Scanner
from gui import collector
from gui.threads import ThreadWorker, TimerFactory, make_timer, retire_thread, start_worker

if TYPE_CHECKING:
    from gui.file_model import FileModel

log = logging.getLogger(__name__)

BATCH = 2000
COUNT_MS = 100  # live count refresh
FLUSH_SECONDS = 0.25  # rows found are appended at most this often (each append repaints)
# Most rows one append takes (about 8 ms of the GUI thread at a million rows listed); a flush of
# more goes on in pieces, one per turn of the event loop, so that a fast disk's 50,000 rows per
# flush do not hold the window for 25 ms and more at a time.
APPEND_ROWS = 16384


class ScanWorker(ThreadWorker):
    """Iterates a scanner and emits what it finds, batch by batch.

    Every batch the scanner produced is emitted, even after a cancel: its paths are already in
    the shared ``seen`` set, and the receiver either appends them or forgets them.

    Signals:
        found(int, object): the scan's generation and a list of FileEntry/SkippedEntry.
    """

    found = Signal(int, object)

    def __init__(self, scanner: Scanner, generation: int, batch: int = BATCH) -> None:
        super().__init__()
        self.scanner, self.generation, self.batch = scanner, generation, batch

    def work(self) -> None:
        for items in self.scanner.batches(self.batch):
            self.found.emit(self.generation, items)


class ScanController(QObject):
    """Runs one scan at a time into ``model``; paths added meanwhile wait for the next one.

    ``timers`` makes the count timer and ``clock`` paces the appends (tests pass fakes).

    Signals:
        progress(int, int, int): files, skipped and folders seen by the running scan.
        finished(int, bool): rows added by the scan that ended, and whether it was cancelled.
            Emitted after every scan, including queued ones.
    """

    progress = Signal(int, int, int)
    finished = Signal(int, bool)

    def __init__(
        self,
        model: FileModel,
        parent: QObject | None = None,
        *,
        timers: TimerFactory = make_timer,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._clock = clock
        self.filters = Filters()
        self.skip_under: tuple[str, ...] = ()  # folder prefixes (with a trailing separator)
        self._queue: list[str] = []
        self._scanner: Scanner | None = None
        self._worker: ScanWorker | None = None
        self._thread: QThread | None = None
        self._generation = 0
        self._added = 0
        self._cancelled = False
        self._pending: list[Found] = []  # found, not yet in the model
        self._due = 0  # of those, how many the flush under way still appends
        self._ending = False  # the scan's thread ended; the last rows are being appended
        self._flushed = 0.0
        self._timer = timers(self, COUNT_MS, self._report)
        self._next_piece = timers(self, 0, self._append_piece, single_shot=True)

    @property
    def scanning(self) -> bool:
        return self._thread is not None or self._ending

    @property
    def waiting(self) -> int:
        """Rows found and not yet appended to the model (they go in at the next flush)."""
        return len(self._pending)

    def add(self, paths: Iterable[str]) -> None:
        """Scan these files and folders (recursively) into the model."""
        self._queue.extend(paths)
        if not self.scanning and self._queue:
            self._start()

    def cancel(self) -> None:
        """Stop the running scan (what it found so far stays) and forget queued paths."""
        self._queue.clear()
        if self._scanner is not None and self._thread is not None:  # not one that ended
            self._cancelled = True
            self._scanner.cancel.set()

    def discard(self) -> None:
        """Stop and drop batches still on their way (the model is being cleared)."""
        self.cancel()
        self._generation += 1
        self.model.seen.difference_update(e.path for e in self._pending)
        self._pending, self._due = [], 0

    def stop_now(self, timeout_ms: int = 5000) -> None:
        """The application is quitting: stop the scan and wait for its thread (it needs no
        event loop to end). Late batches are dropped."""
        self.discard()
        self._timer.stop()
        self._next_piece.stop()
        self._ending = False
        if self._thread is not None:
            self._thread.wait(timeout_ms)
        collector.release(self)

    def _start(self) -> None:
        paths, self._queue = self._queue, []
        self._generation += 1
        self._added = 0
        self._cancelled = False
        self._flushed = 0.0
        self._scanner = Scanner(paths, self.filters, seen=self.model.seen)
        # The rows listed so far out of the collector's way while more come (a full collection
        # walked a million of them on the scan's thread, every few hundred ms: 90 ms stalls).
        collector.park(self)
        self._worker = ScanWorker(self._scanner, self._generation)
        self._worker.found.connect(self._on_found)
        self._thread = start_worker(self._worker, "parabatch-scan", self._on_thread_finished)
        self._timer.start()
        self._report()

    @Slot(int, object)
    def _on_found(self, generation: int, items: list[Found]) -> None:
        if generation != self._generation:  # cleared meanwhile: let these paths be added again
            self.model.seen.difference_update(e.path for e in items)
            return
        self._pending.extend(items)

    def _flush(self, force: bool = False) -> None:
        """Append what was found since the last flush (one insert and one repaint per
        :data:`APPEND_ROWS`); files under :attr:`skip_under` are left out (and may be added later
        on their own)."""
        now = self._clock()
        if self._pending and not self._due and (force or now - self._flushed >= FLUSH_SECONDS):
            self._flushed = now
            self._due = len(self._pending)
            self._append_piece()

    def _append_piece(self) -> None:
        """Append the next piece of the flush under way; the rest on the next turn of the event
        loop; once all is in at the scan's end, finish it."""
        k = min(self._due, APPEND_ROWS)
        items = self._pending[:k]
        del self._pending[:k]
        self._due -= k
        if items and self.skip_under:
            skip = self.skip_under
            left = [e for e in items if e.path.startswith(skip)]
            if left:
                self.model.seen.difference_update(e.path for e in left)
                items = [e for e in items if not e.path.startswith(skip)]
        if items:
            self._added += self.model.append(items)
        if self._due:
            self._next_piece.start()
        elif self._ending:
            self._finish()

    @Slot()
    def _report(self) -> None:
        self._flush(force=self._flushed == 0.0)  # the first rows show up at once
        s = self._scanner
        if s is not None:
            self.progress.emit(s.files, s.skipped, s.folders)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            retire_thread(thread)
        self._timer.stop()
        # Everything found goes in now, in pieces (see APPEND_ROWS); then the scan is finished.
        self._ending = True
        self._due = len(self._pending)
        if not self._next_piece.isActive():
            self._append_piece()

    def _finish(self) -> None:
        self._ending = False
        self._report()
        self._scanner = None
        collector.release(self)
        self.finished.emit(self._added, self._cancelled)
        if self._queue:
            self._start()
