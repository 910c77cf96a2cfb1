"""What the image operation can write, and which format an output name means.

Pillow-free on purpose: the parent plans names from this table without importing Pillow; only
:func:`available` asks Pillow (lazily) whether AVIF can be written.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from core import messages as M
from core.i18n import english

SAME = "same"  # keep each input's format (by its extension)
# The decompression-bomb limit when none is chosen: Pillow's default (its MAX_IMAGE_PIXELS), set
# on every open so that the limit in effect is exactly the one the help and the messages state.
DEFAULT_MAX_PIXELS = 89_478_485


@dataclass(frozen=True)
class FormatSpec:
    """One output format and what it can carry."""

    name: str  # Pillow's format name
    ext: str  # canonical extension, with the dot
    alpha: bool = True  # keeps transparency (else flattened on the background colour)
    animation: bool = False  # keeps frames with --frames all (PNG: as an animated PNG)
    quality: bool = False  # takes a 0-100 quality setting
    exif: bool = True
    icc: bool = True
    sixteen_bit: bool = False  # keeps 16-bit greyscale
    palette: bool = False  # writes palette ("P") images as they are


FORMATS: dict[str, FormatSpec] = {
    f.name: f
    for f in (
        FormatSpec("JPEG", ".jpg", alpha=False, quality=True),
        FormatSpec("PNG", ".png", animation=True, sixteen_bit=True, palette=True),  # APNG
        FormatSpec("WEBP", ".webp", animation=True, quality=True),
        FormatSpec("TIFF", ".tif", sixteen_bit=True, palette=True),
        FormatSpec("BMP", ".bmp", alpha=False, exif=False, icc=False),
        FormatSpec("GIF", ".gif", animation=True, exif=False, icc=False, palette=True),
        FormatSpec("AVIF", ".avif", quality=True),
    )
}

_BY_EXT = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".jfif": "JPEG",
    ".png": "PNG",
    ".apng": "PNG",
    ".webp": "WEBP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
    ".dib": "BMP",
    ".gif": "GIF",
    ".avif": "AVIF",
}
HEIF_EXTS = frozenset({".heic", ".heif", ".hif", ".heics", ".heifs"})
# Names of images Pillow reads (beyond what it writes here): taken without a look inside.
READ_EXTS = frozenset(_BY_EXT) | HEIF_EXTS | {
    ".ico", ".icns", ".cur", ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".psd", ".jp2", ".j2k",
    ".jpx", ".dds", ".pcx", ".xbm", ".qoi", ".sgi", ".im", ".msp", ".fits", ".blp", ".ras",
}  # fmt: skip
# Names that are certainly not images: skipped without a look inside. Any other name (none, or
# one we do not know) is decided by the file's first bytes.
NOT_IMAGE_EXTS = frozenset({
    ".txt", ".csv", ".tsv", ".json", ".xml", ".md", ".rst", ".log", ".ini", ".cfg", ".toml",
    ".yaml", ".yml", ".html", ".htm", ".css", ".js", ".py", ".c", ".h", ".cpp", ".java", ".rs",
    ".go", ".sh", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
    ".mkv", ".mp4", ".mov", ".avi", ".webm", ".m4v", ".wmv", ".flv", ".mp3", ".wav", ".flac",
    ".ogg", ".m4a", ".aac", ".opus", ".zip", ".gz", ".xz", ".zst", ".bz2", ".7z", ".rar",
    ".tar", ".tgz", ".iso", ".exe", ".dll", ".so", ".bin", ".db", ".sqlite", ".srt", ".ass",
    ".sha256", ".sha1", ".md5", ".b3", ".sfv", ".svg",
})  # fmt: skip
SIGNATURES = (
    b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*",
    b"BM", b"\x00\x00\x01\x00", b"qoif", b"8BPS", b"\x00\x00\x00\x0cjP  ",
)  # fmt: skip


def looks_like_image(head: bytes) -> bool:
    """Whether a file's first bytes are those of an image format Pillow reads."""
    if head.startswith(SIGNATURES):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    # ISO base media (HEIF, AVIF): "ftyp" then the brand
    return head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"avif",
                                                   b"avis", b"heim", b"heis", b"hevc"}  # fmt: skip


def not_an_image(path: str) -> str | None:
    """None if ``path`` looks like an image (by its name, else by its first bytes); else why
    not, for the user."""
    ext = os.path.splitext(path)[1].lower()
    if ext in READ_EXTS:
        return None
    if ext in NOT_IMAGE_EXTS:
        return english(M.NOT_AN_IMAGE_BY_NAME, ext=ext)
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None  # the worker says what is wrong with it
    if looks_like_image(head):
        return None
    if ext:
        return english(M.NOT_AN_IMAGE_BY_BYTES, ext=ext)
    return M.NOT_AN_IMAGE_BYTES


ALIASES = {"jpg": "JPEG", "tif": "TIFF"}


def parse_format(text: str) -> str:
    """``"jpg"`` -> ``"JPEG"``, ``"same"`` -> ``"same"``. Raises ValueError if unknown."""
    key = text.strip().lower()
    if key == SAME:
        return SAME
    name = ALIASES.get(key, key.upper())
    if name not in FORMATS:
        raise ValueError(f"unknown output format {text!r}; choose one of {', '.join(choices())}")
    return name


def choices() -> list[str]:
    """Format words for the CLI and the GUI, ``same`` first."""
    return [SAME, *(f.lower() for f in FORMATS)]


@functools.cache
def available() -> frozenset[str]:
    """Formats the installed Pillow can write (AVIF needs a Pillow built with libavif)."""
    from PIL import features

    names = set(FORMATS)
    if not features.check("avif"):
        names.discard("AVIF")
    return frozenset(names)


def output_ext(source: str, fmt: str) -> str:
    """The output extension for ``source``: the chosen format's, or under ``same`` the input's own
    (its spelling kept). Inputs we cannot write as themselves become JPEG (HEIC/HEIF photos) or
    PNG (anything else)."""
    if fmt != SAME:
        return FORMATS[fmt].ext
    ext = os.path.splitext(source)[1]
    name = _BY_EXT.get(ext.lower())
    if name is not None and (name != "AVIF" or name in available()):
        return ext
    return FORMATS["JPEG" if ext.lower() in HEIF_EXTS else "PNG"].ext


def spec_for_output(path: str) -> FormatSpec:
    """The format an output path is written in (decided by its extension at plan time)."""
    ext = os.path.splitext(path)[1].lower()
    return FORMATS[_BY_EXT.get(ext, "PNG")]
