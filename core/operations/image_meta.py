"""Metadata and colour for the image operation: which EXIF and ICC profile an output keeps.

EXIF keeps the input's tags with the orientation reset to 1 (the pixels are turned upright) and the
pixel size updated; a TIFF input's own layout tags never leak into it. An ICC profile is kept only
when it describes the output's colour space; CMYK goes to sRGB through its embedded profile.
"""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION = 0x0112
_ICC_SPACE = {b"RGB ": ("RGB", "RGBA", "P"), b"GRAY": ("L", "LA", "I;16", "1")}


def cmyk_to_rgb(im: Image.Image, icc: bytes | None) -> tuple[Image.Image, None]:
    """Through the embedded CMYK profile to sRGB when there is one, else Pillow's formula."""
    if icc and icc[16:20] == b"CMYK":
        from PIL import ImageCms

        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            out = ImageCms.profileToProfile(im, src, dst, outputMode="RGB")
            if out is not None:
                return out, None
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return im.convert("RGB"), None


def icc_for(icc: bytes | None, mode: str) -> bytes | None:
    """Keep the profile only if it describes the output's colour space."""
    if not icc or len(icc) < 20:
        return None
    return icc if mode in _ICC_SPACE.get(icc[16:20], ()) else None


# A TIFF input's layout tags are not EXIF; nor are its ICC profile (kept separately), XMP (may
# hold a second orientation) and Photoshop blocks.
_TIFF_LAYOUT = frozenset(
    {256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 320, 322, 323, 324, 325, 330, 338, 339}
    | {700, 34377, 34675, 37724}
)

_SUB_IFDS = (0x8769, 0x8825, 0xA005)  # Exif, GPS and interoperability sub-directories


def exif_bytes(exif: Image.Exif, size: tuple[int, int], flat: bool) -> bytes | None:
    """The input's EXIF with the orientation reset to 1 and the pixel size updated. ``flat``
    keeps only the main directory (Pillow's libtiff writer cannot store sub-directories)."""
    if not exif:
        return None
    for tag in _TIFF_LAYOUT & set(exif):
        del exif[tag]
    if ORIENTATION in exif:
        exif[ORIENTATION] = 1
    if flat:
        main = Image.Exif()
        for tag, value in exif.items():
            if tag not in _SUB_IFDS:
                main[tag] = value
        exif = main
    elif 0x8769 in exif:
        sub = exif.get_ifd(0x8769)
        if 0xA002 in sub or 0xA003 in sub:
            sub[0xA002], sub[0xA003] = size
    return exif.tobytes() if exif else None
