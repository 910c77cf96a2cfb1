"""The command line's cluster parts: ``--cluster ADDRESS`` on every job command, and
``parabatch-cli cluster info ADDRESS``. Dask is imported only when an address is given.

A bad, dead or unusable address (other versions on the workers, inputs they cannot see) is one
sentence on standard error and exit code 2, before any file is touched.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from core.executor.dask_address import CONNECT_TIMEOUT, ClusterError, parse_address
from core.progress import format_bytes

EXIT_OK, EXIT_USAGE = 0, 2


def _address(text: str) -> str:
    try:
        parse_address(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def add_cluster_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--cluster",
        type=_address,
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: local or local:N (one the app starts on this computer), or "
        "tcp://HOST:PORT of a Dask scheduler (needs the dask extra; the inputs must be on a "
        "file system the workers share)",
    )


def add_parser(sub: Any) -> None:
    p = sub.add_parser("cluster", help="look at a Dask cluster", description="Dask clusters.")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    info = verbs.add_parser("info", help="workers, threads, memory and versions of a cluster")
    info.add_argument("address", type=_address, metavar="ADDRESS", help="local, local:N, tcp://...")


def connect(engine: Any, paths: Sequence[str] = ()) -> int | None:
    """Reach the engine's cluster (and have a worker look at ``paths``) before a job: None when
    it can run, or EXIT_USAGE after saying why not. Nothing to do without a cluster."""
    if engine.cluster is None:
        return None
    try:
        engine.warm_up()
        if paths:
            engine.check_visible(paths)
    except ClusterError as e:
        sys.stderr.write(f"parabatch-cli: error: {e}\n")
        return EXIT_USAGE
    return None


def run(args: argparse.Namespace) -> int:
    """``cluster info ADDRESS``."""
    try:
        from core.executor.dask import DaskExecutor

        executor = DaskExecutor(args.address, check=False)
    except ClusterError as e:
        sys.stderr.write(f"parabatch-cli: error: {e}\n")
        return EXIT_USAGE
    try:
        info = executor.info()
        versions = executor.worker_versions()
    except ClusterError as e:
        sys.stderr.write(f"parabatch-cli: error: {e}\n")
        return EXIT_USAGE
    finally:
        executor.close()
    out = sys.stdout
    threads = sum(w["threads"] for w in info.values())
    out.write(f"cluster {args.address}: {len(info)} workers, {threads} threads\n")
    for address, w in sorted(info.items()):
        v = versions.get(address, {})
        memory = format_bytes(w["memory"]) if w["memory"] else "no limit"
        out.write(
            f"  {address}  threads {w['threads']}  memory {memory}  "
            f"parabatch {v.get('parabatch', '?')}  python {v.get('python', '?')}\n"
        )
    return EXIT_OK


__all__ = ["CONNECT_TIMEOUT", "add_cluster_argument", "add_parser", "connect", "run"]
