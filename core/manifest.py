"""Checksum manifests: the algorithm table, writing GNU coreutils lines, reading GNU and BSD lines.

A manifest written here is accepted by ``sha256sum -c`` (and md5sum, sha1sum, sha512sum, b2sum)
run in the manifest's folder: ``HEX  NAME`` lines, names relative to that folder with ``/``
separators, sorted by their bytes. Names holding ``\\``, LF or CR are escaped as coreutils 9.1
does: the line starts with ``\\`` and the name has ``\\\\``, ``\\n``, ``\\r``.

``b3sum --check`` (1.2.0) reads the same format with three limits, measured here: it knows only
the ``\\\\`` and ``\\n`` escapes (a name holding CR makes it stop with "Invalid backslash
escape"), it refuses a manifest that is not valid UTF-8 as a whole, and it rejects blank lines,
``*`` binary markers, BSD tag lines and upper-case hex. Our writer emits none of the last three;
:func:`b3sum_unreadable` finds the names of the first two kinds.

Reading streams the file line by line and refuses anything but a regular file (a FIFO would
block, ``/dev/zero`` never ends) before reading from it. A line that cannot be checked (not a
checksum line, a NUL in its name, a digest of the wrong length, longer than :data:`MAX_LINE`)
does not stop the others: it is returned as a :class:`BadLine`, as ``sha256sum -c`` warns about
it and checks the rest; ``strict`` refuses the manifest instead.

No hashing of files happens here and nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, Protocol, cast

from core import messages as M
from core.errors import file_kind as _kind
from core.i18n import english
from core.records import FileError, Record


class Hasher(Protocol):
    """The part of the ``hashlib`` interface we use (blake3 and xxhash objects have it too)."""

    def update(self, data: memoryview | bytes, /) -> object: ...

    def hexdigest(self) -> str: ...


def _imported(module: str, name: str) -> Callable[[], Hasher]:
    """A named constructor (hashlib's, or an optional package's), found at the first file:
    hashlib.new() or an import statement per file costs a small file's hashing a tenth of its
    time."""
    ctor: Callable[[], Hasher] | None = None

    def new() -> Hasher:
        nonlocal ctor
        if ctor is None:
            import importlib

            ctor = getattr(importlib.import_module(module), name)
        return ctor()

    return new


def _hashlib(name: str) -> Callable[[], Hasher]:
    return _imported("hashlib", name)


_blake3 = _imported("blake3", "blake3")
_xxh128 = _imported("xxhash", "xxh3_128")


class Algorithm(Record):
    """One supported digest: our ``name`` (used by -a and in options), how to make a hasher
    (``new``), the digest's hex length, its BSD ``tag`` (as in ``SHA256 (name) = hex``), the
    ``tool`` that checks our manifests (``TOOL -c``) if any, the conventional manifest file name,
    and the file name endings that imply it."""

    __slots__ = ("name", "new", "hex_len", "tag", "tool", "sums_name", "suffixes")

    def __init__(
        self,
        name: str,
        new: Callable[[], Hasher],
        hex_len: int,
        tag: str,
        tool: str | None,
        sums_name: str,
        suffixes: tuple[str, ...],
    ) -> None:
        self.name = name
        self.new = new
        self.hex_len = hex_len
        self.tag = tag
        self.tool = tool
        self.sums_name = sums_name
        self.suffixes = suffixes


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm("md5", _hashlib("md5"), 32, "MD5", "md5sum", "MD5SUMS", (".md5",)),
        Algorithm("sha1", _hashlib("sha1"), 40, "SHA1", "sha1sum", "SHA1SUMS", (".sha1",)),
        Algorithm(
            "sha256", _hashlib("sha256"), 64, "SHA256", "sha256sum", "SHA256SUMS", (".sha256",)
        ),
        Algorithm(
            "sha512", _hashlib("sha512"), 128, "SHA512", "sha512sum", "SHA512SUMS", (".sha512",)
        ),
        # hashlib's default blake2b digest is 64 bytes, the same as ``b2sum`` prints.
        Algorithm("blake2b", _hashlib("blake2b"), 128, "BLAKE2b", "b2sum", "B2SUMS", (".b2",)),
        Algorithm("blake3", _blake3, 64, "BLAKE3", "b3sum", "B3SUMS", (".b3", ".blake3")),
        Algorithm("xxh128", _xxh128, 32, "XXH128", None, "checksums.xxh128", (".xxh128",)),
    )
}
DEFAULT_ALGORITHM = "sha256"
_BY_TAG = {a.tag: a for a in ALGORITHMS.values()}
_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}


def get_algorithm(name: str) -> Algorithm:
    """The algorithm called ``name``; ``ValueError`` naming the choices if there is none."""
    try:
        return ALGORITHMS[name.lower()]
    except KeyError:
        raise ValueError(
            english(M.UNKNOWN_ALGORITHM, name=repr(name), choices=", ".join(ALGORITHMS))
        ) from None


_NUMBERED = re.compile(r"(.+)\.[0-9]+")


def algorithm_from_filename(path: str) -> Algorithm | None:
    """The algorithm a manifest's name implies (``SHA256SUMS``, ``x.md5``...), if any.

    A numbered copy (``SHA256SUMS.1``, ``x.md5.2``, as the checksum operation writes beside a
    manifest that changed while it ran) implies the same as the name it was made beside.
    """
    name = os.path.basename(path)
    numbered = _NUMBERED.fullmatch(name)
    for candidate in (name, numbered.group(1)) if numbered else (name,):
        for a in ALGORITHMS.values():
            if candidate.upper() == a.sums_name.upper() or candidate.lower().endswith(a.suffixes):
                return a
    return None


# --- writing -------------------------------------------------------------------------------------


class ManifestError(FileError):
    """A manifest that cannot be read or used; the message names the file and the line."""


def escape_name(raw: bytes) -> tuple[bytes, bool]:
    """Escape a name as GNU coreutils 9.1 does; returns (name, whether the line needs ``\\``)."""
    if b"\\" not in raw and b"\n" not in raw and b"\r" not in raw:
        return raw, False
    return raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r"), True


def relative_name(path: str, base_dir: str | os.PathLike[str]) -> str:
    """``path`` relative to ``base_dir`` with ``/`` separators (absolute if on another drive)."""
    base = os.fspath(base_dir)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if path.startswith(prefix) and os.sep + ".." not in path and os.sep + "." + os.sep not in path:
        rel = path[len(prefix) :]  # the common case, ten times cheaper than relpath
        return rel.replace(os.sep, "/") if os.sep != "/" else rel
    try:
        rel = os.path.relpath(path, base_dir)
    except ValueError:  # Windows: another drive has no relative path
        rel = os.path.abspath(path)
    if os.sep != "/":
        rel = rel.replace(os.sep, "/")
    return rel


def format_manifest(entries: Iterable[tuple[str, str]], base_dir: str | os.PathLike[str]) -> bytes:
    """GNU coreutils manifest text for ``(hexdigest, absolute_path)`` pairs (see
    :func:`write_manifest`, which writes the same bytes without holding them all)."""
    import io

    pairs = list(entries)
    out = io.BytesIO()
    write_manifest(out, [d for d, _ in pairs], [p for _, p in pairs], base_dir)
    return out.getvalue()


WRITE_BATCH = 4096  # lines formatted and written at a time
SORT_PIECE = 16384  # names sorted at a time (see _byte_order)


def _byte_order(n: int, key: Callable[[int], Any]) -> list[int]:
    """``sorted(range(n), key=key)``, sorted a piece at a time: one sort of a million names
    holds the GIL for a fifth of a second, and a window whose job writes the manifest froze
    that long. Sorted pieces that follow each other (files listed in name order, the usual case)
    are joined; others merged (in Python, so other threads run meanwhile)."""
    if n <= SORT_PIECE:
        return sorted(range(n), key=key)
    runs = [sorted(range(k, min(n, k + SORT_PIECE)), key=key) for k in range(0, n, SORT_PIECE)]
    if all(key(a[-1]) <= key(b[0]) for a, b in itertools.pairwise(runs)):
        return list(itertools.chain.from_iterable(runs))
    return list(heapq.merge(*runs, key=key))


def write_manifest(
    out: IO[bytes],
    digests: Sequence[str | bytes],
    paths: Sequence[str],
    base_dir: str | os.PathLike[str],
    *,
    b3sum_check: bool = False,
) -> list[bytes]:
    """Write the manifest of ``digests[i]`` for ``paths[i]`` (absolute) to ``out``.

    Names are relative to ``base_dir`` (the manifest's folder) and sorted by their bytes, so the
    same files always give the same manifest. Lines are formatted a batch at a time: a million
    files never need the whole text, or a record per line, in memory (only the sort order).
    A digest may be given as its bytes (as a job's result store keeps it) or as hex.
    With ``b3sum_check``, returns the names (as written) that ``b3sum --check`` cannot read.
    """
    n = len(paths)
    if not n:
        return []
    base = os.path.abspath(base_dir)
    prefix = base if base.endswith(os.sep) else base + os.sep
    cut = len(prefix)
    enc, errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
    raw: list[bytes] | None = None
    pieces = range(0, n, SORT_PIECE)  # a million names checked at once would hold the GIL
    all_ascii = all(all(map(str.isascii, paths[k : k + SORT_PIECE])) for k in pieces)
    under = all(
        all(map(str.startswith, paths[k : k + SORT_PIECE], itertools.repeat(prefix)))
        for k in pieces
    )
    if os.sep == "/" and under and all_ascii:
        # The usual case. ASCII code points sort as their bytes do, and every path shares the
        # prefix, so the paths themselves give the order: no copy of the names is kept.
        order = _byte_order(n, paths.__getitem__)
    else:  # names outside the folder, or not ASCII: sort by the names' real bytes
        raw = [n_.encode(enc, errors) for n_ in _names(paths, base, prefix)]
        order = _byte_order(n, raw.__getitem__)
    unreadable: list[bytes] = []
    for k in range(0, n, WRITE_BATCH):
        idx = order[k : k + WRITE_BATCH]
        batch = list(map(digests.__getitem__, idx))
        if set(map(type, batch)) == _ALL_BYTES:  # digests as a result store keeps them
            # bytes.hex is lower case already, and each step here is one C call for the batch
            packed = cast("list[bytes]", batch)
            hexes = "\0".join(map(bytes.hex, packed)).encode("ascii").split(b"\0")
        else:
            hexes = "\0".join(map(_hex, batch)).lower().encode("ascii").split(b"\0")
        if raw is None:
            names = "\0".join([paths[i][cut:] for i in idx]).encode("ascii").split(b"\0")
        else:
            names = [raw[i] for i in idx]
        joined = b"\0".join(names)
        if b"\\" in joined or b"\n" in joined or b"\r" in joined:
            lines = []
            for raw_name, hexd in zip(names, hexes, strict=True):
                escaped, needs_mark = escape_name(raw_name)
                lines.append((b"\\" if needs_mark else b"") + hexd + b"  " + escaped)
            chunk = b"\n".join(lines) + b"\n"
        else:
            chunk = b"\n".join(map(b"  ".join, zip(hexes, names, strict=True))) + b"\n"
        out.write(chunk)
        if b3sum_check:
            unreadable.extend(b3sum_unreadable(chunk))
    return unreadable


_ALL_BYTES = {bytes}


def _hex(digest: str | bytes) -> str:
    return digest.hex() if type(digest) is bytes else digest  # type: ignore[return-value]


def _names(paths: Sequence[str], base: str, prefix: str) -> Iterator[str]:
    """Each path relative to ``base`` with ``/`` separators; relpath once per folder."""
    cut = len(prefix)
    folders: dict[str, str] = {}
    for path in paths:
        if path.startswith(prefix):
            name = path[cut:]
        else:  # outside the folder (``../photos/a.jpg``)
            folder, _, leaf = path.rpartition(os.sep)
            rel = folders.get(folder)
            if rel is None:
                r = relative_name(folder or os.sep, base)
                rel = folders[folder] = "" if r == "." else r + "/"
            name = rel + leaf
        yield name.replace(os.sep, "/") if os.sep != "/" else name


# --- reading -------------------------------------------------------------------------------------


class ManifestEntry(Record):
    """One checksum line. ``path`` is the file it names, resolved against the manifest's folder;
    ``name`` as written in the manifest (unescaped); ``digest`` lower-case hex; ``line`` 1-based;
    ``guessed``: the algorithm was guessed from the digest's length alone."""

    __slots__ = ("path", "name", "digest", "algorithm", "line", "guessed")

    def __init__(
        self, path: str, name: str, digest: str, algorithm: str, line: int, guessed: bool = False
    ) -> None:
        self.path = path
        self.name = name
        self.digest = digest
        self.algorithm = algorithm
        self.line = line
        self.guessed = guessed


class BadLine(Record):
    """A manifest line that cannot be checked. ``line`` is 1-based; ``reason`` says what is wrong
    ("it is not a checksum line ..."); ``advice`` what else than fixing the line could make it
    usable ("" if nothing); ``name`` and ``path`` the file it names, resolved as an entry's
    would be, when one can be recovered from the line (else ``None``)."""

    __slots__ = ("line", "reason", "advice", "name", "path")

    def __init__(
        self,
        line: int,
        reason: str,
        advice: str = "",
        name: str | None = None,
        path: str | None = None,
    ) -> None:
        self.line = line
        self.reason = reason
        self.advice = advice
        self.name = name
        self.path = path


class Manifest(list[ManifestEntry]):
    """A manifest's usable entries in line order (it is a list of them), and in ``bad`` its
    lines that cannot be checked, in line order too."""

    def __init__(self, entries: Iterable[ManifestEntry] = (), bad: Iterable[BadLine] = ()) -> None:
        super().__init__(entries)
        self.bad: list[BadLine] = list(bad)


MAX_LINE = 64 * 1024
"""Bytes in a manifest line at most (a name is at most a few KiB); a longer one is a bad line."""
PROBE_LINES = 1000
"""A file whose first this many non-blank lines are all bad is not a manifest: reading stops."""
MAX_BAD_LINES = 100_000
"""Bad lines one manifest may hold before it is refused as a whole."""
_BLOCK = 1 << 20

_BSD = re.compile(rb"([A-Z][A-Za-z0-9-]*) ?\((.+)\) ?= ?([0-9A-Fa-f]+)")
_GNU = re.compile(rb"([0-9A-Fa-f]+)[ \t]([ *]?)(.+)")
_ESCAPE = re.compile(rb"\\(.?)")
_UNESCAPED = {b"\\": b"\\", b"n": b"\n", b"r": b"\r"}
_TOO_LONG = english(M.LINE_TOO_LONG, size=MAX_LINE // 1024)


def _unescape(name: bytes) -> bytes | None:
    if any(m.group(1) not in _UNESCAPED for m in _ESCAPE.finditer(name)):
        return None
    return _ESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], name)


class _Unusable(Record):
    """Why a line is not a checksum line, and the name it gives if that much can be told."""

    __slots__ = ("reason", "name")

    def __init__(self, reason: str, name: bytes | None = None) -> None:
        self.reason = reason
        self.name = name


def _split_line(line: bytes) -> tuple[str | None, bytes, str] | _Unusable:
    """(BSD tag or None, name, hex) for a checksum line, or why it is not one."""
    escaped = line.startswith(b"\\")
    body = line[1:] if escaped else line
    m = _BSD.fullmatch(body)
    if m and m.group(1).decode() in _BY_TAG:
        tag, name, digest = m.group(1).decode(), m.group(2), m.group(3)
    elif (g := _GNU.fullmatch(body)) is not None:
        tag, digest, name = None, g.group(1), g.group(3)
    elif m:
        tags = ", ".join(_BY_TAG)
        name = m.group(2)
        return _Unusable(
            english(M.UNKNOWN_TAG, name=repr(m.group(1).decode()), known=tags),
            None if escaped or b"\0" in name else name,
        )
    else:
        return _Unusable(M.NOT_A_CHECKSUM_LINE)
    if escaped:
        unescaped = _unescape(name)
        if unescaped is None:
            return _Unusable(M.BAD_ESCAPE)
        name = unescaped
    if b"\0" in name:
        return _Unusable(M.NUL_IN_NAME)
    if len(digest) not in _BY_LENGTH:
        return _Unusable(english(M.DIGITS_FIT_NONE, n=len(digest)), name)
    return tag, name, digest.decode("ascii").lower()


class _Reader:
    """Parses a manifest line by line (first pass), then settles each line's algorithm."""

    def __init__(self, source: str, algorithm: str | None) -> None:
        self.source = source
        self.explicit = get_algorithm(algorithm) if algorithm else None
        # (line, BSD tag, raw name, digest's bytes): a million lines are held until rows()
        self.parsed: list[tuple[int, str | None, bytes, bytes]] = []
        self.bad: list[tuple[int, str, str, bytes | None]] = []  # line, reason, advice, name
        self.bad_lines: list[BadLine] = []  # every bad line, as rows() yields them
        self.entries = 0  # lines rows() turned into entries
        self.guessed: set[str] = set()

    def feed(self, number: int, line: bytes | None) -> None:
        """Take line ``number`` (without its LF); ``None`` stands for a line over MAX_LINE."""
        if line is None:
            self._bad(number, _TOO_LONG, "", None)
            return
        line = line.removesuffix(b"\r").lstrip()
        if not line or line.startswith(b"#"):
            return
        split = _split_line(line)
        if isinstance(split, _Unusable):
            self._bad(number, split.reason, "", split.name)
        else:
            tag, name, digest = split
            self.parsed.append((number, tag, name, bytes.fromhex(digest)))  # hex, even length

    def _bad(self, number: int, reason: str, advice: str, name: bytes | None) -> None:
        bad = self.bad
        bad.append((number, reason, advice, name))
        if len(bad) >= PROBE_LINES and not self.parsed:
            raise ManifestError(english(M.NOT_A_MANIFEST, path=self.source, n=PROBE_LINES))
        if len(bad) > MAX_BAD_LINES:
            count = f"{MAX_BAD_LINES:,}"
            raise ManifestError(english(M.TOO_MANY_BAD, path=self.source, count=count))

    def rows(self, base_dir: str | os.PathLike[str]) -> Iterator[ManifestEntry | BadLine]:
        """Second pass: each line's entry, or its bad line, in line order. Each parsed line is
        dropped as soon as its row is made, so a million lines are never held twice over.
        Afterwards ``bad_lines`` and ``entries`` say what was found (see :meth:`check`)."""
        explicit, by_name = self.explicit, algorithm_from_filename(self.source)
        tags = {p[1] for p in self.parsed if p[1] is not None}
        file_tag = _BY_TAG[tags.pop()] if len(tags) == 1 else None
        base = os.path.abspath(base_dir)
        early = sorted(self.bad, key=lambda b: b[0])  # from the first pass
        k_early = 0
        parsed = self.parsed
        for k in range(len(parsed)):
            number, tag, raw_name, packed = parsed[k]
            parsed[k] = None  # type: ignore[call-overload]
            digest = packed.hex()
            while k_early < len(early) and early[k_early][0] < number:
                yield self._bad_row(base, *early[k_early])
                k_early += 1
            alg = explicit or (_BY_TAG[tag] if tag else None) or by_name or file_tag
            guessed = alg is None
            alg = alg or ALGORITHMS[_BY_LENGTH[len(digest)]]
            if explicit and tag and tag != explicit.tag:
                reason = english(M.TAGGED_OTHER, tag=tag, name=explicit.name)
                advice = english(M.ADVICE_TAGGED, name=_BY_TAG[tag].name)
                yield self._bad_row(base, number, reason, advice, raw_name)
            elif len(digest) != alg.hex_len:
                # A tagged line contradicts itself: only fixing it helps (no advice).
                template, advice = M.DIGITS_TAGGED, ""
                if not tag:
                    template = (
                        M.DIGITS_CHOSEN
                        if explicit
                        else M.DIGITS_BY_NAME
                        if alg is by_name
                        else M.DIGITS_BY_TAG
                    )
                    advice = M.ADVICE_RIGHT_ALGORITHM if explicit else M.ADVICE_ALGORITHM
                reason = english(template, n=len(digest), name=alg.name, length=alg.hex_len)
                yield self._bad_row(base, number, reason, advice, raw_name)
            else:
                try:
                    name = os.fsdecode(raw_name)
                except UnicodeDecodeError:
                    yield self._bad_row(base, number, M.UNDECODABLE_NAME, "", None)
                    continue
                self.entries += 1
                if guessed:
                    self.guessed.add(alg.name)
                path = os.path.join(base, name)
                yield ManifestEntry(path, name, digest, alg.name, number, guessed)
        for b in early[k_early:]:
            yield self._bad_row(base, *b)
        parsed.clear()

    def _bad_row(
        self, base: str, number: int, reason: str, advice: str, raw: bytes | None
    ) -> BadLine:
        row = _bad_line(base, number, reason, advice, raw)
        self.bad_lines.append(row)
        return row

    def check(self, strict: bool) -> None:
        """After :meth:`rows`: raise ManifestError as :func:`parse_manifest` says."""
        bad = self.bad_lines
        if not self.entries:
            if bad:
                plain, advised = M.NO_CHECKABLE_LINE, M.NO_CHECKABLE_LINE_OR
                raise ManifestError(_bad_lines_message(self.source, bad, plain, advised))
            raise ManifestError(english(M.NO_CHECKSUM_LINES, path=self.source))
        if strict and bad:
            raise ManifestError(_bad_lines_message(self.source, bad, M.STRICT_BAD, M.STRICT_BAD_OR))

    def result(self, base_dir: str | os.PathLike[str], strict: bool) -> Manifest:
        """The entries and bad lines; raises ManifestError as :func:`parse_manifest` says."""
        entries = Manifest()
        for row in self.rows(base_dir):
            if isinstance(row, BadLine):
                entries.bad.append(row)
            else:
                entries.append(row)
        self.check(strict)
        return entries


class ManifestRows:
    """A manifest read for planning, one row at a time (see :func:`manifest_rows`)."""

    def __init__(self, reader: _Reader, base_dir: str, strict: bool) -> None:
        self._reader = reader
        self._base = base_dir
        self._strict = strict

    def __iter__(self) -> Iterator[ManifestEntry | BadLine]:
        reader = self._reader
        yield from reader.rows(self._base)
        reader.check(self._strict)

    @property
    def bad(self) -> list[BadLine]:
        """The lines that cannot be checked, in line order (complete after iterating)."""
        return self._reader.bad_lines

    @property
    def guessed(self) -> set[str]:
        """Algorithms guessed from the digest length alone (complete after iterating)."""
        return self._reader.guessed


def _bad_line(base: str, number: int, reason: str, advice: str, raw: bytes | None) -> BadLine:
    if raw is None:
        return BadLine(number, reason, advice)
    try:
        name = os.fsdecode(raw)
    except UnicodeDecodeError:  # Windows: a name in another code page
        return BadLine(number, reason, advice)
    return BadLine(number, reason, advice, name, os.path.join(base, name))


def _bad_lines_message(source: str, bad: Sequence[BadLine], plain: str, advised: str) -> str:
    """The first bad line (and how many more), in ``plain``; in ``advised`` with the advice of
    the first bad line that has some."""
    first = bad[0]
    if len(bad) > 1:
        more = ", ".join(str(b.line) for b in bad[1:6]) + (", ..." if len(bad) > 6 else "")
        lines = english(
            M.BAD_LINES_AT,
            path=source,
            line=first.line,
            reason=first.reason,
            count=len(bad) - 1,
            lines=more,
        )
    else:
        lines = english(M.BAD_LINE_AT, path=source, line=first.line, reason=first.reason)
    advice = next((b.advice for b in bad if b.advice), "")
    if advice:
        return english(advised, bad=lines, advice=advice)
    return english(plain, bad=lines)


def parse_manifest(
    data: bytes,
    base_dir: str | os.PathLike[str],
    *,
    source: str = "manifest",
    algorithm: str | None = None,
    strict: bool = False,
) -> Manifest:
    """Read GNU (``HEX  NAME``, ``HEX *NAME``, escaped) and BSD (``TAG (NAME) = HEX``) lines.

    The algorithm of a line is, in order: ``algorithm`` if given; its BSD tag; the one the
    ``source`` file name implies (``*.md5``, ``SHA256SUMS``...); the tag used elsewhere in the
    file; the one its digest length implies (32 md5, 40 sha1, 64 sha256, 128 sha512). Blank
    lines and ``#`` comments are ignored; a trailing CR is dropped (as coreutils does). Lines
    that cannot be checked (not checksum lines, NUL in a name, a digest of the wrong length,
    longer than :data:`MAX_LINE`...) are returned in the result's ``bad``, as ``sha256sum -c``
    reports them and checks the rest.

    Raises:
        ManifestError: naming ``source`` and the bad lines: no line can be checked, or
            ``strict`` and some line cannot; or the file is clearly not a manifest.
    """
    reader = _Reader(source, algorithm)
    for number, line in enumerate(data.split(b"\n"), 1):
        reader.feed(number, None if len(line) > MAX_LINE else line)
    return reader.result(base_dir, strict)


def _read_lines(f: IO[bytes]) -> Iterator[bytes | None]:
    """The lines of ``f`` without their LF, read in blocks; ``None`` for each line longer than
    :data:`MAX_LINE` (its bytes are dropped as they come, never held)."""
    head = b""  # the start of a line that goes on in the next block
    too_long = False  # the current line is over the limit: its bytes are dropped
    while block := f.read(_BLOCK):
        if too_long:
            end = block.find(b"\n")
            if end < 0:
                continue
            yield None
            too_long = False
            block = block[end + 1 :]
        parts = block.split(b"\n")
        tail = parts.pop()  # after the block's last LF: the start of the next line
        if parts:
            first = head + parts[0] if head else parts[0]
            yield None if len(first) > MAX_LINE else first
            head = b""
            for part in itertools.islice(parts, 1, None):
                yield None if len(part) > MAX_LINE else part
        if len(head) + len(tail) > MAX_LINE:
            head, too_long = b"", True
        else:
            head += tail
    if too_long:
        yield None
    elif head:
        yield head


def _not_regular(path: str, mode: int) -> ManifestError:
    if stat.S_ISDIR(mode):
        return ManifestError(english(M.MANIFEST_IS_FOLDER, path=path))
    if os.path.islink(path):
        real = os.path.realpath(path)
        return ManifestError(
            english(M.MANIFEST_LINK_NOT_REGULAR, path=path, kind=_kind(mode), real=real)
        )
    return ManifestError(english(M.MANIFEST_NOT_REGULAR, path=path, kind=_kind(mode)))


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block the open until a writer comes
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_manifest(path: str, algorithm: str | None = None, *, strict: bool = False) -> Manifest:
    """Read and parse the manifest at ``path`` (see :func:`_feed_file` and
    :func:`parse_manifest`)."""
    reader = _feed_file(path, algorithm)
    return reader.result(os.path.dirname(os.path.abspath(path)), strict)


def _feed_file(path: str, algorithm: str | None) -> _Reader:
    """Read the manifest at ``path`` line by line into a reader (the first pass, as
    :func:`parse_manifest` does); names resolve against its folder. Anything but a regular
    file (a FIFO, a device such as ``/dev/zero``, a socket) is refused without reading from it.

    Raises:
        ManifestError: the file cannot be opened or read, is not a regular file, or holds no
            usable line (see :func:`parse_manifest`).
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise ManifestError(english(M.NO_SUCH_MANIFEST, path=path)) from None
    except IsADirectoryError:
        raise ManifestError(english(M.MANIFEST_IS_FOLDER, path=path)) from None
    except OSError as e:
        try:  # a socket cannot be opened at all (ENXIO): say what it is
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode) from None
        why = english(M.CANNOT_READ_MANIFEST, path=path, reason=e.strerror or e)
        raise ManifestError(why) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        if hasattr(os, "set_blocking"):
            with contextlib.suppress(OSError):
                os.set_blocking(fd, True)
        f = open(fd, "rb", buffering=0)  # noqa: SIM115 - closed below; blocks are read whole
    except BaseException:
        os.close(fd)
        raise
    reader = _Reader(path, algorithm)
    try:
        with f:
            for number, line in enumerate(_read_lines(f), 1):
                reader.feed(number, line)
    except OSError as e:
        why = english(M.CANNOT_READ_MANIFEST, path=path, reason=e.strerror or e)
        raise ManifestError(why) from None
    return reader


def manifest_rows(path: str, algorithm: str | None = None, *, strict: bool = False) -> ManifestRows:
    """The manifest at ``path`` as rows to plan from: iterating gives each line's entry or bad
    line in line order without holding them all (and raises ManifestError at the end, as
    :func:`read_manifest` would). The file is read and checked here, as read_manifest does."""
    reader = _feed_file(path, algorithm)
    return ManifestRows(reader, os.path.dirname(os.path.abspath(path)), strict)


def b3sum_unreadable(data: bytes) -> list[bytes]:
    """The names in manifest text ``data`` (as :func:`format_manifest` writes it) that
    ``b3sum --check`` 1.2.0 cannot read: not UTF-8 (it then stops reading), or holding a CR
    (it has no ``\\r`` escape). Returned as written in the manifest (escaped)."""
    if b"\\r" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return []
    found = []
    for line in data.split(b"\n"):
        escaped = line.startswith(b"\\")
        _, sep, name = line.partition(b"  ")
        if not sep:
            continue
        try:
            name.decode("utf-8")
        except UnicodeDecodeError:
            found.append(name)
            continue
        if escaped and b"\r" in (_unescape(name) or b""):
            found.append(name)
    return found
