"""Writing outputs safely: a temporary ``.NAME.partial-PID-XXXX`` beside the target, flushed and
``os.replace``d into place, so a cancel, crash or full disk never leaves a half-written file under
the final name. Sources are never written here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from typing import IO

PARTIAL_MARK = ".partial-"


def partial_path(final_path: str, pid: int | None = None) -> str:
    """A fresh temporary name in the target's folder, tagged with the writing process id."""
    folder, name = os.path.split(final_path)
    tag = f"{pid if pid is not None else os.getpid()}-{os.urandom(3).hex()}"
    return os.path.join(folder, f".{name}{PARTIAL_MARK}{tag}")


@contextlib.contextmanager
def atomic_write(final_path: str, *, fsync: bool = False) -> Iterator[IO[bytes]]:
    """Yield a binary file; on normal exit it replaces ``final_path`` atomically.

    On any exception (including cancel, and a full disk surfacing only at flush, fsync, close or
    replace) the temporary file is removed and the final name is untouched; the first error is
    the one raised, an ``OSError`` without a file name gets ``final_path`` as its name.
    ``fsync`` trades speed for durability across power loss.
    """
    tmp = partial_path(final_path)
    f = open(tmp, "xb")  # noqa: SIM115 - closed below on every path
    try:
        yield f
        f.flush()
        if fsync:
            os.fsync(f.fileno())
        f.close()
        os.replace(tmp, final_path)
    except BaseException as e:
        _discard(f, tmp)
        if isinstance(e, OSError) and e.filename is None:
            e.filename = final_path
        raise


def _discard(f: IO[bytes], tmp: str) -> None:
    """Close ``f`` and remove ``tmp`` whatever ``close`` does.

    Closing flushes what is still buffered, so on a full disk it fails again; that second error
    says nothing new (the file descriptor is closed all the same), so it is dropped.
    """
    try:
        with contextlib.suppress(Exception):
            f.close()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def remove_partials(final_paths: Iterable[str], pids: Iterable[int]) -> int:
    """Remove temporaries left by processes that were killed while writing. Returns the count.

    Only files tagged with one of ``pids`` are touched, so a live writer's temporary survives.
    """
    import glob  # rarely needed: only after a worker died

    pid_set = {str(p) for p in pids}
    removed = 0
    for final in final_paths:
        folder, name = os.path.split(final)
        pattern = os.path.join(glob.escape(folder), f".{glob.escape(name)}{PARTIAL_MARK}*")
        for tmp in glob.glob(pattern):
            tag = tmp.rsplit(PARTIAL_MARK, 1)[1]
            if tag.split("-", 1)[0] in pid_set:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                    removed += 1
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # someone else's process, or no way to tell: keep it
        return True
    return True


def remove_stale_partials(folders: Iterable[str]) -> int:
    """Remove ``.NAME.partial-PID-XXXX`` temporaries (``.EXT`` after them too) in ``folders``
    whose writer is dead.

    A worker (or the whole app) killed while writing leaves its temporary behind; the next job
    writing into the same folder clears them. A temporary of a live process (another job
    running now) is left alone. Returns the count removed.
    """
    removed = 0
    for folder in dict.fromkeys(folders):
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.startswith(".") or PARTIAL_MARK not in name:
                continue
            tag = name.rsplit(PARTIAL_MARK, 1)[1]
            pid_text, _, rand = tag.partition("-")
            # PID-XXXXXX, or PID-XXXXXX.EXT (a temporary that keeps its output's extension)
            ours = len(rand) == 6 or (len(rand) > 7 and rand[6] == ".")
            if not pid_text.isdigit() or not ours or _pid_alive(int(pid_text)):
                continue
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed
