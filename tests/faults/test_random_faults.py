"""Randomized black-box faults against ``parabatch-cli``, one test case per fault kind.

Each case runs a bounded batch of random runs (see ``harness.py``): its own corpus, the real
command line with ``--json`` and ``--watchdog 2``, one fault at a random moment, a bounded wait,
then every invariant (no hang, exit code, no orphan, no partial or temp folder left, manifest
kept or correct, complete and valid JSON, no traceback). The case fails listing every violation
with its run index and fault.

Reproduce with the seed the case prints: ``PARABATCH_FAULT_SEED=N pytest tests/faults -k KIND``.
Other knobs: ``PARABATCH_FAULT_HANG_TIMEOUT`` (seconds before a run counts as hung, default 15),
``PARABATCH_FAULT_MAX_HANGS`` (hangs after which a case stops, default 1: a hang already fails
it, and each costs the whole timeout), ``PARABATCH_FAULT_ROOT`` (where corpora go; default
/dev/shm where it can be written, which halves the time spent making thousands of small files,
else tmp_path), ``PARABATCH_FAULT_KEEP=1`` (keep each run's folder), ``PARABATCH_CLI`` (the command
line to test). ``python tests/faults/run_many.py`` runs longer mixed batches.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.faults import harness
from tests.support import require_tool

SEED = int(os.environ.get("PARABATCH_FAULT_SEED", "20240611"))
HANG_TIMEOUT = float(os.environ.get("PARABATCH_FAULT_HANG_TIMEOUT", "15"))
MAX_HANGS = int(os.environ.get("PARABATCH_FAULT_MAX_HANGS", "1"))
SHM = "/dev/shm"  # memory-backed on Linux
BUDGET = 240.0  # seconds per case: stop and report well before pytest-timeout's 300

# fault kind -> runs. Together about 3 minutes on the 2-core VM when nothing hangs (measured
# 2 min 50 s with the corpora on tmpfs; creating the small files dominates on a slow disk).
CASES = {
    "none": 4,  # the control: the harness finds nothing wrong with an unharmed run
    "worker_kill": 30,
    "worker_stop": 10,
    "kill_storm": 10,
    "cli_signal": 20,
    "cli_kill": 4,
}

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
    reason="the fault harness reads /proc and waits on pidfds (Linux)",
)


def corpus_root(tmp_path: Path) -> tuple[Path, str | None]:
    """Where the runs' folders go, and a folder to remove afterwards (when not tmp_path)."""
    base = os.environ.get("PARABATCH_FAULT_ROOT")
    if base is None and os.path.isdir(SHM) and os.access(SHM, os.W_OK | os.X_OK):
        base = SHM
    if not base:
        return tmp_path, None
    root = tempfile.mkdtemp(prefix="pbfaults-", dir=base)
    return Path(root), root


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", list(CASES))
def test_random_faults(kind: str, tmp_path: Path) -> None:
    require_tool("sha256sum")
    root, remove = corpus_root(tmp_path)
    print(f"fault kind {kind}, seed {SEED} (PARABATCH_FAULT_SEED={SEED} to reproduce)")
    try:
        batch = harness.run_batch(
            kind,
            CASES[kind],
            SEED,
            root,
            hang_timeout=HANG_TIMEOUT,
            max_hangs=MAX_HANGS,
            budget=BUDGET,
            keep=bool(os.environ.get("PARABATCH_FAULT_KEEP")),
            log=lambda line: print(f"{time.strftime('%H:%M:%S')} {line}", flush=True),
        )
    finally:
        if remove is not None:
            shutil.rmtree(remove, ignore_errors=True)
    print(harness.format_table(batch.records))
    print(f"{len(batch.records)} runs in {batch.seconds:.1f}s")
    found = batch.violations()
    assert not found and not batch.skipped, (
        f"{len(found)} violation(s) in {len(batch.records)} run(s) of {kind} "
        f"(seed {SEED}; PARABATCH_FAULT_SEED={SEED} pytest tests/faults -k {kind}):\n"
        + batch.report()
    )


def test_harness_checks_catch_broken_output(tmp_path: Path) -> None:
    """The checkers themselves: a right output passes, each kind of breakage is named."""
    paths = {str(tmp_path / f"f{i}"): f"{i:064x}" for i in range(3)}
    records = [json.dumps({"path": p, "status": "done", "value": d}) for p, d in paths.items()]
    summary = {"files": 3, "done": 3, "failed": 0, "skipped": 0, "cancelled": 0}
    good = ("\n".join([*records, json.dumps({"summary": summary})]) + "\n").encode()
    found, st = harness.check_json(good, paths, cwd=tmp_path, command="checksum")
    assert found == [] and st.complete and st.parsed

    def categories(out: bytes) -> set[str]:
        found, _ = harness.check_json(out, paths, cwd=tmp_path, command="checksum")
        return {v.category for v in found}

    assert categories(good[: len(good) // 2]) >= {"json", "final_state"}  # cut short
    assert categories(b"") == {"json", "final_state"}
    assert categories(good.replace(b'"done", "value": "' + b"0" * 63, b'"pending", "x": "')) >= {
        "final_state"
    }
    assert categories(good.replace(b"0" * 63 + b"1", b"f" * 64)) == {"wrong_result"}
    assert categories(records[0].encode() + b"\n" + good) == {"json"}  # a record twice

    manifest = "".join(f"{d}  f{i}\n" for i, d in enumerate(paths.values())).encode()
    assert harness.parse_manifest(manifest)[1] == []
    assert harness.parse_manifest(manifest[:-10])[1]  # truncated
    assert harness.parse_manifest(b"")[1] == ["empty"]
    tb = "Traceback (most recent call last):\n  File x\nKeyboardInterrupt\n"
    assert [v.category for v in harness.check_traceback("ok\n" + tb)] == ["traceback"]
    (tmp_path / ".SHA256SUMS.partial-1-abcdef").write_bytes(b"")
    assert [v.category for v in harness.check_partials(tmp_path)] == ["partial"]
    assert harness.filter_options("checksum", ["--no-such-option", "3"])[1] in (
        ["--no-such-option", "3"],
        [],  # the CLI's help could not be read: nothing is dropped
    )
