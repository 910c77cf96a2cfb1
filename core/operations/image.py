"""The "image" operation: convert and resize images with Pillow.

Parent side (Pillow-free unless AVIF is asked for): options and command-line arguments; naming,
the plan and the dry run come from the output-writing base (:mod:`core.operations.writing`).
Worker side: :meth:`ImageOperation.process` decodes and transforms with
:mod:`core.operations.image_ops`, encodes with :mod:`core.operations.image_write` and writes
through :func:`core.operations.writing.commit_output`.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core import messages as M
from core import naming
from core.errors import describe_write_error
from core.i18n import N_
from core.naming import Collision, NamingRule, PlannedOutput
from core.operations import image_formats as formats
from core.operations.base import ChunkLimits, Outcome, WorkerContext
from core.operations.writing import OutputOperation, commit_output
from core.records import FileError, Kind, Task

FRAMES = ("all", "first")


@dataclass(frozen=True)
class ImageOptions:
    """Everything a worker needs to convert one image; small and picklable.

    Resize: ``scale`` (percent) or a box of ``max_width``/``max_height`` (never enlarging unless
    ``enlarge``), or neither. ``format`` is a Pillow format name or ``"same"``. ``max_pixels``
    is the decompression-bomb limit (None: Pillow's default; the guard cannot be turned off).
    """

    format: str = formats.SAME
    max_width: int | None = None
    max_height: int | None = None
    scale: float | None = None
    enlarge: bool = False
    quality: int = 85
    png_level: int = 6
    progressive: bool = False
    keep_metadata: bool = True
    background: tuple[int, int, int] = (255, 255, 255)
    frames: str = "all"
    max_pixels: int | None = None
    naming: NamingRule = field(default_factory=NamingRule)
    any_file: bool = False  # try every file, not only those that look like images

    def __post_init__(self) -> None:
        object.__setattr__(self, "format", formats.parse_format(self.format))
        for label, value in (("max width", self.max_width), ("max height", self.max_height)):
            if value is not None and value < 1:
                raise ValueError(f"the {label} must be at least 1 pixel")
        if self.scale is not None and not 0 < self.scale <= 10_000:
            raise ValueError("the scale must be a percentage above 0 (at most 10000)")
        if self.scale is not None and (self.max_width or self.max_height):
            raise ValueError("choose either a scale or a maximum width/height, not both")
        if not 0 <= self.quality <= 100:
            raise ValueError("quality must be between 0 and 100")
        if not 0 <= self.png_level <= 9:
            raise ValueError("the PNG compression level must be between 0 and 9")
        if self.frames not in FRAMES:
            raise ValueError(f"frames must be one of {', '.join(FRAMES)}")
        if self.max_pixels is not None and self.max_pixels < 1:
            raise ValueError("the pixel limit must be positive (the bomb guard stays on)")
        if len(self.background) != 3 or not all(0 <= c <= 255 for c in self.background):
            raise ValueError("the background must be three values 0-255 (red, green, blue)")


@functools.lru_cache(maxsize=16)
def _deferred(template: str) -> bool:
    return naming.Template(template).deferred


class ImageOperation(OutputOperation):
    """Convert and resize images: formats, box or percent, quality, orientation, metadata."""

    name = "image"
    title = N_("Convert / resize images")
    help = N_("convert and resize images (JPEG, PNG, WebP, TIFF, BMP, GIF, AVIF; HEIC input)")
    options_type = ImageOptions
    # Each image is CPU-heavy: small chunks spread work evenly and a cancel loses little.
    limits = ChunkLimits(max_files=4, max_bytes=16 * 1024 * 1024, large_file=2 * 1024 * 1024)
    size_fields = True

    def output_ext(self, source: str, options: Any) -> str:
        return formats.output_ext(source, fmt=options.format)

    def accepts(self, path: str, options: Any) -> str | None:
        return formats.not_an_image(path)

    def check_options(self, options: Any) -> None:
        if options.format == "AVIF" and "AVIF" not in formats.available():
            raise FileError(M.NO_AVIF)

    # --- worker side -------------------------------------------------------------------------
    def process(self, task: Task, options: Any, ctx: WorkerContext) -> Outcome:
        from core.operations import image_ops, image_write

        if task.output is None:
            raise FileError(M.NO_OUTPUT_PLANNED)
        spec = formats.spec_for_output(task.output)
        deferred = _deferred(options.naming.template)
        with ctx.open_source(task.path) as f:
            im = image_ops.open_image(f, task.path, options.max_pixels)
            ctx.check_cancel()
            prepared, exif = image_ops.prepare(im, spec, options, ctx.check_cancel)
            ctx.report_bytes(task.size // 2)
            params, note = image_write.save_params(
                spec, prepared, exif, options.quality, options.png_level, options.progressive
            )
            first = prepared.frames[0]

            def write(out: Any) -> None:
                image_write.encode(out, first, spec, params)

            try:
                final, note2 = commit_output(
                    ctx,
                    task.output,
                    task.path,
                    write,
                    policy=Collision(options.naming.collision),
                    final=naming.size_name(task.output, *first.size) if deferred else None,
                )
            except OSError as e:
                target = naming.size_name(task.output, *first.size) if deferred else task.output
                raise FileError(describe_write_error(e, target), Kind.OUTPUT_FAILED) from None
        ctx.report_bytes(task.size)
        (w0, h0), (w, h) = prepared.source_size, first.size
        value = f"{w0}x{h0} → {w}x{h} {spec.name}"
        if len(prepared.frames) > 1:
            value += f", {len(prepared.frames)} frames"
        return Outcome(value, final, "; ".join(n for n in (prepared.note, note, note2) if n))

    # --- command line ------------------------------------------------------------------------
    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from core.operations import image_cli

        image_cli.add_arguments(parser)

    def options_from_args(self, args: argparse.Namespace) -> ImageOptions:
        """Raises ValueError with a sentence for the user (e.g. --scale with --max-width)."""
        from core.operations import image_cli

        return image_cli.options_from_args(args)


def plan_names(
    sources: Sequence[str], options: ImageOptions, root: str | None = None
) -> list[PlannedOutput]:
    """The image operation's planned outputs (see :meth:`OutputOperation.plan_names`)."""
    return ImageOperation().plan_names(sources, options, root)
