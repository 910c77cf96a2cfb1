"""What the image operation can write, and which format an output name means.

Pillow-free on purpose: the parent plans names from this table without importing Pillow; only
:func:`available` asks Pillow (lazily) whether AVIF can be written.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

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
