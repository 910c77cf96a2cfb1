"""``parabatch --install-desktop-entry`` / ``--uninstall-desktop-entry``: the menu entry, icons
and AppStream metadata for the current user, for installs from pip (the frozen app's folder has
``install-desktop-entry.sh`` for the same).

No Qt here: it runs before any QApplication exists, so it works without a display. Files go
under ``$XDG_DATA_HOME`` (default ``~/.local/share``): ``applications/``, ``icons/hicolor/``,
``metainfo/``; each is written to a temporary file beside its place and ``os.replace``d. The
entry's ``Exec`` and ``TryExec`` name the launcher that is running (the ``parabatch`` script pip
made, the frozen executable, else ``python -m gui``), by absolute path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from core import APP_ID
from gui.resources import resource_path

DESKTOP = f"resources/{APP_ID}.desktop"
METAINFO = f"resources/{APP_ID}.metainfo.xml"
SVG = "resources/icons/parabatch.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SCRIPT_NAMES = ("parabatch", "parabatch.exe")
# Desktop Entry spec, "The Exec key": an argument holding one of these is quoted.
_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


class DesktopEntryError(Exception):
    """Why the entry cannot be installed or removed, as a sentence for the user."""


@dataclass(frozen=True)
class Item:
    """One installed file: where it comes from (a bundled resource) and where it goes."""

    resource: str
    target: Path


def data_home(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or not absolute (as the spec says)."""
    value = environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def launcher() -> list[str]:
    """The command that starts this app, as absolute paths."""
    if getattr(sys, "frozen", False):
        return [os.path.abspath(sys.executable)]
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.basename(script) in SCRIPT_NAMES and os.access(script, os.X_OK):
        return [script]
    return [os.path.abspath(sys.executable), "-m", "gui"]


def exec_arg(arg: str) -> str:
    """One argument of an Exec line, quoted and escaped as the spec asks."""
    if "\n" in arg or "%" in arg:
        # Not writable in an entry; GLib launchers refuse a % in the program even as %%.
        raise DesktopEntryError(
            f"the path {arg!r} holds a line break or a % sign, which a desktop entry cannot "
            "run; install Parabatch in another folder"
        )
    if _RESERVED.search(arg):
        arg = '"' + re.sub(r'([\\"`$])', r"\\\1", arg) + '"'
    return arg.replace("\\", "\\\\")  # string-value escaping, on top


def items(data: Path) -> list[Item]:
    """Everything the install writes, in the order it is written (the entry last)."""
    icons = data / "icons" / "hicolor"
    out = [
        Item(f"resources/icons/parabatch-{n}.png", icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png")
        for n in PNG_SIZES
    ]
    out.append(Item(SVG, icons / "scalable" / "apps" / f"{APP_ID}.svg"))
    out.append(Item(METAINFO, data / "metainfo" / f"{APP_ID}.metainfo.xml"))
    out.append(Item(DESKTOP, data / "applications" / f"{APP_ID}.desktop"))
    return out


def desktop_text(template: str, command: list[str]) -> str:
    """The bundled entry with ``Exec`` running ``command`` (its field codes kept) and a
    ``TryExec`` naming the program."""
    program = " ".join(exec_arg(a) for a in command)
    lines = []
    for line in template.splitlines():
        if line.startswith("TryExec="):
            continue
        if line.startswith("Exec="):
            codes = line[len("Exec=") :].split(" ", 1)[1:]  # "%F" after the program
            lines.append("TryExec=" + command[0].replace("\\", "\\\\"))
            lines.append("Exec=" + " ".join([program, *codes]))
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def _source(item: Item) -> bytes:
    path = resource_path(item.resource)
    if path is None:
        raise DesktopEntryError(
            f"{item.resource} is missing from this installation; reinstall Parabatch"
        )
    return path.read_bytes()


def _write(target: Path, content: bytes) -> None:
    """Atomically: a temporary file beside ``target``, then ``os.replace``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _refresh(data: Path, out: TextIO) -> None:
    """Refresh the caches menus and file managers read; each tool is optional."""
    apps, icons = data / "applications", data / "icons" / "hicolor"
    for tool, args in (
        ("update-desktop-database", ["-q", str(apps)]),
        ("gtk-update-icon-cache", ["-q", "-t", "-f", str(icons)]),
    ):
        path = shutil.which(tool)
        if path is None or not Path(args[-1]).is_dir():
            continue
        try:
            proc = subprocess.run([path, *args], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"{tool} did not run ({e}); ignored", file=out)
            continue
        if proc.returncode == 0:
            print(f"Ran {tool}", file=out)
        else:
            print(f"{tool} failed (exit {proc.returncode}); ignored", file=out)


def install(data: Path, command: list[str], out: TextIO) -> None:
    """Write every item under ``data``; raises DesktopEntryError naming what failed."""
    planned = []
    for item in items(data):  # everything read and checked before the first write
        content = _source(item)
        if item.resource == DESKTOP:
            content = desktop_text(content.decode("utf-8"), command).encode("utf-8")
        planned.append((item, content))
    for item, content in planned:
        try:
            _write(item.target, content)
        except OSError as e:
            raise DesktopEntryError(_cannot("write", item.target, e, data)) from None
        print(f"Installed {item.target}", file=out)
    _refresh(data, out)
    print(f"The menu entry runs {' '.join(command)}", file=out)


def uninstall(data: Path, out: TextIO) -> None:
    """Remove exactly the files :func:`install` writes (folders are left)."""
    removed = 0
    for item in reversed(items(data)):  # the entry first: no menu item with a missing icon
        try:
            item.target.unlink()
        except FileNotFoundError:
            continue
        except OSError as e:
            raise DesktopEntryError(_cannot("remove", item.target, e, data)) from None
        removed += 1
        print(f"Removed {item.target}", file=out)
    if removed:
        _refresh(data, out)
    else:
        print(f"Nothing to remove: no Parabatch desktop entry under {data}", file=out)


def _cannot(verb: str, path: Path, e: OSError, data: Path) -> str:
    why = e.strerror or str(e)
    return (
        f"cannot {verb} {path}: {why}. Make {data} writable, or set XDG_DATA_HOME to a folder "
        "you can write"
    )


def main(action: str, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """``action`` is ``install`` or ``uninstall``; returns the exit code (2 on failure)."""
    data = data_home()
    try:
        if action == "install":
            install(data, launcher(), out)
        else:
            uninstall(data, out)
    except DesktopEntryError as e:
        print(f"parabatch: {e}", file=err)
        return 2
    return 0
