"""``parabatch --install-desktop-entry`` / ``--uninstall-desktop-entry`` (gui/desktop_entry.py).

The real command, as a subprocess without a display, into a temporary ``XDG_DATA_HOME``; the
installed entry checked with ``desktop-file-validate`` and by running its Exec line; a wheel
built by pip and unpacked as pip installs it, so that the package data is proven complete.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import core
from gui import desktop_entry, resources
from tests.support import require_tool

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
SCRIPT = Path(sys.executable).parent / "parabatch"  # the gui-script pip made
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop")


def entry_of(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def headless_env(data: Path, **extra: str) -> dict[str, str]:
    """No display of any kind, and no offscreen fallback: Qt must not be started at all."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    return {**env, "XDG_DATA_HOME": str(data), **extra}


def run(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def expected(data: Path) -> dict[Path, Path]:
    """Installed path -> the original in resources/ (the entry's content differs: see below)."""
    icons = data / "icons" / "hicolor"
    out = {
        icons / f"{n}x{n}/apps/{core.APP_ID}.png": RESOURCES / f"icons/parabatch-{n}.png"
        for n in desktop_entry.PNG_SIZES
    }
    out[icons / f"scalable/apps/{core.APP_ID}.svg"] = RESOURCES / "icons/parabatch.svg"
    out[data / f"metainfo/{core.APP_ID}.metainfo.xml"] = RESOURCES / f"{core.APP_ID}.metainfo.xml"
    out[data / f"applications/{core.APP_ID}.desktop"] = RESOURCES / f"{core.APP_ID}.desktop"
    return out


CACHES = {"mimeinfo.cache", "icon-theme.cache"}  # written by update-desktop-database, gtk-...


def test_install_and_uninstall_with_the_real_command(tmp_path: Path) -> None:
    assert SCRIPT.is_file(), "pip install -e . makes the parabatch script"
    data = tmp_path / "data"
    # Files of other apps in the same folders: left alone by both commands.
    others = [data / "applications/other.desktop", data / "icons/hicolor/48x48/apps/other.png"]
    for p in others:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("not ours")
    before = files_under(data)

    proc = run([str(SCRIPT), "--install-desktop-entry"], headless_env(data))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    want = expected(data)
    added = {p for p in files_under(data) - before if p.name not in CACHES}
    assert added == set(want)
    for target, original in want.items():
        assert f"Installed {target}" in proc.stdout
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        if target.suffix != ".desktop":
            assert target.read_bytes() == original.read_bytes()
    assert not [p for p in files_under(data) if ".tmp-" in p.name]  # nothing half-written

    installed = data / f"applications/{core.APP_ID}.desktop"
    entry = entry_of(installed)
    assert entry["TryExec"] == str(SCRIPT)
    program, *codes = shlex.split(entry["Exec"])
    assert program == str(SCRIPT) and codes == ["%F"]
    assert os.access(program, os.X_OK)
    template = entry_of(RESOURCES / f"{core.APP_ID}.desktop")
    assert {k: v for k, v in entry.items() if k not in ("Exec", "TryExec")} == {
        k: v for k, v in template.items() if k != "Exec"
    }
    check = subprocess.run(
        [require_tool("desktop-file-validate"), str(installed)], capture_output=True, text=True
    )
    assert check.returncode == 0 and check.stdout == "", check.stdout
    # The Exec line starts this very app.
    version = run([program, "--version"], headless_env(data))
    assert version.stdout.strip() == f"{core.APP_NAME} {core.__version__}", version.stderr

    again = run([str(SCRIPT), "--install-desktop-entry"], headless_env(data))  # idempotent
    assert again.returncode == 0, again.stderr

    proc = run([str(SCRIPT), "--uninstall-desktop-entry"], headless_env(data))
    assert proc.returncode == 0, proc.stderr
    for target in want:
        assert f"Removed {target}" in proc.stdout
    assert {p for p in files_under(data) if p.name not in CACHES} == before
    proc = run([str(SCRIPT), "--uninstall-desktop-entry"], headless_env(data))
    assert proc.returncode == 0 and "Nothing to remove" in proc.stdout


def test_python_m_gui_puts_the_interpreter_in_the_entry(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = run([sys.executable, "-m", "gui", "--install-desktop-entry"], headless_env(data), ROOT)
    assert proc.returncode == 0, proc.stderr
    entry = entry_of(data / f"applications/{core.APP_ID}.desktop")
    assert shlex.split(entry["Exec"]) == [os.path.abspath(sys.executable), "-m", "gui", "%F"]
    assert entry["TryExec"] == os.path.abspath(sys.executable)


def test_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    cmd = [str(SCRIPT), "--install-desktop-entry"]
    if os.geteuid() == 0:  # root writes anywhere: run without the capabilities that allow it
        cmd = [require_tool("setpriv"), "--inh-caps=-all", "--bounding-set=-all", *cmd]
    try:
        proc = run(cmd, headless_env(data))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.startswith("parabatch: cannot write ")
        assert str(data) in proc.stderr and "Permission denied" in proc.stderr
        assert "XDG_DATA_HOME" in proc.stderr and "Traceback" not in proc.stderr
        assert files_under(data) == set()
    finally:
        data.chmod(0o755)


def test_exec_arguments_are_quoted_as_the_spec_says(tmp_path: Path) -> None:
    assert desktop_entry.exec_arg("/opt/pb/bin/parabatch") == "/opt/pb/bin/parabatch"
    # Quoted, with " ` $ \ backslash-escaped, then every backslash doubled (string escaping).
    assert desktop_entry.exec_arg('/my apps/a"b$c') == '"/my apps/a\\\\"b\\\\$c"'
    assert desktop_entry.exec_arg("/x\\y") == '"/x\\\\\\\\y"'
    for bad in ("/50%/parabatch", "/a\nb/parabatch"):
        with pytest.raises(desktop_entry.DesktopEntryError, match="another folder"):
            desktop_entry.exec_arg(bad)
    # An awkward path still makes an entry desktop-file-validate accepts.
    template = (RESOURCES / f"{core.APP_ID}.desktop").read_text()
    path = tmp_path / "e.desktop"
    path.write_text(desktop_entry.desktop_text(template, ['/my apps/we"ird $dir/parabatch']))
    check = subprocess.run(
        [require_tool("desktop-file-validate"), str(path)], capture_output=True, text=True
    )
    assert check.returncode == 0 and check.stdout == "", check.stdout


def test_data_home_follows_the_spec(tmp_path: Path) -> None:
    home = Path.home() / ".local" / "share"
    assert desktop_entry.data_home({}) == home
    assert desktop_entry.data_home({"XDG_DATA_HOME": ""}) == home
    assert desktop_entry.data_home({"XDG_DATA_HOME": "relative/dir"}) == home
    assert desktop_entry.data_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path


# --- installed from a wheel ---------------------------------------------------------------------
def test_packaged_copies_are_the_originals() -> None:
    """gui/icons/ and gui/xdg/ hold what a wheel installs; they must not drift from resources/
    (after ``resources/make_icons.py``, copy the PNGs into gui/icons/)."""
    for item in desktop_entry.items(Path("/")):
        original = ROOT / item.resource
        folder = resources.PACKAGE_DATA if "/icons/" in item.resource else resources.PACKAGE_XDG
        assert (folder / original.name).read_bytes() == original.read_bytes(), original.name


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the sources, unpacked as pip installs it."""
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
    (wheel,) = out.glob("*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site


def test_a_wheel_install_has_everything_the_entry_needs(unpacked_wheel: Path, tmp_path) -> None:
    site = unpacked_wheel
    data = tmp_path / "data"
    env = headless_env(data, PYTHONPATH=str(site))
    probe = (
        "from pathlib import Path; from gui import desktop_entry as d, resources as r; "
        "print('\\n'.join(str(r.resource_path(i.resource)) for i in d.items(Path('/'))))"
    )
    found = run([sys.executable, "-c", probe], env, site)
    assert found.returncode == 0, found.stderr
    for line in found.stdout.splitlines():
        assert Path(line).is_relative_to(site / "gui"), line  # from the wheel, not a checkout
    proc = run([sys.executable, "-m", "gui", "--install-desktop-entry"], env, site)
    assert proc.returncode == 0, proc.stderr
    for target, original in expected(data).items():
        if target.suffix != ".desktop":
            assert target.read_bytes() == original.read_bytes()
    assert entry_of(data / f"applications/{core.APP_ID}.desktop")["Name"] == core.APP_NAME
