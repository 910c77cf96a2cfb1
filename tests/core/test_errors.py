"""The sentences of core/errors.py for real OSErrors, made by real calls wherever one can be: each
says what happened and what to do, and only errors that really point at the hardware blame it."""

from __future__ import annotations

import errno
import os
import resource
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import describe_error, describe_write_error
from tests.core.mounts import tmpfs


def raised(call: Callable[[], object]) -> OSError:
    """The OSError that ``call`` really raises."""
    with pytest.raises(OSError) as e:
        call()
    return e.value


def read(path: str | Path) -> None:
    with open(path, "rb") as f:
        f.read()


def write_to(path: str) -> None:
    with open(path, "wb") as f:
        f.write(b"data")


def test_name_too_long(tmp_path: Path) -> None:
    e = raised(lambda: read(tmp_path / ("x" * 300)))
    assert e.errno == errno.ENAMETOOLONG
    text = describe_error(e)
    assert text.startswith("the file name is too long for this system")
    assert "rename the file" in text
    assert "disk" not in text and "damaged" not in text
    out = describe_write_error(e, str(tmp_path / ("x" * 300)))
    assert "choose a shorter name template or output folder" in out


@pytest.mark.parametrize("links", [{"me": "me"}, {"a": "b", "b": "a"}])
def test_symbolic_link_loop(tmp_path: Path, links: dict[str, str]) -> None:
    for name, target in links.items():
        os.symlink(target, tmp_path / name)
    e = raised(lambda: read(tmp_path / next(iter(links))))
    assert e.errno == errno.ELOOP
    text = describe_error(e)
    assert text.startswith("symbolic link loop") and "fix or remove the link" in text
    assert "disk" not in text


def test_no_space_left_names_the_disk_and_what_to_do(tmp_path: Path) -> None:
    e = raised(lambda: write_to("/dev/full"))  # a real ENOSPC on every write
    assert e.errno == errno.ENOSPC
    e.filename = str(tmp_path / "out" / "a.png")  # as atomic_write names it
    assert describe_error(e) == (
        f"no space left on the disk holding {tmp_path / 'out'}: free some space or choose "
        "another output folder"
    )
    assert describe_write_error(e, "/media/card/a.png") == (
        "cannot write the output /media/card/a.png: no space left on the disk holding "
        "/media/card: free some space or choose another output folder"
    )


def test_read_only_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", readonly=True) as ro:
        e = raised(lambda: write_to(str(ro / "a.png")))
    assert e.errno == errno.EROFS
    text = describe_error(e)
    assert text == (
        f"the disk holding {ro} is read-only: choose another output folder, or mount the disk "
        "writable"
    )


def test_device_not_configured(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    e = raised(lambda: os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # no reader: ENXIO
    assert e.errno == errno.ENXIO
    text = describe_error(e)
    assert text.startswith("the device holding the file is not available")
    assert "reconnect the disk or drive" in text and "damaged" not in text


def test_too_many_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    opened: list[int] = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 4, hard))
    try:
        with pytest.raises(OSError) as e:
            while True:
                opened.append(os.open(os.devnull, os.O_RDONLY))
    finally:
        for fd in opened:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert e.value.errno == errno.EMFILE
    assert describe_error(e.value) == (
        "too many files open at once: try fewer workers, or raise the open-file limit (ulimit -n)"
    )


def test_a_file_in_the_path_where_a_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "plain").write_bytes(b"")
    e = raised(lambda: read(tmp_path / "plain" / "x"))
    assert e.errno == errno.ENOTDIR
    assert describe_error(e) == "a part of the path is a file, not a folder: check the path"


def test_an_unexpected_errno_blames_nothing(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    with open(tmp_path / "f", "rb") as f:
        e = raised(lambda: os.lseek(f.fileno(), -10, os.SEEK_SET))
    assert e.errno == errno.EINVAL
    assert describe_error(e) == "could not process the file: Invalid argument"


def test_only_input_output_errors_blame_the_disk() -> None:
    # No real call makes these on demand; the errors are as the kernel reports them.
    def made(code: int) -> OSError:
        return OSError(code, os.strerror(code), "/data/a.jpg")

    damaged = describe_error(made(errno.EIO))
    assert damaged == (
        "input/output error (Input/output error): the disk or file may be damaged or "
        "unavailable; check the disk and try again"
    )
    assert describe_error(made(errno.EDQUOT)).startswith(
        "disk quota exceeded on the disk holding /data: free some of your space"
    )
    assert "reconnect" in describe_error(made(errno.ENODEV))
    assert "too large for the file system" in describe_error(made(errno.EFBIG))
    assert "network file system" in describe_error(made(errno.ESTALE))
    for code in (errno.ENAMETOOLONG, errno.ELOOP, errno.ENOSPC, errno.EROFS, errno.EMFILE):
        assert "damaged" not in describe_error(made(code)), errno.errorcode[code]


def test_other_errors_keep_their_sentences(tmp_path: Path) -> None:
    missing = raised(lambda: read(tmp_path / "gone"))
    assert describe_error(missing).startswith("vanished")
    assert describe_error(raised(lambda: read(tmp_path))) == "is a folder, not a file"
    assert describe_error(MemoryError()).startswith("out of memory")
    assert describe_error(ZeroDivisionError("x")).endswith("please report this")
