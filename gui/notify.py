"""Job-end notifications on desktops without a system tray: freedesktop notifications over D-Bus.

GNOME and many Wayland desktops have no tray for ``QSystemTrayIcon`` to show a message in; they
all run an ``org.freedesktop.Notifications`` server. :class:`DesktopNotifier` sends one
notification per job, with a default action ("default": clicking the notification) that brings
the window forward. No session bus, or no server on it: nothing is shown, and a debug line is
logged; a job never fails for it.

Why each call runs on a thread of its own: ``Notify`` takes a uint32 (``replaces_id``), and
PySide6 turns a Python int into an int32 or a uint16 on the wire, which servers reject. Qt
marshals a uint only through an introspected ``QDBusInterface``, whose introspection and calls
block; on a thread they never stall the window.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import (
    Q_ARG,
    Q_RETURN_ARG,
    SLOT,
    QCoreApplication,
    QMetaObject,
    QObject,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage

from core import APP_ID, APP_NAME
from gui.threads import ThreadWorker, retire_thread, start_worker

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
DEFAULT_ACTION = "default"  # the spec's key for "the user clicked the notification"
CALL_TIMEOUT_MS = 5000
NOTIFY_SIGNATURE = "Notify(QString,uint,QString,QString,QString,QStringList,QVariantMap,int)"


class NotifyCall(ThreadWorker):
    """One ``Notify`` call, made on its thread; ``id`` is the server's id (0 if it failed)."""

    def __init__(self, bus: QDBusConnection, summary: str, body: str, action_label: str) -> None:
        super().__init__()
        self.bus = bus
        self.summary = summary
        self.body = body
        self.action_label = action_label
        self.id = 0
        self.error = ""

    def work(self) -> None:
        iface = QDBusInterface(SERVICE, PATH, INTERFACE, self.bus)  # introspects (blocks here)
        iface.setTimeout(CALL_TIMEOUT_MS)
        if iface.metaObject().indexOfMethod(NOTIFY_SIGNATURE) < 0:  # nobody answered
            self.error = iface.lastError().message() or f"no {INTERFACE}.Notify method"
            return
        try:
            reply = QMetaObject.invokeMethod(
                iface,
                "Notify",
                Qt.ConnectionType.DirectConnection,
                Q_RETURN_ARG("uint"),
                Q_ARG(str, APP_NAME),  # app_name
                Q_ARG("uint", 0),  # replaces_id: a new notification for every job
                Q_ARG(str, APP_ID),  # app_icon: the installed icon's name
                Q_ARG(str, self.summary),
                Q_ARG(str, self.body),
                Q_ARG("QStringList", [DEFAULT_ACTION, self.action_label]),
                Q_ARG("QVariantMap", {"desktop-entry": APP_ID}),
                Q_ARG(int, -1),  # expire_timeout: the server's default
            )
        except RuntimeError as e:
            self.error = iface.lastError().message() or str(e)
            return
        if iface.lastError().isValid():
            self.error = iface.lastError().message()
        else:
            self.id = reply if isinstance(reply, int) else 0


class DesktopNotifier(QObject):
    """Sends job-end notifications and brings the window forward when one is clicked.

    ``bus`` defaults to the session bus, looked up at the first notification; tests set a
    connection to a private bus of their own.

    Signals:
        activated: the user invoked the default action of one of our notifications.
    """

    activated = Signal()

    def __init__(self, parent: QObject | None = None, bus: QDBusConnection | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._listening = False
        self._ids: set[int] = set()  # our notifications still shown
        self._calls: dict[QThread, NotifyCall] = {}
        self.sent: list[int] = []  # ids of every notification sent (newest last)

    @property
    def bus(self) -> QDBusConnection | None:
        """The connection notifications go over, or None when there is no bus to reach."""
        if self._bus is None:
            self._bus = QDBusConnection.sessionBus()
        return self._bus if self._bus.isConnected() else None

    @bus.setter
    def bus(self, connection: QDBusConnection) -> None:
        self._bus = connection
        self._listening = False

    def notify(self, summary: str, body: str = "") -> bool:
        """Send one notification; False (and a debug line) when there is no session bus."""
        bus = self.bus
        if bus is None:
            log.debug("no D-Bus session bus: job-end notification not sent")
            return False
        self._listen(bus)
        label = translate("DesktopNotifier", "Show {app}").format(app=APP_NAME)
        call = NotifyCall(bus, summary, body, label)
        thread = start_worker(call, "parabatch-notify", self._call_done)
        self._calls[thread] = call
        return True

    def pending(self) -> int:
        """Calls not answered yet."""
        return len(self._calls)

    def shutdown(self) -> None:
        """Wait for calls still under way (each ends within its timeout)."""
        for thread in self._calls:
            thread.wait()
        self._calls.clear()

    @Slot()
    def _call_done(self) -> None:
        thread = self.sender()
        if not isinstance(thread, QThread) or thread not in self._calls:
            return
        call = self._calls.pop(thread)
        retire_thread(thread)
        if call.id:
            self._ids.add(call.id)
            self.sent.append(call.id)
        else:
            log.debug("job-end notification not shown: %s", call.error or "no id returned")

    def _listen(self, bus: QDBusConnection) -> None:
        if self._listening:
            return
        for name, slot in (
            ("ActionInvoked", "_action_invoked(QDBusMessage)"),
            ("ActivationToken", "_activation_token(QDBusMessage)"),
            ("NotificationClosed", "_closed(QDBusMessage)"),
        ):
            # PySide6 takes the slot as str at run time; its stubs say bytes.
            if not bus.connect("", PATH, INTERFACE, name, self, SLOT(slot)):  # type: ignore[call-overload]
                log.debug("cannot listen to %s.%s: %s", INTERFACE, name, bus.lastError().message())
        self._listening = True

    @Slot(QDBusMessage)
    def _action_invoked(self, message: QDBusMessage) -> None:
        args = message.arguments()
        if len(args) == 2 and args[0] in self._ids and args[1] == DEFAULT_ACTION:
            self.activated.emit()

    @Slot(QDBusMessage)
    def _activation_token(self, message: QDBusMessage) -> None:
        """Sent just before ActionInvoked (spec 1.2): Wayland lets a window take the focus only
        with such a token, which Qt's Wayland plugin reads from this variable."""
        args = message.arguments()
        if len(args) == 2 and args[0] in self._ids and args[1]:
            os.environ["XDG_ACTIVATION_TOKEN"] = str(args[1])

    @Slot(QDBusMessage)
    def _closed(self, message: QDBusMessage) -> None:
        args = message.arguments()
        if args:
            self._ids.discard(args[0])
