"""Operation plugins: the example package in examples/ built and installed with pip (into a
temporary folder put on PYTHONPATH, so the venv stays clean) and run through the command line
and real workers; broken plugins listed with their error and skipped, the rest unaffected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import operations, plugins
from core.discover import scan
from core.engine import Engine, run_job
from core.records import Status
from tests.support import in_ci

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "parabatch-linecount"
PY = sys.executable


def cli(*args: str, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), str(REPO)])}
    return subprocess.run(
        [PY, "-m", "core", *args], cwd=REPO, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, built into a wheel and installed with pip into a folder of its own."""
    try:
        import setuptools  # noqa: F401
        import wheel  # noqa: F401
    except ImportError as e:
        if in_ci():
            pytest.fail(f"building the example plugin needs {e.name} in the venv")
        pytest.skip(f"building the example plugin needs {e.name} (pip install {e.name})")
    base = tmp_path_factory.mktemp("plugin")
    pip = [PY, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(base / "dist"),
         str(EXAMPLE)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (whl,) = (base / "dist").glob("parabatch_linecount-*.whl")
    site = base / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(whl)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    build = EXAMPLE / "build"  # setuptools builds in the source tree: leave it clean
    for leftover in (build, EXAMPLE / "src" / "parabatch_linecount.egg-info"):
        subprocess.run(["rm", "-rf", str(leftover)], check=True)
    return site


@pytest.fixture
def fresh_plugins() -> Iterator[None]:
    """Plugins read again from the current sys.path, and forgotten after the test."""
    plugins.forget()
    operations._cache.clear()
    yield
    plugins.forget()
    operations._cache.clear()


def texts(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "a b.txt": b"one two\nthree\n",
        "big.txt": b"word " * 100_000 + b"\n",  # words cut across the 128 KiB blocks
        "bin.dat": b"\0\1\2",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def test_the_installed_example_is_listed_and_runs_through_the_cli(
    installed: Path, tmp_path: Path
) -> None:
    listing = cli("operations", path=installed)
    assert listing.returncode == 0, listing.stderr
    rows = {line.split("\t")[0]: line.split("\t") for line in listing.stdout.splitlines()}
    assert rows["run"][1:] == ["Run a command", "built in"]
    _, title, where = rows["linecount"]
    assert title == "Count lines" and where.startswith("parabatch-linecount 0.1.0 (")
    assert str(installed) in where
    texts(tmp_path / "in")
    p = cli("linecount", "--json", "--no-journal", str(tmp_path / "in"), path=installed)
    assert p.returncode == 1, p.stderr  # bin.dat is not text
    records = [json.loads(line) for line in p.stdout.splitlines()]
    got = {os.path.basename(r["path"]): r for r in records if "path" in r}
    assert got["a b.txt"]["value"] == "2 lines, 3 words, 14 bytes"
    assert got["big.txt"]["value"] == "1 lines, 100000 words, 500001 bytes"
    assert got["bin.dat"]["status"] == "failed" and got["bin.dat"]["kind"] == "not-text"
    assert records[-1]["lines"] == ["3 lines in 2 files"]
    p = cli("linecount", "-q", "--no-journal", "--no-words", str(tmp_path / "in" / "a b.txt"),
            path=installed)  # fmt: skip
    assert p.returncode == 0 and p.stdout == f"2 lines\t{tmp_path / 'in' / 'a b.txt'}\n"


def test_the_plugin_runs_in_real_workers(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_plugins: None
) -> None:
    monkeypatch.syspath_prepend(str(installed))  # spawned workers get the same sys.path
    assert "linecount" in operations.names()
    texts(tmp_path / "in")
    op = operations.get("linecount")
    options = op.options_type()
    with Engine(2) as engine:
        job, _ = run_job(engine, "linecount", options, op.plan(scan([str(tmp_path)]), options))
    assert job.tracker.counts[Status.DONE] == 2 and job.tracker.counts[Status.FAILED] == 1


BROKEN = {
    "good_op.py": """
from dataclasses import dataclass
from core.operations.base import Operation, Outcome
@dataclass(frozen=True)
class NoOptions:
    pass
class Good(Operation):
    name, title, options_type = "good", "A good one", NoOptions
    def process(self, task, options, ctx):
        return Outcome("fine")
""",
    "broken_import.py": "import no_such_module_for_parabatch\n",
    "broken_ctor.py": """
from core.operations.base import Operation
class Ctor(Operation):
    name = "ctor"
    def __init__(self):
        raise RuntimeError("no licence key")
""",
    "broken_opts.py": """
from dataclasses import dataclass
from core.operations.base import Operation
@dataclass
class Opts:
    level: int  # no default
class BadOptions(Operation):
    name = "badopts"
    options_type = Opts
""",
    "not_op.py": "class Thing:\n    name = 'notop'\n",
    "no_opts.py": "from core.operations.base import Operation\n"
    "class Bare(Operation):\n    name = 'bare'\n",
    "clash.py": "from core.operations.checksum import ChecksumOperation as Clash\n",
}
ENTRY_POINTS = """[parabatch.operations]
good = good_op:Good
noimport = broken_import:Op
ctor = broken_ctor:Ctor
badopts = broken_opts:BadOptions
notop = not_op:Thing
bare = no_opts:Bare
checksum = clash:Clash
misnamed = good_op:Good

[parabatch.panels]
good = good_panel:GoodPanel
"""


@pytest.fixture
def broken_site(tmp_path: Path) -> Path:
    """An installed distribution (a dist-info folder, as pip leaves it) full of bad plugins."""
    site = tmp_path / "site"
    info = site / "broken_plugins-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    for name, text in BROKEN.items():
        (site / name).write_text(text)
    return site


def test_broken_plugins_are_listed_with_their_error_and_skipped(
    broken_site: Path, tmp_path: Path
) -> None:
    p = cli("operations", path=broken_site)
    assert p.returncode == 0, p.stderr
    rows = {line.split("\t")[0]: line.split("\t")[1] for line in p.stdout.splitlines()}
    assert rows["good"] == "A good one"
    assert rows["noimport"].startswith("(not usable: cannot be imported: ModuleNotFoundError")
    assert rows["ctor"] == "(not usable: raises when constructed: RuntimeError: no licence key)"
    assert rows["badopts"].startswith("(not usable: has no valid default options: TypeError")
    assert (
        rows["bare"]
        == "(not usable: declares no options_type (a dataclass whose fields all have defaults))"
    )
    assert rows["notop"] == "(not usable: not_op:Thing is not an Operation subclass)"
    assert rows["misnamed"] == (
        "(not usable: good_op:Good.name is 'good', not its entry point's name 'misnamed')"
    )
    first = {}
    for line in p.stdout.splitlines():
        first.setdefault(line.split("\t")[0], line.split("\t")[1:])
    assert first["checksum"] == ["Create checksums", "built in"]  # not the plugin's
    assert "(not usable: its name 'checksum' is a built-in operation's)" in p.stdout
    # Every other operation keeps working, and the good plugin runs.
    (tmp_path / "f").write_bytes(b"x")
    ok = cli("checksum", "-q", "--no-journal", str(tmp_path / "f"), path=broken_site)
    assert ok.returncode == 0, ok.stderr
    good = cli("good", "--json", "--no-journal", str(tmp_path / "f"), path=broken_site)
    assert good.returncode == 0 and json.loads(good.stdout.splitlines()[0])["value"] == "fine"
    broken = cli("ctor", str(tmp_path / "f"), path=broken_site)
    assert broken.returncode == 2 and "invalid choice: 'ctor'" in broken.stderr


def test_plugins_can_be_turned_off(broken_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARABATCH_NO_PLUGINS", "1")
    p = cli("operations", path=broken_site)
    assert p.returncode == 0 and "good" not in p.stdout and "(not usable" not in p.stdout


def test_plugin_discovery_in_process(
    broken_site: Path, monkeypatch: pytest.MonkeyPatch, fresh_plugins: None
) -> None:
    monkeypatch.syspath_prepend(str(broken_site))
    assert plugins.declared()["good"] == "good_op:Good"
    assert [n for n in operations.names() if n not in operations.REGISTRY] == ["good"]
    info = {p.name: p for p in plugins.plugins(operations.REGISTRY)}
    assert info["good"].distribution == "broken-plugins" and info["good"].version == "1.0"
    assert info["good"].error is None and info["ctor"].error is not None
    assert plugins.panel_target("good") == "good_panel:GoodPanel"  # not imported here
    assert plugins.panel_target("ctor") is None
