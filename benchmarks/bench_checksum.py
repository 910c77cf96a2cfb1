"""Checksum speed of ``parabatch-cli`` against the tools a user would pick instead.

Builds its own corpora in a temporary folder (2 tiny files; 20,000 files of 1-64 KiB; 6 files of
256 MiB), then times alternating runs (every contender once per round, so drift hits all alike)
and prints medians, spreads and ratios, one row per line of issue 17's table:

    tiny job     parabatch-cli checksum A B             vs  sha256sum A B       (<= 0.10 s)
    small sha256 parabatch-cli checksum -w 2            vs  bare Pool(2).imap_unordered(64)
                                                        vs  xargs -0 -P2 -n256 sha256sum
    small blake3 parabatch-cli checksum -a blake3 -w 2  vs  xargs -0 -P2 -n256 b3sum
    large sha256 parabatch-cli checksum -w 2            vs  bare Pool chunksize 1, and
                                                            bytes / (2 x one core's hashlib rate)
    journal      the small sha256 job with the journal on (the default) vs --no-journal

Every parabatch run has the journal on (a temporary one, not the user's), as a user has it,
except the --no-journal row.

Parabatch runs as a user has it installed: a regular (not editable) install of this checkout into
a virtual environment of its own, which finds the dependencies in this one. A ``pip install -e``
checkout starts every Python process (the command line, each worker, multiprocessing's resource
tracker) through setuptools' editable finder, 13-20 ms each here, which no installed copy pays.
The bare Pool script runs on that environment's Python too (the peer's own Python has no such
finder either). ``--checkout`` times this checkout's ``parabatch-cli`` instead.

Run: ``python benchmarks/bench_checksum.py [--repeat 7] [--checkout]``.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARE_POOL = r"""
import hashlib, os, sys
from multiprocessing import get_context

def digest(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), path

if __name__ == "__main__":
    paths = [os.path.join(dp, n) for dp, _, ns in os.walk(sys.argv[1]) for n in ns]
    chunksize = int(sys.argv[2])
    with get_context("spawn").Pool(2) as pool:
        out = [f"{h}  {p}" for h, p in pool.imap_unordered(digest, paths, chunksize=chunksize)]
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
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]
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


def _spread(v: list[float]) -> str:
    return f"median {statistics.median(v):.3f} s (min {min(v):.3f}, max {max(v):.3f})"


def _ratio(a: list[float], b: list[float]) -> str:
    """Median ratio, and the spread of the ratios of the runs paired by round."""
    paired = sorted(x / y for x, y in zip(a, b, strict=True))
    return (
        f"{statistics.median(a) / statistics.median(b):.2f}x "
        f"(paired {paired[0]:.2f}-{paired[-1]:.2f})"
    )


def installed(root: Path) -> Path:
    """A virtual environment under ``root`` with this checkout installed as a wheel would be
    (``pip install --no-deps``, no build isolation: nothing is downloaded), seeing this
    environment's packages through a ``.pth`` line; returns its ``python``. That line only adds
    the folder to ``sys.path``: the ``.pth`` files in it (the editable finder's) are not run."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    here = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    there = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(there, "dependencies.pth").write_text(here + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    # Built from a copy: setuptools would leave build/ and *.egg-info in the checkout.
    source = root / "source"
    junk = (".*", "build", "dist", "*.egg-info", "__pycache__", "benchmarks", "tests", "docs")
    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo, source, ignore=shutil.ignore_patterns(*junk))
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", str(source)], check=True)
    compileall.compile_dir(str(Path(there) / "core"), quiet=1)  # as pip does, whatever the env
    return python


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--small", type=int, default=20000)
    ap.add_argument("--large", type=int, default=6)
    ap.add_argument("--large-mib", type=int, default=256)
    ap.add_argument("--skip-large", action="store_true", help="leave the 6 x 256 MiB rows out")
    ap.add_argument("--checkout", action="store_true", help="time this checkout's parabatch-cli")
    args = ap.parse_args()
    b3sum = shutil.which("b3sum")
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        root = Path(tmp)
        if args.checkout:
            python = Path(sys.executable)
            # An installed package has its bytecode compiled; a source tree run with
            # PYTHONDONTWRITEBYTECODE would compile every module in every process, every run.
            compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "core"), quiet=1)
        else:
            python = installed(root)
        # The console script, as a user runs it (python -m core where there is none).
        script = python.with_name("parabatch-cli")
        launcher = [str(script)] if script.exists() else [str(python), "-m", "core"]
        cli = [*launcher, "checksum", "-w", "2", "-q"]
        env = dict(os.environ, PARABATCH_JOURNAL=str(root / "journal.sqlite"))
        small, large, tiny = root / "small", root / "large", root / "tiny"
        nbytes = make_small(small, args.small)
        lbytes = make_large(large, args.large, args.large_mib << 20) if not args.skip_large else 0
        tiny.mkdir()
        pair = [str(tiny / "a.txt"), str(tiny / "b.txt")]
        for p in pair:
            Path(p).write_bytes(os.urandom(100))
        os.sync()  # write the corpora back now, not in the background during the timed runs
        pool = root / "bare_pool.py"
        pool.write_text(BARE_POOL)
        xargs = f"find {small} -type f -print0 | xargs -0 -P2 -n256"
        contenders: dict[str, Any] = {
            "tiny": lambda: timed([*cli, "-o", str(root / "T"), *pair], env=env),
            "tiny_sha256sum": lambda: timed(["sha256sum", *pair]),
            "small": lambda: timed([*cli, "-o", str(root / "S"), str(small)], env=env),
            "small_nojournal": lambda: timed(
                [*cli, "--no-journal", "-o", str(root / "S2"), str(small)], env=env
            ),
            "small_pool": lambda: timed([str(python), str(pool), str(small), "64"]),
            "small_xargs": lambda: timed(f"{xargs} sha256sum", shell=True),
        }
        if b3sum:
            contenders["blake3"] = lambda: timed(
                [*cli, "-a", "blake3", "-o", str(root / "B"), str(small)], env=env
            )
            contenders["blake3_b3sum"] = lambda: timed(f"{xargs} {b3sum}", shell=True)
        if not args.skip_large:
            contenders["large"] = lambda: timed([*cli, "-o", str(root / "L"), str(large)], env=env)
            contenders["large_pool"] = lambda: timed([str(python), str(pool), str(large), "1"])
        for run in contenders.values():  # warm the page cache and the journal, untimed
            run()
        runs: dict[str, list[float]] = {k: [] for k in contenders}
        for _ in range(args.repeat):  # alternate so that drift hits every contender alike
            for name, run in contenders.items():
                runs[name].append(run())
        rate = hashlib_rate(large) if not args.skip_large else 0.0
    how = "this checkout" if args.checkout else "installed (not editable)"
    print(f"command: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cli))} ({how})")
    print(f"rounds: {args.repeat} (every contender once per round); load {os.getloadavg()[0]:.2f}")
    print(f"tiny job (2 files of 100 B), journal on: {_spread(runs['tiny'])}  (target <= 0.10 s)")
    print(f"  sha256sum:                 {_spread(runs['tiny_sha256sum'])}")
    print(f"small: {args.small} files, {nbytes / 1e6:.0f} MB, sha256")
    print(f"  parabatch-cli -w 2         {_spread(runs['small'])}")
    print(f"  bare Pool(2), chunksize 64 {_spread(runs['small_pool'])}")
    print(f"  xargs -P2 -n256 sha256sum  {_spread(runs['small_xargs'])}")
    print(f"  vs bare Pool  {_ratio(runs['small'], runs['small_pool'])}  (target <= 1.0x)")
    print(f"  vs xargs      {_ratio(runs['small'], runs['small_xargs'])}  (target <= 0.5x)")
    print(f"  --no-journal               {_spread(runs['small_nojournal'])}")
    print(
        f"  journal on vs off {_ratio(runs['small'], runs['small_nojournal'])}  (target <= 1.05x)"
    )
    if b3sum:
        print("small, blake3")
        print(f"  parabatch-cli -a blake3    {_spread(runs['blake3'])}")
        print(f"  xargs -P2 -n256 b3sum      {_spread(runs['blake3_b3sum'])}")
        print(f"  vs b3sum      {_ratio(runs['blake3'], runs['blake3_b3sum'])}  (target <= 1.2x)")
    else:
        print("small, blake3: b3sum not installed, row left out")
    if not args.skip_large:
        ideal = lbytes / (2 * rate)
        print(f"large: {args.large} x {args.large_mib} MiB, sha256")
        print(f"  single-core hashlib {rate / 1e6:.0f} MB/s; ideal 2-core time {ideal:.3f} s")
        print(f"  parabatch-cli -w 2         {_spread(runs['large'])}")
        print(f"  bare Pool(2), chunksize 1  {_spread(runs['large_pool'])}")
        print(f"  vs bare Pool  {_ratio(runs['large'], runs['large_pool'])}  (target <= 1.0x)")
        print(f"  vs ideal      {statistics.median(runs['large']) / ideal:.2f}x  (target <= 1.4x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
