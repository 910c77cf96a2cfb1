"""Run a piece of the engine as the unprivileged user ``nobody``, so permission bits really bite.

The tests run as root, for whom mode 000 stops nothing. A child Python imports what it needs as
root (the interpreter lives where ``nobody`` may not read), then drops to uid/gid 65534 for good
and calls the function; its result, or the exception it raised, comes back pickled. Folders it
works in come from :func:`shared_dir`, as pytest's own temporary folder is private to root. Run
by an ordinary user, the child keeps that user: permission bits bite already.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NOBODY = 65534
ROOT = str(Path(__file__).resolve().parents[2])

_CHILD = """
import importlib, os, pickle, sys
sys.path.insert(0, {root!r})
module, _, attr = {target!r}.partition(":")
func = importlib.import_module(module)
for part in attr.split("."):
    func = getattr(func, part)
args = pickle.load(sys.stdin.buffer)
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid({uid})
    os.setuid({uid})
    assert (os.getuid(), os.geteuid(), os.getgid()) == ({uid}, {uid}, {uid})
assert os.geteuid() != 0
try:
    out = ("ok", func(*args))
except BaseException as e:
    out = ("raised", e)
sys.stdout.buffer.write(pickle.dumps(out))
"""


def run_as_nobody(target: str, *args: Any) -> Any:
    """Call ``target`` (``"package.module:function"`` or ``"package.module:Class.method"``)
    with ``args`` in a child process running as ``nobody``; return its result or re-raise."""
    code = _CHILD.format(root=ROOT, target=target, uid=NOBODY)
    proc = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(args), capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    kind, value = pickle.loads(proc.stdout)
    if kind == "raised":
        raise value
    return value


@contextlib.contextmanager
def shared_dir() -> Iterator[Path]:
    """A fresh folder that ``nobody`` can enter but not write in, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="parabatch-nobody-"))
    try:
        path.chmod(0o755)
        yield path
    finally:
        for folder, dirs, _ in os.walk(path):  # an ordinary user needs the bits back to remove
            for d in dirs:
                os.chmod(os.path.join(folder, d), 0o755)
        shutil.rmtree(path)
