"""Sentences for the user about per-file errors: what happened to this file and what they can do.

Imported by worker processes: keep it light (no imports beyond the standard library's core).
"""

from __future__ import annotations


def describe_error(e: BaseException) -> str:
    """One sentence for the user: what happened to this file and what they can do."""
    if isinstance(e, FileNotFoundError):
        return "vanished: the file no longer exists (moved or deleted after it was added)"
    if isinstance(e, PermissionError):
        return "permission denied: cannot read the file; check its permissions"
    if isinstance(e, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(e, OSError):
        reason = e.strerror or str(e)
        return f"read error: {reason}; the disk or file may be damaged or unavailable"
    if isinstance(e, MemoryError):
        return "out of memory while processing this file; try fewer workers"
    return f"unexpected error ({type(e).__name__}: {e}); please report this"
