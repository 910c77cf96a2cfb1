"""Command-line arguments of ``parabatch-cli image`` and their translation into ImageOptions.

The shared flags (``-w``, ``--json``, ``--include``/``--exclude``, ``--dry-run``, paths) belong
to ``core/cli.py``; this module adds only the image-specific ones. Values are checked by argparse
``type`` functions, so a bad value is a usage error naming the flag.
"""

from __future__ import annotations

import argparse

from core.i18n import _
from core.operations import image_formats as formats
from core.operations.image import FRAMES, ImageOptions
from core.operations.writing import add_output_arguments, naming_from_args

_DEFAULTS = ImageOptions()


def _int_in(low: int, high: int | None = None) -> type[int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"{low}-{high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range ({span})")
        return value

    parse.__name__ = "number"
    return parse  # type: ignore[return-value]


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not 0 < value <= 10_000:
        raise argparse.ArgumentTypeError("the scale must be above 0 and at most 10000 (%)")
    return value


def _format(text: str) -> str:
    try:
        return formats.parse_format(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parse_colour(text: str) -> tuple[int, int, int]:
    """``"white"``, ``"#fff"``, ``"#ff8800"``, ``"rgb(255,136,0)"`` or ``"255,136,0"``.

    Raises ValueError with a sentence for the user."""
    from PIL import ImageColor

    spec = text.strip()
    if spec.count(",") == 2 and "(" not in spec:
        spec = f"rgb({spec})"
    try:
        rgb = ImageColor.getrgb(spec)
    except ValueError:
        raise ValueError(f"not a colour: {text!r} (try white or #ffffff)") from None
    return rgb[0], rgb[1], rgb[2]


def _colour(text: str) -> tuple[int, int, int]:
    try:
        return parse_colour(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = _DEFAULTS
    g = parser.add_argument_group(_("conversion"))
    g.add_argument(
        "--format",
        type=_format,
        default=d.format,
        metavar="F",
        help=_(
            "output format: {formats} (default: same as the input; AVIF only if this Pillow "
            "supports it)"
        ).format(formats=", ".join(formats.choices())),
    )
    g.add_argument("--max-width", type=_int_in(1), metavar="W", help=_("fit within this width"))
    g.add_argument("--max-height", type=_int_in(1), metavar="H", help=_("fit within this height"))
    g.add_argument("--scale", type=_percent, metavar="PCT", help=_("scale by this percentage"))
    g.add_argument("--enlarge", action="store_true", help=_("let --max-width/height enlarge"))
    g.add_argument(
        "--quality", type=_int_in(0, 100), default=d.quality, metavar="Q",
        help=_("JPEG/WebP/AVIF quality 0-100 (default: %(default)s)"),
    )  # fmt: skip
    g.add_argument(
        "--png-level", type=_int_in(0, 9), default=d.png_level, metavar="N",
        help=_("PNG compression level 0-9; 9 also optimises (default: %(default)s)"),
    )  # fmt: skip
    g.add_argument("--progressive", action="store_true", help=_("write progressive JPEGs"))
    g.add_argument(
        "--strip-metadata", action="store_true", help=_("drop EXIF and the ICC colour profile")
    )
    g.add_argument(
        "--background", type=_colour, default=d.background, metavar="COLOUR",
        help=_("colour that transparency is flattened on for JPEG/BMP (default: white)"),
    )  # fmt: skip
    g.add_argument(
        "--frames", choices=FRAMES, default=d.frames,
        help=_("animated input: keep all frames (GIF, WebP or animated PNG output; other formats "
        "keep the first and say so) or take the first"),
    )  # fmt: skip
    g.add_argument(
        "--max-pixels", type=_int_in(1), metavar="N",
        help=_("decompression-bomb guard: refuse images with more pixels than N (default: "
        "{pixels}, Pillow's)").format(pixels=f"{formats.DEFAULT_MAX_PIXELS:,}"),
    )  # fmt: skip
    g.add_argument(
        "--any-file", action="store_true",
        help=_("try every file; by default only images are taken (by name, else by their first "
        "bytes) and the rest are skipped"),
    )  # fmt: skip
    add_output_arguments(
        parser,
        d.naming,
        fields="{name} {ext} {parent} {counter} {width} {height}",
        example="'{name}_{width}x{height}'",
    )


def options_from_args(args: argparse.Namespace) -> ImageOptions:
    """Raises ValueError with a sentence for the user for combinations argparse cannot check."""
    rule = naming_from_args(args)
    if args.scale is not None and (args.max_width or args.max_height):
        raise ValueError("--scale cannot be combined with --max-width/--max-height")
    return ImageOptions(
        format=args.format,
        max_width=args.max_width,
        max_height=args.max_height,
        scale=args.scale,
        enlarge=args.enlarge,
        quality=args.quality,
        png_level=args.png_level,
        progressive=args.progressive,
        keep_metadata=not args.strip_metadata,
        background=args.background,
        frames=args.frames,
        max_pixels=args.max_pixels,
        naming=rule,
        any_file=args.any_file,
    )
