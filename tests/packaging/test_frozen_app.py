"""Build the one-folder app with PyInstaller (once per session) and run the frozen executable.

Slow (about a minute to build): marked ``packaging``; skip locally with ``-m "not packaging"``.
The build goes to a temporary folder, never to the repository's dist/ and build/.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

import core

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux build is tested"),
]

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "packaging" / "build.py"


def load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


smoke = load("parabatch_smoke", ROOT / "packaging" / "smoke.py")
build = load("parabatch_build", BUILD)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``packaging/build.py`` into a temporary dist folder; the folder."""
    base = tmp_path_factory.mktemp("frozen")
    proc = subprocess.run(
        [
            sys.executable,
            str(BUILD),
            f"--distpath={base / 'dist'}",
            f"--workpath={base / 'work'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1000,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return base / "dist"


@pytest.fixture(scope="module")
def app(dist: Path) -> Path:
    exe = dist / core.APP_NAME / core.APP_NAME
    assert exe.is_file()
    return exe


def test_self_test_passes_in_the_frozen_app(app: Path) -> None:
    status, output, _seconds = smoke.self_test([str(app)])
    assert status == 0, output
    assert "self-test passed" in output
    assert output.count("\n") == 0  # one line


def test_window_opens_and_quits_leaving_no_process(app: Path, tmp_path: Path) -> None:
    home = {  # settings and the log go to the test's folder, not the user's
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    status, left, stderr = smoke.window_run([str(app)], quit_after=2, **home)
    assert status == 0, stderr
    assert left == []
    assert "Traceback" not in stderr
    assert "Could not load the Qt platform plugin" not in stderr
    log = tmp_path / "state" / "Parabatch" / "log" / "parabatch.log"
    assert "log started" in log.read_text(encoding="utf-8")  # logging works in the frozen app


def test_bundle_is_within_its_size_budget(dist: Path) -> None:
    assert build.tree_size(dist / core.APP_NAME) < build.SIZE_BUDGET == 160_000_000


def test_bundle_keeps_the_qt_parts_the_app_uses(dist: Path) -> None:
    plugins = dist / core.APP_NAME / "_internal" / "PySide6" / "Qt" / "plugins"
    for rel in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "platforms/libqwayland.so",
        "imageformats/libqsvg.so",
        "imageformats/libqico.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (plugins / rel).is_file(), rel
    resources = dist / core.APP_NAME / "_internal" / "resources"
    assert (resources / "icons" / "parabatch.svg").is_file()
    assert (resources / f"{core.APP_ID}.desktop").is_file()


def test_bundle_leaves_out_what_the_app_does_not_use(dist: Path) -> None:
    internal = dist / core.APP_NAME / "_internal"
    names = {p.name for p in internal.rglob("*")}
    for unwanted in ("Qt6Qml", "Qt6Quick", "Qt6Pdf", "Qt6Network", "Qt6VirtualKeyboard", "gtk"):
        assert not [n for n in names if unwanted in n], unwanted
    # Of Qt's translations only qtbase's Chinese (standard buttons and dialogs), beside ours.
    catalogues = sorted(p.name for p in internal.rglob("*.qm"))
    assert catalogues == ["parabatch_en.qm", "parabatch_zh_CN.qm", "qtbase_zh_CN.qm"], catalogues
    assert [p.name for p in internal.rglob("parabatch.mo")] == ["parabatch.mo"]  # the CLI's
    assert not (internal / "PySide6" / "Qt" / "qml").exists()
    dangling = [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []


def test_linux_archive_holds_the_folder(dist: Path) -> None:
    tarball = dist / build.archive_name()
    assert tarball.name.startswith(f"{core.APP_NAME}-{core.__version__}-linux-")
    with tarfile.open(tarball) as tar:
        exe = tar.getmember(f"{core.APP_NAME}/{core.APP_NAME}")
        assert exe.mode & 0o111
        assert tar.getmember(f"{core.APP_NAME}/install-desktop-entry.sh").mode & 0o111
        assert tar.getmember(f"{core.APP_NAME}/_internal/resources/icons/parabatch.svg")


def test_install_script_in_the_bundle_registers_it(dist: Path, tmp_path: Path) -> None:
    """The script shipped at the top of the folder installs an entry running this executable."""
    folder = dist / core.APP_NAME
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    script = folder / "install-desktop-entry.sh"
    subprocess.run([str(script)], env=env, check=True, capture_output=True, timeout=60)
    entry = (tmp_path / "applications" / f"{core.APP_ID}.desktop").read_text(encoding="utf-8")
    assert f"\nExec={folder / core.APP_NAME} %F\n" in entry
    assert (tmp_path / f"icons/hicolor/48x48/apps/{core.APP_ID}.png").is_file()
