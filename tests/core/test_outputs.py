"""Atomic output writing and the clean-up of temporaries left by killed writers."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core.outputs import PARTIAL_MARK, atomic_write, partial_path, remove_partials


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_partial_path_is_a_hidden_sibling_tagged_with_the_pid(tmp_path: Path) -> None:
    final = str(tmp_path / "out.png")
    p = partial_path(final, pid=4242)
    assert os.path.dirname(p) == str(tmp_path)
    assert re.fullmatch(r"\.out\.png\.partial-4242-[0-9a-f]{6}", os.path.basename(p))
    own = partial_path(final)
    assert os.path.basename(own).startswith(f".out.png{PARTIAL_MARK}{os.getpid()}-")
    assert partial_path(final) != partial_path(final)  # fresh every time


def test_atomic_write_creates_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    final = tmp_path / "out.bin"
    with atomic_write(str(final)) as f:
        f.write(b"hello ")
        f.write(b"world")
        (tmp,) = [n for n in listing(tmp_path) if PARTIAL_MARK in n]
        assert tmp.startswith(f".out.bin{PARTIAL_MARK}{os.getpid()}-")
        assert not final.exists()  # nothing under the final name until the block ends
    assert final.read_bytes() == b"hello world"
    assert listing(tmp_path) == ["out.bin"]


def test_atomic_write_replaces_an_existing_file_only_at_the_end(tmp_path: Path) -> None:
    final = tmp_path / "out.txt"
    final.write_bytes(b"old content")
    old_inode = final.stat().st_ino
    with atomic_write(str(final), fsync=True) as f:
        f.write(b"new")
        f.flush()
        assert final.read_bytes() == b"old content"
    assert final.read_bytes() == b"new"
    assert final.stat().st_ino != old_inode  # replaced by rename, not rewritten in place
    assert listing(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_removes_the_temporary_and_keeps_the_old_file(
    tmp_path: Path, exc: BaseException
) -> None:
    final = tmp_path / "keep.txt"
    final.write_bytes(b"precious")
    with pytest.raises(type(exc)), atomic_write(str(final)) as f:
        f.write(b"half")
        raise exc
    assert final.read_bytes() == b"precious"
    assert listing(tmp_path) == ["keep.txt"]


def test_exception_without_an_old_file_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError), atomic_write(str(tmp_path / "new.txt")) as f:
        f.write(b"half")
        raise ValueError
    assert listing(tmp_path) == []


def test_failed_replace_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "inside").write_bytes(b"x")
    with pytest.raises(OSError), atomic_write(str(target)) as f:  # a file cannot replace a folder
        f.write(b"data")
    assert listing(tmp_path) == ["occupied"]
    assert listing(target) == ["inside"]


def test_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_write(str(tmp_path / "no" / "x")):
        pass
    assert listing(tmp_path) == []


def test_remove_partials_removes_only_temporaries_of_the_given_pids(tmp_path: Path) -> None:
    final = str(tmp_path / "[img] 1.png")  # glob metacharacters in the name
    other = str(tmp_path / "b.png")
    dead_a, dead_b = partial_path(final, pid=111), partial_path(other, pid=222)
    live = partial_path(final, pid=1111)  # a pid that merely starts with a dead one's digits
    live_b = partial_path(other, pid=11)
    unrelated = str(tmp_path / ".[img] 1.png.notes")
    for p in (final, dead_a, dead_b, live, live_b, unrelated):
        Path(p).write_bytes(b"x")
    assert remove_partials([final, other], [111, 222]) == 2
    assert listing(tmp_path) == sorted(
        os.path.basename(p) for p in (final, live, live_b, unrelated)
    )
    assert remove_partials([final, other], [111, 222]) == 0


def test_remove_partials_leaves_other_targets_alone(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    tmp_b = partial_path(b, pid=7)
    Path(tmp_b).write_bytes(b"x")
    assert remove_partials([a], [7]) == 0
    assert os.path.exists(tmp_b)
    assert remove_partials([], [7]) == 0
    assert remove_partials([b], []) == 0
    assert remove_partials([b], [7]) == 1
    assert not os.path.exists(tmp_b)


def test_remove_partials_after_a_real_write_in_progress(tmp_path: Path) -> None:
    final = tmp_path / "out"
    with atomic_write(str(final)) as f:
        f.write(b"x")
        assert remove_partials([str(final)], [os.getpid() + 1]) == 0  # not ours to remove
    assert final.read_bytes() == b"x"
