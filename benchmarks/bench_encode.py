"""Benchmark: ``parabatch-cli encode`` against ``find | xargs -P2`` running an iconv loop,
converting GB18030 text files (4-64 KiB each) to UTF-8 with 2 workers.

Not a test. Builds its own corpus in a temporary folder (``--count`` files of Chinese sentences,
sizes spread evenly over 4-64 KiB), then times alternating runs of each command and prints the
medians and their ratios to iconv. parabatch runs twice: detecting every file's encoding (what a
user gets by default) and with ``--from gb18030`` (the same work iconv does).

    .venv/bin/python benchmarks/bench_encode.py --count 2000 --runs 5
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

ROOT = Path(__file__).resolve().parent.parent
ICONV = "find | xargs -P2 iconv"
SENTENCES = (
    "春天来了，公园里的花都开了。",
    "孩子们在草地上奔跑，老人们坐在长椅上聊天。",
    "今天的天气非常好，我们决定去河边散步。",
    "这本书讲述了一个年轻人离开家乡，到大城市寻找梦想的故事。",
    "会议将于下周三上午九点在三楼会议室举行，请准时参加。",
    "据统计，今年第一季度全市居民人均可支配收入同比增长百分之六。",
    "他把字幕文件发给我，可是播放器显示的全是乱码。",
)


def build_corpus(folder: Path, count: int, seed: int = 1) -> list[str]:
    rnd = random.Random(seed)
    files = []
    for i in range(count):
        size = rnd.randint(4 * 1024, 64 * 1024)
        parts: list[str] = []
        n = 0
        while n < size:
            s = rnd.choice(SENTENCES) + ("\r\n" if rnd.random() < 0.3 else "")
            parts.append(s)
            n += len(s) * 2
        path = folder / f"doc_{i:05d}.txt"
        path.write_bytes("".join(parts).encode("gb18030"))
        files.append(str(path))
    return files


def commands(corpus: Path, out: Path, workers: int) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "core", "encode", "-q", "--no-journal", "-w", str(workers)]
    cli += ["--output-dir", str(out)]
    cmds = {
        "parabatch (detect)": [*cli, str(corpus)],
        "parabatch (--from gb18030)": [*cli, "--from", "gb18030", str(corpus)],
    }
    if shutil.which("iconv"):
        loop = 'for f; do iconv -f GB18030 -t UTF-8 "$f" > "$0/${f##*/}" || exit 1; done'
        cmds[ICONV] = [
            "sh", "-c",
            f'find "$1" -type f -print0 | xargs -0 -P{workers} -n 64 sh -c \'{loop}\' "$2"',
            "sh", str(corpus), str(out),
        ]  # fmt: skip
    else:
        print("note: iconv not found; left out")
    return cmds


def time_once(cmd: list[str], out: Path, expected: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    made = len(os.listdir(out))
    if proc.returncode != 0 or made != expected:
        tail = (proc.stderr or proc.stdout)[-800:]
        raise SystemExit(f"{cmd[:5]} failed (exit {proc.returncode}, {made}/{expected}):\n{tail}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=2000, help="number of files (default: 2000)")
    ap.add_argument("--runs", type=int, default=5, help="runs per command; median (default: 5)")
    ap.add_argument("-w", "--workers", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="pb-bench-encode-"))
    try:
        corpus, out = tmp / "corpus", tmp / "out"
        corpus.mkdir()
        files = build_corpus(corpus, args.count)
        mb = sum(os.path.getsize(f) for f in files) / 1e6
        print(f"corpus: {len(files)} GB18030 files, 4-64 KiB, {mb:.1f} MB")
        cmds = commands(corpus, out, args.workers)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for run in range(args.runs):
            for name, cmd in cmds.items():  # alternate, so drift hits every command alike
                wall = time_once(cmd, out, len(files))
                times[name].append(wall)
                print(f"  run {run + 1}: {name:28} {wall:6.2f} s", flush=True)
        medians = {name: statistics.median(ts) for name, ts in times.items()}
        base = medians.get(ICONV)
        print(f"\nmedian of {args.runs}, {len(files)} files, {args.workers} workers:")
        for name, m in medians.items():
            ratio = f"  {m / base:5.2f}x iconv" if base else ""
            print(
                f"  {name:28} {m:6.2f} s  {len(files) / m:7.0f} files/s  {mb / m:6.1f} MB/s{ratio}"
            )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
