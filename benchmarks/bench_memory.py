"""Peak memory of ``parabatch-cli`` on a million tiny files, against the tools a user would pick.

Builds 1,000,000 files of a few bytes in a temporary folder (1,000 folders of 1,000), then runs,
alternating, each contender and reads its peak resident set size (``ru_maxrss`` of the finished
child; for a pipeline, the largest of its processes):

    parabatch-cli checksum -w 2 -o SUMS DIR        vs   find | xargs -0 -P2 -n256 sha256sum
    parabatch-cli verify -w 2 SUMS                  vs   sha256sum -c SUMS

It also checks the work: the manifest must list every file with the digest sha256sum gives.
Target: parabatch-cli below 400 MB for both. Run: ``python benchmarks/bench_memory.py
[--files 1000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CLI = str(Path(sys.executable).with_name("parabatch-cli"))


def make_tiny(folder: Path, count: int) -> None:
    for i in range(count):
        if i % 1000 == 0:
            sub = folder / f"d{i // 1000:04d}"
            sub.mkdir(parents=True)
        fd = os.open(sub / f"f{i % 1000:04d}", os.O_CREAT | os.O_WRONLY, 0o644)
        os.write(fd, b"%d\n" % i)
        os.close(fd)


def run_one(cmd: list[str] | str, cwd: Path, shell: bool = False) -> tuple[float, float]:
    """Each measurement in a fresh Python, so RUSAGE_CHILDREN's maximum is this run's alone."""
    code = (
        "import resource, subprocess, sys, time; t = time.monotonic();"
        f"subprocess.run({cmd!r}, shell={shell}, check=True, stdout=subprocess.DEVNULL);"
        "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True
    )
    took, kb = out.stdout.split()
    return float(took), int(kb) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pb-mem-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        print(f"making {args.files:,} files ...", flush=True)
        make_tiny(corpus, args.files)
        os.sync()
        contenders = {
            "parabatch-cli checksum": (
                [CLI, "checksum", "-w", "2", "-q", "-o", "SUMS", "corpus"],
                False,
            ),
            "xargs -P2 sha256sum": (
                "find corpus -type f -print0 | xargs -0 -P2 -n256 sha256sum > XSUMS",
                True,
            ),
            "parabatch-cli verify": ([CLI, "verify", "-w", "2", "-q", "SUMS"], False),
            "sha256sum -c": ("sha256sum -c --quiet SUMS", True),
        }
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in contenders}
        for _ in range(args.repeat):
            for name, (cmd, shell) in contenders.items():  # alternating, in this order
                runs[name].append(run_one(cmd, root, shell))
        listed = (root / "SUMS").read_bytes().count(b"\n")
        same = sorted((root / "SUMS").read_bytes().split(b"\n")) == sorted(
            (root / "XSUMS").read_bytes().split(b"\n")
        )
        print(f"manifest lists {listed:,} of {args.files:,} files; same as sha256sum: {same}")
        print(f"{'contender':<26} {'peak RSS MB (median)':>22} {'seconds (median)':>18}")
        for name, values in runs.items():
            mb = statistics.median(v[1] for v in values)
            secs = statistics.median(v[0] for v in values)
            print(f"{name:<26} {mb:>22.1f} {secs:>18.2f}")
        ok = listed == args.files and same
        ok &= statistics.median(v[1] for v in runs["parabatch-cli checksum"]) < 400
        ok &= statistics.median(v[1] for v in runs["parabatch-cli verify"]) < 400
        print("target (< 400 MB, every file listed and correct):", "met" if ok else "MISSED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
