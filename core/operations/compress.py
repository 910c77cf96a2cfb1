"""The "compress" and "decompress" operations: zstd (the ``zstandard`` package), gzip, xz and
bzip2 (the standard library), one output per input, on the output-writing base.

Compress writes ``NAME.EXT.zst`` (``.gz``, ``.xz``, ``.bz2``) beside the input or in an output
folder; decompress finds the format from the first bytes (not the name) and writes the name
without its suffix. Both stream in blocks through the worker context (cancel, pause, progress),
write through a temporary file published atomically, and never touch a source, unless "delete
sources" was asked for: then a source goes only after its output was re-read and decompressed
(or, for decompress, re-read) to the same SHA-256.

Decompression is bounded: output comes in pieces of at most :data:`OUT_PIECE` bytes (zstd: its
input goes in 2 KiB pieces, since one call can expand without limit), so a decompression bomb
is stopped at its ratio limit before it can fill memory or disk. Concatenated gzip members, xz
streams, bzip2 streams and zstd frames are all decompressed; a truncated or corrupt one fails
its file with the byte it went wrong at.
"""

from __future__ import annotations

import argparse
import bz2
import hashlib
import lzma
import os
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from core import messages as M
from core.i18n import N_, _, english
from core.naming import Collision, NamingRule
from core.operations.base import ChunkLimits, Outcome, WorkerContext
from core.operations.writing import (
    OutputOperation,
    add_output_arguments,
    commit_output,
    naming_from_args,
)
from core.records import FileError, FileResult, Kind, Status, Task

OUT_PIECE = 1 << 20  # most bytes one decompression step returns
ZSTD_IN_PIECE = 2048  # zstd input per step: bounds one step's output (RLE blocks expand 32768:1)
DEFAULT_MAX_RATIO = 1000


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    levels: tuple[int, int]
    default_level: int
    magic: bytes


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("zstd", ".zst", (1, 19), 3, b"\x28\xb5\x2f\xfd"),
        Format("gzip", ".gz", (1, 9), 6, b"\x1f\x8b"),
        Format("xz", ".xz", (0, 9), 6, b"\xfd7zXZ\x00"),
        Format("bzip2", ".bz2", (1, 9), 9, b"BZh"),
    )
}
# What decompress takes off a name: the format's suffix (and the short forms of tarballs).
STRIPPED = {".zst": "", ".zstd": "", ".gz": "", ".xz": "", ".bz2": "", ".tgz": ".tar"}
STRIPPED |= {".tzst": ".tar", ".txz": ".tar", ".tbz2": ".tar", ".tbz": ".tar"}
UNKNOWN_SUFFIX = ".out"  # a compressed file whose name has none of them: NAME.EXT.out


def detect(head: bytes) -> Format | None:
    """The format whose magic bytes ``head`` starts with."""
    for f in FORMATS.values():
        if head.startswith(f.magic):
            return f
    return None


# --- options ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompressOptions:
    """``level`` None: the format's default. ``delete_sources``: remove each source once its
    output was verified (off unless asked for)."""

    format: str = "zstd"
    level: int | None = None
    delete_sources: bool = False
    naming: NamingRule = field(default_factory=NamingRule)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            choices = ", ".join(FORMATS)
            raise ValueError(english(M.UNKNOWN_FORMAT, format=repr(self.format), choices=choices))
        low, high = FORMATS[self.format].levels
        if self.level is not None and not low <= self.level <= high:
            raise ValueError(english(M.LEVEL_RANGE, format=self.format, low=low, high=high))

    @property
    def effective_level(self) -> int:
        return self.level if self.level is not None else FORMATS[self.format].default_level


@dataclass(frozen=True)
class DecompressOptions:
    """``max_ratio``: stop a file whose output grows past this many times its size (a probable
    decompression bomb)."""

    max_ratio: int = DEFAULT_MAX_RATIO
    delete_sources: bool = False
    naming: NamingRule = field(default_factory=NamingRule)
    any_file: bool = False  # try every file, not only those that look compressed

    def __post_init__(self) -> None:
        if self.max_ratio < 1:
            raise ValueError("the ratio limit must be at least 1")


# --- streaming codecs ------------------------------------------------------------------------
def _compressor(
    fmt: Format, level: int, size: int
) -> tuple[Callable[[Any], bytes], Callable[[], bytes]]:
    """(compress(block), flush()) for one output."""
    if fmt.name == "zstd":
        import zstandard

        c = zstandard.ZstdCompressor(level=level, write_content_size=True).compressobj(size=size)
        return c.compress, c.flush
    if fmt.name == "gzip":
        z = zlib.compressobj(level, zlib.DEFLATED, 31)  # a gzip header, no name, mtime 0
        return z.compress, z.flush
    if fmt.name == "xz":
        x = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=level)
        return x.compress, x.flush
    b = bz2.BZ2Compressor(level)
    return b.compress, b.flush


class Damaged(Exception):
    """Corrupt data (``truncated``: it ends inside a member or frame)."""

    def __init__(self, truncated: bool = False) -> None:
        super().__init__()
        self.truncated = truncated


class _Decoder:
    """Decompress one file fed block by block; every concatenated member, stream or frame."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self._d: Any = self._new()
        self._started = False  # the current member has had input

    def _new(self) -> Any:
        name = self.fmt.name
        if name == "zstd":
            import zstandard

            return zstandard.ZstdDecompressor().decompressobj()
        if name == "gzip":
            return zlib.decompressobj(31)
        if name == "xz":
            return lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        return bz2.BZ2Decompressor()

    def feed(self, data: Any) -> Iterator[bytes]:
        try:
            if self.fmt.name == "zstd":
                yield from self._feed_zstd(memoryview(data))
            elif self.fmt.name == "gzip":
                yield from self._feed_zlib(bytes(data))
            else:
                yield from self._feed_lzma_bz2(bytes(data))
        except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError) as e:
            raise Damaged() from e
        except Exception as e:  # zstandard.ZstdError
            if type(e).__name__ == "ZstdError":
                raise Damaged() from e
            raise

    def _next_member(self, rest: bytes) -> bytes:
        self._d = self._new()
        self._started = False
        if rest and not rest.strip(b"\0"):
            return b""  # zero padding after the last member (tape blocks, dd): as gzip -d does
        return rest

    def _feed_zlib(self, data: bytes) -> Iterator[bytes]:
        while data:
            self._started = True
            out = self._d.decompress(data, OUT_PIECE)
            if out:
                yield out
            data = self._d.unconsumed_tail
            if self._d.eof:
                data = self._next_member(self._d.unused_data)

    def _feed_lzma_bz2(self, data: bytes) -> Iterator[bytes]:
        while True:
            if data:
                self._started = True
            out = self._d.decompress(data, OUT_PIECE)
            if out:
                yield out
            data = b""
            if self._d.eof:
                rest = self._next_member(self._d.unused_data)
                if not rest:
                    return
                data = rest
                continue
            if self._d.needs_input:
                return

    def _feed_zstd(self, data: memoryview) -> Iterator[bytes]:
        pos = 0
        while pos < len(data):
            piece = data[pos : pos + ZSTD_IN_PIECE]
            pos += len(piece)
            self._started = True
            out = self._d.decompress(piece)
            if out:
                yield out
            while self._d.eof:
                rest = self._next_member(self._d.unused_data)
                if not rest:
                    break
                self._started = True
                out = self._d.decompress(rest)
                if out:
                    yield out

    def close(self) -> None:
        """Raise Damaged(truncated=True) if the data ended inside a member or frame."""
        if self._started and not self._d.eof:
            raise Damaged(truncated=True)


def _decompressed(
    fmt: Format, blocks: Iterable[Any], on_input: Callable[[int], None]
) -> Iterator[bytes]:
    """The decompressed bytes of ``blocks``; Damaged carries where (``on_input`` is told how
    many input bytes went in so far, before each block)."""
    d = _Decoder(fmt)
    consumed = 0
    for block in blocks:
        on_input(consumed)
        yield from d.feed(block)
        consumed += len(block)
    on_input(consumed)
    d.close()


def _damaged(fmt: Format, e: Damaged, at: int, size: int) -> FileError:
    if e.truncated:
        template = M.TRUNCATED_FRAME if fmt.name == "zstd" else M.TRUNCATED_STREAM
        return FileError(english(template, format=fmt.name, size=size), Kind.DAMAGED)
    return FileError(english(M.CORRUPT, format=fmt.name, at=at), Kind.DAMAGED)


def _sha256_of_decompressed(path: str, fmt: Format) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        blocks = iter(lambda: f.read(1 << 20), b"")
        for piece in _decompressed(fmt, blocks, lambda n: None):
            h.update(piece)
    return h.hexdigest()


def _sha256_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _delete_source(task: Task, source_digest: str, output_digest: str) -> str:
    """Remove the source if the output gave back its bytes and it did not change since it was
    read. Returns the note for the result."""
    if source_digest != output_digest:
        raise FileError(M.NOT_GIVEN_BACK, Kind.OUTPUT_FAILED)
    try:
        st = os.stat(task.path)
    except OSError:
        return M.SOURCE_GONE
    if st.st_size != task.size or (task.mtime_ns >= 0 and st.st_mtime_ns != task.mtime_ns):
        return M.SOURCE_CHANGED
    os.unlink(task.path)
    return M.SOURCE_DELETED


def _sizes(before: int, after: int) -> str:
    from core.progress import format_bytes

    share = f"{after / before:.0%}" if before else "-"
    return f"{format_bytes(before)} → {format_bytes(after)} ({share})"


# --- the operations --------------------------------------------------------------------------
# Compressing is CPU-heavy: a few files per chunk spread the work and keep a cancel cheap.
LIMITS = ChunkLimits(max_files=16, max_bytes=16 * 1024 * 1024, large_file=4 * 1024 * 1024)


class CompressOperation(OutputOperation):
    """Compress each file to zstd, gzip, xz or bzip2."""

    name = "compress"
    title = N_("Compress")
    help = N_("compress files (zstd, gzip, xz, bzip2); the sources are kept")
    options_type = CompressOptions
    limits = LIMITS

    def output_ext(self, source: str, options: Any) -> str:
        return os.path.splitext(source)[1] + FORMATS[options.format].suffix

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        if task.output is None:
            raise FileError(M.NO_OUTPUT_PLANNED)
        fmt = FORMATS[options.format]
        digest = hashlib.sha256() if options.delete_sources else None
        written = 0

        def write(out: IO[bytes]) -> None:
            nonlocal written
            compress, flush = _compressor(fmt, options.effective_level, task.size)
            for block in ctx.source_blocks(task.path):
                if digest is not None:
                    digest.update(block)
                data = compress(block)
                if data:
                    out.write(data)
                    written += len(data)
            data = flush()
            out.write(data)
            written += len(data)

        final, note = _commit(ctx, task, options, write)
        kind, notes = Kind.NONE, [note] if note else []
        if written > task.size:
            kind = Kind.GREW
            notes.append(M.GREW)
        if digest is not None:
            notes.append(
                _delete_source(task, digest.hexdigest(), _sha256_of_decompressed(final, fmt))
            )
        return Outcome(_sizes(task.size, written), final, "; ".join(notes), kind)

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        lines = super().finish(options, tasks, results)
        grew = sum(1 for r in results if r.status == Status.DONE and r.kind == Kind.GREW)
        if not grew:
            return lines
        return [*lines, english(M.GREW_COUNT, n=grew)]

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        g = parser.add_argument_group(_("compression"))
        g.add_argument("--format", choices=list(FORMATS), default="zstd", help=_("(default: zstd)"))
        levels = ", ".join(
            f"{f.name} {f.levels[0]}-{f.levels[1]} (default {f.default_level})"
            for f in FORMATS.values()
        )
        level_help = _("compression level: {levels}").format(levels=levels)
        g.add_argument("--level", type=int, metavar="N", help=level_help)
        _delete_argument(g)
        add_output_arguments(parser, NamingRule(), example="'{name}'")

    def options_from_args(self, args: argparse.Namespace) -> CompressOptions:
        return CompressOptions(
            format=args.format,
            level=args.level,
            delete_sources=args.delete_sources,
            naming=naming_from_args(args),
        )


class DecompressOperation(OutputOperation):
    """Decompress zstd, gzip, xz and bzip2 files (the format is found from the data)."""

    name = "decompress"
    title = N_("Decompress")
    help = N_("decompress .zst, .gz, .xz and .bz2 files (format found from the data); sources kept")
    options_type = DecompressOptions
    limits = LIMITS

    def accepts(self, path: str, options: Any) -> str | None:
        """Compressed files by their suffix, else by their first bytes."""
        ext = os.path.splitext(path)[1].lower()
        if ext in STRIPPED:
            return None
        try:
            with open(path, "rb") as f:
                head = f.read(8)
        except OSError:
            return None  # the worker says what is wrong with it
        if detect(head) is not None:
            return None
        return "not zstd, gzip, xz or bzip2 data (by its name and its first bytes)"

    def output_ext(self, source: str, options: Any) -> str:
        ext = os.path.splitext(source)[1]
        stripped = STRIPPED.get(ext.lower())
        return stripped if stripped is not None else ext + UNKNOWN_SUFFIX

    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        if task.output is None:
            raise FileError(M.NO_OUTPUT_PLANNED)
        blocks = ctx.source_blocks(task.path)
        first = next(blocks, None)
        fmt = detect(bytes(first[:8])) if first is not None else None
        if fmt is None:
            raise FileError(M.NOT_COMPRESSED, Kind.DAMAGED)
        limit = options.max_ratio * max(task.size, 1)
        digest = hashlib.sha256() if options.delete_sources else None
        at = 0
        written = 0

        def where(n: int) -> None:
            nonlocal at
            at = n

        def chained() -> Iterator[Any]:
            assert first is not None
            yield first
            yield from blocks

        def write(out: IO[bytes]) -> None:
            nonlocal written
            for piece in _decompressed(fmt, chained(), where):
                written += len(piece)
                if written > limit:
                    bomb = english(M.BOMB, ratio=options.max_ratio)
                    raise FileError(bomb, Kind.TOO_LARGE)
                if digest is not None:
                    digest.update(piece)
                out.write(piece)
                ctx.check_cancel()

        try:
            final, note = _commit(ctx, task, options, write)
        except Damaged as e:
            raise _damaged(fmt, e, at, task.size) from None
        notes = [note] if note else []
        if digest is not None:
            notes.append(_delete_source(task, digest.hexdigest(), _sha256_file(final)))
        return Outcome(f"{fmt.name}: {_sizes(task.size, written)}", final, "; ".join(notes))

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        g = parser.add_argument_group(_("decompression"))
        g.add_argument(
            "--max-ratio", type=int, default=DEFAULT_MAX_RATIO, metavar="N",
            help=_("stop a file that grows past N times its size, a probable decompression bomb "
            "(default: %(default)s)"),
        )  # fmt: skip
        _delete_argument(g)
        g.add_argument(
            "--any-file", action="store_true",
            help=_("try every file; by default only compressed ones are taken (by suffix, else by "
            "their first bytes) and the rest are skipped"),
        )  # fmt: skip
        add_output_arguments(parser, NamingRule(), example="'{name}'")

    def options_from_args(self, args: argparse.Namespace) -> DecompressOptions:
        return DecompressOptions(
            max_ratio=args.max_ratio,
            delete_sources=args.delete_sources,
            naming=naming_from_args(args),
            any_file=args.any_file,
        )


def _delete_argument(g: Any) -> None:
    g.add_argument(
        "--delete-sources",
        action="store_true",
        help=_(
            "delete each source once its output was written and read back to the same SHA-256 "
            "(off by default: sources are kept)"
        ),
    )


def _commit(
    ctx: WorkerContext, task: Task, options: Any, write: Callable[[IO[bytes]], None]
) -> tuple[str, str]:
    from core.errors import describe_write_error

    assert task.output is not None
    try:
        return commit_output(
            ctx, task.output, task.path, write, policy=Collision(options.naming.collision)
        )
    except OSError as e:
        raise FileError(describe_write_error(e, task.output), Kind.OUTPUT_FAILED) from None
