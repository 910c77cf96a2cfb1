"""Build the one-folder Parabatch app: ``python packaging/build.py``.

Runs PyInstaller on ``packaging/parabatch.spec`` (with the Python that runs this script, so use
the project's venv), copies the Linux desktop-entry scripts into the folder, checks its size
against the budget, and on Linux packs it as ``dist/Parabatch-VERSION-linux-ARCH.tar.gz``.

    python packaging/build.py                        # dist/Parabatch/ + the .tar.gz
    python packaging/build.py --distpath D --workpath W --no-archive
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "parabatch.spec"
LINUX_SCRIPTS = ("install-desktop-entry.sh", "uninstall-desktop-entry.sh")
SIZE_BUDGET = 160 * 1000 * 1000  # bytes; the "160 MB"

sys.path.insert(0, str(ROOT))
import core  # noqa: E402


def tree_size(folder: Path) -> int:
    """Total size in bytes of the regular files under ``folder`` (symlinks not followed)."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
    return total


def bundle_dir(distpath: Path) -> Path:
    """Where the build lands: ``Parabatch.app`` on macOS, the ``Parabatch`` folder elsewhere."""
    if sys.platform == "darwin":
        return distpath / f"{core.APP_NAME}.app"
    return distpath / core.APP_NAME


def executable(distpath: Path) -> Path:
    """The built app's executable."""
    if sys.platform == "darwin":
        return bundle_dir(distpath) / "Contents" / "MacOS" / core.APP_NAME
    suffix = ".exe" if sys.platform == "win32" else ""
    return distpath / core.APP_NAME / f"{core.APP_NAME}{suffix}"


def archive_name() -> str:
    """``Parabatch-0.1.0-linux-x86_64.tar.gz``."""
    system = "linux" if sys.platform.startswith("linux") else sys.platform
    return f"{core.APP_NAME}-{core.__version__}-{system}-{platform.machine()}.tar.gz"


def run_pyinstaller(distpath: Path, workpath: Path, clean: bool) -> None:
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={distpath}",
        f"--workpath={workpath}",
    ]
    if clean:
        cmd.append("--clean")
    cmd.append(str(SPEC))
    subprocess.run(cmd, cwd=ROOT, check=True)


def add_linux_scripts(folder: Path) -> None:
    """Put the desktop-entry (un)install scripts at the top of the folder, next to the app."""
    for name in LINUX_SCRIPTS:
        target = folder / name
        shutil.copy2(ROOT / "packaging" / "linux" / name, target)
        target.chmod(0o755)


def make_tarball(folder: Path, target: Path) -> Path:
    """Pack ``folder`` as ``target`` (gzip), with the folder's name as the top-level entry."""
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=folder.name)
    os.replace(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the one-folder Parabatch app.")
    parser.add_argument("--distpath", type=Path, default=ROOT / "dist")
    parser.add_argument("--workpath", type=Path, default=ROOT / "build")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    args = parser.parse_args(argv)
    distpath, workpath = args.distpath.resolve(), args.workpath.resolve()

    started = time.monotonic()
    run_pyinstaller(distpath, workpath, args.clean)
    built = time.monotonic() - started
    folder = bundle_dir(distpath)
    if sys.platform.startswith("linux"):
        add_linux_scripts(folder)
    size = tree_size(folder)
    print(f"built {folder} in {built:.1f} s: {size / 1e6:.1f} MB (budget {SIZE_BUDGET / 1e6:.0f})")
    if size > SIZE_BUDGET:
        print(f"error: the build is over its size budget by {(size - SIZE_BUDGET) / 1e6:.1f} MB")
        return 1
    if sys.platform.startswith("linux") and not args.no_archive:
        tarball = make_tarball(folder, distpath / archive_name())
        print(f"archive {tarball}: {tarball.stat().st_size / 1e6:.1f} MB")
    print(f"executable: {executable(distpath)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
