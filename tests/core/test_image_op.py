"""The "image" operation on real images made here with Pillow, run through the real engine (real
worker processes): orientation, colour modes, animation, bad files, the bomb guard, the resize
box, metadata, output planning and collisions, cancel."""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, features

from core import operations
from core.discover import scan
from core.engine import Engine, run_job
from core.naming import Collision, NamingRule
from core.operations import image_formats, image_ops
from core.operations.image import ImageOperation, ImageOptions
from core.outputs import PARTIAL_MARK
from core.records import FileError, FileResult, Kind, SkippedEntry, Status
from core.worker import Context
from tests.core.as_nobody import run_as_nobody, shared_dir
from tests.support import in_ci

OP = ImageOperation()
T = Image.Transpose
# The stored image for EXIF orientation k is the upright one under the inverse of k's transpose.
TO_STORED = {
    1: None,
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_90,
    7: T.TRANSVERSE,
    8: T.ROTATE_270,
}
QUADRANTS = {(0, 0): (255, 0, 0), (1, 0): (0, 255, 0), (0, 1): (0, 0, 255), (1, 1): (255, 255, 255)}


def photo(w: int, h: int) -> Image.Image:
    """Photo-like content: gradients plus noise."""
    grad = Image.linear_gradient("L")
    r, g = grad.resize((w, h)), grad.rotate(90).resize((w, h))
    return Image.merge("RGB", (r, g, Image.effect_noise((w, h), 50).convert("L")))


def quadrants(w: int, h: int) -> Image.Image:
    im = Image.new("RGB", (w, h))
    for (qx, qy), colour in QUADRANTS.items():
        im.paste(colour, (qx * w // 2, qy * h // 2, (qx + 1) * w // 2, (qy + 1) * h // 2))
    return im


def close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(engine: Engine, options: ImageOptions, *paths: Path) -> dict[str, FileResult]:
    """Plan and run a job; results by input file name."""
    plan = OP.plan(scan([str(p) for p in paths]), options)
    job, report = run_job(engine, "image", options, plan)
    assert report.error is None
    out = {}
    for task, result in zip(job.tasks, job.tracker.results, strict=True):
        assert result is not None and result.status.final
        out[Path(task.path).name] = result
    return out


def opts(out: Path, **kw: object) -> ImageOptions:
    rule = kw.pop("naming", None) or NamingRule(output_dir=str(out))
    return ImageOptions(naming=rule, **kw)  # type: ignore[arg-type]


def output_of(r: FileResult, load: bool = True) -> Image.Image:
    """The output image, read from memory (no file left open)."""
    assert r.status == Status.DONE, r.message
    assert r.output is not None
    im = Image.open(io.BytesIO(Path(r.output).read_bytes()))
    if load:
        im.load()
    return im


def test_registered_with_small_chunks() -> None:
    op = operations.get("image")
    assert isinstance(op, ImageOperation) and op.options_type is ImageOptions
    assert op.limits.max_files == 4 and op.limits.large_file <= 4 << 20


def test_every_exif_orientation_comes_out_upright(engine: Engine, tmp_path: Path) -> None:
    upright = quadrants(240, 160)
    paths = []
    for k, method in TO_STORED.items():
        stored = upright if method is None else upright.transpose(method)
        exif = Image.Exif()
        exif[image_ops.ORIENTATION] = k
        paths.append(tmp_path / f"o{k}.jpg")
        stored.save(paths[-1], quality=95, exif=exif.tobytes())
    before = [digest(p) for p in paths]
    results = run(engine, opts(tmp_path / "out", format="jpeg", max_width=120), *paths)
    for k in TO_STORED:
        r = results[f"o{k}.jpg"]
        im = output_of(r)
        assert im.size == (120, 80), k
        assert r.value == "240x160 → 120x80 JPEG"
        for (qx, qy), colour in QUADRANTS.items():
            assert close(im.getpixel((30 + 60 * qx, 20 + 40 * qy)), colour), (k, qx, qy)  # type: ignore[arg-type]
        assert im.getexif().get(image_ops.ORIENTATION) == 1
    assert [digest(p) for p in paths] == before


def test_alpha_is_flattened_on_the_chosen_background(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    im = Image.new("RGBA", (40, 20), (255, 0, 0, 255))
    im.paste((0, 0, 0, 0), (20, 0, 40, 20))
    im.save(src)
    white = output_of(run(engine, opts(tmp_path / "w", format="jpeg"), src)["a.png"])
    black = output_of(
        run(engine, opts(tmp_path / "b", format="jpeg", background=(0, 0, 0)), src)["a.png"]
    )
    assert white.mode == black.mode == "RGB"
    assert close(white.getpixel((5, 10)), (255, 0, 0)) and close(
        black.getpixel((5, 10)), (255, 0, 0)
    )  # type: ignore[arg-type]
    assert close(white.getpixel((35, 10)), (255, 255, 255))  # type: ignore[arg-type]
    assert close(black.getpixel((35, 10)), (0, 0, 0))  # type: ignore[arg-type]


def make_mode_inputs(d: Path) -> None:
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(d / "cmyk.jpg", quality=95)
    pal = Image.new("P", (64, 48), 1)
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    pal.paste(0, (32, 0, 64, 48))
    pal.save(d / "pal.png", transparency=0)
    Image.new("I;16", (64, 48), 40000).save(d / "deep.png")
    Image.new("LA", (64, 48), (100, 255)).save(d / "la.png")
    Image.new("1", (64, 48), 1).save(d / "bw.png")


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_cmyk_palette_16_bit_and_other_modes_convert(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    make_mode_inputs(tmp_path)
    names = ["cmyk.jpg", "pal.png", "deep.png", "la.png", "bw.png"]
    res = run(engine, opts(tmp_path / "out", format=fmt), *(tmp_path / n for n in names))
    outs = {n: output_of(res[n]) for n in names}
    assert all(im.size == (64, 48) for im in outs.values())
    red = outs["cmyk.jpg"].convert("RGB").getpixel((10, 10))
    assert close(red, (255, 0, 0), 60), red  # type: ignore[arg-type]
    assert close(outs["pal.png"].convert("RGBA").getpixel((10, 10)), (255, 0, 0, 255))  # type: ignore[arg-type]
    clear = outs["pal.png"].convert("RGBA").getpixel((40, 10))
    deep = outs["deep.png"]
    if fmt == "jpeg":
        assert close(clear, (255, 255, 255, 255))  # type: ignore[arg-type]
        assert deep.mode == "L" and close((deep.getpixel((1, 1)),), (156,), 2)  # type: ignore[arg-type]
    else:
        assert clear[3] == 0  # type: ignore[index]
    if fmt == "png":
        assert outs["pal.png"].mode == "P"  # a palette stays a palette when not resized
        assert deep.mode == "I;16" and deep.getpixel((1, 1)) == 40000
    if fmt == "webp":
        assert close(deep.getpixel((1, 1)), (156, 156, 156), 3)  # type: ignore[arg-type]


CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@pytest.mark.skipif(
    not CMYK_PROFILE.is_file() and not in_ci(),
    reason="no CMYK ICC profile (apt-get install libgs-common)",
)
def test_cmyk_goes_through_its_profile_even_when_metadata_is_stripped(
    engine: Engine, tmp_path: Path
) -> None:
    src = tmp_path / "print.jpg"
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(
        src, quality=95, icc_profile=CMYK_PROFILE.read_bytes()
    )
    kept = output_of(run(engine, opts(tmp_path / "k", format="png"), src)["print.jpg"])
    bare = run(engine, opts(tmp_path / "s", format="png", keep_metadata=False), src)
    stripped = output_of(bare["print.jpg"])
    assert kept.mode == stripped.mode == "RGB"
    assert "icc_profile" not in kept.info  # a CMYK profile never labels RGB pixels
    assert kept.getpixel((5, 5)) == stripped.getpixel((5, 5))
    assert close(kept.getpixel((5, 5)), (237, 28, 36), 50)  # type: ignore[arg-type]


def animated_gif(path: Path) -> None:
    frames = [Image.new("RGB", (80, 40), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0)


@pytest.mark.parametrize(
    ("fmt", "frames", "count"),
    [
        ("gif", "all", 3),
        ("webp", "all", 3),
        ("png", "all", 3),  # an animated PNG (APNG)
        ("jpeg", "all", 1),
        ("gif", "first", 1),
        ("png", "first", 1),
    ],
)
def test_animation_keeps_frames_where_the_format_can(
    engine: Engine, tmp_path: Path, fmt: str, frames: str, count: int
) -> None:
    src = tmp_path / "anim.gif"
    animated_gif(src)
    r = run(engine, opts(tmp_path / "out", format=fmt, frames=frames, max_width=40), src)[
        "anim.gif"
    ]
    im = output_of(r)
    assert getattr(im, "n_frames", 1) == count
    assert im.size == (40, 20)
    assert close(im.convert("RGB").getpixel((20, 10)), (255, 0, 0))  # type: ignore[arg-type]
    if count == 3:
        assert r.value.endswith(", 3 frames")
        durations = []
        im = output_of(r, load=False)
        for i in range(3):
            im.seek(i)
            im.load()
            durations.append(im.info["duration"])
            want = ((255, 0, 0), (0, 255, 0), (0, 0, 255))[i]
            assert close(im.convert("RGB").getpixel((20, 10)), want), i  # type: ignore[arg-type]
        assert durations == [100, 200, 300]


def test_animated_gif_becomes_an_animated_png_with_every_frame(
    engine: Engine, tmp_path: Path
) -> None:
    src = tmp_path / "spin.gif"
    colours = [(20 * i, 255 - 20 * i, (70 * i) % 256) for i in range(12)]
    frames = [Image.new("RGB", (30, 20), c) for c in colours]
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=50, loop=0)
    with Image.open(src) as original:
        assert original.n_frames == 12
    r = run(engine, opts(tmp_path / "out", format="png"), src)["spin.gif"]
    assert r.value == "30x20 → 30x20 PNG, 12 frames" and r.message == ""
    im = output_of(r, load=False)
    assert im.format == "PNG" and getattr(im, "n_frames", 1) == 12
    assert im.info.get("loop") == 0
    for i, colour in enumerate(colours):
        im.seek(i)
        assert close(im.convert("RGB").getpixel((15, 10)), colour), i  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["jpeg", "bmp", "tiff"])
def test_animation_the_format_cannot_hold_keeps_the_first_frame_and_says_so(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    src = tmp_path / "anim.gif"
    animated_gif(src)
    r = run(engine, opts(tmp_path / "out", format=fmt), src)["anim.gif"]
    im = output_of(r)
    assert getattr(im, "n_frames", 1) == 1
    assert close(im.convert("RGB").getpixel((40, 20)), (255, 0, 0))  # type: ignore[arg-type]
    name = image_formats.FORMATS[image_formats.parse_format(fmt)].name
    assert r.message == (
        f"animated GIF with 3 frames: only the first frame was written ({name} has no animation)"
    )
    first = run(engine, opts(tmp_path / "o2", format=fmt, frames="first"), src)["anim.gif"]
    assert first.status == Status.DONE and first.message == ""  # asked for: nothing to say


def test_multi_picture_jpeg_is_not_an_animation(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "camera.jpg"
    photo(200, 100).save(src, "MPO", save_all=True, append_images=[photo(100, 50)])
    with Image.open(src) as im:
        assert im.format == "MPO" and getattr(im, "n_frames", 1) == 2
    r = run(engine, opts(tmp_path / "out", format="gif", max_width=50), src)["camera.jpg"]
    im = output_of(r)
    assert getattr(im, "n_frames", 1) == 1 and im.size == (50, 25)
    assert r.value == "200x100 → 50x25 GIF"


def test_bad_files_fail_with_reasons_and_the_rest_succeed(engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    photo(400, 300).save(good, quality=90)
    data = good.read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.jpg").write_text("this is not a picture\n")
    (tmp_path / "empty.png").write_bytes(b"")
    photo(40, 30).save(tmp_path / "vector.eps")  # never handed to Ghostscript
    photo(300, 400).save(tmp_path / "good2.png")
    srcs = sorted(tmp_path.glob("*.*"))
    before = {p.name: digest(p) for p in srcs}
    res = run(engine, opts(tmp_path / "out", format="webp", max_width=100), *srcs)
    assert res["good.jpg"].status == res["good2.png"].status == Status.DONE
    assert res["cut.jpg"].status == Status.FAILED
    assert res["cut.jpg"].message.startswith("truncated image")
    for name in ("text.jpg", "empty.png"):  # named as images: tried, and they fail
        assert res[name].status == Status.FAILED
        assert res[name].message == "not an image, or not a format this operation reads"
    # PostScript is not read (it would need Ghostscript): skipped before Start, by its bytes.
    assert res["vector.eps"].status == Status.SKIPPED
    assert res["vector.eps"].kind == Kind.NOT_SUPPORTED
    assert {p.name: digest(p) for p in srcs} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.webp", "good2.webp"]


def png_bomb(path: Path, w: int, h: int, rows: int | None = None) -> None:
    """A valid greyscale PNG of zeros, compressed row by row (small file, huge image); with
    ``rows`` only that many rows are stored (the header still claims ``h``)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    z = zlib.compressobj(9)
    row = bytes(w + 1)
    idat = b"".join(z.compress(row) for _ in range(h if rows is None else rows)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_guard_trips_before_decoding(engine: Engine, tmp_path: Path) -> None:
    png_bomb(tmp_path / "warn.png", 10_000, 10_000)  # 1x-2x Pillow's limit: a warning, fatal here
    png_bomb(tmp_path / "huge.png", 40_000, 40_000, rows=10)  # over 2x: DecompressionBombError
    photo(100, 100).save(tmp_path / "fine.png")
    assert (tmp_path / "warn.png").stat().st_size < 200_000
    res = run(engine, opts(tmp_path / "out", format="jpeg"), *sorted(tmp_path.glob("*.png")))
    for name, pixels in (("warn.png", "100,000,000"), ("huge.png", "1,600,000,000")):
        assert res[name].status == Status.FAILED
        assert res[name].message == (  # the limit in effect, even where Pillow states twice it
            f"refused: the image has {pixels} pixels, larger than the limit of 89,478,485 pixels "
            "(a decompression-bomb guard); if you trust this file, raise the limit with "
            "--max-pixels (or the Pixel limit in the window)"
        )
    assert res["fine.png"].status == Status.DONE
    low = run(engine, opts(tmp_path / "o2", max_pixels=5_000), tmp_path / "fine.png")["fine.png"]
    assert low.status == Status.FAILED
    assert "has 10,000 pixels, larger than the limit of 5,000 pixels" in low.message
    twice = run(engine, opts(tmp_path / "o4", max_pixels=3_000), tmp_path / "fine.png")["fine.png"]
    assert "larger than the limit of 3,000 pixels" in twice.message  # Pillow's error says 6000
    big = opts(tmp_path / "o3", scale=1000, max_pixels=500_000)  # 100x100 -> 1000x1000
    r = run(engine, big, tmp_path / "fine.png")["fine.png"]
    assert r.status == Status.FAILED
    assert r.message.startswith("the output would be 1000x1000, above the limit of 500,000")
    assert "--max-pixels" in r.message


def test_help_and_messages_state_the_same_pixel_limit() -> None:
    parser = argparse.ArgumentParser()
    OP.add_arguments(parser)
    help_text = " ".join(parser.format_help().split())
    assert "(default: 89,478,485, Pillow's)" in help_text
    assert "89,478,485" in image_ops.bomb_message("Image size (99 pixels) exceeds limit of 2")
    fresh = subprocess.run(  # Pillow's own default, untouched by the opens of this process
        [sys.executable, "-c", "from PIL import Image; print(Image.MAX_IMAGE_PIXELS)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(fresh.stdout) == image_formats.DEFAULT_MAX_PIXELS == image_ops.PILLOW_LIMIT


@pytest.mark.parametrize(
    ("kw", "sizes"),
    [
        ({"max_width": 64, "max_height": 48}, [(64, 43), (32, 48), (64, 48), (20, 10), (1, 48)]),
        ({"max_width": 64}, [(64, 43), (64, 96), (64, 48), (20, 10), (2, 120)]),
        (
            {"max_width": 64, "max_height": 48, "enlarge": True},
            [(64, 43), (32, 48), (64, 48), (64, 32), (1, 48)],
        ),
        ({"scale": 50}, [(150, 100), (100, 150), (40, 30), (10, 5), (1, 60)]),
    ],
)
def test_outputs_fit_the_box(
    engine: Engine, tmp_path: Path, kw: dict[str, object], sizes: list[tuple[int, int]]
) -> None:
    inputs = [(300, 200), (200, 300), (80, 60), (20, 10), (2, 120)]
    paths = []
    for i, (w, h) in enumerate(inputs):
        paths.append(tmp_path / f"in{i}.jpg")
        photo(w, h).save(paths[-1], quality=90)
    res = run(engine, opts(tmp_path / "out", **kw), *paths)
    got = [output_of(res[p.name]).size for p in paths]
    assert got == sizes
    box_w, box_h = kw.get("max_width"), kw.get("max_height")
    assert all(w <= (box_w or w) and h <= (box_h or h) for w, h in got)  # type: ignore[operator]


def test_metadata_is_kept_upright_or_stripped(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "meta.jpg"
    exif = Image.Exif()
    exif[image_ops.ORIENTATION] = 6
    exif[0x010F] = "ParabatchCam"  # Make
    exif.get_ifd(0x8769)[0x9003] = "2024:05:06 07:08:09"  # DateTimeOriginal, in the Exif IFD
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo(300, 200).save(src, quality=90, exif=exif.tobytes(), icc_profile=icc)
    kept = output_of(run(engine, opts(tmp_path / "k", progressive=True), src)["meta.jpg"])
    assert kept.size == (200, 300)
    assert kept.getexif().get(0x010F) == "ParabatchCam"
    assert kept.getexif().get_ifd(0x8769).get(0x9003) == "2024:05:06 07:08:09"
    assert kept.getexif().get(image_ops.ORIENTATION) == 1
    assert kept.info.get("icc_profile") == icc and kept.info.get("progressive")
    bare = output_of(run(engine, opts(tmp_path / "s", keep_metadata=False), src)["meta.jpg"])
    assert bare.size == (200, 300)
    assert not bare.getexif() and "icc_profile" not in bare.info
    assert not bare.info.get("progressive")


@pytest.mark.parametrize("fmt", ["png", "webp", "tiff"])
def test_metadata_in_other_formats(engine: Engine, tmp_path: Path, fmt: str) -> None:
    """TIFF keeps the main EXIF directory only (Pillow's libtiff writer cannot store the
    Exif sub-directory); its own layout tags and ICC tag never leak into the EXIF."""
    exif = Image.Exif()
    exif[image_ops.ORIENTATION] = 8
    exif[0x010F] = "ParabatchCam"
    exif.get_ifd(0x8769)[0x9003] = "2024:05:06 07:08:09"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for name in ("m.jpg", "m.tif"):
        photo(60, 40).save(tmp_path / name, exif=exif.tobytes(), icc_profile=icc)
    res = run(engine, opts(tmp_path / "out", format=fmt), tmp_path / "m.jpg", tmp_path / "m.tif")
    for r in res.values():
        out = output_of(r)
        assert out.size == (40, 60) and out.info.get("icc_profile") == icc
        got = out.getexif()
        assert got.get(0x010F) == "ParabatchCam" and got.get(image_ops.ORIENTATION) in (None, 1)
        assert fmt == "tiff" or (34675 not in got and 0x8769 in got)  # a TIFF has its own
    photo(60, 40).save(tmp_path / "m.png", exif=exif.tobytes(), icc_profile=icc)
    srcs = [tmp_path / n for n in ("m.jpg", "m.tif", "m.png")]
    for r in run(engine, opts(tmp_path / "bare", format=fmt, keep_metadata=False), *srcs).values():
        out = output_of(r)  # writers that fall back to the image's own info must not leak it
        assert "icc_profile" not in out.info and out.getexif().get(0x010F) is None


@pytest.mark.parametrize(
    ("policy", "status", "names"),
    [
        (Collision.SKIP, Status.SKIPPED, ["a.jpg"]),
        (Collision.OVERWRITE, Status.DONE, ["a.jpg"]),
        (Collision.RENAME, Status.DONE, ["a (1).jpg", "a.jpg"]),
    ],
)
@pytest.mark.parametrize("template", ["{name}", "{name}_{width}x{height}"])
def test_existing_outputs_follow_the_policy(
    engine: Engine,
    tmp_path: Path,
    policy: Collision,
    status: Status,
    names: list[str],
    template: str,
) -> None:
    """Plan-time names are resolved by the plan, size-dependent ones in the worker."""
    photo(120, 80).save(tmp_path / "a.png")
    out = tmp_path / "out"
    out.mkdir()
    existing = out / ("a.jpg" if template == "{name}" else "a_60x40.jpg")
    existing.write_bytes(b"old")
    rule = NamingRule(output_dir=str(out), template=template, collision=policy)
    r = run(engine, opts(out, naming=rule, format="jpeg", max_width=60), tmp_path / "a.png")[
        "a.png"
    ]
    assert r.status == status, r.message
    stem = existing.name[:-4]
    assert sorted(p.name for p in out.iterdir()) == [n.replace("a", stem, 1) for n in names]
    if policy is Collision.SKIP:
        assert existing.read_bytes() == b"old" and "exists" in r.message
    elif policy is Collision.OVERWRITE:
        assert r.output == str(existing) and output_of(r).size == (60, 40)
        assert r.message == ("overwrite: exists" if template != "{name}" else "")
    else:
        assert r.output == str(out / f"{stem} (1).jpg") and existing.read_bytes() == b"old"


def test_two_inputs_with_one_output_name_and_the_source_guard(
    engine: Engine, tmp_path: Path
) -> None:
    photo(50, 40).save(tmp_path / "a.png")
    photo(40, 50).save(tmp_path / "a.gif")
    photo(30, 30).save(tmp_path / "b.jpg", quality=90)
    srcs = [tmp_path / "a.gif", tmp_path / "a.png", tmp_path / "b.jpg"]
    before = {p.name: digest(p) for p in srcs}
    rule = NamingRule(collision=Collision.OVERWRITE)  # beside the inputs
    res = run(engine, opts(tmp_path, naming=rule, format="jpeg"), *srcs)
    assert res["a.gif"].output == str(tmp_path / "a.jpg")
    assert res["a.png"].output == str(tmp_path / "a (1).jpg")
    assert res["b.jpg"].status == Status.FAILED
    assert res["b.jpg"].message.startswith("refused: output would overwrite a source file")
    assert {p.name: digest(p) for p in srcs} == before


def test_dry_run_lists_pairs_and_collisions_without_writing(tmp_path: Path) -> None:
    photo(10, 10).save(tmp_path / "a.png")
    photo(10, 10).save(tmp_path / "a.gif")
    rule = NamingRule(output_dir=str(tmp_path / "out"), collision=Collision.SKIP)
    rows = OP.dry_run(scan([str(tmp_path)]), opts(tmp_path, naming=rule, format="webp"))
    assert rows == [
        (str(tmp_path / "a.gif"), str(tmp_path / "out/a.webp"), ""),
        (str(tmp_path / "a.png"), None, "skip: same output as a.gif"),
    ]
    assert not (tmp_path / "out").exists()


def test_same_format_keeps_each_inputs_format(engine: Engine, tmp_path: Path) -> None:
    for name in ("p.PNG", "j.jpeg", "t.tiff", "b.bmp", "w.webp"):
        photo(60, 40).save(tmp_path / name)
    res = run(engine, opts(tmp_path / "out", max_width=30), *sorted(tmp_path.glob("*.*")))
    fmts = {n: (Path(r.output or "").name, output_of(r).format) for n, r in res.items()}
    assert fmts == {
        "p.PNG": ("p.PNG", "PNG"),
        "j.jpeg": ("j.jpeg", "JPEG"),
        "t.tiff": ("t.tiff", "TIFF"),
        "b.bmp": ("b.bmp", "BMP"),
        "w.webp": ("w.webp", "WEBP"),
    }


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow cannot write AVIF")
def test_avif_output(engine: Engine, tmp_path: Path) -> None:
    photo(64, 48).save(tmp_path / "a.png")
    r = run(engine, opts(tmp_path / "out", format="avif", quality=60), tmp_path / "a.png")["a.png"]
    assert output_of(r).format == "AVIF" and r.value == "64x48 → 64x48 AVIF"


def test_heic_input_through_pillow_heif(engine: Engine, tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    heif = pillow_heif.from_pillow(Image.new("RGB", (64, 48), (255, 0, 0)))
    heif.save(buf, quality=90)
    (tmp_path / "h.heic").write_bytes(buf.getvalue())
    r = run(engine, opts(tmp_path / "out"), tmp_path / "h.heic")["h.heic"]
    im = output_of(r)
    assert Path(r.output or "").name == "h.jpg" and im.size == (64, 48)
    assert close(im.getpixel((5, 5)), (255, 0, 0), 50)  # type: ignore[arg-type]


def test_heic_without_pillow_heif_fails_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The missing-library branch, in this process (the real engine always has pillow-heif)."""
    path = tmp_path / "h.heic"
    path.write_bytes(b"\0\0\0\x18ftypheic" + bytes(20))
    monkeypatch.setattr(image_ops, "_heif", False)
    with open(path, "rb") as f, pytest.raises(FileError, match=r"HEIF support \(pillow-heif\)"):
        image_ops.open_image(f, str(path), None)


def test_process_in_this_process_through_the_real_context(tmp_path: Path) -> None:
    """Quick path used while developing: the worker's real Context, no pool."""
    photo(90, 60).save(tmp_path / "a.png")
    options = opts(tmp_path / "out", format="gif", max_height=30)
    plan = OP.plan(scan([str(tmp_path / "a.png")]), options)
    out = OP.process(plan.tasks[0], options, Context(job_id=1, queue=None))
    assert out.value == "90x60 → 45x30 GIF" and out.output == str(tmp_path / "out/a.gif")


@pytest.mark.parametrize("template", ["{name}", "{name}_{width}x{height}"])
def test_cancel_leaves_no_partial_outputs(engine: Engine, tmp_path: Path, template: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    photo(1600, 1200).save(src / "p0.jpg", quality=90)
    for i in range(1, 40):
        (src / f"p{i}.jpg").write_bytes((src / "p0.jpg").read_bytes())
    out = tmp_path / "out"
    rule = NamingRule(output_dir=str(out), template=template)
    options = opts(out, naming=rule, format="png", png_level=9, scale=90)
    plan = OP.plan(scan([str(src)]), options)

    def cancel_after_first(job: object) -> None:
        if job.tracker.counts[Status.DONE] >= 1:  # type: ignore[attr-defined]
            job.cancel()  # type: ignore[attr-defined]

    job, report = run_job(engine, "image", options, plan, on_tick=cancel_after_first, tick=0.02)
    assert report.cancelled
    counts = job.tracker.counts
    assert counts[Status.DONE] >= 1 and counts[Status.CANCELLED] >= 1
    assert counts[Status.DONE] + counts[Status.CANCELLED] == 40
    written = sorted(p.name for p in out.iterdir())
    assert not [n for n in written if ".partial-" in n]
    done = [r for r in job.tracker.results if r is not None and r.status == Status.DONE]
    assert {Path(r.output or "").name for r in done} <= set(written)
    for name in written:
        with Image.open(out / name) as im:
            im.load()


def test_command_line_arguments() -> None:
    parser = argparse.ArgumentParser()
    OP.add_arguments(parser)
    args = parser.parse_args(
        [
            *("--format", "jpg", "--max-width", "1024", "--max-height", "768"),
            *("--quality", "80", "--strip-metadata", "--output-dir", "out"),
            *("--name", "{name}_{width}", "--mirror-tree", "--on-collision", "skip"),
            *("--background", "#102030", "--png-level", "9", "--progressive"),
            *("--frames", "first", "--max-pixels", "1000"),
        ]
    )
    o = OP.options_from_args(args)
    assert (o.format, o.max_width, o.max_height, o.quality, o.keep_metadata) == (
        "JPEG",
        1024,
        768,
        80,
        False,
    )
    assert (o.background, o.png_level, o.progressive, o.frames, o.max_pixels) == (
        (16, 32, 48),
        9,
        True,
        "first",
        1000,
    )
    assert o.naming.collision is Collision.SKIP and o.naming.mirror_tree
    assert o.naming.output_dir is not None and o.naming.output_dir.endswith("out")
    defaults = OP.options_from_args(parser.parse_args([]))
    assert defaults == ImageOptions()
    for bad in (["--quality", "101"], ["--format", "psd"], ["--name", "{size}"], ["--scale", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
    with pytest.raises(ValueError, match="--scale cannot be combined"):
        OP.options_from_args(parser.parse_args(["--scale", "50", "--max-width", "9"]))


# --- output folders, checked before the run ------------------------------------------------------


def test_output_folder_that_cannot_be_written_is_refused_at_plan_time() -> None:
    """As the user nobody: a folder of root's (mode 755) cannot take outputs, nor new folders."""
    with shared_dir() as base:
        src = base / "in" / "a.png"
        src.parent.mkdir()
        photo(20, 10).save(src)
        src.chmod(0o000)  # never read: the refusal comes first
        open_dir = base / "open"
        open_dir.mkdir()
        open_dir.chmod(0o777)
        closed = base / "closed"
        closed.mkdir()
        cases = {
            str(closed): f"cannot write into the output folder {closed}: permission denied; "
            "choose another output folder or change its permissions",
            str(closed / "new" / "deeper"): f"cannot create the output folder {closed}/new/deeper "
            f"in {closed}: permission denied; choose another output folder or change the "
            f"permissions of {closed}",
        }
        for out, message in cases.items():
            with pytest.raises(FileError) as e:
                run_as_nobody("core.operations.image:plan_names", [str(src)], opts(Path(out)))
            assert str(e.value) == message
        beside = ImageOptions(format="jpeg")  # beside the input, in root's folder "in"
        with pytest.raises(FileError, match=f"output folder {base / 'in'}: permission denied"):
            run_as_nobody("core.operations.image:plan_names", [str(src)], beside)
        for out in (open_dir, open_dir / "new"):  # writable, or creatable in a writable folder
            (p,) = run_as_nobody("core.operations.image:plan_names", [str(src)], opts(out))
            assert p.output == str(out / "a.png")
        assert not (open_dir / "new").exists()  # planning never writes


def test_each_distinct_output_folder_is_checked(tmp_path: Path) -> None:
    """Mirrored folders: the one whose place is taken by a file is named."""
    for sub in ("x", "y"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        photo(8, 8).save(tmp_path / "in" / sub / "a.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "y").write_bytes(b"a file where the folder y should go")
    rule = NamingRule(output_dir=str(out), mirror_tree=True)
    entries = scan([str(tmp_path / "in")])
    with pytest.raises(FileError) as e:
        OP.plan(entries, opts(out, naming=rule))
    assert str(e.value) == f"the output folder {out / 'y'} is a file; choose a folder"
    deeper = NamingRule(output_dir=str(out), mirror_tree=True, template="{name}/{counter}")
    with pytest.raises(FileError, match=f"{out / 'y'} is a file, not a folder"):
        OP.plan(entries, opts(out, naming=deeper))


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_plan_removes_temporaries_of_dead_writers_only(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    photo(8, 8).save(src)
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f".a.png{PARTIAL_MARK}{dead_pid()}-abcdef"
    live = out / f".b.png{PARTIAL_MARK}{os.getpid()}-abcdef"
    for p in (dead, live):
        p.write_bytes(b"half an image")
    options = opts(out)
    dry = OP.dry_run(scan([str(src)]), options)
    assert dead.exists()  # a dry run only looks
    assert [row[1] for row in dry] == [str(out / "a.png")]
    OP.plan(scan([str(src)]), options)
    assert not dead.exists()
    assert live.read_bytes() == b"half an image"  # a live process may still be writing it


def test_unreadable_folder_fails_its_row_in_an_image_job(tmp_path: Path) -> None:
    entries = [SkippedEntry(str(tmp_path / "locked"), "cannot list this folder", error=True)]
    plan = OP.plan(entries, opts(tmp_path / "out"))
    assert [(r.status, r.message) for r in plan.settled] == [
        (Status.FAILED, "cannot list this folder")
    ]
    assert OP.dry_run(entries, opts(tmp_path / "out"))[0][2] == "failed: cannot list this folder"


def test_the_image_operation_takes_only_images_unless_told_otherwise(tmp_path: Path) -> None:
    """By name, else (no or unknown suffix) by the first bytes; the rest are skipped before
    Start with the reason, and "any file" widens it."""
    src = tmp_path / "in"
    src.mkdir()
    Image.new("RGB", (4, 4), "red").save(src / "photo.jpg")
    Image.new("RGB", (4, 4), "blue").save(src / "no_suffix", format="PNG")
    Image.new("RGB", (4, 4), "blue").save(src / "odd.dat", format="GIF")
    (src / "video.mkv").write_bytes(b"\x1aE\xdf\xa3 not really a video")
    (src / "notes").write_bytes(b"plain words, no image here")
    (src / "SHA256SUMS").write_bytes(b"0" * 64 + b"  photo.jpg\n")
    entries = scan([str(src)])
    options = ImageOptions(format="WEBP", naming=NamingRule(output_dir=str(tmp_path / "out")))
    plan = ImageOperation().plan(entries, options)
    skipped = {os.path.basename(plan.tasks[r.index].path): r for r in plan.settled if r.kind.slug}
    assert sorted(skipped) == ["SHA256SUMS", "notes", "video.mkv"]
    assert all(r.status == Status.SKIPPED for r in skipped.values())
    assert "not an image by its name (.mkv)" in skipped["video.mkv"].message
    assert "3 files skipped: convert / resize images cannot handle them" in " ".join(plan.notes)
    planned = {os.path.basename(t.path) for t in plan.tasks if t.output}
    assert planned == {"photo.jpg", "no_suffix", "odd.dat"}
    wide = ImageOperation().plan(entries, ImageOptions(format="WEBP", any_file=True))
    assert len([t for t in wide.tasks if t.output]) == 6 and not wide.settled


def test_the_summary_counts_the_renames_that_happened_not_the_planned_ones(
    engine: Engine, tmp_path: Path
) -> None:
    """Two outputs are planned under a numbered name because their names are taken; one of
    the inputs is damaged and fails, so one rename happened, and that is what is reported."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    Image.new("RGB", (8, 8), "red").save(src / "a.png")
    (src / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n but damaged")
    for name in ("a.webp", "b.webp"):
        (out / name).write_bytes(b"taken")
    options = ImageOptions(format="WEBP", naming=NamingRule(output_dir=str(out)))
    plan = ImageOperation().plan(scan([str(src)]), options)
    assert plan.notes == []  # renames are not announced as if they had happened
    job, report = run_job(engine, "image", options, plan)
    by = {os.path.basename(t.path): r for t, r in zip(job.tasks, job.tracker.results, strict=True)}
    assert by["a.png"].status == Status.DONE and by["a.png"].kind == Kind.RENAMED
    assert by["a.png"].output == str(out / "a (1).webp")
    assert by["b.png"].status == Status.FAILED
    assert report.lines == ["1 output renamed to avoid a collision"]
    assert sorted(os.listdir(out)) == ["a (1).webp", "a.webp", "b.webp"]
