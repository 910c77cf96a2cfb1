"""Benchmark: what the window adds to a job (a script, not a test).

1. The same checksum job over 20,000 small files (1-64 KiB), alternating runs:
   - CLI: ``python -m core checksum -a sha256 -w 2 FOLDER`` (wall time of the process);
   - GUI: an offscreen window in a fresh process; the folder is added (as a drop would) and
     Start pressed; timed from the add to the end of the job (the pool starts cold in both).
   Medians; target: GUI <= 1.1 x CLI. During each GUI job a 5 ms heartbeat timer records the
   longest stall of the event loop (target < 50 ms), and the runner its longest tick.
2. Memory: a window whose model holds 1,000,000 queued files (RSS, target < 400 MB).

``--stall``: instead, the longest stall of the event loop in each part of a checksum job of
200,000 and of 1,000,000 tiny files (0-100 bytes, so that the window's own work dominates), in a
fresh offscreen process each (the job's journal on, as a user has it, or off with ``--journal``):
- listing: from adding the folder (as a drop would) until it is listed and the panels were told;
- start: from Start until the job's first results are stored;
- middle: until its last results are stored (a result sink on the job's run thread says when);
- end: from there through the manifest, the summary, the table's last repaint, until the job's
  journal writer is done and the window has been idle for half a second.
A gap that spans two parts counts in both. Target: < 50 ms in each. With ``BENCH_GUI_STACKS=1``
each run also writes where the GUI thread was during its stalls, and the longest garbage
collections, to stderr (see ``_sample_stalls``).

Usage: ``.venv/bin/python benchmarks/bench_gui.py [--runs 5] [--files 20000] [--keep DIR]``;
``.venv/bin/python benchmarks/bench_gui.py --stall [--stall-rows 200000 1000000]
[--journal on|off|both] [--runs 3] [--keep DIR]`` (files are made once in ``DIR/ROWS/files``:
put DIR on a tmpfs such as /dev/shm to make a million quickly).
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def make_files(
    folder: Path, count: int, seed: int = 20, sizes: tuple[int, int] = (1024, 64 * 1024)
) -> int:
    """``count`` files of ``sizes`` bytes (1-64 KiB) in 100 sub-folders; returns the total."""
    rng = random.Random(seed)
    total = 0
    chunk = os.urandom(sizes[1])
    for i in range(count):
        sub = folder / f"d{i % 100:03d}"
        if i < 100:
            sub.mkdir(parents=True, exist_ok=True)
        size = rng.randint(*sizes)
        (sub / f"file{i:07d}.bin").write_bytes(chunk[:size])
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


QUIET = 0.5  # seconds without any job work left after which the window counts as idle


def stall_job(folder: str, settings_path: str, journal: bool) -> None:
    """In a fresh process: list the folder, Start, and record the event loop's longest stall in
    the job's start, middle and end; report as JSON (times in ms)."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.threads import make_timer
    from tests.gui.heartbeat import Heartbeat

    app = QApplication([sys.argv[0]])
    window = MainWindow(QSettings(settings_path, QSettings.Format.IniFormat))
    window.journal.set_recording(journal)
    window.workers.setValue(2)
    window.show()
    app.processEvents()
    for f in Path(folder).glob("SHA256SUMS*"):
        f.unlink()
    beat = Heartbeat(window, keep_above=0.010)
    t: dict[str, float] = {}
    if os.environ.get("BENCH_GUI_STACKS"):
        _sample_stalls(beat, t)

    class Arrivals:
        """A result sink (called on the job's run thread as results are stored): when the
        first and the last of them came."""

        def __init__(self, store: Any) -> None:
            self.store = store

        def accept(self, results: object) -> None:
            now = time.perf_counter()
            t.setdefault("first", now)
            if "all_in" not in t and self.store.final_count == len(self.store):
                t["all_in"] = now

    def scanned(_added: int, _cancelled: bool) -> None:
        t["scanned"] = time.perf_counter()
        # Start once the panels have been told of the inputs (a queued call, as a user's click
        # comes after them), so that the listing's end is measured as the listing's.
        QTimer.singleShot(0, begin)

    def begin() -> None:
        t["start"] = time.perf_counter()
        window.start()

    def started() -> None:
        runner = window.jobs.runner
        assert runner is not None and runner.job is not None
        runner.job.add_sink(Arrivals(runner.job.tracker.results))

    def ended(_job: object) -> None:
        t["ended"] = time.perf_counter()
        idle.start()

    def idle_check() -> None:
        now = time.perf_counter()
        if any(not r.close(0) for r in window.jobs.recorders):
            return
        t.setdefault("journal_done", now)
        if now - t["journal_done"] >= QUIET:
            idle.stop()
            beat.__exit__()
            t["idle"] = now
            window.close()

    idle = make_timer(window, 20, idle_check)
    window.scans.finished.connect(scanned)
    window.jobs.started.connect(started)
    window.jobs.ended.connect(ended)
    beat.__enter__()
    t["add"] = time.perf_counter()
    window.add_paths([folder])
    app.exec()
    first = t.get("first", t["ended"])
    all_in = t.get("all_in", t["ended"])
    end_gaps = sorted(((b - a, a - all_in) for a, b in beat.gaps if b >= all_in), reverse=True)
    end_gaps = end_gaps[:5]
    ms = 1000
    stats = {
        "rows": window.model.rowCount(),
        "listing_ms": beat.longest_between(t["add"], t["start"]) * ms,
        "listing_s": t["start"] - t["add"],
        # the listing's longest gaps: (length, start after the listing ended), in ms
        "listing_gaps": [
            (round((b - a) * ms, 1), round((a - t["scanned"]) * ms))
            for a, b in sorted(beat.gaps, key=lambda g: g[0] - g[1])
            if a <= t["start"]
        ][:4],
        "start_ms": beat.longest_between(t["start"], first) * ms,
        "middle_ms": beat.longest_between(first, all_in) * ms,
        "end_ms": beat.longest_between(all_in, t["idle"]) * ms,
        "job_s": all_in - t["start"],
        "end_s": t["ended"] - all_in,  # last results stored -> the window's job ended
        "journal_s": t["journal_done"] - all_in,
        "manifest": any(Path(folder).glob("SHA256SUMS*")),
        "max_tick_ms": window.jobs.last_max_tick * ms,
        # the end's longest gaps: (length, start after the last results), in ms
        "end_gaps": [(round(g * ms, 1), round(at * ms)) for g, at in end_gaps],
    }
    print(json.dumps(stats))


def _sample_stalls(beat: Any, t: dict[str, float], over: float = 0.030) -> None:
    """Diagnosis (``BENCH_GUI_STACKS=1``), written to stderr at exit:

    - where the GUI thread was while the heartbeat was more than ``over`` seconds late (its
      innermost frames in the project, and the innermost frame: ``app.exec`` means it was in Qt,
      or waiting for the GIL), counted every 2 ms;
    - when this sampler itself woke ``over`` late (another thread held the GIL that long), where
      the other threads were;
    - the longest garbage collections, on which thread, when (seconds after the folder was
      added), and for one over 50 ms the types of the objects it walked;
    - each time the heartbeat is 45 ms late, every thread's Python stack at that moment, from
      ``faulthandler``'s watchdog (which needs no GIL: it shows a thread inside a long C call,
      where the sampler only wakes after it).
    """
    import atexit
    import collections
    import faulthandler
    import gc
    import threading
    import traceback

    main = threading.main_thread().ident
    seen: collections.Counter[str] = collections.Counter()
    collections_: list[tuple[float, int, str]] = []
    began = [0.0]

    def where(ident: int | None) -> str:
        frame = sys._current_frames().get(ident) if ident is not None else None
        stack = traceback.extract_stack(frame) if frame is not None else []
        ours = [f for f in stack if str(ROOT) in f.filename and "bench_gui" not in f.filename]
        return " > ".join(
            f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours[-3:] + stack[-1:]
        )

    def sample() -> None:
        me = threading.get_ident()
        while True:
            asked = time.perf_counter()
            time.sleep(0.002)  # the sampling period
            late = time.perf_counter() - asked
            if not beat.stopped_at and beat.beats and time.perf_counter() - beat._last > over:
                seen["GUI thread: " + where(main)] += 1
            if late > over:
                for other in threading.enumerate():
                    if other.ident not in (me, main):
                        seen[
                            f"GIL held {late * 1e3:.0f} ms? {other.name}: {where(other.ident)}"
                        ] += 1

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
            return
        took = time.perf_counter() - began[0]
        if took > 0.010:
            gen, kinds = info["generation"], ""
            if took > 0.050:
                walked = collections.Counter(
                    type(o).__name__ for g in range(gen + 1) for o in gc.get_objects(g)
                )
                kinds = f", walked {walked.most_common(5)}"
            at = began[0] - t.get("add", began[0])
            name = threading.current_thread().name
            collections_.append((took, gen, f"{name} at {at:.2f} s{kinds}"))

    def rearm() -> None:  # on every beat: the watchdog fires if the next one is 45 ms late
        if not beat.stopped_at:
            faulthandler.dump_traceback_later(0.045, file=sys.stderr)

    def report() -> None:
        faulthandler.cancel_dump_traceback_later()
        for stack, n in seen.most_common(15):
            sys.stderr.write(f"{n * 2:6d} ms  {stack}\n")
        for took, gen, what in sorted(collections_, reverse=True)[:10]:
            sys.stderr.write(f"collection of generation {gen}: {took * 1e3:.0f} ms on {what}\n")
        marks = ", ".join(f"{k} {v - t.get('add', v):.2f} s" for k, v in t.items())
        sys.stderr.write(f"times after the add: {marks}\n")

    beat.timer.timeout.connect(rearm)
    threading.Thread(target=sample, daemon=True).start()
    gc.callbacks.append(collected)
    atexit.register(report)


def run_stall(folder: Path, settings: Path, journal: bool, journal_path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--stall-job", str(folder), "--settings", str(settings)]
        + ([] if journal else ["--no-journal"]),
        cwd=ROOT,
        env=dict(env(), PARABATCH_JOURNAL=str(journal_path)),
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"the job's process failed ({out.returncode}):\n{out.stderr[-3000:]}")
    if os.environ.get("BENCH_GUI_STACKS"):
        sys.stderr.write(out.stderr)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def stall_bench(args: argparse.Namespace) -> None:
    """The ``--stall`` benchmark (see the module docstring)."""
    base = args.keep or Path(tempfile.mkdtemp(prefix="pb-stall-", dir=_tmpfs()))
    journals = {"on": [True], "off": [False], "both": [True, False]}[args.journal]
    worst: dict[str, float] = {}
    try:
        for rows in args.stall_rows:
            folder = base / str(rows) / "files"
            if not folder.is_dir():
                t0 = time.perf_counter()
                part = folder.with_name("files.part")
                shutil.rmtree(part, ignore_errors=True)
                total = make_files(part, rows, sizes=(0, 100))
                part.rename(folder)
                print(
                    f"made {rows:,} files, {total / 1e6:.1f} MB in {folder} "
                    f"({time.perf_counter() - t0:.0f} s)"
                )
            for run in range(args.runs):
                for journal in journals:
                    r = run_stall(
                        folder, base / "settings.ini", journal, base / f"journal-{rows}.sqlite"
                    )
                    for part_ in ("listing", "start", "middle", "end"):
                        key = f"{part_}_ms"
                        worst[key] = max(worst.get(key, 0.0), r[key])
                    print(
                        f"{rows:,} rows, journal {'on' if journal else 'off'}, run {run + 1}: "
                        f"longest stall listing {r['listing_ms']:.0f} ms ({r['listing_s']:.1f} s), "
                        f"start {r['start_ms']:.0f} ms, middle "
                        f"{r['middle_ms']:.0f} ms, end {r['end_ms']:.0f} ms | job "
                        f"{r['job_s']:.1f} s, end {r['end_s'] * 1000:.0f} ms (journal done "
                        f"{r['journal_s'] * 1000:.0f} ms after the last results), longest tick "
                        f"{r['max_tick_ms']:.1f} ms, manifest "
                        f"{'written' if r['manifest'] else 'MISSING'}"
                        f"; end's longest gaps (ms, at ms): {r['end_gaps']}",
                        flush=True,
                    )
        print(
            "longest stall over all runs: "
            + ", ".join(f"{k[:-3]} {v:.0f} ms" for k, v in worst.items())
            + f" (target < 50 ms); load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


def _tmpfs() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


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
    parser.add_argument("--stall", action="store_true", help="the stalls of a job's parts")
    parser.add_argument("--stall-rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--journal", choices=("on", "off", "both"), default="on")
    parser.add_argument("--stall-job", help=argparse.SUPPRESS)
    parser.add_argument("--no-journal", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gui_job:
        gui_job(args.gui_job, args.settings)
        return 0
    if args.stall_job:
        stall_job(args.stall_job, args.settings, not args.no_journal)
        return 0
    if args.stall:
        stall_bench(args)
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
