"""Checksum manifests: the algorithm table, writing GNU coreutils lines, reading GNU and BSD lines.

A manifest written here is accepted by ``sha256sum -c`` (and md5sum, sha1sum, sha512sum, b2sum)
run in the manifest's folder: ``HEX  NAME`` lines, names relative to that folder with ``/``
separators, sorted by their bytes. Names holding ``\\``, LF or CR are escaped as coreutils 9.1
does: the line starts with ``\\`` and the name has ``\\\\``, ``\\n``, ``\\r``.

``b3sum --check`` (1.2.0) reads the same format with three limits, measured here: it knows only
the ``\\\\`` and ``\\n`` escapes (a name holding CR makes it stop with "Invalid backslash
escape"), it refuses a manifest that is not valid UTF-8 as a whole, and it rejects blank lines,
``*`` binary markers, BSD tag lines and upper-case hex. Our writer emits none of the last three.

No hashing of files happens here and nothing here imports Qt.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import Protocol

from core.records import FileError, Record


class Hasher(Protocol):
    """The part of the ``hashlib`` interface we use (blake3 and xxhash objects have it too)."""

    def update(self, data: memoryview | bytes, /) -> object: ...

    def hexdigest(self) -> str: ...


def _hashlib(name: str) -> Callable[[], Hasher]:
    ctor: Callable[[], Hasher] | None = None

    def new() -> Hasher:
        nonlocal ctor
        if ctor is None:  # hashlib's named constructor, found once: hashlib.new() costs more
            import hashlib

            ctor = getattr(hashlib, name)
        return ctor()

    return new


def _blake3() -> Hasher:
    from blake3 import blake3

    hasher: Hasher = blake3()
    return hasher


def _xxh128() -> Hasher:
    from xxhash import xxh3_128

    hasher: Hasher = xxh3_128()
    return hasher


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
            f"unknown algorithm {name!r}; choose one of {', '.join(ALGORITHMS)}"
        ) from None


def algorithm_from_filename(path: str) -> Algorithm | None:
    """The algorithm a manifest's name implies (``SHA256SUMS``, ``x.md5``...), if any."""
    name = os.path.basename(path)
    for a in ALGORITHMS.values():
        if name.upper() == a.sums_name.upper() or name.lower().endswith(a.suffixes):
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
    """GNU coreutils manifest text for ``(hexdigest, absolute_path)`` pairs.

    Names are relative to ``base_dir`` (the manifest's folder) and sorted by their bytes, so the
    same files always give the same manifest. It runs after the last file of a job, so it works
    on whole columns (C-level joins, splits and sorts) rather than line by line.
    """
    pairs = list(entries)
    if not pairs:
        return b""
    base = os.path.abspath(base_dir)
    digests = [d for d, _ in pairs]
    paths = [p for _, p in pairs]
    prefix = base if base.endswith(os.sep) else base + os.sep
    if all(p.startswith(prefix) for p in paths):  # the usual case: everything under the folder
        cut = len(prefix)
        names = [p[cut:] for p in paths]
        if os.sep != "/":
            names = [n.replace(os.sep, "/") for n in names]
    else:  # some or all outside it (``../photos/a.jpg``): relpath once per folder, not per file
        folders: dict[str, str] = {}
        names = []
        for path in paths:
            folder, _, name = path.rpartition(os.sep)
            rel = folders.get(folder)
            if rel is None:
                r = relative_name(folder or os.sep, base)
                rel = folders[folder] = "" if r == "." else r + "/"
            names.append(rel + name)
    enc, errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
    # Names cannot hold NUL, so one encode and one split give each name's bytes.
    raw = "\0".join(names).encode(enc, errors).split(b"\0")
    hexes = "\0".join(digests).lower().encode("ascii").split(b"\0")
    order = sorted(range(len(raw)), key=raw.__getitem__)
    raw = [raw[i] for i in order]
    hexes = [hexes[i] for i in order]
    joined = b"\0".join(raw)
    if b"\\" in joined or b"\n" in joined or b"\r" in joined:
        lines = []
        for raw_name, hexd in zip(raw, hexes, strict=True):
            escaped, needs_mark = escape_name(raw_name)
            lines.append((b"\\" if needs_mark else b"") + hexd + b"  " + escaped)
        return b"\n".join(lines) + b"\n"
    return b"\n".join(map(b"  ".join, zip(hexes, raw, strict=True))) + b"\n"


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


_BSD = re.compile(rb"([A-Z][A-Za-z0-9-]*) ?\((.+)\) ?= ?([0-9A-Fa-f]+)")
_GNU = re.compile(rb"([0-9A-Fa-f]+)[ \t]([ *]?)(.+)")
_ESCAPE = re.compile(rb"\\(.?)")
_UNESCAPED = {b"\\": b"\\", b"n": b"\n", b"r": b"\r"}


def _unescape(name: bytes) -> bytes | None:
    if any(m.group(1) not in _UNESCAPED for m in _ESCAPE.finditer(name)):
        return None
    return _ESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], name)


def _split_line(line: bytes) -> tuple[str | None, bytes, str] | str:
    """(BSD tag or None, name, hex) for a checksum line, or the reason it is not one."""
    escaped = line.startswith(b"\\")
    body = line[1:] if escaped else line
    m = _BSD.fullmatch(body)
    if m and m.group(1).decode() in _BY_TAG:
        tag, name, digest = m.group(1).decode(), m.group(2), m.group(3)
    elif (g := _GNU.fullmatch(body)) is not None:
        tag, digest, name = None, g.group(1), g.group(3)
    elif m:
        tags = ", ".join(_BY_TAG)
        return f"the algorithm {m.group(1).decode()!r} is not supported (known: {tags})"
    else:
        return "it is not a checksum line (expected 'HEX  NAME' or 'SHA256 (NAME) = HEX')"
    if escaped:
        unescaped = _unescape(name)
        if unescaped is None:
            return "its name has a backslash escape other than \\\\, \\n or \\r"
        name = unescaped
    if len(digest) not in _BY_LENGTH:
        return f"its digest has {len(digest)} hex digits, which fits no supported algorithm"
    return tag, name, digest.decode("ascii").lower()


def parse_manifest(
    data: bytes,
    base_dir: str | os.PathLike[str],
    *,
    source: str = "manifest",
    algorithm: str | None = None,
) -> list[ManifestEntry]:
    """Read GNU (``HEX  NAME``, ``HEX *NAME``, escaped) and BSD (``TAG (NAME) = HEX``) lines.

    The algorithm of a line is, in order: ``algorithm`` if given; its BSD tag; the one the
    ``source`` file name implies (``*.md5``, ``SHA256SUMS``...); the tag used elsewhere in the
    file; the one its digest length implies (32 md5, 40 sha1, 64 sha256, 128 sha512). Blank
    lines and ``#`` comments are ignored; a trailing CR is dropped (as coreutils does).

    Raises:
        ManifestError: naming ``source`` and the bad lines, if any line is not usable.
    """
    explicit = get_algorithm(algorithm) if algorithm else None
    by_name = algorithm_from_filename(source)
    parsed: list[tuple[int, str | None, bytes, str]] = []
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(data.split(b"\n"), 1):
        line = line.removesuffix(b"\r").lstrip()
        if not line or line.startswith(b"#"):
            continue
        split = _split_line(line)
        if isinstance(split, str):
            bad.append((number, split))
        else:
            parsed.append((number, *split))
    tags = {tag for _, tag, _, _ in parsed if tag is not None}
    file_tag = _BY_TAG[tags.pop()] if len(tags) == 1 else None
    base = os.path.abspath(base_dir)
    entries: list[ManifestEntry] = []
    for number, tag, raw_name, digest in parsed:
        alg = explicit or (_BY_TAG[tag] if tag else None) or by_name or file_tag
        guessed = alg is None
        alg = alg or ALGORITHMS[_BY_LENGTH[len(digest)]]
        if explicit and tag and tag != explicit.tag:
            bad.append((number, f"it is tagged {tag} but the algorithm {explicit.name} was chosen"))
        elif len(digest) != alg.hex_len:
            bad.append(
                (number, f"its digest has {len(digest)} hex digits, {alg.name} has {alg.hex_len}")
            )
        else:
            try:
                name = os.fsdecode(raw_name)
            except UnicodeDecodeError:
                bad.append((number, "its file name cannot be decoded on this system"))
                continue
            path = os.path.join(base, name)
            entries.append(ManifestEntry(path, name, digest, alg.name, number, guessed))
    if bad:
        raise ManifestError(_bad_lines_message(source, sorted(bad)))
    if not entries:
        raise ManifestError(
            f"{source}: no checksum lines found; is this a checksum manifest "
            "(lines like 'HEX  NAME' as written by sha256sum)?"
        )
    return entries


def _bad_lines_message(source: str, bad: list[tuple[int, str]]) -> str:
    number, reason = bad[0]
    text = f"{source}: line {number}: {reason}"
    if len(bad) > 1:
        more = ", ".join(str(n) for n, _ in bad[1:6]) + (", ..." if len(bad) > 6 else "")
        text += f"; {len(bad) - 1} more bad line(s): {more}"
    return text + ". Fix or remove these lines, or choose the algorithm with --algorithm."


def read_manifest(path: str, algorithm: str | None = None) -> list[ManifestEntry]:
    """Read and parse the manifest at ``path``; names resolve against its folder."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest; check the path and try again") from None
    except IsADirectoryError:
        raise ManifestError(f"{path}: is a folder; choose the checksum file inside it") from None
    except OSError as e:
        raise ManifestError(f"{path}: cannot read the manifest ({e.strerror or e})") from None
    return parse_manifest(
        data, os.path.dirname(os.path.abspath(path)), source=path, algorithm=algorithm
    )
