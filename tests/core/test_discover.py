"""Discovery on real trees in tmp_path: order, filters, duplicates, special files, symlink loops,
undecodable names, cancel and the scanner's counters; unreadable folders as the user nobody."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import operations
from core.discover import Filters, Found, Scanner, natural_key, scan, sort_natural
from core.engine import Engine, run_job
from core.operations.checksum import ChecksumOptions
from core.records import FileEntry, SkippedEntry, Status
from tests.core.as_nobody import run_as_nobody, shared_dir


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def files(found: list[Found]) -> list[str]:
    return [e.path for e in found if isinstance(e, FileEntry)]


def skipped(found: list[Found]) -> dict[str, str]:
    return {e.path: e.reason for e in found if isinstance(e, SkippedEntry)}


def rel(root: Path, paths: list[str]) -> list[str]:
    return [os.path.relpath(p, root) for p in paths]


def scan_in_thread(paths: list[str], timeout: float = 10.0) -> list[Found]:
    """Scan in a helper thread and fail (instead of hanging the suite) if it does not end."""
    box: list[list[Found]] = []
    t = threading.Thread(target=lambda: box.append(scan(paths)), daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"scan of {paths} did not finish within {timeout} s"
    return box[0]


# --- natural order -------------------------------------------------------------------------------


def test_natural_key_orders_numbers_by_value_and_ignores_case() -> None:
    names = ["img10.png", "IMG2.png", "img1.png", "b", "A", "img2.jpg", "x100y2", "x100y10"]
    assert sorted(names, key=natural_key) == [
        "A",
        "b",
        "img1.png",
        "img2.jpg",
        "IMG2.png",
        "img10.png",
        "x100y2",
        "x100y10",
    ]


@given(st.lists(st.text(max_size=12), max_size=30))
def test_natural_key_sorts_any_names_without_error(names: list[str]) -> None:
    out = sorted(names, key=natural_key)
    assert sorted(out) == sorted(names)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_natural_key_compares_embedded_numbers_as_numbers(a: int, b: int) -> None:
    assert (natural_key(f"img{a}.png") < natural_key(f"img{b}.png")) == (a < b)


class Named:
    """Stands in for an os.DirEntry: sort_natural reads only ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name


# Names drawn from a few characters, so that runs of digits line up (the fast path) about as
# often as they do not; other scripts' digits and case folding that changes length included.
NAME_CHARS = st.sampled_from(list("ab.B_0129ßẞé١٢²"))


@given(
    st.one_of(
        st.lists(st.text(NAME_CHARS, min_size=1, max_size=6), max_size=12, unique=True),
        st.text(NAME_CHARS, min_size=1, max_size=6).flatmap(
            lambda shape: st.lists(
                st.builds(
                    lambda digits: "".join(
                        d if c.isdigit() else c for c, d in zip(shape, digits, strict=False)
                    ),
                    st.text("0123456789", min_size=len(shape), max_size=len(shape)),
                ),
                max_size=12,
                unique=True,
            )
        ),
    )
)
def test_sort_natural_fast_path_gives_the_natural_key_order(names: list[str]) -> None:
    entries = [Named(n) for n in names]
    expected = sorted(names, key=natural_key)
    assert [e.name for e in sort_natural(entries)] == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "names",
    [
        ["img10.png", "img2.png", "IMG1.png"],  # lengths differ: the natural key decides
        ["f00010.bin", "F00002.bin", "f00001.bin"],  # digits line up: compared as text
        ["\u0662bb", "\u0661\u0660"],  # Arabic-Indic 2 before 10, same UTF-8 length as text
    ],
)
def test_sort_natural_examples(names: list[str]) -> None:
    got = [e.name for e in sort_natural([Named(n) for n in names])]  # type: ignore[misc]
    assert got == sorted(names, key=natural_key)


def test_folder_lists_its_files_in_natural_order_before_its_sub_folders(tmp_path: Path) -> None:
    for name in ["img10.png", "img2.png", "Img1.png", "zz"]:
        touch(tmp_path / name)
    touch(tmp_path / "0first" / "b.txt")
    touch(tmp_path / "0first" / "a.txt")
    touch(tmp_path / "0first" / "inner" / "deep.txt")
    touch(tmp_path / "sub10" / "x")
    touch(tmp_path / "sub9" / "x")
    found = scan([str(tmp_path)])
    assert rel(tmp_path, files(found)) == [
        "Img1.png",
        "img2.png",
        "img10.png",
        "zz",
        "0first/a.txt",
        "0first/b.txt",
        "0first/inner/deep.txt",
        "sub9/x",
        "sub10/x",
    ]
    assert all(os.path.isabs(p) for p in files(found))


def test_entries_carry_size_and_mtime(tmp_path: Path) -> None:
    f = touch(tmp_path / "a.bin", b"12345")
    os.utime(f, (1_000_000, 1_234_567))
    (entry,) = scan([str(tmp_path)])
    assert entry == FileEntry(str(f), 5, 1_234_567.0, 1_234_567 * 10**9)


def test_explicit_paths_keep_the_given_order(tmp_path: Path) -> None:
    b, a = touch(tmp_path / "b"), touch(tmp_path / "a")
    touch(tmp_path / "d" / "x")
    found = scan([str(b), str(tmp_path / "d"), str(a)])
    assert rel(tmp_path, files(found)) == ["b", "d/x", "a"]


def test_relative_inputs_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "d" / "x")
    monkeypatch.chdir(tmp_path)
    assert files(scan(["d", "./d/../d/x"])) == [str(tmp_path / "d" / "x")]


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in [
        "a.txt",
        "b.jpg",
        "notes.tmp",
        "sub/a.txt",
        "sub/c.jpg",
        "src/gen/g.txt",
        "src/keep.txt",
        "other/gen/o.txt",
        "build/out.txt",
        ".hidden.txt",
        ".git/config",
    ]:
        touch(tmp_path / name)
    return tmp_path


def scan_rel(root: Path, filters: Filters) -> list[str]:
    return rel(root, files(scan([str(root)], filters)))


def test_include_name_pattern_applies_in_every_folder(tree: Path) -> None:
    assert scan_rel(tree, Filters(include=("*.txt",))) == [
        ".hidden.txt",
        "a.txt",
        "build/out.txt",
        "other/gen/o.txt",
        "src/keep.txt",
        "src/gen/g.txt",
        "sub/a.txt",
    ]


def test_include_path_pattern_matches_relative_to_the_dropped_folder(tree: Path) -> None:
    assert scan_rel(tree, Filters(include=("sub/*.txt",))) == ["sub/a.txt"]


def test_several_include_patterns_are_or_ed(tree: Path) -> None:
    assert scan_rel(tree, Filters(include=("*.jpg", "*.tmp"))) == [
        "b.jpg",
        "notes.tmp",
        "sub/c.jpg",
    ]


def test_exclude_name_pattern_prunes_files_and_folders(tree: Path) -> None:
    s = Scanner([str(tree)], Filters(exclude=("*.tmp", "build", "gen", ".git")))
    found = [e for b in s.batches() for e in b]
    assert rel(tree, files(found)) == [
        ".hidden.txt",
        "a.txt",
        "b.jpg",
        "src/keep.txt",
        "sub/a.txt",
        "sub/c.jpg",
    ]
    assert s.folders == 4  # root, other, src, sub: pruned folders are never entered


def test_exclude_path_pattern_prunes_only_that_folder(tree: Path) -> None:
    got = scan_rel(tree, Filters(exclude=("src/gen",)))
    assert "src/gen/g.txt" not in got
    assert "other/gen/o.txt" in got
    assert "src/keep.txt" in got


def test_exclude_wins_over_include(tree: Path) -> None:
    assert scan_rel(tree, Filters(include=("*.txt",), exclude=("a.txt", "build", ".*"))) == [
        "other/gen/o.txt",
        "src/keep.txt",
        "src/gen/g.txt",
    ]


def test_hidden_false_skips_dot_files_and_dot_folders(tree: Path) -> None:
    got = scan_rel(tree, Filters(hidden=False))
    assert not [p for p in got if "/." in "/" + p]
    assert "a.txt" in got


def test_explicitly_named_files_bypass_the_filters(tree: Path) -> None:
    f = str(tree / "notes.tmp")
    assert files(scan([f], Filters(include=("*.jpg",), exclude=("*.tmp",)))) == [f]


# --- duplicates ----------------------------------------------------------------------------------


def test_same_file_given_twice_is_listed_once(tmp_path: Path) -> None:
    f = str(touch(tmp_path / "a"))
    assert files(scan([f, f, str(tmp_path / "." / "a")])) == [f]


def test_file_and_its_folder_list_the_file_once(tmp_path: Path) -> None:
    a, b = str(touch(tmp_path / "d" / "a")), str(touch(tmp_path / "d" / "b"))
    assert files(scan([a, str(tmp_path / "d")])) == [a, b]
    assert files(scan([str(tmp_path / "d"), b])) == [a, b]


def test_same_folder_given_twice_lists_each_file_once(tmp_path: Path) -> None:
    a = str(touch(tmp_path / "d" / "a"))
    assert files(scan([str(tmp_path / "d"), str(tmp_path / "d") + "/"])) == [a]


def test_seen_set_is_shared_between_scans(tmp_path: Path) -> None:
    a, b = str(touch(tmp_path / "a")), str(touch(tmp_path / "b"))
    seen: set[str] = set()
    first = [e for batch in Scanner([a], seen=seen).batches() for e in batch]
    second = [e for batch in Scanner([str(tmp_path)], seen=seen).batches() for e in batch]
    assert files(first) == [a]
    assert files(second) == [b]


# --- special files, links, names -----------------------------------------------------------------


def test_fifo_is_skipped_with_a_reason_and_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    touch(tmp_path / "z")
    found = scan_in_thread([str(tmp_path), str(fifo)])  # an open() would block forever
    assert files(found) == [str(tmp_path / "z")]
    assert list(skipped(found)) == [str(fifo)]
    assert "FIFO" in skipped(found)[str(fifo)]


def test_explicit_fifo_is_skipped(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    found = scan_in_thread([str(fifo)])
    assert len(found) == 1
    assert "FIFO" in skipped(found)[str(fifo)]


@pytest.fixture
def unix_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)  # bind a short relative name: AF_UNIX paths are limited
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind("sock")
        yield tmp_path / "sock"
    finally:
        s.close()


def test_unix_socket_is_skipped_with_a_reason(tmp_path: Path, unix_socket: Path) -> None:
    found = scan_in_thread([str(tmp_path), str(unix_socket)])
    assert files(found) == []
    assert list(skipped(found)) == [str(unix_socket)]
    assert "socket" in skipped(found)[str(unix_socket)]


def test_device_is_skipped(tmp_path: Path) -> None:
    found = scan_in_thread(["/dev/null"])
    assert "device" in skipped(found)["/dev/null"]


def test_symlink_loop_does_not_hang_and_is_reported(tmp_path: Path) -> None:
    f = str(touch(tmp_path / "a" / "f"))
    os.symlink("..", tmp_path / "a" / "loop")
    os.symlink(".", tmp_path / "a" / "self")
    found = scan_in_thread([str(tmp_path)])
    assert files(found) == [f]
    reasons = skipped(found)
    assert set(reasons) == {str(tmp_path / "a" / "loop"), str(tmp_path / "a" / "self")}
    assert all("loop" in r for r in reasons.values())


def test_symlink_to_itself_is_skipped(tmp_path: Path) -> None:
    os.symlink("me", tmp_path / "me")
    found = scan_in_thread([str(tmp_path)])
    assert list(skipped(found)) == [str(tmp_path / "me")]


def test_folders_linking_to_each_other_are_entered_once(tmp_path: Path) -> None:
    """Five folders each holding a link to the four others: every real folder is entered once.

    Checking only ancestors lets the walk follow every path through the links: k folders give
    about e * k! folders entered (326 for 5, 13,700 for 7, millions for 10): a practical hang.
    """
    names = [f"d{i}" for i in range(5)]
    for a in names:
        touch(tmp_path / a / "f")
        for b in names:
            if a != b:
                os.symlink(os.path.join("..", b), tmp_path / a / f"to_{b}")
    s = Scanner([str(tmp_path)])
    found = [e for b in s.batches() for e in b]
    assert s.folders == len(names) + 1, f"{s.folders} folders entered; there are 6"
    real = [os.path.realpath(p) for p in files(found)]
    assert sorted(real) == sorted(str(tmp_path / a / "f") for a in names)


def test_symlinked_folder_is_followed(tmp_path: Path) -> None:
    touch(tmp_path / "real" / "f")
    (tmp_path / "top").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "top" / "link")
    assert files(scan([str(tmp_path / "top")])) == [str(tmp_path / "top" / "link" / "f")]


def test_broken_symlink_is_skipped(tmp_path: Path) -> None:
    os.symlink("nowhere", tmp_path / "dangling")
    ok = str(touch(tmp_path / "ok"))
    found = scan([str(tmp_path)])
    assert files(found) == [ok]
    assert "broken" in skipped(found)[str(tmp_path / "dangling")]
    explicit = scan([str(tmp_path / "dangling")])
    assert "broken" in skipped(explicit)[str(tmp_path / "dangling")]


def test_symlink_to_a_file_is_listed_under_its_own_name(tmp_path: Path) -> None:
    touch(tmp_path / "target", b"abc")
    os.symlink("target", tmp_path / "zlink")
    found = scan([str(tmp_path)])
    assert files(found) == [str(tmp_path / "target"), str(tmp_path / "zlink")]
    assert [e.size for e in found if isinstance(e, FileEntry)] == [3, 3]


def test_undecodable_file_name_survives(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.bin")
    with open(raw, "wb") as f:
        f.write(b"bytes of cafe")
    name = os.fsdecode(b"caf\xe9.bin")
    (entry,) = scan([str(tmp_path)])
    assert isinstance(entry, FileEntry)
    assert entry.path == os.path.join(str(tmp_path), name)
    assert os.fsencode(entry.path) == raw
    with open(entry.path, "rb") as f:
        assert f.read() == b"bytes of cafe"
    assert entry.size == 13
    assert files(scan([entry.path])) == [entry.path]


def test_missing_input_is_a_skipped_entry(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone")
    found = scan([missing])
    assert len(found) == 1
    assert isinstance(found[0], SkippedEntry)
    assert found[0].path == missing
    assert "not found" in found[0].reason


# --- cancel, batches, counters -------------------------------------------------------------------


def test_cancel_set_before_the_scan_yields_nothing(tmp_path: Path) -> None:
    touch(tmp_path / "d" / "a")
    cancel = threading.Event()
    cancel.set()
    s = Scanner([str(tmp_path / "d"), str(tmp_path / "d" / "a")], cancel=cancel)
    assert list(s.batches()) == []
    assert (s.files, s.folders) == (0, 0)


def test_cancel_stops_a_scan_between_folders(tmp_path: Path) -> None:
    for i in range(50):
        touch(tmp_path / f"d{i:02d}" / "f")
    cancel = threading.Event()
    s = Scanner([str(tmp_path)], cancel=cancel)
    got = []
    for batch in s.batches(size=1):
        got.extend(batch)
        cancel.set()
    assert len(got) == 1
    assert s.folders < 5


def test_batches_respect_size_and_concatenate_to_scan(tmp_path: Path) -> None:
    for i in range(23):
        touch(tmp_path / f"f{i}")
    os.symlink("nowhere", tmp_path / "dangling")
    s = Scanner([str(tmp_path), str(tmp_path / "missing")])
    batches = list(s.batches(size=5))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 5]
    assert [e for b in batches for e in b] == scan([str(tmp_path), str(tmp_path / "missing")])


def test_counters_add_up(tmp_path: Path) -> None:
    touch(tmp_path / "a")
    touch(tmp_path / "s" / "b")
    touch(tmp_path / "s" / "t" / "c")
    os.mkfifo(tmp_path / "s" / "fifo")
    os.symlink("nowhere", tmp_path / "dangling")
    s = Scanner([str(tmp_path), str(tmp_path / "missing")])
    found = [e for b in s.batches() for e in b]
    assert (s.files, s.skipped, s.folders) == (3, 3, 3)
    assert s.files + s.skipped == len(found)


# --- what cannot be read: as the unprivileged user nobody ---------------------------------------


@pytest.fixture
def locked_tree() -> Iterator[Path]:
    """``locked/`` (mode 000), ``noexec/`` (listable, not enterable) and ``normal.txt``, in a
    folder that user nobody may enter."""
    with shared_dir() as base:
        touch(base / "locked" / "a.txt")
        touch(base / "noexec" / "b.txt")
        touch(base / "normal.txt")
        (base / "locked").chmod(0o000)
        (base / "noexec").chmod(0o644)
        yield base


def test_unreadable_folder_is_a_failed_entry_naming_it(locked_tree: Path) -> None:
    locked, normal = str(locked_tree / "locked"), str(locked_tree / "normal.txt")
    found = run_as_nobody("core.discover:scan", [locked, normal])
    assert files(found) == [normal]
    (entry,) = [e for e in found if isinstance(e, SkippedEntry)]
    assert entry.path == locked and entry.error
    assert entry.reason == (
        "cannot list this folder (Permission denied): its files were not processed; "
        "check its permissions"
    )
    inside = run_as_nobody("core.discover:scan", [str(locked_tree)])  # met while walking
    assert files(inside) == [normal]
    assert {e.path: e.error for e in inside if isinstance(e, SkippedEntry)} == {
        locked: True,
        str(locked_tree / "noexec" / "b.txt"): True,
    }


def test_unreadable_input_given_directly_is_a_failed_entry(locked_tree: Path) -> None:
    path = str(locked_tree / "locked" / "a.txt")
    (entry,) = run_as_nobody("core.discover:scan", [path])
    assert isinstance(entry, SkippedEntry) and entry.path == path and entry.error
    assert entry.reason.startswith(
        "cannot read this path (Permission denied): it was not processed"
    )


def test_files_of_a_folder_that_cannot_be_entered_are_failed_not_dropped(
    locked_tree: Path,
) -> None:
    found = run_as_nobody("core.discover:scan", [str(locked_tree / "noexec")])
    (entry,) = found  # the name is listed, its details cannot be read
    assert isinstance(entry, SkippedEntry) and entry.error
    assert entry.path == str(locked_tree / "noexec" / "b.txt")
    assert "Permission denied" in entry.reason and "not processed" in entry.reason
    only_jpg = Filters(include=("*.jpg",))  # what the filters leave out is not reported
    assert run_as_nobody("core.discover:scan", [str(locked_tree / "noexec")], only_jpg) == []


def test_unreadable_folder_fails_the_checksum_job(engine: Engine, locked_tree: Path) -> None:
    """checksum -o S locked/ normal.txt: the folder's row fails (exit 1), naming the folder."""
    locked, normal = str(locked_tree / "locked"), str(locked_tree / "normal.txt")
    found = run_as_nobody("core.discover:scan", [locked, normal])
    options = ChecksumOptions(manifest=str(locked_tree / "S"))
    plan = operations.get("checksum").plan(found, options)
    job, report = run_job(engine, "checksum", options, plan)
    by_path = {t.path: r for t, r in zip(job.tasks, job.tracker.results, strict=True)}
    assert by_path[normal] is not None and by_path[normal].status == Status.DONE
    row = by_path[locked]
    assert row is not None and row.status == Status.FAILED
    assert row.message.startswith("cannot list this folder (Permission denied)")
    assert "1 failed file left out of the manifest" in report.lines
    assert not any("skipped" in line for line in report.lines)


# --- symbolic link loops (ELOOP) -----------------------------------------------------------------


def test_link_to_itself_is_a_loop_not_a_broken_link(tmp_path: Path) -> None:
    os.symlink("me", tmp_path / "me")
    for found in (scan([str(tmp_path)]), scan([str(tmp_path / "me")])):
        (entry,) = found
        assert isinstance(entry, SkippedEntry) and not entry.error
        assert entry.reason.startswith("symbolic link loop"), entry.reason
        assert "broken" not in entry.reason


def test_two_links_pointing_at_each_other_are_loops(tmp_path: Path) -> None:
    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    for paths in ([str(tmp_path)], [str(tmp_path / "a"), str(tmp_path / "b")]):
        reasons = skipped(scan(paths))
        assert set(reasons) == {str(tmp_path / "a"), str(tmp_path / "b")}
        assert all(r.startswith("symbolic link loop") for r in reasons.values()), reasons


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_a_deep_walk_holds_no_descriptor_per_level(tmp_path: Path) -> None:
    """Folders are listed through a descriptor of their own (a faster stat per file), open only
    while that folder's files are taken: 60 levels deep, the walk holds at most one, and none
    once it is done or abandoned."""
    deep = tmp_path / "top"
    folder = deep
    for level in range(60):
        folder = folder / f"level{level}"
        touch(folder / "f.txt")

    def open_here() -> int:
        """This process's descriptors open on something under ``deep``."""
        n = 0
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
                n += os.readlink(f"/proc/self/fd/{fd}").startswith(str(deep))
        return n

    most = 0
    walk = Scanner([str(deep)]).batches(1)
    for i, batch in enumerate(walk):
        most = max(most, open_here())
        assert isinstance(batch[0], FileEntry) and batch[0].path.endswith("/f.txt")
        if i == 30:
            break
    walk.close()
    assert most == (1 if os.scandir in os.supports_fd else 0)
    assert open_here() == 0
    found = scan([str(deep)])
    assert len(found) == 60 and open_here() == 0
    assert found[-1].path == str(folder / "f.txt")
