"""``--path-map LOCAL=REMOTE``: the same folders at other paths on a cluster's workers.

A file server mounted at ``/mnt/data`` here and at ``/shared/data`` on the workers: the chunks
sent to the workers name ``/shared/data/...`` (inputs and planned outputs), and what comes back
(output paths, and the paths in messages) is turned back into ``/mnt/data/...``, so the table,
the manifest and the journal only ever hold this computer's paths. Paths under no LOCAL folder
are sent as they are. No Dask import: the command line parses and checks the option without it.
"""

from __future__ import annotations

import os
import re


class PathMap:
    """Pairs of (LOCAL, REMOTE) folders, both absolute and without a trailing separator (but
    ``/`` stays ``/``); the deepest folder that holds a path wins."""

    __slots__ = ("pairs", "_back", "_find")

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = sorted(pairs, key=lambda p: -len(p[0]))  # longest LOCAL first
        back: dict[str, str] = {}
        for local, remote in self.pairs:
            back.setdefault(remote, local)  # a REMOTE given twice: the deepest LOCAL
        self._back = sorted(back.items(), key=lambda p: -len(p[0]))
        # REMOTE folders in a sentence: whole path components ("/data" not in "/database").
        self._find = (
            re.compile("|".join(f"{re.escape(r)}(?=/|$|[^\\w.-])" for r, _ in self._back))
            if self._back
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathMap) and self.pairs == other.pairs

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PathMap({self.pairs!r})"

    def __str__(self) -> str:
        return " ".join(f"{a}={b}" for a, b in self.pairs)

    def to_remote(self, path: str) -> str:
        """``path`` (absolute) as the workers see it."""
        return _swap(path, self.pairs)

    def to_local(self, path: str) -> str:
        """A path the workers gave back, as this computer sees it."""
        return _swap(path, self._back)

    def local_text(self, text: str) -> str:
        """A worker's sentence with its paths turned back into this computer's."""
        if self._find is None or not text:
            return text
        back = dict(self._back)
        return self._find.sub(lambda m: back[m.group(0)], text)


def _clean(path: str) -> str:
    path = os.path.normpath(path)
    return path if path in ("/", "//") else path.rstrip("/")


def _swap(path: str, pairs: list[tuple[str, str]]) -> str:
    for src, dst in pairs:
        if path == src:
            return dst
        head = "" if src == "/" else src
        if path.startswith(head + "/"):
            rest = path[len(head) :]
            return ("" if dst == "/" else dst) + rest
    return path


def parse_pair(text: str) -> tuple[str, str]:
    """``LOCAL=REMOTE`` -> (absolute LOCAL, REMOTE); ValueError with a usable sentence if not.
    LOCAL may be relative (to the current folder); REMOTE must be absolute (a worker's current
    folder is not known). The first ``=`` splits: a LOCAL folder cannot have one in its name."""
    local, sep, remote = text.partition("=")
    if not sep or not local or not remote:
        raise ValueError(
            f"not LOCAL=REMOTE: {text!r} (give the folder as this computer sees it, '=', and "
            "the same folder as the workers see it, e.g. /mnt/data=/shared/data)"
        )
    if not os.path.isabs(remote):
        raise ValueError(
            f"the workers' folder must be an absolute path: {remote!r} in {text!r} (a worker's "
            "current folder is not this computer's)"
        )
    return _clean(os.path.abspath(local)), _clean(remote)


def build(texts: list[str]) -> PathMap:
    """The map of several ``LOCAL=REMOTE`` values; ValueError for a bad one or a LOCAL folder
    given twice with different REMOTE folders."""
    pairs: dict[str, str] = {}
    for text in texts:
        local, remote = parse_pair(text)
        if pairs.get(local, remote) != remote:
            raise ValueError(
                f"--path-map gives {local} twice, as {pairs[local]} and as {remote}: give it once"
            )
        pairs[local] = remote
    return PathMap(list(pairs.items()))
