"""What the job journal costs: ``parabatch-cli checksum`` on 20,000 files of 1-64 KiB, runs with
the journal on and off alternating, medians and their ratio (target: on / off <= 1.05).

Each "on" run writes to a fresh journal in a temporary folder (never the user's). Run:
``python benchmarks/bench_journal.py [--repeat 7] [--small 20000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_checksum import make_small

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-journal-") as tmp:
        root = Path(tmp)
        total = make_small(root / "small", args.small)
        print(f"{args.small} files, {total / 2**20:.0f} MiB, {args.workers} workers")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        base = [sys.executable, "-m", "core", "checksum", "-q", "-w", str(args.workers)]
        base += ["-o", str(root / "SUMS"), str(root / "small")]
        timed([*base, "--no-journal"], env)  # warm the page cache and the bytecode
        on: list[tuple[float, float]] = []
        off: list[tuple[float, float]] = []
        for i in range(args.repeat):
            journal = root / f"journal-{i}.sqlite"
            on.append(timed([*base, "--journal", str(journal)], env))
            off.append(timed([*base, "--no-journal"], env))
            print(
                f"  run {i + 1}: journal on {on[-1][0]:.3f} s ({on[-1][1]:.2f} s CPU), "
                f"off {off[-1][0]:.3f} s ({off[-1][1]:.2f} s CPU)"
            )
        m_on, m_off = (statistics.median(w for w, _ in on), statistics.median(w for w, _ in off))
        c_on, c_off = (statistics.median(c for _, c in on), statistics.median(c for _, c in off))
        print(f"median wall: journal on {m_on:.3f} s, off {m_off:.3f} s, ratio {m_on / m_off:.3f}")
        print(f"median CPU:  journal on {c_on:.2f} s, off {c_off:.2f} s, ratio {c_on / c_off:.3f}")
        return 0 if m_on / m_off <= 1.05 else 1


if __name__ == "__main__":
    sys.exit(main())
