"""The command line's cluster parts: ``--cluster ADDRESS`` and ``--path-map LOCAL=REMOTE`` on
every job command (and on ``jobs resume`` and ``jobs retry``), and ``parabatch-cli cluster info
ADDRESS``. Dask is imported only when an address is given.

A bad, dead or unusable address (other versions on the workers, inputs they cannot see) is one
sentence on standard error and exit code 2, before any file is touched.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from core.executor import pathmap
from core.executor.dask_address import CONNECT_TIMEOUT, ClusterError, parse_address
from core.i18n import _, ngettext
from core.progress import format_bytes

EXIT_OK, EXIT_USAGE = 0, 2


def _address(text: str) -> str:
    try:
        parse_address(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def _pair(text: str) -> str:
    try:
        pathmap.parse_pair(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def add_cluster_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--cluster",
        type=_address,
        default=None,
        metavar="ADDRESS",
        help=_(
            "run on a Dask cluster: local or local:N (one the app starts on this computer), or "
            "tcp://HOST:PORT of a Dask scheduler (needs the dask extra; the inputs must be on a "
            "file system the workers share)"
        ),
    )
    p.add_argument(
        "--path-map",
        type=_pair,
        action="append",
        default=[],
        metavar="LOCAL=REMOTE",
        help=_(
            "with --cluster: the workers see this computer's folder LOCAL as REMOTE (a share "
            "mounted elsewhere there); inputs and outputs under LOCAL are sent to them as REMOTE "
            "paths, and results, manifests and the journal keep the LOCAL ones. Repeatable"
        ),
    )


def path_map(args: argparse.Namespace, parser: argparse.ArgumentParser) -> pathmap.PathMap:
    """The ``--path-map`` values as one map; a usage error (exit 2) when they contradict each
    other or come without ``--cluster``."""
    given = getattr(args, "path_map", None) or []
    if given and getattr(args, "cluster", None) is None:
        parser.error(
            _(
                "--path-map maps folders for a cluster's workers: give --cluster ADDRESS too (a "
                "job on this computer reads every path as it is)"
            )
        )
    try:
        return pathmap.build(given)
    except ValueError as e:
        parser.error(str(e))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("cluster", help=_("look at a Dask cluster"), description=_("Dask clusters."))
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    info = verbs.add_parser("info", help=_("workers, threads, memory and versions of a cluster"))
    info.add_argument(
        "address", type=_address, metavar="ADDRESS", help=_("local, local:N, tcp://...")
    )


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
        sys.stderr.write(_("parabatch-cli: error: {message}").format(message=e) + "\n")
        return EXIT_USAGE
    return None


def run(args: argparse.Namespace) -> int:
    """``cluster info ADDRESS``."""
    try:
        from core.executor.dask import DaskExecutor

        executor = DaskExecutor(args.address, check=False)
    except ClusterError as e:
        sys.stderr.write(_("parabatch-cli: error: {message}").format(message=e) + "\n")
        return EXIT_USAGE
    try:
        info = executor.info()
        versions = executor.worker_versions()
    except ClusterError as e:
        sys.stderr.write(_("parabatch-cli: error: {message}").format(message=e) + "\n")
        return EXIT_USAGE
    finally:
        executor.close()
    out = sys.stdout
    threads = sum(w["threads"] for w in info.values())
    head = ngettext(
        "cluster {address}: {n} worker, {threads} threads",
        "cluster {address}: {n} workers, {threads} threads",
        len(info),
    )
    out.write(head.format(address=args.address, n=len(info), threads=threads) + "\n")
    row = _(
        "  {address}  threads {threads}  memory {memory}  parabatch {parabatch}  python {python}"
    )
    for address, w in sorted(info.items()):
        v = versions.get(address, {})
        memory = format_bytes(w["memory"]) if w["memory"] else _("no limit")
        shown = row.format(
            address=address,
            threads=w["threads"],
            memory=memory,
            parabatch=v.get("parabatch", "?"),
            python=v.get("python", "?"),
        )
        out.write(shown + "\n")
    return EXIT_OK


__all__ = ["CONNECT_TIMEOUT", "add_cluster_argument", "add_parser", "connect", "path_map", "run"]
