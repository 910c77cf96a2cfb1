"""The thread wiring every worker uses: a worker that ends before the GUI thread looks again
must still be reported, and nothing may stay running afterwards."""

from __future__ import annotations

import gc
import threading

from gui.threads import ThreadWorker, retire_thread, running_threads, start_worker


class QuickWorker(ThreadWorker):
    def __init__(self) -> None:
        super().__init__()
        self.ran = threading.Event()

    def work(self) -> None:
        self.ran.set()


def test_a_worker_that_ends_at_once_is_still_reported(qtbot) -> None:
    finished = []
    worker = QuickWorker()
    thread = start_worker(worker, "quick", lambda: finished.append(True))
    # Block the GUI thread until the worker is done: its thread ends (and emits ``finished``)
    # before this thread could have connected anything after ``start()``.
    assert worker.ran.wait(10)
    qtbot.waitUntil(lambda: finished == [True], timeout=5000)
    retire_thread(thread)
    assert thread.isFinished() and not running_threads()
    # It stays on its ended thread (moving it back from there could deadlock on the GIL) and
    # is dropped from the GUI thread once the thread has ended: no warning, no crash.
    assert worker.thread() is thread
    del worker, thread
    gc.collect()
