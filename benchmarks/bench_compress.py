"""Compression throughput of ``parabatch-cli compress`` against the tools a user would pick.

Builds 6 CSV-like files of 256 MiB (text with numbers, about 3:1 at zstd -3) in a temporary
folder, then times alternating runs and prints medians and ratios of throughput:

    zstd level 3:  parabatch-cli compress --format zstd --level 3 -w 2   vs   zstd -3 -T2
    gzip level 6:  parabatch-cli compress --format gzip --level 6 -w 2   vs   pigz -p2 -6

Targets on a 2-core machine: zstd >= 0.9x the throughput of ``zstd -3 -T2``; gzip beats
``pigz -p2 -6`` or comes within 0.9x. Both tools write beside the inputs and keep them (``-k``;
outputs are removed between runs). Run: ``python benchmarks/bench_compress.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_csv(path: Path, size: int, seed: int) -> None:
    rng = random.Random(seed)
    rows = [
        f"{i},{rng.randint(0, 10**6)},{rng.random():.6f},item-{rng.randint(0, 9999)},"
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
        for i in range(200_000)
    ]
    block = "".join(rows).encode()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            f.write(block[:left])
            left -= len(block)


def clean(folder: Path, suffix: str) -> None:
    for p in folder.glob(f"*{suffix}"):
        p.unlink()


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--files", type=int, default=6)
    ap.add_argument("--mib", type=int, default=256)
    args = ap.parse_args()
    script = Path(sys.executable).with_name("parabatch-cli")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "core"]
    peers = {"zstd": shutil.which("zstd"), "pigz": shutil.which("pigz")}
    with tempfile.TemporaryDirectory(prefix="pb-bench-z-") as tmp:
        folder = Path(tmp)
        for i in range(args.files):
            make_csv(folder / f"table{i}.csv", args.mib << 20, i)
        files = sorted(str(p) for p in folder.glob("*.csv"))
        total = args.files * (args.mib << 20)
        os.sync()
        ours = [*launcher, "compress", "-w", "2", "-q", "--no-journal"]
        cases = {
            "parabatch zstd -3": ([*ours, "--format", "zstd", "--level", "3", *files], ".zst"),
            "parabatch gzip -6": ([*ours, "--format", "gzip", "--level", "6", *files], ".gz"),
        }
        if peers["zstd"]:
            cases["zstd -3 -T2"] = ([peers["zstd"], "-3", "-T2", "-q", "-k", *files], ".zst")
        if peers["pigz"]:
            cases["pigz -p2 -6"] = ([peers["pigz"], "-p2", "-6", "-k", *files], ".gz")
        runs: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.repeat):  # alternate so that drift hits every contender alike
            for name, (cmd, suffix) in cases.items():
                clean(folder, suffix)
                runs[name].append(timed(cmd))
                clean(folder, suffix)
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{args.files} x {args.mib} MiB CSV-like files; median of {args.repeat}")
    for name, t in med.items():
        print(f"  {name:20s} {t:7.3f} s  {total / t / 1e6:7.0f} MB/s")

    def ratio(ours: str, peer: str, target: str) -> None:
        if peer in med:
            print(f"  {ours} / {peer}: {med[peer] / med[ours]:.2f}x the throughput ({target})")

    ratio("parabatch zstd -3", "zstd -3 -T2", ">= 0.9x")
    ratio("parabatch gzip -6", "pigz -p2 -6", ">= 0.9x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
