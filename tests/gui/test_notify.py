"""Job-end notifications over D-Bus where there is no system tray (gui/notify.py).

A real ``dbus-daemon`` on a private address, and a real notification server registered on it by
the test: a QtDBus object exporting ``org.freedesktop.Notifications`` (``Notify`` with the
spec's signature, the ``ActionInvoked`` signal), on a connection of its own. The window's
notifier talks to it over a second connection, as it would to GNOME Shell's.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from core import APP_ID, APP_NAME
from gui.notify import DEFAULT_ACTION, SERVICE, DesktopNotifier
from tests.gui.conftest import add_and_wait, make_files, run_and_wait
from tests.gui.notification_server import CONTROL_INTERFACE, CONTROL_PATH, FIRST_ID
from tests.support import require_tool

ROOT = Path(__file__).resolve().parents[2]

_names = itertools.count()


@pytest.fixture
def bus_address(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A session bus of the test's own (never the user's): its address."""
    daemon = require_tool("dbus-daemon")
    proc = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()  # printed once the bus listens
        assert address.startswith("unix:"), address
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def connect(address: str, role: str) -> QDBusConnection:
    name = f"test-{role}-{next(_names)}"
    bus = QDBusConnection.connectToBus(address, name)
    assert bus.isConnected(), bus.lastError().message()
    return bus


class Server:
    """The notification server process (tests/gui/notification_server.py), driven over D-Bus."""

    def __init__(self, bus: QDBusConnection, qtbot) -> None:
        self.bus = bus
        self.qtbot = qtbot

    def _control(self, method: str, *args: Any) -> list[Any]:
        msg = QDBusMessage.createMethodCall(SERVICE, CONTROL_PATH, CONTROL_INTERFACE, method)
        msg.setArguments(list(args))
        pending = self.bus.asyncCall(msg)  # never blocks: the loop runs while it is answered
        self.qtbot.waitUntil(pending.isFinished, timeout=10_000)
        reply = pending.reply()
        assert reply.type() == QDBusMessage.MessageType.ReplyMessage, reply.errorMessage()
        return list(reply.arguments())

    @property
    def calls(self) -> list[dict[str, Any]]:
        return list(json.loads(self._control("Calls")[0]))

    def emit(self, signal: str, notification: int, arg: str) -> None:
        self._control("Emit", signal, notification, arg)


@pytest.fixture
def client(bus_address: str) -> Iterator[QDBusConnection]:
    bus = connect(bus_address, "client")
    yield bus
    QDBusConnection.disconnectFromBus(bus.name())


@pytest.fixture
def server(qtbot, bus_address: str, client: QDBusConnection) -> Iterator[Server]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.notification_server", bus_address],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"  # it owns the name from here on
        yield Server(client, qtbot)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def send_and_wait(qtbot, notifier: DesktopNotifier, summary: str) -> int:
    assert notifier.notify(summary)
    qtbot.waitUntil(lambda: notifier.pending() == 0, timeout=10_000)
    return notifier.sent[-1] if notifier.sent else 0


@pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$")  # offscreen's limit
def test_each_job_sends_one_notification_whose_action_brings_the_window_forward(
    qtbot, window, server: Server, client: QDBusConnection, tmp_path: Path
) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # the case this is for
    window.notifier.bus = client
    make_files(tmp_path / "in", [10, 2000, 70_000])
    add_and_wait(qtbot, window, [str(tmp_path / "in")])
    other = QWidget()  # the user is looking elsewhere
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=5000)

    headlines = []
    window.job_controller.summary_shown.connect(headlines.append)
    for algorithm in ("sha256", "md5"):  # two jobs (two manifests: no question before Start)
        panel = window.panels["checksum"]
        panel.algorithm.setCurrentIndex(panel.algorithm.findData(algorithm))
        run_and_wait(qtbot, window)
        qtbot.waitUntil(lambda: window.notifier.pending() == 0, timeout=10_000)
    assert len(headlines) == 2
    assert [c["summary"] for c in server.calls] == headlines  # one per job, its summary
    call = server.calls[0]
    assert call["app_name"] == APP_NAME
    assert call["replaces_id"] == 0  # a new one each time, not replacing the last job's
    assert call["actions"][0] == DEFAULT_ACTION
    assert call["hints"] == {"desktop-entry": APP_ID}
    assert window.notifier.sent == [FIRST_ID, FIRST_ID + 1]
    assert not window.isActiveWindow()

    with qtbot.waitSignal(window.notifier.activated, timeout=5000):
        server.emit("ActionInvoked", FIRST_ID, "another-action")  # not the default action: nothing
        server.emit("ActionInvoked", 999, DEFAULT_ACTION)  # somebody else's notification: nothing
        server.emit("ActionInvoked", FIRST_ID + 1, DEFAULT_ACTION)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def test_only_our_default_action_activates(qtbot, server: Server, client: QDBusConnection) -> None:
    notifier = DesktopNotifier(bus=client)
    ours = send_and_wait(qtbot, notifier, "Done: 3 files")
    assert ours == FIRST_ID
    seen: list[bool] = []
    notifier.activated.connect(lambda: seen.append(True))
    server.emit("ActionInvoked", ours + 1, DEFAULT_ACTION)
    server.emit("ActionInvoked", ours, "other")
    server.emit("NotificationClosed", ours, "2")  # dismissed: its action cannot come any more
    server.emit("ActionInvoked", ours, DEFAULT_ACTION)
    second = send_and_wait(qtbot, notifier, "Done again")
    with qtbot.waitSignal(notifier.activated, timeout=5000):
        server.emit("ActionInvoked", second, DEFAULT_ACTION)
    assert seen == [True]  # signals arrive in order: the earlier ones did nothing


def test_the_activation_token_is_handed_to_qt(
    qtbot, server: Server, client: QDBusConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_ACTIVATION_TOKEN", raising=False)
    notifier = DesktopNotifier(bus=client)
    ours = send_and_wait(qtbot, notifier, "Done")
    server.emit("ActivationToken", ours, "token-123")
    with qtbot.waitSignal(notifier.activated, timeout=5000):
        server.emit("ActionInvoked", ours, DEFAULT_ACTION)
    assert os.environ["XDG_ACTIVATION_TOKEN"] == "token-123"


def test_no_notification_server_is_quiet(
    qtbot, client: QDBusConnection, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = DesktopNotifier(bus=client)
    with caplog.at_level(logging.DEBUG, logger="gui.notify"):
        assert send_and_wait(qtbot, notifier, "Done") == 0
    assert notifier.sent == []
    assert any("not shown" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "gui.notify")


def test_no_session_bus_is_quiet(qtbot, caplog: pytest.LogCaptureFixture) -> None:
    bus = QDBusConnection.connectToBus("unix:path=/nonexistent/parabatch-bus", "test-nobus")
    try:
        assert not bus.isConnected()
        notifier = DesktopNotifier(bus=bus)
        with caplog.at_level(logging.DEBUG, logger="gui.notify"):
            assert not notifier.notify("Done")
        assert notifier.pending() == 0
        assert [r.levelno for r in caplog.records if r.name == "gui.notify"] == [logging.DEBUG]
    finally:
        QDBusConnection.disconnectFromBus("test-nobus")
