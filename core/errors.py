"""Sentences for the user about per-file errors: what happened to this file and what they can do.

Each ``OSError`` is worded by its errno: only errors that really point at the hardware (EIO and
its kin) blame the disk; a full disk, a read-only disk, a quota, a name too long or a link loop
each say so and say what to do. Imported by worker processes: keep it light (no imports beyond
the standard library's core).
"""

from __future__ import annotations

import errno
import os
import stat

from core import messages as M
from core.i18n import english
from core.records import Kind

_NETWORK = frozenset(
    getattr(errno, name)
    for name in ("ESTALE", "ETIMEDOUT", "EHOSTDOWN", "EHOSTUNREACH", "ENETDOWN", "ECONNRESET")
    if hasattr(errno, name)
)
_DAMAGE = frozenset(
    getattr(errno, name) for name in ("EIO", "EBADMSG", "EUCLEAN") if hasattr(errno, name)
)
_NO_DEVICE = frozenset(
    getattr(errno, name) for name in ("ENXIO", "ENODEV", "ENOMEDIUM") if hasattr(errno, name)
)
_QUOTA = getattr(errno, "EDQUOT", None)


def _name(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return os.fsdecode(value)
    return ""


def _disk_of(path: str) -> str:
    """``the disk holding FOLDER`` for a path (its folder), or ``the disk`` if unknown."""
    if not path:
        return M.THE_DISK
    folder = os.path.dirname(path) or "."
    return english(M.DISK_HOLDING, folder=folder)


def _reason(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__


def os_error_sentence(e: OSError, path: str = "", *, writing: bool = False) -> str:
    """What an ``OSError`` means and what the user can do, by its errno (no file name prefix).

    ``path`` is the file concerned (default: the error's own file name); ``writing`` words the
    advice for an output (choose another output folder) rather than for a source."""
    path = path or _name(e.filename)
    code = e.errno
    disk = _disk_of(path)
    if code == errno.ENOSPC:
        return english(M.NO_SPACE, disk=disk)
    if code is not None and code == _QUOTA:
        return english(M.QUOTA, disk=disk)
    if code == errno.EROFS:
        return english(M.READ_ONLY, disk=disk)
    if code == errno.EFBIG:
        return english(M.TOO_LARGE_FOR_DISK, disk=disk)
    if code == errno.ENAMETOOLONG:
        advice = M.ADVICE_SHORTER_OUTPUT if writing else M.ADVICE_SHORTER_SOURCE
        return english(M.NAME_TOO_LONG, advice=advice)
    if code == errno.ELOOP:
        return M.OS_LINK_LOOP
    if code in (errno.EMFILE, errno.ENFILE):
        return M.TOO_MANY_OPEN
    if code == errno.ENOMEM:
        return M.OUT_OF_MEMORY
    if code == errno.ENOTDIR:
        return M.PART_IS_FILE
    if code in (errno.EBUSY, errno.ETXTBSY):
        return english(M.BUSY, reason=_reason(e))
    if code in _NO_DEVICE:
        return english(M.NO_DEVICE, reason=_reason(e))
    if code in _NETWORK:
        return english(M.NETWORK, reason=_reason(e))
    if code in _DAMAGE:
        return english(M.IO_ERROR, reason=_reason(e))
    return english(M.COULD_NOT_WRITE if writing else M.COULD_NOT_PROCESS, reason=_reason(e))


def describe_error(e: BaseException) -> str:
    """One sentence for the user: what happened to this file and what they can do."""
    if isinstance(e, FileNotFoundError):
        return M.VANISHED
    if isinstance(e, PermissionError):
        return M.PERMISSION_READ
    if isinstance(e, IsADirectoryError):
        return M.IS_FOLDER
    if isinstance(e, OSError):
        return os_error_sentence(e)
    if isinstance(e, MemoryError):
        return M.OUT_OF_MEMORY
    return english(M.UNEXPECTED, name=type(e).__name__, detail=e)


def error_kind(e: BaseException) -> Kind:
    """The :class:`core.records.Kind` of an error that ended a file (see describe_error)."""
    if isinstance(e, FileNotFoundError):
        return Kind.MISSING
    if isinstance(e, IsADirectoryError):
        return Kind.NOT_REGULAR
    if isinstance(e, OSError):
        return Kind.LOOP if e.errno == errno.ELOOP else Kind.UNREADABLE
    if isinstance(e, MemoryError):
        return Kind.TOO_LARGE
    return Kind.INTERNAL


def describe_write_error(e: OSError, output: str) -> str:
    """One sentence for an output that could not be written: which file, what, what to do."""
    folder = os.path.dirname(output) or "."
    if isinstance(e, PermissionError):
        what = english(M.WRITE_PERMISSION, folder=folder)
    elif isinstance(e, FileNotFoundError):
        what = english(M.WRITE_FOLDER_GONE, folder=folder)
    elif isinstance(e, NotADirectoryError):
        what = english(M.WRITE_PART_IS_FILE, folder=folder)
    elif isinstance(e, IsADirectoryError):
        what = M.WRITE_IS_FOLDER
    else:
        what = os_error_sentence(e, output, writing=True)
    return english(M.CANNOT_WRITE_OUTPUT, output=output, what=what)


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for sentences: ``"a named pipe (FIFO)"``..."""
    if stat.S_ISFIFO(mode):
        return M.KIND_FIFO
    if stat.S_ISSOCK(mode):
        return M.KIND_SOCKET
    if stat.S_ISDIR(mode):
        return M.KIND_FOLDER
    if stat.S_ISCHR(mode):
        return M.KIND_CHAR_DEVICE
    if stat.S_ISBLK(mode):
        return M.KIND_BLOCK_DEVICE
    return M.KIND_SPECIAL
