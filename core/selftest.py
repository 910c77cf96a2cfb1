"""``parabatch --self-test``: prove that this installation works, not just that it starts.

Runs small real jobs through the same engine the app uses, on a spawn pool of two worker
processes (in a frozen app, the workers are the frozen executable itself): a checksum job over
generated files, whose digests and manifest are checked against ``hashlib``, then an image job
converting a few PNGs to WebP on the same warm pool (Pillow and its codecs must load in the
workers). It also checks that the zh_CN message catalogue ships and translates. The pool must
leave no child process behind. Prints one line and returns 0 on success, 1 on any failure.

Qt-free: the GUI's entry point calls :func:`main` before it creates any Qt object, so this also
runs on machines without a display.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import core
from core.logsetup import ensure_std_streams

if TYPE_CHECKING:
    from core.engine import Engine, Job

log = logging.getLogger(__name__)

WORKERS = 2
TIMEOUT = 60.0  # seconds for each job; a hang of the whole test past 3x this ends the process
ALGORITHM = "sha256"
IMAGES = 4
# One large file (a chunk of its own), a few medium ones and many small ones (grouped in chunks).
SIZES = (9 * 1024 * 1024 + 7, 1024 * 1024, 65_537, 4096, 1, 0, *range(100, 4100, 100))


class SelfTestError(Exception):
    """A check failed; the message says which."""


def make_files(folder: Path, seed: int = 2024) -> dict[str, str]:
    """Write the test files under ``folder`` (some in a subfolder); map each path to its
    ``hashlib`` digest."""
    rng = random.Random(seed)
    expected: dict[str, str] = {}
    for i, size in enumerate(SIZES):
        sub = folder / "nested" if i % 3 == 2 else folder
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"file {i:03d}.bin"
        data = rng.randbytes(size)
        path.write_bytes(data)
        expected[os.path.abspath(path)] = hashlib.new(ALGORITHM, data).hexdigest()
    return expected


def _run_job(engine: Engine, op_name: str, options: Any, inputs: Path, timeout: float) -> Job:
    """Discover ``inputs``, plan and run one job; every row must end DONE within ``timeout``."""
    from core import operations
    from core.discover import scan
    from core.engine import run_job
    from core.records import SkippedEntry, Status

    entries = scan([str(inputs)])
    skipped = [e for e in entries if isinstance(e, SkippedEntry)]
    if skipped:
        raise SelfTestError(f"discovery skipped {skipped[0].path}: {skipped[0].reason}")
    plan = operations.get(op_name).plan(entries, options)
    deadline = time.monotonic() + timeout
    timed_out = threading.Event()

    def on_tick(job: Job) -> None:
        if time.monotonic() > deadline and not timed_out.is_set():
            timed_out.set()
            job.cancel()

    job, report = run_job(engine, op_name, options, plan, on_tick=on_tick)
    if timed_out.is_set():
        raise SelfTestError(f"the {op_name} job did not finish within {timeout:g} s")
    if report.error:
        raise SelfTestError(f"the {op_name} job failed: {report.error}")
    for task in job.tasks:
        result = job.tracker.results[task.index]
        if result is None or result.status != Status.DONE:
            why = result.message if result is not None else "no result"
            raise SelfTestError(f"{op_name}: {task.path}: not done ({why})")
    return job


def check_checksums(engine: Engine, folder: Path, timeout: float) -> int:
    """Hash generated files; compare every digest and the manifest with ``hashlib``."""
    from core import operations
    from core.manifest import read_manifest

    inputs = folder / "files"
    expected = make_files(inputs)
    manifest_path = os.path.join(folder, "SHA256SUMS")
    options = operations.get("checksum").options_type(algorithm=ALGORITHM, manifest=manifest_path)
    job = _run_job(engine, "checksum", options, inputs, timeout)
    if len(job.tasks) != len(expected):
        raise SelfTestError(f"discovery found {len(job.tasks)} files of {len(expected)}")
    for task in job.tasks:
        result = job.tracker.results[task.index]
        value = result.value if result is not None else None
        if value != expected.get(task.path):
            raise SelfTestError(f"{task.path}: digest {value} does not match hashlib")
    listed = {e.path: e.digest for e in read_manifest(manifest_path)}
    if listed != expected:
        raise SelfTestError("the manifest does not list exactly the files and digests hashed")
    return len(expected)


def check_images(engine: Engine, folder: Path, timeout: float) -> int:
    """Convert a few generated PNG images to WebP (Pillow and its codecs in the workers)."""
    from PIL import Image

    from core import operations
    from core.naming import NamingRule

    inputs, outputs = folder / "images", folder / "converted"
    inputs.mkdir()
    sizes = [(64 + 8 * i, 48 + 4 * i) for i in range(IMAGES)]
    for i, size in enumerate(sizes):
        Image.linear_gradient("L").resize(size).convert("RGB").save(inputs / f"image {i}.png")
    naming = NamingRule(output_dir=str(outputs))
    options = operations.get("image").options_type(format="WEBP", naming=naming)
    job = _run_job(engine, "image", options, inputs, timeout)
    for task in job.tasks:
        if task.output is None:
            raise SelfTestError(f"image: no output planned for {task.path}")
        with Image.open(task.output) as im:
            if im.format != "WEBP" or im.size not in sizes:
                raise SelfTestError(f"image: {task.output} is {im.format} {im.size}")
    return len(job.tasks)


def check_catalogue() -> str:
    """The zh_CN catalogue ships with this installation and translates a known string (without
    changing the language in use); raises :class:`SelfTestError` if not."""
    import gettext

    from core import i18n, messages

    try:
        catalogue = gettext.translation(i18n.DOMAIN, str(i18n.LOCALE_DIR), languages=["zh_CN"])
    except OSError as e:
        where = i18n.LOCALE_DIR
        raise SelfTestError(f"the zh_CN catalogue does not load from {where}: {e}") from None
    shown = catalogue.gettext(messages.WORKER_LOST)
    if shown != "工作进程丢失":
        raise SelfTestError(f"the zh_CN catalogue gives {shown!r} for {messages.WORKER_LOST!r}")
    return "the 简体中文 catalogue translates"


def run(workers: int = WORKERS, timeout: float = TIMEOUT) -> str:
    """Run the self-test jobs; return the success line or raise :class:`SelfTestError`."""
    from core.engine import Engine

    started = time.monotonic()
    catalogue = check_catalogue()
    with tempfile.TemporaryDirectory(prefix="parabatch-selftest-") as tmp:
        engine = Engine(workers=workers)
        try:
            hashed = check_checksums(engine, Path(tmp), timeout)
            converted = check_images(engine, Path(tmp), timeout)
            pids = engine.worker_pids()
        finally:
            engine.shutdown()
    leftover = multiprocessing.active_children()
    if leftover:
        raise SelfTestError(f"{len(leftover)} worker process(es) outlived the engine")
    if len(pids) != workers or os.getpid() in pids:
        raise SelfTestError(f"expected {workers} worker processes, saw {len(pids)}")
    elapsed = time.monotonic() - started
    return (
        f"{core.APP_NAME} {core.__version__} self-test passed: {workers} worker processes "
        f"hashed {hashed} files ({sum(SIZES) / 1e6:.1f} MB, {ALGORITHM} digests and manifest "
        f"match hashlib) and converted {converted} images to WebP in {elapsed:.2f} s; "
        f"{catalogue}"
    )


def _watchdog(seconds: float) -> threading.Timer:
    """End the process with status 3 if the self-test hangs past ``seconds``."""

    def fire() -> None:
        print(f"{core.APP_NAME} self-test FAILED: hung for {seconds:g} s", flush=True)
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def main(argv: list[str] | None = None) -> int:
    """Run the self-test; print one line; 0 on success, 1 on any failure.

    Unknown arguments (the rest of the app's command line) are ignored.
    """
    ensure_std_streams()
    parser = argparse.ArgumentParser(prog="parabatch --self-test", add_help=False)
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--self-test-workers", type=int, default=WORKERS)
    parser.add_argument("--self-test-timeout", type=float, default=TIMEOUT)
    args, _rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    watchdog = _watchdog(3 * args.self_test_timeout + 10)
    try:
        line = run(args.self_test_workers, args.self_test_timeout)
    except SelfTestError as e:
        line, status = f"{core.APP_NAME} self-test FAILED: {e}", 1
    except Exception as e:
        traceback.print_exc(file=sys.stderr)
        line, status = f"{core.APP_NAME} self-test FAILED: {type(e).__name__}: {e}", 1
    else:
        status = 0
    finally:
        watchdog.cancel()
    log.info(line)
    print(line, flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
