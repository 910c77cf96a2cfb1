"""``--self-test``: real jobs on real worker processes; a failure is one line, exit 1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import selftest

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_and_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert selftest.main(["--self-test"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("Parabatch ")
    assert "self-test passed" in out
    assert f"hashed {len(selftest.SIZES)} files" in out
    assert f"converted {selftest.IMAGES} images" in out


def test_rest_of_the_command_line_is_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    assert selftest.main(["some/file.png", "--self-test", "--quit-after", "2", "-platform"]) == 0
    assert "self-test passed" in capsys.readouterr().out


def test_a_job_past_its_deadline_fails_the_test(capsys: pytest.CaptureFixture[str]) -> None:
    """The job is cancelled at the deadline, the engine shut down (the suite's autouse fixture
    checks that no worker is left), and the failure is reported in one line."""
    assert selftest.main(["--self-test-timeout", "0.000001"]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "self-test FAILED: the checksum job did not finish within" in out


def test_make_files_returns_hashlib_digests(tmp_path: Path) -> None:
    expected = selftest.make_files(tmp_path)
    assert len(expected) == len(selftest.SIZES)
    assert any(os.sep + "nested" + os.sep in p for p in expected)
    for path, digest in expected.items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
    again = selftest.make_files(tmp_path / "again")  # same seed, same content
    assert sorted(again.values()) == sorted(expected.values())


def test_module_runs_as_a_script_without_qt() -> None:
    """``python -m core.selftest`` works and never imports Qt (the GUI calls it before Qt)."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['selftest']\n"
        "try:\n"
        "    runpy.run_module('core.selftest', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    status = e.code\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
        "sys.exit(status)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self-test passed" in proc.stdout
