"""Benchmark: what the window adds to a job (a script, not a test).

1. The same checksum job over 20,000 small files (1-64 KiB), alternating runs:
   - CLI: ``python -m core checksum -a sha256 -w 2 FOLDER`` (wall time of the process);
   - GUI: an offscreen window in a fresh process; the folder is added (as a drop would) and
     Start pressed; timed from the add to the end of the job (the pool starts cold in both).
   Medians; target: GUI <= 1.1 x CLI. During each GUI job a 5 ms heartbeat timer records the
   longest stall of the event loop (target < 50 ms), and the runner its longest tick.
2. Memory: a window whose model holds 1,000,000 queued files (RSS, target < 400 MB).

Usage: ``.venv/bin/python benchmarks/bench_gui.py [--runs 5] [--files 20000] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_files(folder: Path, count: int, seed: int = 20) -> int:
    """``count`` files of 1-64 KiB in 100 sub-folders; returns the total size."""
    rng = random.Random(seed)
    total = 0
    chunk = os.urandom(64 * 1024)
    for i in range(count):
        sub = folder / f"d{i % 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        size = rng.randint(1024, 64 * 1024)
        (sub / f"file{i:06d}.bin").write_bytes(chunk[:size])
        total += size
    return total


def env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))


def run_cli(folder: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "core", "checksum", "-a", "sha256", "-w", "2", "-q", str(folder)],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - t0


def run_gui(folder: Path, settings: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--gui-job", str(folder), "--settings", str(settings)],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - t0
    return result


def gui_job(folder: str, settings_path: str) -> None:
    """In a fresh process: open the window, add the folder, Start, wait, report as JSON."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from tests.gui.heartbeat import Heartbeat

    app = QApplication([sys.argv[0]])
    window = MainWindow(QSettings(settings_path, QSettings.Format.IniFormat))
    window.workers.setValue(2)
    window.show()
    app.processEvents()
    for f in Path(folder).glob("SHA256SUMS*"):
        f.unlink()
    stats: dict[str, float] = {}
    beat = Heartbeat(window)

    def scanned(_added: int, _cancelled: bool) -> None:
        stats["scan"] = time.perf_counter() - t0
        beat.__enter__()
        window.start()

    def ended(_job: object) -> None:
        beat.__exit__()
        stats["job"] = time.perf_counter() - t0
        stats["max_stall_ms"] = beat.max_gap * 1000
        stats["max_tick_ms"] = window.jobs.last_max_tick * 1000
        stats["rows"] = window.model.rowCount()
        window.close()

    window.scans.finished.connect(scanned)
    window.jobs.ended.connect(ended)
    t0 = time.perf_counter()
    window.add_paths([folder])
    app.exec()
    print(json.dumps(stats))


def memory_run(rows: int) -> None:
    """In a fresh process: feed the model ``rows`` FileEntry rows, report RSS as JSON."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from core.records import FileEntry
    from gui.main_window import MainWindow

    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    app = QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat))
        window.show()
        app.processEvents()
        before = rss_mb()
        t0 = time.perf_counter()
        for b in range(0, rows, 5000):
            batch = [
                FileEntry(f"/home/user/archive/{i // 1000:04d}/IMG_{i:07d}.jpg", 100_000, 0.0)
                for i in range(b, min(rows, b + 5000))
            ]
            window.model.seen.update(e.path for e in batch)
            window.model.append(batch)
        app.processEvents()
        elapsed = time.perf_counter() - t0
        window.view.scrollToBottom()
        app.processEvents()
        print(
            json.dumps(
                {
                    "rows": window.model.rowCount(),
                    "rss_mb": rss_mb(),
                    "base_mb": before,
                    "feed_s": elapsed,
                }
            )
        )
        window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="reuse/keep the test files in this folder")
    parser.add_argument("--gui-job", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gui_job:
        gui_job(args.gui_job, args.settings)
        return 0
    if args.memory:
        memory_run(args.rows)
        return 0

    base = args.keep or Path(tempfile.mkdtemp(prefix="pb-bench-"))
    folder = base / "files"
    if not folder.is_dir():
        total = make_files(folder, args.files)
        print(f"made {args.files} files, {total / 1e6:.1f} MB in {folder}")
        os.sync()  # written back now, not during the timed runs
    # Bytecode compiled once, as an installed app has it (even under PYTHONDONTWRITEBYTECODE).
    for package in ("core", "gui"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    cli_times, gui_times, stalls, ticks, procs = [], [], [], [], []
    try:
        for run in range(args.runs):
            cli = run_cli(folder)
            gui = run_gui(folder, base / "settings.ini")
            cli_times.append(cli)
            gui_times.append(gui["job"])
            procs.append(gui["process"])
            stalls.append(gui["max_stall_ms"])
            ticks.append(gui["max_tick_ms"])
            print(
                f"run {run + 1}: CLI {cli:.2f} s | GUI add+scan+job {gui['job']:.2f} s "
                f"(scan {gui['scan']:.2f} s, process {gui['process']:.2f} s, "
                f"{int(gui['rows'])} rows), longest stall {gui['max_stall_ms']:.0f} ms, "
                f"longest tick {gui['max_tick_ms']:.1f} ms"
            )
        cli_m, gui_m = statistics.median(cli_times), statistics.median(gui_times)
        print(
            f"median: CLI {cli_m:.2f} s, GUI {gui_m:.2f} s -> ratio {gui_m / cli_m:.2f}x "
            f"(target <= 1.1x); GUI whole process {statistics.median(procs):.2f} s"
        )
        print(
            f"event loop: longest stall median {statistics.median(stalls):.0f} ms, "
            f"worst {max(stalls):.0f} ms (target < 50 ms); longest tick {max(ticks):.1f} ms"
        )
        out = subprocess.run(
            [sys.executable, __file__, "--memory", "--rows", str(args.rows)],
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
            check=True,
        )
        mem = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"memory: {mem['rows']:,} queued rows -> RSS {mem['rss_mb']:.0f} MB "
            f"(window alone {mem['base_mb']:.0f} MB; fed in {mem['feed_s']:.1f} s; "
            "target < 400 MB)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
