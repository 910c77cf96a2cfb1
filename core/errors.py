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
        return "the disk"
    folder = os.path.dirname(path) or "."
    return f"the disk holding {folder}"


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
        return f"no space left on {disk}: free some space or choose another output folder"
    if code is not None and code == _QUOTA:
        return (
            f"disk quota exceeded on {disk}: free some of your space, ask for a larger quota "
            "or choose another output folder"
        )
    if code == errno.EROFS:
        return f"{disk} is read-only: choose another output folder, or mount the disk writable"
    if code == errno.EFBIG:
        return (
            f"the file is too large for the file system of {disk}: choose another output folder "
            "on a disk that allows larger files"
        )
    if code == errno.ENAMETOOLONG:
        advice = (
            "choose a shorter name template or output folder"
            if writing
            else "rename the file or move it to a folder with a shorter path"
        )
        return f"the file name is too long for this system (File name too long): {advice}"
    if code == errno.ELOOP:
        return (
            "symbolic link loop: a link in the path points back to itself (through other links); "
            "fix or remove the link"
        )
    if code in (errno.EMFILE, errno.ENFILE):
        return (
            "too many files open at once: try fewer workers, or raise the open-file limit "
            "(ulimit -n)"
        )
    if code == errno.ENOMEM:
        return "out of memory while processing this file; try fewer workers"
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder: check the path"
    if code in (errno.EBUSY, errno.ETXTBSY):
        return f"the file is busy ({_reason(e)}): close the program using it and try again"
    if code in _NO_DEVICE:
        return (
            f"the device holding the file is not available ({_reason(e)}): reconnect the disk "
            "or drive and try again"
        )
    if code in _NETWORK:
        return (
            f"the network file system did not answer ({_reason(e)}): check the connection "
            "and try again"
        )
    if code in _DAMAGE:
        return (
            f"input/output error ({_reason(e)}): the disk or file may be damaged or unavailable; "
            "check the disk and try again"
        )
    action = "write the output" if writing else "process the file"
    return f"could not {action}: {_reason(e)}"


def describe_error(e: BaseException) -> str:
    """One sentence for the user: what happened to this file and what they can do."""
    if isinstance(e, FileNotFoundError):
        return "vanished: the file no longer exists (moved or deleted after it was added)"
    if isinstance(e, PermissionError):
        return "permission denied: cannot read the file; check its permissions"
    if isinstance(e, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(e, OSError):
        return os_error_sentence(e)
    if isinstance(e, MemoryError):
        return "out of memory while processing this file; try fewer workers"
    return f"unexpected error ({type(e).__name__}: {e}); please report this"


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
        what = (
            f"permission denied in the folder {folder}: make it writable or choose another "
            "output folder"
        )
    elif isinstance(e, FileNotFoundError):
        what = f"the folder {folder} disappeared while writing: choose an output folder that exists"
    elif isinstance(e, NotADirectoryError):
        what = f"a part of {folder} is a file, not a folder: choose another output folder"
    elif isinstance(e, IsADirectoryError):
        what = "a folder has that name: choose another name template or output folder"
    else:
        what = os_error_sentence(e, output, writing=True)
    return f"cannot write the output {output}: {what}"


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for sentences: ``"a named pipe (FIFO)"``..."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"
