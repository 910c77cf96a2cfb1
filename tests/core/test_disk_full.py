"""A really full disk (a 256 KiB tmpfs filled to the last byte) and a read-only one: outputs leave
no temporary behind, never touch the file under the final name, and say what to do."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from core import naming
from core.discover import scan
from core.engine import Engine, run_job
from core.naming import NamingRule
from core.operations.image import ImageOperation, ImageOptions
from core.outputs import PARTIAL_MARK, atomic_write
from core.records import FileError, Status
from tests.core.mounts import fill, tmpfs

OP = ImageOperation()


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A mounted tmpfs holding ``keep.txt`` ("precious") and a filler using every other byte."""
    with tmpfs(tmp_path / "disk") as disk:
        (disk / "keep.txt").write_bytes(b"precious")
        fill(disk)
        yield disk


def partials(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if PARTIAL_MARK in n]


@pytest.mark.parametrize(
    ("size", "fsync"),
    [
        (100, False),  # buffered: the error comes only at flush, and close fails again
        (100, True),
        (1 << 20, False),  # beyond the buffer: the error comes at write, inside the block
    ],
)
def test_full_disk_leaves_no_temporary_and_the_old_file_untouched(
    full_disk: Path, size: int, fsync: bool
) -> None:
    final = full_disk / "keep.txt"
    with pytest.raises(OSError) as e, atomic_write(str(final), fsync=fsync) as f:
        f.write(b"x" * size)
    assert partials(full_disk) == []
    assert final.read_bytes() == b"precious"
    assert e.value.errno == errno.ENOSPC  # the first error, not the one close() raises again
    assert e.value.filename == str(final)  # the error names the file it was for


def test_full_disk_with_a_new_name_leaves_nothing(full_disk: Path) -> None:
    with pytest.raises(OSError, match="No space left"), atomic_write(str(full_disk / "new")) as f:
        f.write(b"data")
    assert sorted(os.listdir(full_disk)) == ["filler", "keep.txt"]


def picture(path: Path) -> Path:
    grad = Image.linear_gradient("L").resize((120, 80))
    Image.merge("RGB", (grad, grad.rotate(90).resize((120, 80)), grad)).save(path)
    return path


@pytest.mark.parametrize("template", ["{name}", "{name}_{width}x{height}"])
def test_image_output_on_a_full_disk_says_which_file_and_what_to_do(
    engine: Engine, tmp_path: Path, full_disk: Path, template: str
) -> None:
    src = picture(tmp_path / "photo.jpg")
    options = ImageOptions(format="png", naming=NamingRule(str(full_disk), template))
    plan = OP.plan(scan([str(src)]), options)
    job, report = run_job(engine, "image", options, plan)
    assert report.error is None
    (result,) = job.tracker.results
    assert result is not None and result.status == Status.FAILED
    name = "photo.png" if template == "{name}" else "photo_120x80.png"
    assert result.message == (
        f"cannot write the output {full_disk / name}: no space left on the disk holding "
        f"{full_disk}: free some space or choose another output folder"
    )
    assert partials(full_disk) == []
    assert sorted(os.listdir(full_disk)) == ["filler", "keep.txt"]


def test_read_only_output_folder_is_refused_at_plan_time(tmp_path: Path) -> None:
    src = picture(tmp_path / "photo.jpg")
    with tmpfs(tmp_path / "ro", readonly=True) as ro:
        options = ImageOptions(format="png", naming=NamingRule(str(ro / "sub")))
        with pytest.raises(FileError) as e:
            OP.plan(scan([str(src)]), options)
        assert str(e.value) == (
            f"cannot create the output folder {ro / 'sub'} in {ro}: it is on a read-only disk; "
            "choose another output folder"
        )
        with pytest.raises(ValueError, match=f"output folder {ro}: it is on a read-only disk"):
            naming.check_folders([str(ro)])
