"""Benchmark: ``parabatch-cli image`` against a bare ``multiprocessing.Pool`` Pillow script and
ImageMagick, shrinking photo-like JPEGs to fit 1024x1024 at quality 85 with 2 workers.

Not a test. Builds its own corpus in a temporary folder (``--count`` 3000x2000 JPEGs made of
gradients, shapes and noise, quality 90), then times alternating runs of each command and prints
the medians and their ratios to the bare Pillow script (target: the CLI within 1.1x).

    .venv/bin/python benchmarks/bench_image.py --count 60 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
BOX = 1024
QUALITY = 85
BARE = "bare Pool + Pillow"

# The baseline a Python user would write: same decode (draft), resampling and quality.
BARE_SCRIPT = f"""
import os, sys
from multiprocessing import Pool
from PIL import Image

def shrink(args):
    src, out_dir = args
    with Image.open(src) as im:
        w, h = im.size
        f = min({BOX} / w, {BOX} / h, 1.0)
        size = (max(1, round(w * f)), max(1, round(h * f)))
        im.draft("RGB", size)
        im = im.resize(size, Image.Resampling.LANCZOS)
        im.save(os.path.join(out_dir, os.path.basename(src)), quality={QUALITY})

if __name__ == "__main__":
    out_dir, workers, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    with Pool(workers) as pool:
        pool.map(shrink, [(f, out_dir) for f in files], chunksize=4)
"""


def base_image(w: int, h: int, seed: int) -> Image.Image:
    """Photo-like: smooth gradients, a few soft shapes, moderate noise."""
    rnd = random.Random(seed)
    grad = Image.linear_gradient("L")
    r = grad.resize((w, h))
    g = grad.rotate(90).resize((w, h))
    b = grad.rotate(45).resize((w, h))
    im = Image.merge("RGB", (r, g, b))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rnd.randrange(w), rnd.randrange(h)
        rad = rnd.randrange(50, 400)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        draw.ellipse((x - rad, y - rad, x + rad, y + rad), fill=colour)
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    return ImageChops.add(
        ImageChops.multiply(im, Image.new("RGB", (w, h), (235,) * 3)), noise, 1, -110
    )


def build_corpus(folder: Path, count: int, size: tuple[int, int]) -> list[str]:
    """``count`` distinct JPEGs (shifted copies of a few base pictures), quality 90."""
    bases = [base_image(*size, seed) for seed in range(min(count, 6))]
    files = []
    for i in range(count):
        im = ImageChops.offset(bases[i % len(bases)], i * 37 % size[0], i * 53 % size[1])
        path = folder / f"photo_{i:04d}.jpg"
        im.save(path, quality=90)
        files.append(str(path))
    return files


def commands(files: list[str], out: Path, workers: int, script: Path) -> dict[str, list[str]]:
    cmds = {}
    if (ROOT / "core" / "cli.py").exists():
        cmds["parabatch-cli"] = [
            sys.executable, "-m", "core", "image",
            "--max-width", str(BOX), "--max-height", str(BOX), "--quality", str(QUALITY),
            "-w", str(workers), "--output-dir", str(out), str(Path(files[0]).parent),
        ]  # fmt: skip
    else:
        print("note: core/cli.py is missing; the parabatch-cli run is left out")
    cmds[BARE] = [sys.executable, str(script), str(out), str(workers), *files]
    convert = shutil.which("magick") or shutil.which("convert")
    if convert and shutil.which("parallel"):
        resize = ["-resize", f"{BOX}x{BOX}>", "-quality", str(QUALITY)]
        cmds["ImageMagick (parallel)"] = [
            *("parallel", "-q", f"-j{workers}", "--will-cite", convert, "{}"),
            *(*resize, f"{out}/{{/}}", ":::", *files),
        ]
    else:
        print("note: ImageMagick or GNU parallel not found; left out")
    return cmds


def _cpu_children() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def time_once(cmd: list[str], out: Path, expected: int) -> tuple[float, float]:
    """Wall time and CPU time (user + system, all processes) of one run."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    env = dict(os.environ, MAGICK_THREAD_LIMIT="1", OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    cpu0, t0 = _cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _cpu_children() - cpu0
    made = len(list(out.glob("*.jpg")))
    if proc.returncode != 0 or made != expected:
        tail = (proc.stderr or proc.stdout)[-800:]
        raise SystemExit(f"{cmd[:4]} failed (exit {proc.returncode}, {made}/{expected}):\n{tail}")
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=300, help="number of photos (default: 300)")
    ap.add_argument("--runs", type=int, default=3, help="runs per command; median (default: 3)")
    ap.add_argument("-w", "--workers", type=int, default=2)
    ap.add_argument("--size", default="3000x2000", help="photo size (default: 3000x2000)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    tmp = Path(tempfile.mkdtemp(prefix="pb-bench-image-"))
    try:
        corpus, out = tmp / "corpus", tmp / "out"
        corpus.mkdir()
        t0 = time.perf_counter()
        files = build_corpus(corpus, args.count, (size[0], size[1]))
        mb = sum(os.path.getsize(f) for f in files) / 1e6
        took = time.perf_counter() - t0
        print(f"corpus: {len(files)} JPEGs {args.size}, {mb:.0f} MB, built in {took:.1f} s")
        script = tmp / "bare_pool.py"
        script.write_text(BARE_SCRIPT)
        cmds = commands(files, out, args.workers, script)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        cpus: dict[str, list[float]] = {name: [] for name in cmds}
        for run in range(args.runs):
            for name, cmd in cmds.items():  # alternate, so drift hits every command alike
                wall, cpu = time_once(cmd, out, len(files))
                times[name].append(wall)
                cpus[name].append(cpu)
                print(f"  run {run + 1}: {name:24} {wall:7.2f} s  (CPU {cpu:6.2f} s)", flush=True)
        medians = {name: statistics.median(ts) for name, ts in times.items()}
        cpu_med = {name: statistics.median(ts) for name, ts in cpus.items()}
        base, cpu_base = medians[BARE], cpu_med[BARE]
        print(f"\nmedian of {args.runs}, {len(files)} files, {args.workers} workers:")
        for name, m in medians.items():
            print(
                f"  {name:24} {m:7.2f} s  {len(files) / m:6.1f} files/s  {m / base:5.2f}x bare"
                f"  | CPU {cpu_med[name]:7.2f} s  {cpu_med[name] / cpu_base:5.2f}x bare"
            )
        if "parabatch-cli" in medians:
            ratio = medians["parabatch-cli"] / base
            cpu_ratio = cpu_med["parabatch-cli"] / cpu_base
            print(
                f"\nparabatch-cli / bare Pillow = {ratio:.2f} wall, {cpu_ratio:.2f} CPU "
                "(target <= 1.10; on a busy machine the CPU ratio is the steadier figure)"
            )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
