"""Small real disks for the tests: a tmpfs mounted for one test (full, or read-only).

Mounting needs root (the tests run as root in CI). Without the right to mount, a test that
needs a real small disk is skipped on a developer's machine and fails in CI, as
:func:`tests.support.require_tool` does for missing tools.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import in_ci

MS_RDONLY = 1
MNT_DETACH = 2
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "256k", *, readonly: bool = False) -> Iterator[Path]:
    """``mount -t tmpfs -o size=SIZE tmpfs FOLDER`` (``ro``: read-only) for the block."""
    folder.mkdir(parents=True, exist_ok=True)
    target = os.fsencode(folder)
    flags = MS_RDONLY if readonly else 0
    data = f"size={size},mode=0755".encode()
    if _libc.mount(b"tmpfs", target, b"tmpfs", flags, data) != 0:
        code = ctypes.get_errno()
        message = f"cannot mount a tmpfs on {folder}: {os.strerror(code)} (the tests need root)"
        if code != errno.EPERM or in_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield folder
    finally:
        if _libc.umount2(target, 0) != 0:  # something still open there: detach it all the same
            _check(_libc.umount2(target, MNT_DETACH), f"umount {folder}")


def fill(folder: Path) -> Path:
    """Fill the disk holding ``folder`` to the last byte; returns the file that fills it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    block = bytes(4096)
    try:
        while True:
            try:
                os.write(fd, block)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                break
        with contextlib.suppress(OSError):  # a last partial block, if any room is left
            while os.write(fd, b"\0"):
                pass
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler
