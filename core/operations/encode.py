"""The "encode" operation: convert text files to UTF-8 (or another encoding), one output each.

Each file's encoding is detected from its first MiB (:mod:`core.operations.encode_detect`), or
named by the user. The whole file is then read in blocks through the worker context and decoded
incrementally, so a byte that does not decode past the sample still fails the file with its
offset (unless "replace" was chosen, and the summary counts the replacements). Options: the
byte order mark (keep, add, remove) and line endings (keep, LF, CRLF).

A file already in the target encoding, whose BOM and line endings need no change, is skipped,
not rewritten. Binary files are refused. Outputs are named ``NAME.utf8.EXT`` beside the input
(the tag follows the target) or ``NAME.EXT`` in an output folder, and written through the
output-writing base (:mod:`core.operations.writing`): a temporary file published atomically,
never over the source.
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TextIO

from core import messages as M
from core.i18n import N_, english, message_for_people
from core.naming import Collision, NamingRule
from core.operations.base import ChunkLimits, Outcome, WorkerContext
from core.operations.encode_detect import (
    BOM_OF,
    SAMPLE_SIZE,
    WIDE,
    Detection,
    ascii_compatible,
    canonical,
    detect,
    read_sample,
)
from core.operations.writing import DryRunRow, OutputOperation, commit_output
from core.records import (
    FileEntry,
    FileError,
    FileResult,
    FileSkipped,
    Kind,
    SkippedEntry,
    Status,
    Task,
)
from core.wording import printable

BOMS = ("keep", "add", "remove")
NEWLINES = ("keep", "lf", "crlf")
DEFAULT_TEMPLATE = "{name}.utf8"
# A target named without its byte order is written little-endian, with a mark by default.
_BARE = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}


def target_codec(target: str) -> tuple[str, bool]:
    """(the codec that writes ``target``, whether it writes a BOM unless told otherwise)."""
    name = canonical(target)
    return _BARE.get(name, name), name in _BARE


def default_template(target: str, output_dir: str | None) -> str:
    """``{name}`` in an output folder; beside the input ``{name}.TAG`` (``utf8``, ``gb18030``)
    so that the output never takes the source's name."""
    if output_dir:
        return "{name}"
    return "{name}." + re.sub(r"[-_]", "", target_codec(target)[0])


@dataclass(frozen=True)
class EncodeOptions:
    """``source``: the encoding of every input (None: detect each file's). ``bom``: keep, add or
    remove the byte order mark. ``newline``: keep, lf or crlf. ``replace``: write U+FFFD for
    undecodable bytes (and ``?`` for characters the target lacks) instead of failing."""

    source: str | None = None
    target: str = "utf-8"
    bom: str = "keep"
    newline: str = "keep"
    replace: bool = False
    naming: NamingRule = field(default_factory=lambda: NamingRule(template=DEFAULT_TEMPLATE))

    def __post_init__(self) -> None:
        if self.source is not None:
            canonical(self.source)
        codec, _ = target_codec(self.target)
        if self.bom not in BOMS:
            raise ValueError(f"the BOM choice must be one of {', '.join(BOMS)}")
        if self.newline not in NEWLINES:
            raise ValueError(english(M.NEWLINE_CHOICES, choices=", ".join(NEWLINES)))
        if self.bom == "add" and codec not in BOM_OF:
            raise ValueError(f"{codec} has no byte order mark (only UTF-8, UTF-16 and UTF-32 do)")


# --- counting replacements ---------------------------------------------------------------------
_replaced = [0, 0]  # (undecodable byte sequences, unencodable characters) of the current file


def _count_replace(e: UnicodeError) -> tuple[str, int]:
    if isinstance(e, UnicodeDecodeError):
        _replaced[0] += 1
        return "\ufffd", e.end
    assert isinstance(e, UnicodeEncodeError)
    _replaced[1] += e.end - e.start
    return "?" * (e.end - e.start), e.end


codecs.register_error("parabatch.count-replace", _count_replace)


class _Newlines:
    """Line endings rewritten to ``\\n`` or ``\\r\\n`` in text that comes in pieces (a ``\\r``
    at the end of a piece waits for the next)."""

    def __init__(self, mode: str) -> None:
        self.eol = {"lf": "\n", "crlf": "\r\n"}.get(mode)
        self.held = ""
        self.changed = False

    def __call__(self, text: str, final: bool) -> str:
        if self.eol is None:
            return text
        text, self.held = self.held + text, ""
        if not final and text.endswith("\r"):
            text, self.held = text[:-1], "\r"
        if "\r" not in text and (self.eol == "\n" or "\n" not in text):
            return text
        new = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.eol == "\r\n":
            new = new.replace("\n", "\r\n")
        self.changed = self.changed or new != text
        return new


class _Converter:
    """Decode one file's bytes piece by piece and encode them again; errors carry the byte."""

    def __init__(self, det: Detection, codec: str, options: EncodeOptions, replace: bool) -> None:
        errors = "parabatch.count-replace" if replace else "strict"
        self.det = det
        self.codec = codec
        self.decoder = codecs.getincrementaldecoder(det.codec)(errors)
        self.encoder = codecs.getincrementalencoder(codec)(errors)
        self.newlines = _Newlines(options.newline)
        self.offset = det.bom  # the file offset of the next byte fed
        self.nul_ok = det.codec in WIDE
        self.ascii = True  # every byte so far was ASCII
        _replaced[0] = _replaced[1] = 0

    def feed(self, data: bytes, final: bool = False) -> bytes:
        if not self.nul_ok and (nul := data.find(b"\0")) >= 0:
            raise FileError(english(M.NUL_BYTE, at=self.offset + nul), Kind.NOT_TEXT)
        self.ascii = self.ascii and data.isascii()
        pending = len(self.decoder.getstate()[0])
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError as e:
            at = self.offset - pending + e.start
            raise self._undecodable(e, at) from None
        start = self.offset
        self.offset += len(data)
        text = self.newlines(text, final)
        try:
            return self.encoder.encode(text, final)
        except UnicodeEncodeError as e:
            ch = e.object[e.start]
            code = f"{ord(ch):04X}"
            said = english(M.UNENCODABLE, char=repr(ch), code=code, at=start, codec=self.codec)
            raise FileError(said, Kind.UNENCODABLE) from None

    def _undecodable(self, e: UnicodeDecodeError, at: int) -> FileError:
        bad = e.object[e.start : min(e.end, e.start + 4)].hex(" ")
        d = self.det
        if d.confidence is None:
            why = english(M.CHECK_NAMED, codec=d.label)
        else:
            mib, confidence = SAMPLE_SIZE >> 20, f"{d.confidence:.0%}"
            why = english(M.DETECTED_FROM, codec=d.label, mib=mib, confidence=confidence)
        said = english(M.UNDECODABLE, codec=d.label, at=at, detail=e.reason, bytes=bad, advice=why)
        return FileError(said, Kind.DAMAGED)

    def drain(self, pieces: Iterable[Any], write: Callable[[bytes], object] | None) -> None:
        for piece in pieces:
            out = self.feed(bytes(piece))
            if out and write is not None:
                write(out)
        out = self.feed(b"", final=True)
        if out and write is not None:
            write(out)

    @property
    def replaced(self) -> tuple[int, int]:
        return _replaced[0], _replaced[1]


def _sample(blocks: Iterator[memoryview]) -> tuple[bytes, bool]:
    """The first SAMPLE_SIZE bytes or more (whole blocks), and whether that is the whole file."""
    buf = bytearray()
    for block in blocks:
        buf += block
        if len(buf) >= SAMPLE_SIZE:
            return bytes(buf), False
    return bytes(buf), True


def _close(blocks: Iterator[memoryview]) -> None:
    close = getattr(blocks, "close", None)
    if close is not None:
        close()


def format_value(det: Detection, target: str, replaced: int) -> str:
    """A done file's value: ``"gb18030 (97%) → utf-8"``, ``", 3 replaced"`` after it when some
    bytes were replaced (read back by :func:`replaced_in`)."""
    return f"{det.source_text} → {target}" + (f", {replaced} replaced" if replaced else "")


_REPLACED = re.compile(r", (\d+) replaced\Z")


def replaced_in(value: str) -> int:
    """How many replacements a value of :func:`format_value` counts."""
    m = _REPLACED.search(value)
    return int(m.group(1)) if m else 0


# Detection reads up to 1 MiB per file: a chunk's files together stay a few MiB.
LIMITS = ChunkLimits(max_files=64, max_bytes=16 * 1024 * 1024, large_file=4 * 1024 * 1024)


class EncodeOperation(OutputOperation):
    """Convert text files between encodings (detected, or named), BOM and line endings."""

    name = "encode"
    title = N_("Convert text encodings")
    help = N_("convert text files to UTF-8 or another encoding (detected, or named with --from)")
    options_type = EncodeOptions
    limits = LIMITS

    def output_ext(self, source: str, options: Any) -> str:
        return os.path.splitext(source)[1]

    # --- worker side -------------------------------------------------------------------------
    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        if task.output is None:
            raise FileError(M.NO_OUTPUT_PLANNED)
        codec, bare = target_codec(options.target)
        blocks = ctx.source_blocks(task.path)
        try:
            sample, whole = _sample(blocks)
            det = detect(sample, whole, options.source)
            want_bom = {"add": True, "remove": False}.get(options.bom, bool(det.bom) or bare)
            target = codec + ("+BOM" if want_bom else "")
            same = det.codec == codec and want_bom == bool(det.bom)
            skip = FileSkipped(
                english(M.ALREADY_TARGET, codec=target, how=det.how), Kind.ALREADY_IN_TARGET
            )
            if same and options.newline == "keep":
                try:  # only read: nothing can change unless a byte does not decode
                    _Converter(det, codec, options, False).drain(_pieces(sample, det, blocks), None)
                except FileError as e:
                    if not (options.replace and e.kind == Kind.DAMAGED):
                        raise
                    _close(blocks)
                    blocks = ctx.source_blocks(task.path)
                    sample, whole = _sample(blocks)
                else:
                    raise skip
            conv = _Converter(det, codec, options, options.replace)

            def write(out: IO[bytes]) -> None:
                if want_bom:
                    out.write(BOM_OF[codec])
                conv.drain(_pieces(sample, det, blocks), out.write)
                as_is = det.codec == codec or (
                    det.label == "ascii" and conv.ascii and ascii_compatible(codec)
                )
                untouched = not conv.newlines.changed and conv.replaced == (0, 0)
                if as_is and want_bom == bool(det.bom) and untouched:
                    raise skip

            final, note = _commit(ctx, task, options, write)
        finally:
            _close(blocks)
        if det.label == "ascii" and not conv.ascii:
            det.label = "utf-8"
        decoded, encoded = conv.replaced
        notes = []
        if want_bom != bool(det.bom):
            notes.append(M.BOM_ADDED if want_bom else M.BOM_REMOVED)
        if conv.newlines.changed:
            notes.append(english(M.LINE_ENDINGS, newline=options.newline.upper()))
        if decoded:
            notes.append(english(M.UNDECODABLE_REPLACED, n=decoded))
        if encoded:
            notes.append(english(M.UNENCODABLE_REPLACED, n=encoded, codec=codec))
        if det.doubt:
            notes.append(english(M.LOW_CONFIDENCE_NOTE, reason=det.doubt))
        if note:
            notes.append(note)
        kind = Kind.REPLACED if decoded or encoded else Kind.NONE
        if det.doubt and kind is Kind.NONE:
            kind = Kind.LOW_CONFIDENCE
        value = format_value(det, target, decoded + encoded)
        return Outcome(value, final, "; ".join(notes), kind)

    # --- parent side -------------------------------------------------------------------------
    def dry_run(self, entries: Sequence[FileEntry | SkippedEntry], options: Any) -> list[DryRunRow]:
        """The base's rows, each with the file's detected encoding and confidence (from its
        first MiB, read here), or why it would be refused or skipped."""
        codec, bare = target_codec(options.target)
        rows: list[DryRunRow] = []
        for src, dst, note in super().dry_run(entries, options):
            if dst is None:
                rows.append((src, dst, note))
                continue
            try:
                det = detect(*read_sample(src), options.source)
            except FileError as e:
                rows.append((src, None, str(e)))
                continue
            except OSError as e:
                from core.errors import describe_error

                rows.append((src, None, english(M.NOTE_FAILED, reason=describe_error(e))))
                continue
            want_bom = {"add": True, "remove": False}.get(options.bom, bool(det.bom) or bare)
            if det.codec == codec and want_bom == bool(det.bom) and options.newline == "keep":
                already = english(M.ALREADY_CODEC, codec=codec, how=det.how)
                rows.append((src, None, english(M.NOTE_SKIP, reason=already)))
                continue
            parts = [format_value(det, codec + ("+BOM" if want_bom else ""), 0)]
            if det.doubt:
                parts.append(english(M.LOW_CONFIDENCE_NOTE, reason=det.doubt))
            rows.append((src, dst, "; ".join(parts + ([note] if note else []))))
        return rows

    def finish(
        self, options: Any, tasks: Sequence[Task], results: Collection[FileResult]
    ) -> list[str]:
        """Sentences counting what the user should look at: replacements, doubtful detections,
        files already in the target encoding, binary files refused."""
        replaced_files = replaced = doubtful = already = binary = 0
        for r in results:
            if r.kind == Kind.REPLACED:
                replaced_files += 1
                replaced += replaced_in(r.value)
            elif r.kind == Kind.LOW_CONFIDENCE:
                doubtful += 1
            elif r.kind == Kind.ALREADY_IN_TARGET:
                already += 1
            elif r.kind == Kind.NOT_TEXT:
                binary += 1
        lines = super().finish(options, tasks, results)
        if replaced_files:
            count = english(M.REPLACEMENTS, n=replaced)
            lines.append(english(M.REPLACED_FILES, n=replaced_files, count=count))
        if doubtful:
            lines.append(english(M.DOUBTFUL, n=doubtful))
        if already:
            codec = target_codec(options.target)[0]
            lines.append(english(M.ALREADY_IN, n=already, codec=codec))
        if binary:
            lines.append(english(M.BINARY_COUNT, n=binary))
        return lines

    def print_results(self, out: TextIO, options: Any, tasks: Sequence[Task], results: Any) -> bool:
        """One line per converted or skipped file: what it was read as, and where it went."""
        for status in (Status.DONE, Status.SKIPPED):
            for i in results.indices(status):
                r = results[i]
                src = printable(tasks[i].path)
                if status is Status.DONE:
                    extra = f"; {message_for_people(r.message)}" if r.message else ""
                    out.write(f"{src} -> {printable(r.output or '')}  [{r.value}{extra}]\n")
                else:
                    out.write(f"{src}: {message_for_people(r.message)}\n")
        return False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from core.operations import encode_cli

        encode_cli.add_arguments(parser)

    def options_from_args(self, args: argparse.Namespace) -> EncodeOptions:
        from core.operations import encode_cli

        return encode_cli.options_from_args(args)


def _pieces(sample: bytes, det: Detection, blocks: Iterator[memoryview]) -> Iterator[Any]:
    yield sample[det.bom :]
    yield from blocks


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
