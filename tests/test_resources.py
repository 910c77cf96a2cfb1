"""The app's resources: icons, desktop entry, AppStream metadata, and the Linux install script.

Real files and real tools: ``desktop-file-validate`` / ``appstreamcli`` / ``gio`` when installed
(skipped otherwise), Pillow to open the icons, the install script run into a temporary
``XDG_DATA_HOME`` against a stand-in bundle.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import core
from gui import resources
from tests.support import require_tool

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
DESKTOP = RESOURCES / f"{core.APP_ID}.desktop"
METAINFO = RESOURCES / f"{core.APP_ID}.metainfo.xml"
INSTALL = ROOT / "packaging" / "linux" / "install-desktop-entry.sh"
UNINSTALL = ROOT / "packaging" / "linux" / "uninstall-desktop-entry.sh"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

sys.path.insert(0, str(RESOURCES))
import make_icons  # noqa: E402


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


# --- icons -----------------------------------------------------------------------------------
def test_svg_icon_is_square_svg() -> None:
    root = ET.parse(ICONS / "parabatch.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_has_its_size(size: int) -> None:
    with Image.open(ICONS / f"parabatch-{size}.png") as im:
        assert im.format == "PNG"
        assert im.size == (size, size)
        assert im.mode == "RGBA"
        assert im.getpixel((0, 0))[3] == 0  # transparent corner: a rounded tile, not a square


def test_ico_holds_every_windows_size() -> None:
    with Image.open(ICONS / "parabatch.ico") as im:
        assert im.format == "ICO"
        assert set(im.info["sizes"]) == {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}
        im.size = (16, 16)  # pick an entry
        im.load()
        assert im.size == (16, 16)


def test_icns_holds_the_mac_sizes() -> None:
    with Image.open(ICONS / "parabatch.icns") as im:
        assert im.format == "ICNS"
        sizes = {(w, h) for w, h, _scale in im.info["sizes"]}
        assert {(16, 16), (32, 32), (128, 128), (256, 256), (512, 512)} <= sizes
        im.load()
        assert im.size[0] >= 512


def test_make_icons_regenerates_the_same_set(qapp: object, tmp_path: Path) -> None:
    written = make_icons.write_icons(tmp_path)
    assert {p.name for p in written} == {
        *(f"parabatch-{s}.png" for s in PNG_SIZES),
        "parabatch.ico",
        "parabatch.icns",
    }
    for size in (16, 256):
        with (
            Image.open(tmp_path / f"parabatch-{size}.png") as new,
            Image.open(ICONS / f"parabatch-{size}.png") as old,
        ):
            assert new.size == old.size
            # The committed PNGs were made from the committed SVG: same picture, give or take
            # antialiasing differences between Qt versions.
            diff = sum(abs(a - b) for a, b in zip(new.tobytes(), old.tobytes(), strict=True))
            assert diff / len(new.tobytes()) < 2.0


# --- the icon of an installed package ------------------------------------------------------------
def test_packaged_icon_is_the_original() -> None:
    """gui/icons/ holds the copy a wheel installs; it must not drift from resources/."""
    packaged = resources.PACKAGE_DATA / "parabatch.svg"
    assert packaged.read_bytes() == (ICONS / "parabatch.svg").read_bytes()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the sources (a build writes into its source tree)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src)
    for package in ("core", "gui"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = out.glob("*.whl")
    return built


def test_wheel_carries_the_window_icon_and_the_version(wheel: Path) -> None:
    assert wheel.name.startswith(f"parabatch-{core.__version__}-")  # pyproject reads core's
    with zipfile.ZipFile(wheel) as z:
        icon = z.read("gui/icons/parabatch.svg")
    assert icon == (ICONS / "parabatch.svg").read_bytes()


def test_installed_layout_finds_the_icon(wheel: Path, tmp_path: Path) -> None:
    """Unpacked as pip installs it (no resources/ beside gui/), the window still finds it."""
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path)
    probe = "from gui.resources import ICON, resource_path; print(resource_path(ICON))"
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == tmp_path / "gui" / "icons" / "parabatch.svg"


# --- desktop entry and metadata ---------------------------------------------------------------
def test_desktop_entry_passes_desktop_file_validate() -> None:
    tool = require_tool("desktop-file-validate")
    proc = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == ""  # no warnings either


def test_desktop_entry_matches_the_app() -> None:
    entry = desktop_entry(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Name"] == core.APP_NAME
    assert entry["Exec"] == "parabatch %F"  # the gui-script from pyproject; files from "Open with"
    assert entry["Icon"] == core.APP_ID  # setDesktopFileName(APP_ID) finds this entry
    assert entry["StartupWMClass"] == core.APP_NAME  # Qt's WM_CLASS is the application name
    assert entry["Categories"].split(";")[:2] == ["Utility", "FileTools"]
    assert entry["Terminal"] == "false"


def test_metainfo_names_the_desktop_entry_and_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == core.APP_ID
    assert root.findtext("launchable") == f"{core.APP_ID}.desktop"
    versions = [r.get("version") for r in root.iter("release")]
    assert core.__version__ in versions


def test_metainfo_passes_appstreamcli() -> None:
    tool = require_tool("appstreamcli")
    proc = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- the Linux install script -----------------------------------------------------------------
@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    """A stand-in one-folder build at an awkward path. Its executable sends its arguments to the
    Unix socket ``argv.sock`` in ``tmp_path``, if one listens there."""
    bundle = tmp_path / 'my apps/we"ird $dir `x` \\ end' / "Parabatch"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copytree(RESOURCES, bundle / "_internal" / "resources")
    exe = bundle / "Parabatch"
    exe.write_text(
        f"#!{sys.executable}\n"
        "import json, socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        f"s.connect({str(tmp_path / 'argv.sock')!r})\n"
        "s.sendall(json.dumps(sys.argv[1:]).encode())\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return bundle


def run_script(script: Path, data_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    return subprocess.run(
        ["sh", str(script), *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop entry")
def test_install_script_points_the_entry_at_the_bundle(fake_bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = run_script(INSTALL, data, str(fake_bundle))
    assert proc.returncode == 0, proc.stderr
    installed = data / "applications" / f"{core.APP_ID}.desktop"
    entry = desktop_entry(installed)
    assert entry["TryExec"].replace("\\\\", "\\") == str(fake_bundle / "Parabatch")
    assert entry["Exec"].endswith(" %F")
    for size in PNG_SIZES:
        assert (data / f"icons/hicolor/{size}x{size}/apps/{core.APP_ID}.png").is_file()
    assert (data / f"icons/hicolor/scalable/apps/{core.APP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True)
        assert check.returncode == 0, check.stdout

    proc = run_script(UNINSTALL, data)
    assert proc.returncode == 0, proc.stderr
    assert not installed.exists()
    assert not list((data / "icons").rglob(f"{core.APP_ID}.*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop entry")
def test_launcher_passes_files_to_the_bundle(fake_bundle: Path, tmp_path: Path) -> None:
    """``gio launch`` parses the installed Exec line as a desktop would (the quoting is right)."""
    gio = require_tool("gio")
    data = tmp_path / "data"
    assert run_script(INSTALL, data, str(fake_bundle)).returncode == 0
    files = [tmp_path / "a photo.png", tmp_path / "b.png"]
    for f in files:
        f.write_bytes(b"")
    installed = data / "applications" / f"{core.APP_ID}.desktop"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "argv.sock"))
        server.listen(1)
        server.settimeout(30)
        proc = subprocess.run(
            [gio, "launch", str(installed), *map(str, files)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert proc.returncode == 0, proc.stderr
        conn, _ = server.accept()  # the launched program connects: no polling needed
        with conn:
            conn.settimeout(30)
            received = b"".join(iter(lambda: conn.recv(65536), b""))
    assert json.loads(received) == [str(f) for f in files]


def test_install_script_refuses_a_folder_without_the_app(tmp_path: Path) -> None:
    proc = run_script(INSTALL, tmp_path / "data", str(tmp_path))
    assert proc.returncode != 0
    assert "no executable" in proc.stderr
