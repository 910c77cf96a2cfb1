"""Writing the image operation's outputs, inside worker processes.

Planned names go through ``ctx.atomic_output`` (temporary beside the target, then ``os.replace``).
Names with ``{width}``/``{height}`` are only known here: the image is written to the temporary name
of the planned *pattern* (so the engine's clean-up of killed workers finds it), then published
under the filled-in name with the job's collision policy, without clobbering (a hard link fails
if the name exists, even when another worker took it a moment ago).
"""

from __future__ import annotations

from typing import IO, Any

from PIL import Image

from core import messages as M
from core.i18n import english
from core.operations.image_formats import FormatSpec
from core.operations.image_ops import Prepared
from core.records import FileError, Kind

JPEG_EXIF_MAX = 65_000  # a JPEG APP1 segment holds at most 64 KiB


def save_params(
    spec: FormatSpec,
    prepared: Prepared,
    exif: bytes | None,
    quality: int,
    png_level: int,
    progressive: bool,
) -> tuple[dict[str, Any], str]:
    """Pillow ``save`` keywords for ``spec``, and a note for the user ("" if none)."""
    params: dict[str, Any] = {}
    note = ""
    name = spec.name
    if name == "JPEG":
        params.update(quality=quality, progressive=progressive)
        if exif and len(exif) > JPEG_EXIF_MAX:
            exif, note = None, "EXIF dropped: too large for JPEG"
    elif name == "PNG":
        params.update(compress_level=png_level, optimize=png_level >= 9)
    elif name in ("WEBP", "AVIF"):
        params["quality"] = quality
    elif name == "TIFF":
        params["compression"] = "tiff_lzw"
    # Always explicit: some writers fall back to the image's own info (PNG, TIFF, AVIF).
    params["exif"] = exif or b""
    params["icc_profile"] = prepared.icc or None
    if len(prepared.frames) > 1:
        params.update(save_all=True, append_images=prepared.frames[1:])
        params["duration"] = prepared.durations
        if name == "GIF":
            params["disposal"] = 2  # frames are whole pictures: clear before drawing the next
        if prepared.loop is not None or name == "WEBP":
            params["loop"] = prepared.loop if prepared.loop is not None else 1
    return params, note


def encode(f: IO[bytes], frame: Image.Image, spec: FormatSpec, params: dict[str, Any]) -> None:
    """Encode into ``f``; encoder failures become a FileError.

    A system error (a full disk, ...) carries an errno and passes through as the ``OSError`` it
    is: the caller words it with the output's name (see :func:`core.errors.describe_write_error`).
    """
    try:
        frame.save(f, spec.name, **params)
    except (ValueError, TypeError, KeyError, RuntimeError) as e:  # RuntimeError: libtiff
        said = english(M.CANNOT_ENCODE, format=spec.name, detail=e)
        raise FileError(said, Kind.OUTPUT_FAILED) from None
    except OSError as e:
        if e.errno is not None:
            raise
        said = english(M.CANNOT_ENCODE, format=spec.name, detail=e)
        raise FileError(said, Kind.OUTPUT_FAILED) from None
