"""Reading a manifest that is not a plain small file: FIFOs, devices, sockets, huge lines, huge
files, NUL bytes in names. Each is refused or read line by line at once, never blocks and never
holds more than a line in memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from core import manifest
from core.manifest import MAX_LINE, ManifestError, parse_manifest, read_manifest

H = "ab" * 32  # a sha256-long digest
ROOT = Path(__file__).resolve().parents[2]


def read_in_child(path: Path, memory_limit: int = 1 << 30) -> subprocess.CompletedProcess[str]:
    """Run read_manifest(path) in a child with a memory limit and a time limit, so that a
    reader that blocks or reads without end fails the test instead of hanging or exhausting it."""
    code = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory_limit}, {memory_limit}))
        from core.manifest import ManifestError, read_manifest
        try:
            read_manifest(sys.argv[1])
        except ManifestError as e:
            print("ManifestError:", e)
        else:
            print("read")
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fifo_manifest_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "SHA256SUMS"
    os.mkfifo(fifo)  # no writer will ever come: an open that waits for one waits forever
    try:
        r = read_in_child(fifo)
    except subprocess.TimeoutExpired:
        pytest.fail("read_manifest blocked on a FIFO")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (
        f"ManifestError: {fifo}: is a named pipe (FIFO), not a regular file; "
        "choose the checksum file itself"
    )
    with pytest.raises(ManifestError, match="is a named pipe"):  # and here, in this process
        read_manifest(str(fifo))


def test_manifest_linking_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    link = tmp_path / "SHA256SUMS"
    link.symlink_to("/dev/zero")
    try:
        r = read_in_child(link, memory_limit=512 << 20)
    except subprocess.TimeoutExpired:
        pytest.fail("read_manifest read /dev/zero without end")
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == (
        f"ManifestError: {link}: is a character device (it links to /dev/zero), not a regular "
        "file; choose the checksum file itself"
    )


def test_device_and_socket_manifests_say_what_they_are(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"^/dev/null: is a character device, not a regular"):
        read_manifest("/dev/null")  # it reads as empty: it must not pass for an empty manifest
    path = tmp_path / "SUMS.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(path))
        with pytest.raises(ManifestError, match=r"SUMS.sock: is a socket, not a regular file"):
            read_manifest(str(path))


def test_huge_line_is_a_bad_line_and_is_never_held_in_memory(tmp_path: Path) -> None:
    """A 256 MiB line between two good ones: the good lines are read, the long one is one bad
    line, and the reader's memory stays far below the line's size."""
    path = tmp_path / "SHA256SUMS"
    huge = 256 << 20
    with open(path, "wb") as f:
        f.write(f"{H}  first\n".encode())
        f.seek(huge, os.SEEK_CUR)  # a sparse run of NUL bytes: one very long line
        f.write(f"\n{H}  last\n".encode())
    tracemalloc.start()
    try:
        entries = read_manifest(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(e.name, e.line) for e in entries] == [("first", 1), ("last", 3)]
    (bad,) = entries.bad
    assert (bad.line, bad.name) == (2, None)
    assert bad.reason == "it is longer than 64 KiB, so it is not a checksum line"
    assert peak < 16 << 20, f"reading held {peak} bytes"


def test_huge_manifest_is_streamed(tmp_path: Path) -> None:
    """A manifest of 768 MiB of long lines (sparse) is read within 384 MiB of memory."""
    path = tmp_path / "big.sha256"
    with open(path, "wb") as f:
        f.write(f"{H}  only\n".encode())
        for _ in range(16):  # 16 lines of 48 MiB
            f.seek(48 << 20, os.SEEK_CUR)
            f.write(b"\n")
    r = read_in_child(path, memory_limit=384 << 20)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "read"


def test_lines_at_the_limit_and_across_blocks_read_as_parse_does(tmp_path: Path) -> None:
    """Streaming in blocks gives what parsing the whole text gives, at the line length limit
    and with lines (long and short) that straddle the reader's block boundaries."""
    prefix = f"{H}  ".encode()
    at_limit = prefix + b"n" * (MAX_LINE - len(prefix))
    over = prefix + b"o" * (MAX_LINE - len(prefix) + 1)
    parts = [at_limit, over]
    size = 0
    i = 0
    while size < 3 * (1 << 20):  # short lines over three 1 MiB blocks, long ones among them
        line = prefix + f"file{i}".encode() if i % 97 else over
        parts.append(line)
        size += len(line) + 1
        i += 1
    parts.append(at_limit[:-1] + b"\r")  # a CR LF line at the limit (the CR is dropped)
    data = b"\n".join(parts) + b"\n" + over  # the last line has no LF
    path = tmp_path / "SHA256SUMS"
    path.write_bytes(data)
    streamed = read_manifest(str(path))
    whole = parse_manifest(data, tmp_path, source=str(path))
    assert streamed == whole
    assert streamed.bad == whole.bad
    assert streamed[0].name == "n" * (MAX_LINE - len(prefix))
    assert streamed.bad[0].line == 2
    assert streamed.bad[-1].line == len(parts) + 1
    assert all(b.reason.startswith("it is longer than 64 KiB") for b in streamed.bad)


def test_nul_in_a_name_is_a_bad_line(tmp_path: Path) -> None:
    data = f"{H}  good\n{H}  bad\0name\n\\{H}  esc\0aped\\n\n".encode()
    entries = parse_manifest(data, tmp_path, source="SHA256SUMS")
    assert [e.name for e in entries] == ["good"]
    assert [(b.line, b.name, b.path) for b in entries.bad] == [(2, None, None), (3, None, None)]
    assert all("NUL byte" in b.reason for b in entries.bad)


def test_not_a_manifest_at_all_stops_early(tmp_path: Path) -> None:
    """A big file that is clearly no manifest (no checksum line in its first lines) is refused
    after those lines, not read to its end."""
    path = tmp_path / "photo.jpg.sha256"
    junk = b"".join(b"\x89PNG junk %d\n" % i for i in range(manifest.PROBE_LINES + 10))
    path.write_bytes(junk + f"{H}  late\n".encode())
    with pytest.raises(ManifestError, match=r"none of its first 1000 lines is a checksum line"):
        read_manifest(str(path))


def test_numbered_copy_implies_the_same_algorithm() -> None:
    """checksum writes SUMS.1 beside a manifest that changed while it ran: verify reads it
    with the algorithm SUMS implies."""
    for name, expected in [("B3SUMS.1", "blake3"), ("x.md5.2", "md5"), ("notes.1", None)]:
        alg = manifest.algorithm_from_filename(name)
        assert (alg.name if alg else None) == expected
