"""What the job journal costs: ``parabatch-cli checksum`` on 20,000 files of 1-64 KiB, runs with
the journal on and off alternating (each kind of run first, second and third of a round in
turn), medians, their ratio and the spread of the ratios paired by round (target: on / off <=
1.05).

Two kinds of "on" run, both in a temporary folder (never the user's journal): one that starts a
new journal file each time (a user's first job), and one that writes to the same journal every
time (every later job: the file is there, with earlier jobs in it). Run:
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
        kept = root / "journal-kept.sqlite"  # a user's journal: there from earlier jobs
        timed([*base, "--journal", str(kept)], env)
        runs: dict[str, list[tuple[float, float]]] = {"new": [], "kept": [], "off": []}
        flags = {"kept": ["--journal", str(kept)], "off": ["--no-journal"]}
        order = list(runs)
        for i in range(args.repeat):
            flags["new"] = ["--journal", str(root / f"journal-{i}.sqlite")]
            for k in order[i % 3 :] + order[: i % 3]:  # each kind first, second, third in turn
                runs[k].append(timed([*base, *flags[k]], env))
            latest = {k: v[-1] for k, v in runs.items()}
            last = ", ".join(f"{k} {w:.3f} s ({c:.2f} s CPU)" for k, (w, c) in latest.items())
            print(f"  run {i + 1}: {last}")
        wall = {k: sorted(w for w, _ in v) for k, v in runs.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
        median = {k: statistics.median(v) for k, v in wall.items()}
        for k, label in (("new", "a new journal"), ("kept", "the same journal"), ("off", "off")):
            print(
                f"journal {label:17s} median wall {median[k]:.3f} s "
                f"(runs {wall[k][0]:.3f}-{wall[k][-1]:.3f}), median CPU {cpu[k]:.2f} s"
            )
        worst = 0.0
        for k in ("new", "kept"):
            ratio = median[k] / median["off"]
            worst = max(worst, ratio)
            paired = sorted(a[0] / b[0] for a, b in zip(runs[k], runs["off"], strict=True))
            print(
                f"ratio {k} / off: wall {ratio:.3f} (paired {paired[0]:.3f}-{paired[-1]:.3f}), "
                f"CPU {cpu[k] / cpu['off']:.3f}"
            )
        return 0 if worst <= 1.05 else 1


if __name__ == "__main__":
    sys.exit(main())
