"""Manifest format: algorithms against reference digests, GNU escaping, parsing, and round trips
through the real coreutils tools and b3sum (run in the manifest's folder)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core import manifest
from core.manifest import ManifestError, escape_name, format_manifest, parse_manifest
from core.records import FileError
from tests.support import needs_tool, require_tool

# Published test vectors for b"abc".
ABC = {
    "md5": "900150983cd24fb0d6963f7d28e17f72",
    "sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "sha512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "blake2b": "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    "blake3": "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
    "xxh128": "06b05ab6733a618578af5f94892f3950",
}
TOOLS = {"md5": "md5sum", "sha1": "sha1sum", "sha256": "sha256sum", "sha512": "sha512sum"}
TOOLS |= {"blake2b": "b2sum", "blake3": "b3sum"}

# Names that need care: GNU escapes backslash, LF and CR; the rest pass through as bytes.
TRICKY = [b"plain.txt", b"sp ace", b" lead", b"star*", b"tab\tx", b"paren (1) = x"]
ESCAPED = [b"back\\slash", b"new\nline", b"both\\\nx", b"cr\rret", b"end\r"]
NON_UTF8 = [b"\xff\xfebad", b"caf\xe9.txt"]


def digest(name: str, data: bytes) -> str:
    h = manifest.ALGORITHMS[name].new()
    h.update(memoryview(data))
    return h.hexdigest()


def make_files(folder: Path, names: list[bytes]) -> list[str]:
    """Create files with these byte names (content differs per name); return str paths."""
    paths = []
    for raw in names:
        p = os.path.join(os.fsencode(folder), raw)
        with open(p, "wb") as f:
            f.write(b"content of " + raw)
        paths.append(os.fsdecode(p))
    return paths


def hashlib_entries(paths: list[str], algorithm: str = "sha256") -> list[tuple[str, str]]:
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append((digest(algorithm, f.read()), p))
    return out


def run_tool(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, cwd=cwd, capture_output=True, timeout=60, check=False)


# --- algorithms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(manifest.ALGORITHMS))
def test_every_algorithm_matches_its_reference_vector(name: str) -> None:
    alg = manifest.ALGORITHMS[name]
    assert digest(name, b"abc") == ABC[name]
    assert len(ABC[name]) == alg.hex_len


@pytest.mark.parametrize("name", [n for n in TOOLS if shutil.which(TOOLS[n])])
def test_every_algorithm_matches_its_command_line_tool(name: str, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "f").write_bytes(data)
    h = manifest.ALGORITHMS[name].new()
    for i in range(0, len(data), 1 << 20):  # in blocks, as workers do
        h.update(memoryview(data)[i : i + (1 << 20)])
    out = run_tool([TOOLS[name], "f"], tmp_path).stdout.split()[0].decode()
    assert h.hexdigest() == out
    assert manifest.ALGORITHMS[name].tool == TOOLS[name]


def test_get_algorithm_names_the_choices() -> None:
    assert manifest.get_algorithm("SHA256").name == "sha256"
    with pytest.raises(ValueError, match="choose one of md5, sha1, sha256"):
        manifest.get_algorithm("crc32")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("SHA256SUMS", "sha256"),
        ("sha1sums", "sha1"),
        ("MD5SUMS", "md5"),
        ("photos.md5", "md5"),
        ("x.SHA512", "sha512"),
        ("B2SUMS", "blake2b"),
        ("a.b2", "blake2b"),
        ("B3SUMS", "blake3"),
        ("a.b3", "blake3"),
        ("a.blake3", "blake3"),
        ("a.xxh128", "xxh128"),
        ("checksums.txt", None),
    ],
)
def test_algorithm_from_filename(filename: str, expected: str | None) -> None:
    alg = manifest.algorithm_from_filename(os.path.join("/some/dir", filename))
    assert (alg.name if alg else None) == expected


# --- writing -------------------------------------------------------------------------------------


def test_escape_name_follows_coreutils() -> None:
    assert escape_name(b"plain name") == (b"plain name", False)
    assert escape_name(b"a\\b") == (b"a\\\\b", True)
    assert escape_name(b"a\nb") == (b"a\\nb", True)
    assert escape_name(b"a\rb") == (b"a\\rb", True)
    assert escape_name(b"\\\n") == (b"\\\\\\n", True)


def test_format_manifest_is_relative_sorted_and_escaped(tmp_path: Path) -> None:
    base = str(tmp_path)
    entries = [
        ("AB" * 32, os.path.join(base, "sub", "b.txt")),
        ("cd" * 32, os.path.join(base, "a\nb")),
        ("ef" * 32, os.fsdecode(os.path.join(os.fsencode(base), b"\xff"))),
        ("01" * 32, os.path.join(base, "Z")),
    ]
    assert format_manifest(entries, base) == (
        b"0101010101010101010101010101010101010101010101010101010101010101  Z\n"
        b"\\cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd  a\\nb\n"
        b"abababababababababababababababababababababababababababababababab  sub/b.txt\n"
        b"efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef  \xff\n"
    )
    assert format_manifest(reversed(entries), Path(base)) == format_manifest(entries, base)
    assert format_manifest([], base) == b""


def test_format_manifest_outside_the_folder_uses_dotdot(tmp_path: Path) -> None:
    text = format_manifest([("00" * 16, str(tmp_path / "x"))], tmp_path / "sub")
    assert text == b"00" * 16 + b"  ../x\n"


@needs_tool("sha256sum")
def test_format_manifest_is_byte_identical_to_sha256sum(tmp_path: Path) -> None:
    names = TRICKY + ESCAPED + NON_UTF8
    paths = make_files(tmp_path, names)
    ours = format_manifest(hashlib_entries(paths), tmp_path)
    order = sorted(names)
    theirs = run_tool(["sha256sum", "--", *[os.fsdecode(n) for n in order]], tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    assert ours == theirs.stdout


# --- coreutils and b3sum accept what we write ----------------------------------------------------


@pytest.mark.parametrize("name", ["md5", "sha1", "sha256", "sha512", "blake2b"])
def test_coreutils_check_accepts_our_manifest(name: str, tmp_path: Path) -> None:
    tool = manifest.ALGORITHMS[name].tool
    assert tool is not None
    require_tool(tool)
    (tmp_path / "sub").mkdir()
    paths = make_files(tmp_path, TRICKY + ESCAPED + NON_UTF8 + [b"sub/inner"])
    (tmp_path / "SUMS").write_bytes(format_manifest(hashlib_entries(paths, name), tmp_path))
    r = run_tool([tool, "--check", "--strict", "SUMS"], tmp_path)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout.count(b": OK\n") == len(paths)
    # ...and notices a changed file.
    Path(paths[0]).write_bytes(b"changed")
    assert run_tool([tool, "--check", "SUMS"], tmp_path).returncode == 1


@needs_tool("b3sum")
def test_b3sum_check_accepts_our_manifest(tmp_path: Path) -> None:
    # b3sum understands the \\ and \n escapes and the leading backslash, but not \r (see below).
    names = [*TRICKY, b"back\\slash", b"new\nline", b"both\\\nx"]
    paths = make_files(tmp_path, names)
    (tmp_path / "B3SUMS").write_bytes(format_manifest(hashlib_entries(paths, "blake3"), tmp_path))
    r = run_tool(["b3sum", "--check", "B3SUMS"], tmp_path)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout.count(b": OK\n") == len(paths)


@needs_tool("b3sum")
@pytest.mark.parametrize(
    ("raw", "complaint"),
    [(b"cr\rret", b"backslash escape"), (b"\xff\xfebad", b"UTF-8")],
)
def test_b3sum_limits_documented(raw: bytes, complaint: bytes, tmp_path: Path) -> None:
    """b3sum 1.2.0 refuses a CR escape ("Invalid backslash escape") and any manifest that is not
    UTF-8; coreutils needs the CR escape, so such names are checkable with our verify and GNU
    tools only. If a newer b3sum accepts them, this test says so instead of failing."""
    paths = make_files(tmp_path, [raw])
    (tmp_path / "B3SUMS").write_bytes(format_manifest(hashlib_entries(paths, "blake3"), tmp_path))
    r = run_tool(["b3sum", "--check", "B3SUMS"], tmp_path)
    if r.returncode != 0:
        assert complaint in r.stderr
    entries = manifest.read_manifest(str(tmp_path / "B3SUMS"))
    assert [(e.path, e.algorithm) for e in entries] == [(paths[0], "blake3")]


# --- reading -------------------------------------------------------------------------------------


def test_parse_reads_what_the_real_tools_write(tmp_path: Path) -> None:
    names = TRICKY + ESCAPED + NON_UTF8
    paths = make_files(tmp_path, names)
    expected = {p: d for d, p in hashlib_entries(paths)}
    fs_names = [os.fsdecode(n) for n in names]
    for args in (["sha256sum"], ["sha256sum", "--tag"], ["sha256sum", "--binary"]):
        out = run_tool([*args, "--", *fs_names], tmp_path).stdout
        entries = parse_manifest(out, tmp_path, source="SUMS")
        assert {e.path: e.digest for e in entries} == expected, args
        assert all(e.algorithm == "sha256" for e in entries)
        assert all(e.guessed != ("--tag" in args) for e in entries)  # untagged: by length
    b3 = run_tool(["b3sum", "--", *fs_names[:6]], tmp_path).stdout
    entries = parse_manifest(b3, tmp_path, source="B3SUMS")
    assert {e.path: e.digest for e in entries} == hashlib_entries_map(paths[:6], "blake3")


def hashlib_entries_map(paths: list[str], algorithm: str) -> dict[str, str]:
    return {p: d for d, p in hashlib_entries(paths, algorithm)}


def test_parse_line_forms(tmp_path: Path) -> None:
    h = "ab" * 32
    data = (
        f"# a comment\n\n  {h}  text mode\n{h} *binary mode\r\n{h} reversed form\n"
        f"SHA256 (tagged (x) = y) = {h.upper()}\n"
        f"\\{h}  esc\\\\aped\\nname\\r\n"
        f"\\SHA256 (tag\\nesc) = {h}\n"
    ).encode()
    entries = parse_manifest(data, tmp_path)
    assert [(e.name, e.line) for e in entries] == [
        ("text mode", 3),
        ("binary mode", 4),
        ("reversed form", 5),
        ("tagged (x) = y", 6),
        ("esc\\aped\nname\r", 7),
        ("tag\nesc", 8),
    ]
    assert {e.digest for e in entries} == {h}
    assert entries[0].path == os.path.join(str(tmp_path), "text mode")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=8, unique=True))
def test_format_then_parse_round_trips_any_name(names: list[bytes]) -> None:
    names = [n.replace(b"/", b"_").replace(b"\0", b"_") for n in names]
    names = [n for n in dict.fromkeys(names) if n not in (b".", b"..")]
    assume(names)  # an empty manifest is an error to read, tested on its own
    base = "/base"
    entries = [(f"{i:064x}", os.fsdecode(b"/base/" + n)) for i, n in enumerate(names)]
    parsed = parse_manifest(format_manifest(entries, base), base, source="SHA256SUMS")
    assert sorted((e.digest, e.path) for e in parsed) == sorted(entries)
    # Lines are in the order of the names' bytes (undecodable bytes included), as sort(1) -b.
    assert [os.fsencode(e.path) for e in parsed] == sorted(os.fsencode(p) for _, p in entries)


@pytest.mark.parametrize(
    ("line", "reason", "advice"),
    [
        (b"not a checksum line at all", "not a checksum line", ""),
        (b"abc  short", "3 hex digits, which fits no supported algorithm", ""),
        (b"\\" + b"ab" * 32 + b"  bad\\tescape", "backslash escape other than", ""),
        (b"SHA384 (x) = " + b"ab" * 48, "'SHA384' is not supported", ""),
        (b"MD5 (x) = " + b"ab" * 20, "40 hex digits, md5 has 32", ""),
        (
            b"ab" * 20 + b"  x",
            "40 hex digits, md5 has 32 (md5 is implied by the manifest's name)",
            "choose the algorithm with --algorithm",
        ),
        (b"ab" * 32 + b"  nul\0name", "its name holds a NUL byte", ""),
        (b"ab" * 16 + b"  " + b"x" * manifest.MAX_LINE, "longer than 64 KiB", ""),
    ],
)
def test_bad_lines_are_reported_with_file_and_line(line: bytes, reason: str, advice: str) -> None:
    data = b"ab" * 16 + b"  good\n\n" + line + b"\n"
    # By default the good lines are read and the bad ones returned, as sha256sum -c checks the
    # rest of a manifest.
    entries = parse_manifest(data, "/x", source="/x/MD5SUMS")
    assert [(e.name, e.line) for e in entries] == [("good", 1)]
    (bad,) = entries.bad
    assert (bad.line, bad.advice) == (3, advice)
    assert reason in bad.reason
    assert "--algorithm" not in bad.reason  # advice only where it applies, and apart
    # strict refuses the whole manifest, naming the file and the line.
    with pytest.raises(ManifestError) as info:
        parse_manifest(data, "/x", source="/x/MD5SUMS", strict=True)
    message = str(info.value)
    assert message.startswith("/x/MD5SUMS: line 3: ")
    assert reason in message
    assert "Fix or remove these lines" in message
    assert ("--algorithm" in message) == bool(advice)
    assert isinstance(info.value, FileError)


def test_many_bad_lines_are_counted() -> None:
    data = b"".join(b"junk %d\n" % i for i in range(10))
    with pytest.raises(
        ManifestError, match=r"line 1: .*; 9 more bad line\(s\): 2, 3, 4, 5, 6, \.\.\."
    ) as info:
        parse_manifest(data, "/x", source="SUMS")  # no line can be checked: refused whole
    assert "no line that can be checked" in str(info.value)
    assert "--algorithm" not in str(info.value)  # these are simply not checksum lines


def test_empty_manifest_is_an_error() -> None:
    with pytest.raises(ManifestError, match="SUMS: no checksum lines found"):
        parse_manifest(b"\n# only a comment\n", "/x", source="SUMS")


def test_algorithm_detection_order() -> None:
    h64, h32 = "ab" * 32, "cd" * 16

    def algorithms(data: str, source: str = "list.txt", algorithm: str | None = None) -> list:
        entries = parse_manifest(data.encode(), "/x", source=source, algorithm=algorithm)
        return [(e.algorithm, e.guessed) for e in entries]

    assert algorithms(f"{h64}  a\n") == [("sha256", True)]  # by length
    assert algorithms(f"{h32}  a\n") == [("md5", True)]
    assert algorithms(f"{h64}  a\n", source="B3SUMS") == [("blake3", False)]  # by file name
    assert algorithms(f"{h32}  a\n", source="x.xxh128") == [("xxh128", False)]
    assert algorithms(f"{h64}  a\n", algorithm="blake3") == [("blake3", False)]  # explicit
    # A tag names its own line's algorithm, and the untagged lines of a file that uses one tag.
    assert algorithms(f"BLAKE3 (a) = {h64}\n{h64}  b\n") == [("blake3", False)] * 2
    assert algorithms(f"MD5 (a) = {h32}\nSHA256 (b) = {h64}\n") == [
        ("md5", False),
        ("sha256", False),
    ]
    with pytest.raises(ManifestError, match="tagged SHA256 but the algorithm blake3 was chosen"):
        algorithms(f"SHA256 (a) = {h64}\n", algorithm="blake3")
    with pytest.raises(ManifestError, match="64 hex digits, md5 has 32"):
        algorithms(f"{h64}  a\n", source="MD5SUMS")


def test_read_manifest_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such manifest"):
        manifest.read_manifest(str(tmp_path / "nope.sha256"))
    with pytest.raises(ManifestError, match="is a folder"):
        manifest.read_manifest(str(tmp_path))
    (tmp_path / "x.sha256").write_bytes(b"ab" * 32 + b"  sub/f\n")
    (e,) = manifest.read_manifest(str(tmp_path / "x.sha256"))
    assert e.path == str(tmp_path / "sub" / "f")
    assert e.algorithm == "sha256"


def test_hashlib_reference_uses_the_same_blake2b_as_b2sum() -> None:
    assert digest("blake2b", b"x") == hashlib.blake2b(b"x").hexdigest()
