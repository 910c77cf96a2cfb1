"""Run many randomized faults against ``parabatch-cli`` and print a table of what went wrong.

    python tests/faults/run_many.py --runs 200 [--seed N] [--kind KIND] [--hang-timeout S]

Mixes every fault kind (worker SIGKILL, kill storms, worker SIGSTOP, SIGINT/SIGTERM/SIGHUP to the
CLI, SIGKILL of the CLI, and unharmed control runs) unless ``--kind`` picks one. Each run is
printed as it ends; then a table counts, per fault kind, the runs with each kind of violation
(hangs, orphans, partials, temp folders, empty or replaced manifests, inputs without a final
state, bad exit codes, tracebacks, invalid JSON, ...). Exits 0 only if every count is 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.faults import harness  # noqa: E402 - needs the repository on sys.path first


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=200, help="number of runs (default 200)")
    p.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    p.add_argument("--kind", choices=["mixed", *harness.KINDS], default="mixed")
    p.add_argument(
        "--hang-timeout", type=float, default=60.0, help="seconds before a run is a hang (60)"
    )
    p.add_argument(
        "--extra-args",
        default=" ".join(harness.DEFAULT_EXTRA_ARGS),
        help="options added to every CLI run (default: %(default)s; dropped with a note "
        "when the CLI does not know them)",
    )
    p.add_argument("--root", default=None, help="where the corpora go (default: TMPDIR)")
    p.add_argument("--keep", action="store_true", help="keep each run's folder")
    p.add_argument("-q", "--quiet", action="store_true", help="print only runs that failed")
    args = p.parse_args(argv)
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        print("run_many.py needs Linux (/proc, pidfds)", file=sys.stderr)
        return 2
    if shutil.which("sha256sum") is None:
        print("sha256sum is not installed (coreutils)", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    cmd, _ = harness.cli_command()
    print(f"seed {seed}; {args.runs} {args.kind} runs of {' '.join(cmd)}", flush=True)
    root = Path(tempfile.mkdtemp(prefix="pbfaults-", dir=args.root))

    def log(line: str) -> None:
        if not args.quiet or not line.endswith("| ok") or line.startswith("note:"):
            print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    try:
        batch = harness.run_batch(
            args.kind,
            args.runs,
            seed,
            root,
            hang_timeout=args.hang_timeout,
            extra_args=args.extra_args.split(),
            keep=args.keep,
            wide=True,
            log=log,
        )
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print(harness.format_table(batch.records))
    found = batch.violations()
    bad_runs = sum(1 for r in batch.records if r.violations)
    print(
        f"\n{len(batch.records)} runs in {batch.seconds:.0f}s, seed {seed}: "
        f"{bad_runs} run(s) with {len(found)} violation(s)"
    )
    if args.keep:
        print(f"run folders kept in {root}")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
