"""Checksum throughput of ``parabatch-cli`` against the tools a user would pick instead.

Builds its own corpora in a temporary folder (20,000 files of 1-64 KiB; 6 files of 256 MiB),
then times alternating runs and prints medians and ratios:

    small files: parabatch-cli checksum -a sha256 -w 2   vs   xargs -0 -P2 -n256 sha256sum
                                                          vs   a bare Pool(2).imap_unordered script
    large files: parabatch-cli vs bytes / (2 x single-core hashlib rate, measured in-process),
                 with the bare Pool script as a reference for what two workers reach here

Targets on a 2-core machine: small <= 0.5x xargs and <= 1.1x the bare Pool script; large <= 1.6x
of the ideal. Run: ``python benchmarks/bench_checksum.py [--repeat 5] [--small 20000]``.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_POOL = r"""
import hashlib, os, sys
from multiprocessing import get_context

def digest(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), path

if __name__ == "__main__":
    paths = [os.path.join(dp, n) for dp, _, ns in os.walk(sys.argv[1]) for n in ns]
    with get_context("spawn").Pool(2) as pool:
        out = [f"{h}  {p}" for h, p in pool.imap_unordered(digest, paths, chunksize=64)]
    sys.stdout.write("\n".join(out) + "\n")
"""


def make_small(folder: Path, count: int) -> int:
    rng = random.Random(42)
    total = 0
    for i in range(count):
        sub = folder / f"d{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        size = rng.randint(1024, 64 * 1024)
        (sub / f"f{i:05d}.bin").write_bytes(rng.randbytes(size))
        total += size
    return total


def make_large(folder: Path, count: int, size: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1 << 20)
    for i in range(count):
        with open(folder / f"big{i}.bin", "wb") as f:
            for _ in range(size >> 20):
                f.write(block)
    return count * size


def timed(cmd: list[str] | str, **kw: object) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - t


def hashlib_rate(folder: Path) -> float:
    """Single-core sha256 bytes/second over the (cached) large files, in this process."""
    best = 0.0
    for p in sorted(folder.iterdir())[:2]:
        t = time.perf_counter()
        with open(p, "rb") as f:
            hashlib.file_digest(f, "sha256")
        best = max(best, p.stat().st_size / (time.perf_counter() - t))
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--small", type=int, default=20000)
    ap.add_argument("--large", type=int, default=6)
    ap.add_argument("--large-mib", type=int, default=256)
    args = ap.parse_args()
    # The installed console script, as a user runs it (python -m core where there is none).
    script = Path(sys.executable).with_name("parabatch-cli")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "core"]
    cli = [*launcher, "checksum", "-a", "sha256", "-w", "2", "-q"]
    # An installed package has its bytecode compiled; a source tree run with
    # PYTHONDONTWRITEBYTECODE would compile every module in every process, every run.
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "core"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        root = Path(tmp)
        small, large = root / "small", root / "large"
        nbytes = make_small(small, args.small)
        lbytes = make_large(large, args.large, args.large_mib << 20)
        os.sync()  # write the corpora back now, not in the background during the timed runs
        script = root / "bare_pool.py"
        script.write_text(BARE_POOL)
        xargs = f"find {small} -type f -print0 | xargs -0 -P2 -n256 sha256sum"
        runs: dict[str, list[float]] = {
            "parabatch": [],
            "xargs": [],
            "pool": [],
            "large": [],
            "large_pool": [],
        }
        timed([*cli, str(small)])  # warm the page cache, untimed
        timed([*cli, str(large)])
        for _ in range(args.repeat):  # alternate so that drift hits every contender alike
            runs["parabatch"].append(timed([*cli, str(small)]))
            runs["xargs"].append(timed(xargs, shell=True))
            runs["pool"].append(timed([sys.executable, str(script), str(small)]))
            runs["large"].append(timed([*cli, str(large)]))
            runs["large_pool"].append(timed([sys.executable, str(script), str(large)]))
        rate = hashlib_rate(large)
    med = {k: statistics.median(v) for k, v in runs.items() if v}
    ideal = lbytes / (2 * rate)
    small_ratio_x = med["parabatch"] / med["xargs"]
    small_ratio_pool = med["parabatch"] / med["pool"]
    print(f"command: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cli))}")
    print(f"small corpus: {args.small} files, {nbytes / 1e6:.0f} MB; median of {args.repeat}")
    print(f"  parabatch-cli -w 2     {med['parabatch']:7.3f} s")
    print(f"  xargs -P2 sha256sum    {med['xargs']:7.3f} s  ratio {small_ratio_x:.2f}x (<= 0.5x)")
    print(f"  bare Pool(2) script    {med['pool']:7.3f} s  ratio {small_ratio_pool:.2f}x (<= 1.1x)")
    print(f"large corpus: {args.large} x {args.large_mib} MiB")
    print(f"  single-core hashlib    {rate / 1e6:7.0f} MB/s; ideal 2-core time {ideal:.3f} s")
    large_ratio = med["large"] / ideal
    print(f"  parabatch-cli -w 2     {med['large']:7.3f} s  ratio {large_ratio:.2f}x (<= 1.6x)")
    pool_ratio = med["large_pool"] / ideal
    print(
        f"  bare Pool(2) script    {med['large_pool']:7.3f} s  ratio {pool_ratio:.2f}x (reference)"
    )
    # This VM is noisy: show the spread, and the ratio of the runs paired by alternation.
    print(
        "spread (min-max s):", ", ".join(f"{k} {min(v):.3f}-{max(v):.3f}" for k, v in runs.items())
    )
    paired = sorted(a / b for a, b in zip(runs["parabatch"], runs["xargs"], strict=True))
    print(f"paired parabatch/xargs ratios: {', '.join(f'{r:.2f}' for r in paired)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
