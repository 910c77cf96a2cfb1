"""What text encoding a file is in, found from its first bytes (the "encode" operation's sample).

In this order: known binary signatures (images, archives, programs) are refused; a byte order
mark decides; a named encoding is taken as it is; NUL bytes mean UTF-16/UTF-32 without a mark
(their pattern says which) or binary data; strict UTF-8 (plain ASCII included) is taken without
guessing; anything else goes to ``charset-normalizer``. Its confidence is ``1 - chaos``; a
detection is flagged as doubtful when the text looks garbled, when another encoding fits as well
but reads it differently, or when there are too few non-ASCII bytes to go by.

Runs in workers and in the parent (the dry run). ``charset_normalizer`` is imported only when a
guess is needed.
"""

from __future__ import annotations

import codecs
import functools
from typing import Any

from core import messages as M
from core.i18n import english
from core.records import FileError, Kind, Record

SAMPLE_SIZE = 1 << 20  # what detection looks at; the rest is only decoded
LOW_CONFIDENCE = 0.9  # under this (1 - chaos), a detection is doubtful
THIN = 16  # fewer non-ASCII bytes than this in the sample: too little to go by
_TIE_CHAOS, _TIE_COHERENCE = 0.005, 0.02  # candidates this close fit equally well

# Marks, longest first (a UTF-32-LE mark starts with the UTF-16-LE one).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BOM_OF = {codec: bom for bom, codec in BOMS}
WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
"""Encodings whose text holds NUL bytes."""

# When candidates fit equally well, the more widespread encoding is taken (then flagged).
_PREFERRED = (
    "utf-8", "cp1252", "iso8859-1", "gb18030", "cp932", "shift_jis", "cp949", "euc_kr", "big5",
    "euc_jis_2004", "euc_jp", "cp1251", "koi8-r", "cp1250", "iso8859-15", "iso8859-2",
)  # fmt: skip

_HIGH = bytes(range(0x80, 0x100))
_SIGNATURES = (  # first bytes -> what the file is (a template of core.messages, for THIS_IS)
    (b"\x89PNG\r\n\x1a\n", M.SIG_PNG),
    (b"\xff\xd8\xff", M.SIG_JPEG),
    (b"GIF87a", M.SIG_GIF),
    (b"GIF89a", M.SIG_GIF),
    (b"II*\x00", M.SIG_TIFF),
    (b"MM\x00*", M.SIG_TIFF),
    (b"%PDF-", M.SIG_PDF),
    (b"PK\x03\x04", M.SIG_ZIP),
    (b"PK\x05\x06", M.SIG_EMPTY_ZIP),
    (b"\x1f\x8b\x08", M.SIG_GZIP),
    (b"\x28\xb5\x2f\xfd", M.SIG_ZSTD),
    (b"\xfd7zXZ\x00", M.SIG_XZ),
    (b"7z\xbc\xaf\x27\x1c", M.SIG_7Z),
    (b"Rar!\x1a\x07", M.SIG_RAR),
    (b"\x7fELF", M.SIG_ELF),
    (b"SQLite format 3\x00", M.SIG_SQLITE),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", M.SIG_OLE),
    (b"OggS\x00", M.SIG_OGG),
    (b"fLaC", M.SIG_FLAC),
)


class Detection(Record):
    """How to read one file: ``codec`` decodes what follows the ``bom`` (its length in bytes, 0
    without one); ``label`` is the name shown; ``confidence`` is 0-1 (None: the user named the
    encoding); ``doubt`` says why the detection should be checked ("" if it need not)."""

    __slots__ = ("codec", "label", "bom", "confidence", "doubt")

    def __init__(
        self, codec: str, label: str, bom: int = 0, confidence: float | None = 1.0, doubt: str = ""
    ) -> None:
        self.codec = codec
        self.label = label
        self.bom = bom
        self.confidence = confidence
        self.doubt = doubt

    @property
    def how(self) -> str:
        """``"plain ASCII"``, ``"as named"`` or ``"detected, 97%"``."""
        if self.label == "ascii":
            return M.HOW_ASCII
        if self.confidence is None:
            return M.HOW_NAMED
        return english(M.HOW_DETECTED, percent=f"{self.confidence:.0%}")

    @property
    def source_text(self) -> str:
        """``"gb18030 (97%)"``, ``"utf-16-le+BOM (100%)"``, ``"koi8-r (named)"``."""
        how = "named" if self.confidence is None else f"{self.confidence:.0%}"
        return f"{self.label}{'+BOM' if self.bom else ''} ({how})"


def canonical(name: str) -> str:
    """Python's name for an encoding (``"UTF8"`` -> ``"utf-8"``, ``"latin1"`` ->
    ``"iso8859-1"``). Raises ValueError with a sentence for an unknown or non-text codec."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(english(M.UNKNOWN_ENCODING, name=repr(name))) from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(english(M.NOT_A_TEXT_ENCODING, name=repr(name)))
    return info.name


def _not_text(what: str) -> FileError:
    return FileError(english(M.NOT_TEXT, what=what), Kind.NOT_TEXT)


def signature(head: bytes) -> str | None:
    """What known binary format ``head`` starts as, if any."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return M.SIG_BZIP2
    return None


def _wide_order(sample: bytes, width: int) -> str | None:
    """``"le"`` or ``"be"`` if ``sample`` reads as UTF-16 (``width`` 2) or UTF-32 (4) without a
    mark: its NUL bytes are where the high bytes of characters are, and it decodes to text."""
    n = len(sample) - len(sample) % width
    if n < 2 * width:
        return None
    units = n // width
    for order in ("le", "be"):
        high, low = (width - 1, 0) if order == "le" else (0, width - 1)
        if width == 4:
            if sample[high:n:4].count(0) != units:  # above U+10FFFF: not UTF-32
                continue
        else:
            nul_high, nul_low = sample[high:n:2].count(0), sample[low:n:2].count(0)
            if not nul_high or nul_low * 10 > nul_high:
                continue
        try:
            text = codecs.getincrementaldecoder(f"utf-{8 * width}-{order}")().decode(sample[:n])
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return order
    return None


_CONTROLS = frozenset(chr(c) for c in range(32)) - frozenset("\t\n\r\f\v\x1b")


def _looks_like_text(text: str) -> bool:
    """No NUL characters, and control characters in under 1% of it."""
    if not text or "\0" in text:
        return False
    controls = sum(1 for c in text[:65536] if c in _CONTROLS)
    return controls * 100 <= min(len(text), 65536)


def _trim(sample: bytes) -> bytes:
    """Cut a sample that stops inside the file after its last byte below 0x30 (space, line
    end, punctuation: never inside a multi-byte character of the encodings guessed here)."""
    for i in range(len(sample) - 1, max(len(sample) - 4096, 0) - 1, -1):
        if sample[i] < 0x30:
            return sample[: i + 1]
    return sample


def detect(sample: bytes, whole: bool, named: str | None = None) -> Detection:
    """How to read a file that starts with ``sample`` (``whole``: that is all of it).

    Raises FileError (:attr:`Kind.NOT_TEXT`) for binary data."""
    what = signature(sample)
    if what is not None:
        raise _not_text(english(M.THIS_IS, what=what))
    wanted = canonical(named) if named else None
    if wanted == "utf-8-sig":
        wanted = "utf-8"
    for bom, codec in BOMS:
        if sample.startswith(bom) and (wanted is None or codec.startswith(wanted)):
            return Detection(codec, codec, len(bom), None if wanted else 1.0)
    nul = sample.find(b"\0")
    if wanted is not None:
        if wanted in ("utf-16", "utf-32"):  # no mark: its pattern, else big-endian (as iconv)
            width = 2 if wanted == "utf-16" else 4
            wanted = f"{wanted}-{_wide_order(sample, width) or 'be'}"
        elif nul >= 0 and wanted not in WIDE:
            raise _not_text(english(M.NUL_NOT_IN, at=nul, codec=wanted))
        return Detection(wanted, wanted, 0, None)
    if nul >= 0:
        for width in (4, 2):
            order = _wide_order(sample, width)
            if order is not None:
                codec = f"utf-{8 * width}-{order}"
                return Detection(codec, codec)
        return _guess(sample, nul)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, whole)
    except UnicodeDecodeError:
        return _guess_prefix(sample if whole else _trim(sample))
    return Detection("utf-8", "ascii" if sample.isascii() else "utf-8")


def _guess_prefix(sample: bytes) -> Detection:
    """:func:`_guess`, or if nothing reads all of ``sample`` (a few bad bytes in it), what reads
    the longest half, quarter... of it: decoding then fails at the bad byte, with its offset."""
    try:
        return _guess(sample)
    except FileError:
        n = len(sample) // 2
        while n >= 256:
            part = _trim(sample[:n])
            try:
                d = _guess(part)
            except FileError:
                n //= 2
                continue
            d.doubt = d.doubt or english(M.FIRST_BYTES, count=len(part), codec=d.label)
            return d
        raise


def _guess(sample: bytes, nul: int = -1) -> Detection:
    """charset-normalizer's best reading (``nul``: where a NUL byte is: then only UTF-16 and
    UTF-32 are considered).

    Of the candidates that fit equally well the most widespread is taken, by the most widespread
    of the names that read it alike (a German Latin-1 text is cp1252, not cp1250)."""
    from charset_normalizer import from_bytes

    wide = nul >= 0
    isolation = ["utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be"] if wide else None
    matches = list(from_bytes(sample, cp_isolation=isolation))
    if wide:
        matches = [m for m in matches if _looks_like_text(str(m))]
    if not matches:
        if wide:
            raise _not_text(english(M.NUL_NOT_WIDE, at=nul))
        raise _not_text(M.NO_ENCODING_READS)
    best = matches[0]
    tied = [
        m
        for m in matches
        if abs(m.chaos - best.chaos) <= _TIE_CHAOS
        and abs(m.coherence - best.coherence) <= _TIE_COHERENCE
    ]
    chosen = min(tied, key=lambda m: _rank(_name(m)))
    codec = _name(chosen)
    confidence = max(0.0, 1.0 - chosen.chaos)
    non_ascii = len(sample) - len(sample.translate(None, _HIGH))
    doubt = ""
    if confidence < LOW_CONFIDENCE:
        doubt = english(M.GARBLED, codec=codec)
    else:
        others = [m for m in tied if m is not chosen and str(m) != str(chosen)]
        if others:
            doubt = english(M.FITS_AS_WELL, codec=_name(others[0]))
        elif non_ascii < THIN and not wide:
            doubt = english(M.FEW_NON_ASCII, count=non_ascii)
    return Detection(codec, codec, 0, confidence, doubt)


def _name(match: Any) -> str:
    """The most widespread of the encodings that read ``match``'s text alike."""
    names = []
    for n in [match.encoding, *match.could_be_from_charset]:
        try:
            names.append(canonical(n))
        except ValueError:
            continue
    return min(names, key=_rank) if names else canonical(match.encoding)


def _rank(codec: str) -> int:
    try:
        return _PREFERRED.index(codec)
    except ValueError:
        return len(_PREFERRED)


@functools.lru_cache(maxsize=64)
def ascii_compatible(codec: str) -> bool:
    """True if ``codec`` writes every ASCII character as that one byte (plain ASCII text is
    then already in it)."""
    try:
        return all(chr(i).encode(codec) == bytes([i]) for i in range(128))
    except UnicodeEncodeError:
        return False


def read_sample(path: str) -> tuple[bytes, bool]:
    """(first bytes, whether that is the whole file), for the dry run in the parent."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_SIZE + 1)
    return sample[:SAMPLE_SIZE], len(sample) <= SAMPLE_SIZE
