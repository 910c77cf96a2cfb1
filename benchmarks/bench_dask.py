"""Checksum and image jobs on ``--cluster local:2`` (a Dask LocalCluster of 2 one-thread worker
processes) against the local Pool of 2 workers, and the per-task overhead of Dask measured here.

Builds its corpora under a temporary folder (20,000 files of 1-64 KiB; 6 files of 256 MiB; 300
photo-like 3000x2000 JPEGs, made as ``bench_image.py`` makes them, shrunk to fit 1024x1024 at
quality 85), warms both engines (cluster start-up is timed on its own), then times alternating
job runs and prints medians and ratios of wall time and of the CPU time of the whole process
tree (the steadier figure on a shared machine); both must give the same digests and the same
image bytes. Targets (issue 15): large files and images within 1.15x of the Pool, small files within
1.5x. Run: ``python benchmarks/bench_dask.py [--repeat 5] [--small 20000] [--large 6]
[--photos 300]`` (0 leaves a corpus out).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_image import BOX, QUALITY, build_corpus
from core import operations
from core.discover import scan
from core.engine import Engine, run_job
from core.naming import NamingRule


def make_small(folder: Path, count: int) -> None:
    rng = random.Random(42)
    for i in range(count):
        sub = folder / f"d{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:05d}.bin").write_bytes(rng.randbytes(rng.randint(1024, 64 * 1024)))


def make_large(folder: Path, count: int, size: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1 << 20)
    for i in range(count):
        with open(folder / f"big{i}.bin", "wb") as f:
            for k in range(size >> 20):
                f.write(block[k % 7 :] + block[: k % 7])


def image_options(out: Path) -> Any:
    """``image --max-width BOX --max-height BOX --quality QUALITY --output-dir OUT``."""
    op = operations.get("image")
    return op.options_type(
        max_width=BOX, max_height=BOX, quality=QUALITY, naming=NamingRule(output_dir=str(out))
    )


def tree_cpu() -> float:
    """CPU seconds (user + system) used so far by this process and every live process below
    it: the workers, and a local cluster's nannies (its scheduler runs in this process)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo, seen = 0.0, [os.getpid()], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(int(k) for k in f.read().split())
        except OSError:  # ended meanwhile
            continue
    return total


def run_once(
    engine: Engine, folder: Path, op_name: str = "checksum"
) -> tuple[float, float, list[str]]:
    """One job over ``folder``, timed from plan to end: (wall seconds, CPU seconds of the whole
    process tree, each file's value; an image job also gives each output's SHA-256, read after
    the clocks stopped, from an output folder emptied before)."""
    op = operations.get(op_name)
    out = folder.with_name(folder.name + "-out")
    if op_name == "image":
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        options = image_options(out)
    else:
        options = op.options_type()
    cpu, began = tree_cpu(), time.perf_counter()
    plan = op.plan(scan([str(folder)]), options)
    job, report = run_job(engine, op_name, options, plan)
    seconds, cpu = time.perf_counter() - began, tree_cpu() - cpu
    assert report.error is None, report.error
    values = [r.value if r else "" for r in job.tracker.results]
    if op_name == "image":
        outputs = [r.output for r in job.tracker.results if r and r.output]
        assert len(outputs) == len(values), "not every photo was written"
        values += [hashlib.sha256(Path(o).read_bytes()).hexdigest() for o in outputs]
    return seconds, cpu, values


def task_overhead(engine: Engine, n: int = 200) -> tuple[float, float]:
    """(ms per sequential round trip of an empty Dask task, ms per task with 2 in flight a
    thread), on the engine's cluster."""
    client = engine.current_executor()._client  # type: ignore[attr-defined]
    began = time.perf_counter()
    for _ in range(n):
        client.submit(int, 0, pure=False).result()
    sequential = (time.perf_counter() - began) / n * 1000
    began = time.perf_counter()
    client.gather([client.submit(int, i, pure=False) for i in range(n)])
    pipelined = (time.perf_counter() - began) / n * 1000
    return sequential, pipelined


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--large", type=int, default=6)
    ap.add_argument("--large-size", type=int, default=256, help="MiB per large file")
    ap.add_argument("--photos", type=int, default=300)
    args = ap.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (2 cores shared)")
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        root = Path(tmp)
        corpora = {}
        if args.small:
            corpora["small"] = root / "small"
            make_small(corpora["small"], args.small)
        if args.large:
            corpora["large"] = root / "large"
            make_large(corpora["large"], args.large, args.large_size << 20)
        if args.photos:
            corpora["photos"] = root / "photos"
            corpora["photos"].mkdir()
            build_corpus(corpora["photos"], args.photos, (3000, 2000))
        pool = Engine(2)
        pool.warm_up()
        began = time.perf_counter()
        dask = Engine(2, cluster="local:2")
        dask.warm_up()
        startup = time.perf_counter() - began
        try:
            times: dict[tuple[str, str], list[float]] = {}
            cpus: dict[tuple[str, str], list[float]] = {}
            for name, folder in corpora.items():
                op_name = "image" if name == "photos" else "checksum"
                run_once(pool, folder, op_name)  # page cache and warm workers for both
                *_, ref = run_once(dask, folder, op_name)
                for _ in range(args.repeat):
                    for who, engine in (("pool", pool), ("dask", dask)):
                        seconds, cpu, values = run_once(engine, folder, op_name)
                        assert values == ref, f"{who} gave other digests or image bytes"
                        times.setdefault((name, who), []).append(seconds)
                        cpus.setdefault((name, who), []).append(cpu)
                        print(f"  {name:6s} {who}: {seconds:7.3f} s  CPU {cpu:7.2f} s", flush=True)
            sequential, pipelined = task_overhead(dask)
        finally:
            dask.shutdown()
            pool.shutdown()
    print(f"local:2 cluster start-up: {startup:.2f} s")
    for name in corpora:
        p = statistics.median(times[(name, "pool")])
        d = statistics.median(times[(name, "dask")])
        pc = statistics.median(cpus[(name, "pool")])
        dc = statistics.median(cpus[(name, "dask")])
        print(
            f"{name:6s} pool {p:7.3f} s   dask {d:7.3f} s   ratio {d / p:5.2f}x   "
            f"| CPU pool {pc:6.2f} s  dask {dc:6.2f} s  ratio {dc / pc:5.2f}x"
        )
    print(f"empty Dask task: {sequential:.2f} ms a round trip, {pipelined:.2f} ms pipelined")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
