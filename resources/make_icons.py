"""Regenerate the raster app icons from ``resources/icons/parabatch.svg``.

The SVG is the one source: each PNG size is rendered from it with QtSvg (vector rendering at every
size, so small icons stay crisp), then Pillow packs the Windows ``.ico`` and the macOS ``.icns``
from those renders. Run after editing the SVG and commit the results::

    .venv/bin/python resources/make_icons.py            # writes into resources/icons/
    .venv/bin/python resources/make_icons.py --out DIR  # writes elsewhere (tests)

This is a developer tool, not part of the app: it may import Qt and Pillow freely.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent / "icons"
SVG = ICONS / "parabatch.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry may be
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)  # what Pillow's ICNS writer stores


def png_name(size: int) -> str:
    """File name of the PNG rendered at ``size`` pixels square."""
    return f"parabatch-{size}.png"


def render(svg: Path, sizes: tuple[int, ...]) -> dict[int, Image.Image]:
    """Render ``svg`` at each size (square, transparent background) into RGBA Pillow images."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg} as SVG")
    images: dict[int, Image.Image] = {}
    for size in sizes:
        qimage = QImage(size, size, QImage.Format.Format_RGBA8888)
        qimage.fill(0)
        painter = QPainter(qimage)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        raw = bytes(qimage.constBits())
        images[size] = Image.frombuffer(
            "RGBA", (size, size), raw, "raw", "RGBA", qimage.bytesPerLine(), 1
        ).copy()
    del app  # keep the application alive until every render is done
    return images


def write_icons(out: Path, svg: Path = SVG) -> list[Path]:
    """Write every PNG size, ``parabatch.ico`` and ``parabatch.icns`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    images = render(svg, tuple(sorted(set(PNG_SIZES) | set(ICNS_SIZES))))
    written: list[Path] = []
    for size in PNG_SIZES:
        path = out / png_name(size)
        images[size].save(path, format="PNG", optimize=True)
        written.append(path)

    ico = out / "parabatch.ico"
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    written.append(ico)

    icns = out / "parabatch.icns"
    largest_icns = images[max(ICNS_SIZES)]
    largest_icns.save(
        icns,
        format="ICNS",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    written.append(icns)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG, help="source SVG (default: %(default)s)")
    parser.add_argument(
        "--out", type=Path, default=ICONS, help="output folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for path in write_icons(args.out, args.svg):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
