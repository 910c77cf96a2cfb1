"""Checksum jobs on ``--cluster local:2`` (a Dask LocalCluster of 2 one-thread worker processes)
against the local Pool of 2 workers, and the per-task overhead of Dask measured here.

Builds its corpora under a temporary folder (20,000 files of 1-64 KiB; 6 files of 256 MiB), warms
both engines (cluster start-up is timed on its own), then times alternating job runs and prints
medians and ratios. Targets (issue 15): large files within 1.15x of the Pool, small files within
1.5x. Run: ``python benchmarks/bench_dask.py [--repeat 5] [--small 20000] [--large 6]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import operations
from core.discover import scan
from core.engine import Engine, run_job


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


def run_once(engine: Engine, folder: Path) -> tuple[float, list[str]]:
    op = operations.get("checksum")
    options = op.options_type()
    plan = op.plan(scan([str(folder)]), options)
    began = time.perf_counter()
    job, report = run_job(engine, "checksum", options, plan)
    seconds = time.perf_counter() - began
    assert report.error is None, report.error
    return seconds, [r.value if r else "" for r in job.tracker.results]


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
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        root = Path(tmp)
        corpora = {"small": root / "small", "large": root / "large"}
        make_small(corpora["small"], args.small)
        make_large(corpora["large"], args.large, args.large_size << 20)
        pool = Engine(2)
        pool.warm_up()
        began = time.perf_counter()
        dask = Engine(2, cluster="local:2")
        dask.warm_up()
        startup = time.perf_counter() - began
        try:
            times: dict[tuple[str, str], list[float]] = {}
            for name, folder in corpora.items():
                run_once(pool, folder)  # page cache and warm workers for both
                _, ref = run_once(dask, folder)
                for _ in range(args.repeat):
                    for who, engine in (("pool", pool), ("dask", dask)):
                        seconds, values = run_once(engine, folder)
                        assert values == ref, f"{who} gave other digests"
                        times.setdefault((name, who), []).append(seconds)
            sequential, pipelined = task_overhead(dask)
        finally:
            dask.shutdown()
            pool.shutdown()
    print(f"local:2 cluster start-up: {startup:.2f} s")
    for name in corpora:
        p = statistics.median(times[(name, "pool")])
        d = statistics.median(times[(name, "dask")])
        print(f"{name:6s} pool {p:7.3f} s   dask {d:7.3f} s   ratio {d / p:5.2f}x")
    print(f"empty Dask task: {sequential:.2f} ms a round trip, {pipelined:.2f} ms pipelined")


if __name__ == "__main__":
    main()
