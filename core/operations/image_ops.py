"""The Pillow pipeline of the image operation, run inside worker processes.

Open (decompression-bomb guard on, its warning treated as an error; HEIC/HEIF through pillow-heif,
registered on first need), pick the output size, decode (JPEG through ``draft`` when shrinking by
2x or more), turn upright by the EXIF orientation (the mapping of ``ImageOps.exif_transpose``),
convert colour modes for the output format (CMYK through its ICC profile, palettes, 16-bit grey,
alpha flattened on a background where the format has none) and resize with LANCZOS. Every decoding
failure becomes a :class:`core.records.FileError` with a sentence for the user.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from core import messages as M
from core.i18n import english
from core.operations.image_formats import DEFAULT_MAX_PIXELS, HEIF_EXTS, FormatSpec
from core.operations.image_meta import ORIENTATION, cmyk_to_rgb, exif_bytes, icc_for
from core.records import Cancelled, FileError, Kind

if TYPE_CHECKING:
    from core.operations.image import ImageOptions

PILLOW_LIMIT: int = DEFAULT_MAX_PIXELS  # the bomb limit when none is chosen (Pillow's default)
# Where the limit is changed, by both front ends (the window calls it "Pixel limit").
RAISE_LIMIT = M.RAISE_LIMIT
_BOMB_SIZE = re.compile(r"\((\d+) pixels\)")
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1"}
# Formats we open. Not EPS (Pillow would run Ghostscript on an untrusted file), WMF, or the
# scientific and stub formats. MPO (multi-picture JPEG from cameras) opens as JPEG.
_INPUTS = (
    *("JPEG", "PNG", "WEBP", "HEIF", "AVIF", "TIFF", "GIF", "BMP", "DIB", "JPEG2000", "PSD"),
    *("ICO", "CUR", "ICNS", "TGA", "PCX", "PPM", "QOI", "DDS", "SGI", "SUN", "BLP", "MSP"),
    *("XBM", "XPM", "IM"),
)
_ANIMATED = frozenset({"GIF", "WEBP", "PNG", "AVIF"})  # MPO and multi-page TIFF are no animation
_SHOWN = {"WEBP": "WebP"}
_heif: bool | None = None


@dataclass
class Prepared:
    """Decoded, upright, resized frames ready to save, with what the output should carry."""

    frames: list[Image.Image]
    source_size: tuple[int, int]  # upright input size
    icc: bytes | None = None
    durations: list[int] = field(default_factory=list)
    loop: int | None = None
    note: str = ""  # for the user, e.g. frames that the output format could not keep


def _heif_ready() -> bool:
    """Register pillow-heif's opener once per process; False if it is not installed."""
    global _heif
    if _heif is None:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
            _heif = True
        except ImportError:
            _heif = False
    return _heif


@contextlib.contextmanager
def decoding() -> Iterator[None]:
    """Turn what Pillow raises on bad input into a FileError with a clear reason."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Cancelled, FileError):
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise FileError(bomb_message(str(e)), Kind.TOO_LARGE) from None
        except UnidentifiedImageError:
            message = M.NOT_AN_IMAGE
            raise FileError(message, Kind.NOT_AN_IMAGE) from None
        except MemoryError:
            raise FileError(M.IMAGE_NO_MEMORY, Kind.TOO_LARGE) from None
        except OSError as e:
            what = M.TRUNCATED_IMAGE if "truncated" in str(e) else M.CANNOT_DECODE
            raise FileError(english(what, detail=e), Kind.DAMAGED) from None
        except Exception as e:  # plugins raise many types on damaged data (SyntaxError, ...)
            message = english(M.DAMAGED_IMAGE, name=type(e).__name__, detail=e)
            raise FileError(message, Kind.DAMAGED) from None


def pixel_limit() -> int:
    """The decompression-bomb limit in effect (set by :func:`open_image` for each file).

    Pillow refuses an image above twice ``MAX_IMAGE_PIXELS`` and only warns above it; the
    warning is an error here, so the limit really is ``MAX_IMAGE_PIXELS``."""
    return Image.MAX_IMAGE_PIXELS or PILLOW_LIMIT


def bomb_message(pillow_text: str) -> str:
    """The sentence for an image refused by the bomb guard (Pillow's own text states twice the
    limit when it raises instead of warning)."""
    m = _BOMB_SIZE.search(pillow_text)
    limit = f"{pixel_limit():,}"
    if m:
        pixels = f"{int(m.group(1)):,}"
        return english(M.IMAGE_BOMB_PIXELS, pixels=pixels, limit=limit, advice=RAISE_LIMIT)
    return english(M.IMAGE_BOMB, limit=limit, advice=RAISE_LIMIT)


def open_image(f: IO[bytes], path: str, max_pixels: int | None) -> Image.Image:
    """Open lazily (header only) with the bomb guard set to ``max_pixels`` (None: Pillow's)."""
    head = f.read(12)
    f.seek(0)
    is_heif = (head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS) or (
        os.path.splitext(path)[1].lower() in HEIF_EXTS
    )
    if is_heif and not _heif_ready():
        raise FileError(M.NO_HEIF)
    Image.MAX_IMAGE_PIXELS = max_pixels or PILLOW_LIMIT
    with decoding():
        return _open(f)


def _open(f: IO[bytes]) -> Image.Image:
    """Like Pillow: try the common plugins first, load all of them only if that fails."""
    Image.preinit()
    tried = [name for name in _INPUTS if name in Image.OPEN]
    try:
        return Image.open(f, formats=tried)
    except UnidentifiedImageError:
        Image.init()
        rest = [name for name in _INPUTS if name in Image.OPEN and name not in tried]
        if not rest:
            raise
        f.seek(0)
        return Image.open(f, formats=rest)


def target_size(size: tuple[int, int], options: ImageOptions) -> tuple[int, int]:
    """The output size for an upright input of ``size``; never outside the box."""
    w, h = size
    if options.scale is not None:
        factor = options.scale / 100
    elif options.max_width or options.max_height:
        factor = min(
            options.max_width / w if options.max_width else float("inf"),
            options.max_height / h if options.max_height else float("inf"),
        )
        if not options.enlarge:
            factor = min(factor, 1.0)
    else:
        return size
    return max(1, round(w * factor)), max(1, round(h * factor))


def prepare(
    im: Image.Image, spec: FormatSpec, options: ImageOptions, check_cancel: Callable[[], None]
) -> tuple[Prepared, bytes | None]:
    """Decode and transform ``im`` for ``spec``. Returns the frames and the EXIF to keep."""
    with decoding():
        exif = im.getexif()
        orientation = exif.get(ORIENTATION, 1)
        frames = getattr(im, "n_frames", 1)
    if orientation not in _TRANSPOSE:
        orientation = 1
    w, h = im.size
    upright = (h, w) if orientation >= 5 else (w, h)
    size = target_size(upright, options)
    limit = pixel_limit()
    if size[0] * size[1] > limit:  # enlarging is bounded like decoding
        raise FileError(
            english(
                M.OUTPUT_TOO_BIG,
                width=size[0],
                height=size[1],
                limit=f"{limit:,}",
                advice=RAISE_LIMIT,
            )
        )
    keep_exif = options.keep_metadata and spec.exif
    kept = exif_bytes(exif, size, flat=spec.name == "TIFF") if keep_exif else None
    icc = im.info.get("icc_profile")  # used for CMYK even when not kept
    keep_icc = options.keep_metadata and spec.icc
    animated = frames > 1 and options.frames == "all" and im.format in _ANIMATED
    if animated and spec.animation:
        out = _animation(im, size, orientation, frames, check_cancel)
        out.source_size = upright
        out.icc = icc_for(icc, out.frames[0].mode) if keep_icc else None
        return out, kept
    note = ""
    if animated:
        shown = _SHOWN.get(spec.name, spec.name)
        note = (
            f"animated {_SHOWN.get(str(im.format), im.format)} with {frames} frames: only the "
            f"first frame was written ({shown} has no animation)"
        )
    resizing = size != upright
    if resizing and im.format in ("JPEG", "MPO"):
        im.draft(None, (size[1], size[0]) if orientation >= 5 else size)
    with decoding():
        im.load()
    check_cancel()
    if orientation != 1:
        im = im.transpose(_TRANSPOSE[orientation])
    im = _pre(im, spec, resizing)
    if resizing:
        im = im.resize(size, Image.Resampling.LANCZOS)
    check_cancel()
    im, icc = _post(im, spec, options.background, icc)
    return Prepared([im], upright, icc_for(icc, im.mode) if keep_icc else None, note=note), kept


def _animation(
    im: Image.Image,
    size: tuple[int, int],
    orientation: int,
    count: int,
    check_cancel: Callable[[], None],
) -> Prepared:
    """Every frame, composited to RGBA, upright and resized; bounded by the pixel limit."""
    limit = pixel_limit()
    if count * size[0] * size[1] > limit:
        raise FileError(
            english(
                M.ANIMATION_TOO_BIG,
                frames=count,
                width=size[0],
                height=size[1],
                limit=f"{limit:,}",
                advice=RAISE_LIMIT,
            )
        )
    out = Prepared([], size)
    for i in range(count):
        with decoding():
            im.seek(i)
            frame = im.convert("RGBA")
        if orientation != 1:
            frame = frame.transpose(_TRANSPOSE[orientation])
        if frame.size != size:
            frame = frame.resize(size, Image.Resampling.LANCZOS)
        out.frames.append(frame)
        out.durations.append(int(im.info.get("duration", 100)))
        check_cancel()
    loop = im.info.get("loop")
    out.loop = int(loop) if loop is not None else None
    return out


def _pre(im: Image.Image, spec: FormatSpec, resizing: bool) -> Image.Image:
    """Modes that cannot be resized or saved as they are become RGB(A), L or 16-bit grey."""
    mode = im.mode
    try:
        if mode in ("P", "PA"):
            if spec.palette and not resizing:
                return im
            return im.convert("RGBA" if im.has_transparency_data else "RGB")
        if mode in ("L", "LA", "RGB", "RGBA", "CMYK", "I;16"):
            pass
        elif mode == "1":
            im = im.convert("L") if resizing else im
        elif mode.startswith("I") or mode == "F":
            im = im.convert("I;16") if mode.startswith("I;16") else im.convert("I").convert("I;16")
        else:
            im = im.convert("RGBA" if "A" in mode or "a" in mode else "RGB")
        if im.mode == "I;16" and not spec.sixteen_bit:
            im = im.point(lambda v: v / 256).convert("L")  # scale 16-bit to 8-bit, not clip
    except ValueError as e:
        raise FileError(english(M.CANNOT_CONVERT_MODE, mode=mode, detail=e)) from None
    return im


def _post(
    im: Image.Image, spec: FormatSpec, background: tuple[int, int, int], icc: bytes | None
) -> tuple[Image.Image, bytes | None]:
    """CMYK to RGB, palettes the format cannot hold to RGB(A), alpha flattened where needed."""
    if im.mode == "CMYK":
        im, icc = cmyk_to_rgb(im, icc)
    if im.mode in ("P", "PA") and not spec.palette:
        im = im.convert("RGBA" if im.has_transparency_data else "RGB")
    if im.mode in ("RGBA", "LA", "PA") and not spec.alpha:
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", im.size, background)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        im = flat
    return im, icc
