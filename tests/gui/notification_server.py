"""A small freedesktop notification server for the tests, run as its own process:

    python -m tests.gui.notification_server BUS_ADDRESS

On that bus it owns ``org.freedesktop.Notifications`` and exports, at
``/org/freedesktop/Notifications``, what the app uses of the spec: ``Notify`` (with the spec's
signature ``susssasa{sv}i`` -> ``u``) and the ``ActionInvoked``, ``ActivationToken`` and
``NotificationClosed`` signals. At ``/test`` (interface ``org.parabatch.TestControl``) the test
asks for the recorded calls (``Calls`` -> JSON) and has a signal sent (``Emit``). Prints
``ready`` once it serves. Its own process: a server in the test's process would share the GIL
with the app's D-Bus calls, which a real one never does.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CONTROL_PATH = "/test"
CONTROL_INTERFACE = "org.parabatch.TestControl"
FIRST_ID = 101


@ClassInfo({"D-Bus Interface": SERVICE})
class Notifications(QObject):
    ActionInvoked = Signal("uint", str)
    ActivationToken = Signal("uint", str)
    NotificationClosed = Signal("uint", "uint")

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []

    @Slot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(  # the D-Bus method's name
        self,
        app_name: str,
        replaces_id: int,
        app_icon: str,
        summary: str,
        body: str,
        actions: list[str],
        hints: dict[str, Any],
        expire_timeout: int,
    ) -> int:
        self.calls.append(
            {
                "app_name": app_name,
                "replaces_id": replaces_id,
                "app_icon": app_icon,
                "summary": summary,
                "body": body,
                "actions": list(actions),
                "hints": {k: str(v) for k, v in dict(hints).items()},
                "expire_timeout": expire_timeout,
            }
        )
        return FIRST_ID - 1 + len(self.calls)


@ClassInfo({"D-Bus Interface": CONTROL_INTERFACE})
class Control(QObject):
    def __init__(self, server: Notifications) -> None:
        super().__init__()
        self.server = server

    @Slot(result=str)
    def Calls(self) -> str:
        return json.dumps(self.server.calls)

    @Slot(str, int, str)
    def Emit(self, name: str, notification: int, arg: str) -> None:
        s = self.server
        if name == "ActionInvoked":
            s.ActionInvoked.emit(notification, arg)
        elif name == "ActivationToken":
            s.ActivationToken.emit(notification, arg)
        elif name == "NotificationClosed":
            s.NotificationClosed.emit(notification, int(arg))


def main(address: str) -> int:
    app = QCoreApplication([sys.argv[0]])
    bus = QDBusConnection.connectToBus(address, "notification-server")
    if not bus.isConnected():
        print(f"cannot connect to {address}: {bus.lastError().message()}", file=sys.stderr)
        return 2
    server = Notifications()
    control = Control(server)
    export = (
        QDBusConnection.RegisterOption.ExportAllSlots
        | QDBusConnection.RegisterOption.ExportAllSignals
    )
    if not (
        bus.registerObject(PATH, server, export)
        and bus.registerObject(CONTROL_PATH, control, export)
        and bus.registerService(SERVICE)
    ):
        print(f"cannot serve: {bus.lastError().message()}", file=sys.stderr)
        return 2
    print("ready", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
