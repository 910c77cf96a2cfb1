"""Where the window's jobs run: this computer, or a Dask cluster (issue 15).

The sidebar's "Run on" combo, the cluster address and its Test button. Test connects off the
GUI thread (a dead address fails within about 5 s, see ``CONNECT_TIMEOUT``) by making an
:class:`core.engine.Engine` on the cluster and starting its executor; once it answers, that
engine *is* the window's engine (a ``local:N`` cluster is started once, not once for the test
and again for the job). Any change of the choice puts an engine for this computer back; a
replaced engine is shut down on a thread of its own (closing a cluster takes seconds).

With Dask chosen, Start is enabled only once a Test of the address shown has succeeded (the
status line under the address says so), so a job never runs somewhere the user did not choose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.engine import Engine
from core.executor.dask_address import CONNECT_TIMEOUT, ClusterError, parse_address
from gui.i18n import QT_TRANSLATE_NOOP, translate
from gui.threads import ThreadWorker, retire_thread, start_worker

if TYPE_CHECKING:
    from gui.job_control import JobControl
    from gui.window_ui import WindowUI

NOT_CONNECTED = QT_TRANSLATE_NOOP(
    "Cluster", "Not connected: press Test to connect to the cluster (Start waits for it)."
)


class ClusterTest(ThreadWorker):
    """Makes an engine on ``address`` and starts its executor; then ``engine`` (connected, the
    caller owns it) or ``error`` (a sentence), and the cluster's ``workers`` and ``threads``."""

    def __init__(self, address: str, workers: int) -> None:
        super().__init__()
        self.address = address
        self.local_workers = workers  # what ``local`` without a count starts
        self.engine: Engine | None = None
        self.error: str | None = None
        self.workers = 0
        self.threads = 0

    def work(self) -> None:
        engine = Engine(self.local_workers, cluster=self.address)
        try:
            info = engine.current_executor().info()  # type: ignore[attr-defined]
        except Exception as e:  # any failure is the test's answer
            engine.shutdown()
            self.error = str(e) if isinstance(e, ClusterError) else f"{type(e).__name__}: {e}"
            return
        self.engine = engine
        self.workers = len(info)
        self.threads = int(sum(w["threads"] for w in info.values()))


class EngineShutdown(ThreadWorker):
    """Shuts an engine down (its worker processes or its cluster) off the GUI thread."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def work(self) -> None:
        self.engine.shutdown()


class ClusterChoice(QObject):
    """Keeps the window's engine on the place chosen in the sidebar.

    Signals:
        state_changed: readiness or testing changed (the window re-enables its actions).
    """

    state_changed = Signal()

    def __init__(self, ui: WindowUI, jobs: JobControl, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.jobs = jobs
        self.connected: str | None = None  # the address the window's engine is connected to
        self._test: tuple[QThread, ClusterTest] | None = None
        self._retiring: list[tuple[QThread, EngineShutdown]] = []
        self._closed = False
        ui.run_on.currentIndexChanged.connect(self.choice_changed)
        ui.cluster_address.textChanged.connect(self.choice_changed)
        ui.cluster_address.returnPressed.connect(self.test)
        ui.cluster_test.clicked.connect(self.test)
        self.update_state(running=False)

    @property
    def dask_chosen(self) -> bool:
        return self.ui.run_on.currentData() == "dask"

    @property
    def address(self) -> str:
        return self.ui.cluster_address.text().strip()

    @property
    def testing(self) -> bool:
        return self._test is not None

    @property
    def ready(self) -> bool:
        """Whether a job can start where chosen (this computer, or a tested cluster)."""
        if not self.dask_chosen:
            return self.jobs.engine.cluster is None
        return self.connected is not None and self.connected == self.address

    def update_state(self, running: bool) -> None:
        ui, dask = self.ui, self.dask_chosen
        ui.run_on.setEnabled(not running)
        ui.cluster_address.setEnabled(dask and not running and not self.testing)
        ui.cluster_test.setEnabled(dask and not running and not self.testing and bool(self.address))
        ui.workers.setEnabled(not running and not dask)

    @Slot()
    def choice_changed(self) -> None:
        ui = self.ui
        if self.dask_chosen:
            if ui.local_workers is None:
                ui.local_workers = ui.workers.value()
            if self.connected != self.address:
                self._back_to_this_computer()
            if not self.testing:
                ui.cluster_info.setText(
                    "" if self.connected else translate("Cluster", NOT_CONNECTED)
                )
        else:
            if ui.local_workers is not None:
                ui.workers.setValue(ui.local_workers)
                ui.local_workers = None
            self._back_to_this_computer()
            if not self.testing:
                ui.cluster_info.setText("")
        ui.cluster_info.setVisible(bool(ui.cluster_info.text()))
        ui.update_workers_note()
        self.state_changed.emit()

    @Slot()
    def test(self) -> None:
        """Connect to the address shown, off the GUI thread."""
        if self.testing or self.jobs.running or not self.dask_chosen or not self.address:
            return
        address = self.address
        try:
            parse_address(address)
        except ValueError as e:
            self._say(translate("Cluster", "Cannot use the cluster: {error}.").format(error=e))
            return
        self._back_to_this_computer()
        self._say(
            translate("Cluster", "Connecting to {address}… (at most about {seconds} s)").format(
                address=address, seconds=f"{CONNECT_TIMEOUT + 1:g}"
            )
        )
        worker = ClusterTest(address, self.ui.local_workers or self.ui.workers.value())
        thread = start_worker(worker, "parabatch-cluster-test", self._tested)
        self._test = (thread, worker)
        self.state_changed.emit()

    @Slot()
    def _tested(self) -> None:
        if self._test is None:  # shut down meanwhile (its engine too)
            return
        thread, worker = self._test
        self._test = None
        retire_thread(thread)
        if worker.engine is None:
            self._say(
                translate("Cluster", "Cannot use the cluster at {address}: {error}").format(
                    address=worker.address, error=worker.error
                )
            )
        elif self.dask_chosen and self.address == worker.address and not self.jobs.running:
            self._retire(self.jobs.replace_engine(worker.engine))
            self.connected = worker.address
            self.ui.workers.setValue(max(1, min(worker.threads, self.ui.workers.maximum())))
            n_threads, n_workers = worker.threads, worker.workers
            threads = translate("Cluster", "%Ln thread(s)", "", n_threads)
            text = translate(
                "Cluster", "Connected to {address}: %Ln worker(s), {threads}.", "", n_workers
            )
            self._say(text.format(address=worker.address, threads=threads))
        else:  # the choice changed while it connected
            self._retire(worker.engine)
            self.choice_changed()
        self.state_changed.emit()

    def _say(self, text: str) -> None:
        self.ui.cluster_info.setText(text)
        self.ui.cluster_info.setVisible(bool(text))

    def _back_to_this_computer(self) -> None:
        """The window's engine runs on this computer (the cluster's is shut down)."""
        self.connected = None
        if self.jobs.engine.cluster is not None and not self.jobs.running:
            workers = self.ui.local_workers or self.ui.workers.value()
            self._retire(self.jobs.replace_engine(Engine(workers)))

    def _retire(self, engine: Engine) -> None:
        worker = EngineShutdown(engine)
        entry: list[tuple[QThread, EngineShutdown]] = []

        def finished() -> None:
            if entry and entry[0] in self._retiring:
                self._retiring.remove(entry[0])
                retire_thread(entry[0][0])

        entry.append((start_worker(worker, "parabatch-engine-shutdown", finished), worker))
        self._retiring.append(entry[0])

    def shutdown(self) -> None:
        """The window is closing: wait for a test (and end its engine) and for every engine
        being shut down. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._test is not None:
            thread, worker = self._test
            self._test = None
            thread.wait()
            if worker.engine is not None:
                worker.engine.shutdown()
        for thread, _ in self._retiring:
            thread.wait()
        self._retiring.clear()
