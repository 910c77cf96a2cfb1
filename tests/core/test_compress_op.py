"""compress / decompress: real files, real worker processes, and the real zstd, gzip, xz and
bzip2 tools on both sides (what we write they accept, what they write we read)."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from core.discover import scan
from core.engine import Engine, run_job
from core.naming import NamingRule
from core.operations import get
from core.operations.compress import FORMATS, CompressOptions, DecompressOptions
from core.records import FileError, Kind, Status
from tests.support import require_tool

REPO = Path(__file__).resolve().parents[2]
TOOLS = {"zstd": "zstd", "gzip": "gzip", "xz": "xz", "bzip2": "bzip2"}


def csv_like(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += f"{rng.randint(0, 10**6)},{rng.random():.5f},item{rng.randint(0, 999)}\n".encode()
    return bytes(out[:size])


def make_inputs(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "table.csv": csv_like(3 * 1024 * 1024),  # several blocks, and a large-file chunk
        "small.txt": b"hello\n" * 10,
        "empty": b"",
        "noise.bin": random.Random(2).randbytes(300_000),  # incompressible: grows
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def run(engine: Engine, op_name: str, options: object, folder: Path):  # type: ignore[no-untyped-def]
    op = get(op_name)
    plan = op.plan(scan([str(folder)]), options)
    job, report = run_job(engine, op_name, options, plan)
    return job, report


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_our_output_passes_the_real_tool_and_gives_the_bytes_back(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    tool = require_tool(TOOLS[fmt])
    files = make_inputs(tmp_path / "in")
    out = tmp_path / "out"
    options = CompressOptions(format=fmt, naming=NamingRule(output_dir=str(out)))
    job, report = run(engine, "compress", options, tmp_path / "in")
    assert job.tracker.counts[Status.DONE] == len(files)
    suffix = FORMATS[fmt].suffix
    for name, data in files.items():
        assert (tmp_path / "in" / name).read_bytes() == data  # sources untouched
        made = out / (name + suffix)
        subprocess.run([tool, "-t", str(made)], check=True, capture_output=True)
        back = subprocess.run([tool, "-dc", str(made)], check=True, capture_output=True).stdout
        assert back == data, name
    results = zip(job.tasks, job.tracker.results, strict=True)
    by_name = {os.path.basename(t.path): r for t, r in results}
    assert by_name["noise.bin"].kind == Kind.GREW and by_name["table.csv"].kind == Kind.NONE
    assert "→" in by_name["table.csv"].value  # the sizes and the ratio
    # What grew really grew (a header alone is more than an empty file), and the summary counts it.
    grew = {n for n, d in files.items() if (out / (n + suffix)).stat().st_size > len(d)}
    assert {n for n, r in by_name.items() if r.kind == Kind.GREW} == grew
    assert report.lines == [
        f"{len(grew)} files grew when compressed (compressed data already, or too small to "
        "gain); the outputs were written all the same"
    ]
    assert sorted(os.listdir(out)) == sorted(n + suffix for n in files)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_what_the_real_tool_wrote_decompresses_with_us(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    tool = require_tool(TOOLS[fmt])
    files = make_inputs(tmp_path / "in")
    packed = tmp_path / "packed"
    packed.mkdir()
    for name in files:
        with open(packed / (name + FORMATS[fmt].suffix), "wb") as f:
            subprocess.run([tool, "-c", str(tmp_path / "in" / name)], stdout=f, check=True)
    # A name that says nothing: the format is found from the data.
    os.rename(packed / ("small.txt" + FORMATS[fmt].suffix), packed / "small.data")
    out = tmp_path / "out"
    options = DecompressOptions(naming=NamingRule(output_dir=str(out)))
    job, _ = run(engine, "decompress", options, packed)
    assert job.tracker.counts[Status.DONE] == len(files), job.tracker.results
    for name, data in files.items():
        shown = "small.data.out" if name == "small.txt" else name
        assert (out / shown).read_bytes() == data, name


def test_concatenated_members_streams_and_frames_decompress_completely(
    engine: Engine, tmp_path: Path
) -> None:
    parts = [csv_like(200_000, seed=s) for s in range(3)]
    whole = b"".join(parts)
    d = tmp_path / "in"
    d.mkdir()
    (d / "members.gz").write_bytes(b"".join(gzip.compress(p) for p in parts))
    (d / "streams.xz").write_bytes(b"".join(lzma.compress(p) for p in parts))
    (d / "streams.bz2").write_bytes(b"".join(bz2.compress(p) for p in parts))
    (d / "frames.zst").write_bytes(b"".join(zstandard.compress(p) for p in parts))
    (d / "padded.gz").write_bytes(gzip.compress(whole) + b"\0" * 1000)  # tape padding
    out = tmp_path / "out"
    job, _ = run(engine, "decompress", DecompressOptions(naming=NamingRule(str(out))), d)
    assert job.tracker.counts[Status.DONE] == 5, job.tracker.results
    # streams.xz and streams.bz2 both want "streams": the second is renamed, as planned.
    names = ["frames", "members", "padded", "streams", "streams (1)"]
    assert sorted(os.listdir(out)) == names
    for name in names:
        assert (out / name).read_bytes() == whole, name


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_truncated_or_corrupt_data_fails_that_file_and_leaves_no_output(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    data = csv_like(2_000_000)
    good = {
        "zstd": zstandard.compress,
        "gzip": gzip.compress,
        "xz": lzma.compress,
        "bzip2": bz2.compress,
    }[fmt](data)
    d = tmp_path / "in"
    d.mkdir()
    sfx = FORMATS[fmt].suffix
    (d / ("cut" + sfx)).write_bytes(good[: len(good) // 2])
    bad = bytearray(good)
    for i in range(len(bad) // 3, len(bad) // 3 + 64):
        bad[i] ^= 0x55
    (d / ("flipped" + sfx)).write_bytes(bytes(bad))
    (d / ("fine" + sfx)).write_bytes(good)
    out = tmp_path / "out"
    job, _ = run(engine, "decompress", DecompressOptions(naming=NamingRule(str(out))), d)
    by = {os.path.basename(t.path): r for t, r in zip(job.tasks, job.tracker.results, strict=True)}
    assert by["fine" + sfx].status == Status.DONE
    cut, flipped = by["cut" + sfx], by["flipped" + sfx]
    assert cut.status == Status.FAILED and cut.kind == Kind.DAMAGED
    assert cut.message.startswith(f"truncated {fmt} data"), cut.message
    assert flipped.status == Status.FAILED and flipped.kind == Kind.DAMAGED
    assert flipped.message.startswith(f"corrupt {fmt} data at byte ") or (
        flipped.message.startswith(f"truncated {fmt} data")
    ), flipped.message
    assert sorted(os.listdir(out)) == ["fine"]  # no partial output of the bad ones


def test_a_decompression_bomb_is_stopped_at_the_ratio_limit(engine: Engine, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    zeros = b"\0" * (256 << 20)
    (d / "bomb.zst").write_bytes(zstandard.ZstdCompressor(level=19).compress(zeros))
    (d / "bomb.gz").write_bytes(gzip.compress(zeros, 9))
    (d / "ok.gz").write_bytes(gzip.compress(b"x" * 5000))  # 5000:~30, under 1000:1 would fail
    out = tmp_path / "out"
    options = DecompressOptions(max_ratio=1000, naming=NamingRule(str(out)))
    job, _ = run(engine, "decompress", options, d)
    by = {os.path.basename(t.path): r for t, r in zip(job.tasks, job.tracker.results, strict=True)}
    for name in ("bomb.zst", "bomb.gz"):
        assert by[name].status == Status.FAILED and by[name].kind == Kind.TOO_LARGE, by[name]
        assert "1000:1" in by[name].message
    assert sorted(os.listdir(out)) == [] or sorted(os.listdir(out)) == ["ok"]
    # With the limit raised, the trusted file decompresses.
    lenient = DecompressOptions(max_ratio=1_000_000, naming=NamingRule(str(out)))
    job, _ = run(engine, "decompress", lenient, d)
    assert job.tracker.counts[Status.DONE] == 3


def test_delete_sources_only_after_the_output_gave_the_bytes_back(
    engine: Engine, tmp_path: Path
) -> None:
    files = make_inputs(tmp_path / "in")
    digests = {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}
    options = CompressOptions(format="xz", delete_sources=True)
    job, _ = run(engine, "compress", options, tmp_path / "in")
    assert job.tracker.counts[Status.DONE] == len(files)
    assert sorted(os.listdir(tmp_path / "in")) == sorted(n + ".xz" for n in files)
    assert all("source deleted" in r.message for r in job.tracker.results if r)
    # And back, deleting the archives.
    job, _ = run(engine, "decompress", DecompressOptions(delete_sources=True), tmp_path / "in")
    assert sorted(os.listdir(tmp_path / "in")) == sorted(files)
    for name, digest in digests.items():
        assert hashlib.sha256((tmp_path / "in" / name).read_bytes()).hexdigest() == digest


def test_a_failed_file_keeps_its_source_even_with_delete_on(engine: Engine, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "fake.gz").write_bytes(b"this is not gzip at all")
    (d / "plain.txt").write_bytes(b"not compressed either")
    job, _ = run(engine, "decompress", DecompressOptions(delete_sources=True), d)
    by = {os.path.basename(t.path): r for t, r in zip(job.tasks, job.tracker.results, strict=True)}
    assert by["fake.gz"].status == Status.FAILED and by["fake.gz"].kind == Kind.DAMAGED
    assert by["plain.txt"].status == Status.SKIPPED and by["plain.txt"].kind == Kind.NOT_SUPPORTED
    assert sorted(os.listdir(d)) == ["fake.gz", "plain.txt"]
    # "Any file" tries it anyway (and it fails on its own data, not its name).
    job, _ = run(engine, "decompress", DecompressOptions(any_file=True), d)
    assert job.tracker.counts[Status.FAILED] == 2


def test_cli_compress_and_decompress_with_dry_run_and_json(tmp_path: Path) -> None:
    files = make_inputs(tmp_path / "in")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "core"]
    dry = subprocess.run(
        [*cli, "compress", "--dry-run", "--format", "gzip", str(tmp_path / "in")],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert f"{tmp_path / 'in' / 'table.csv'} -> {tmp_path / 'in' / 'table.csv.gz'}" in dry.stdout
    assert sorted(os.listdir(tmp_path / "in")) == sorted(files)  # a dry run writes nothing
    done = subprocess.run(
        [*cli, "compress", "--json", "--format", "zstd", "--level", "19", str(tmp_path / "in")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    bad = subprocess.run(
        [*cli, "compress", "--format", "gzip", "--level", "12", str(tmp_path / "in")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert bad.returncode == 2 and "between 1 and 9" in bad.stderr
    back = subprocess.run(
        [*cli, "decompress", "--output-dir", str(tmp_path / "back"), str(tmp_path / "in")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    # The uncompressed inputs are not compressed data: they are skipped, with the reason.
    assert back.returncode == 0, back.stderr
    assert f"{len(files)} files skipped: decompress cannot handle them" in back.stderr
    assert sorted(os.listdir(tmp_path / "back")) == sorted(files)
    for name, data in files.items():
        assert (tmp_path / "back" / name).read_bytes() == data


def test_size_fields_in_a_name_are_refused_before_start(tmp_path: Path) -> None:
    """{width} and {height} are an image's; compress says so before any file is read."""
    make_inputs(tmp_path / "in")
    options = CompressOptions(naming=NamingRule(template="{name}_{width}"))
    with pytest.raises(FileError, match=r"uses \{width\} or \{height\}"):
        get("compress").plan(scan([str(tmp_path / "in")]), options)
