"""Chunk planning: properties over random sizes and limits (hypothesis), plus laziness."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from core.operations.base import ChunkLimits
from core.plan import DEFAULT_LIMITS, next_chunk
from core.records import Task

limits_st = st.builds(
    ChunkLimits,
    max_files=st.integers(1, 12),
    max_bytes=st.integers(1, 5000),
    large_file=st.integers(1, 8000),
)
sizes_st = st.lists(st.integers(0, 10_000), max_size=120)


def make_tasks(sizes: list[int]) -> list[Task]:
    return [Task(i, f"/data/f{i}", s) for i, s in enumerate(sizes)]


def chunks(tasks: list[Task], limits: ChunkLimits = DEFAULT_LIMITS) -> Iterator[list[Task]]:
    """Every chunk next_chunk cuts, from the first row to the last."""
    sizes = [t.size for t in tasks]
    start = 0
    while start < len(sizes):
        rows, start = next_chunk(sizes, start, limits)
        yield [tasks[i] for i in rows]


@given(sizes_st, limits_st)
def test_every_task_exactly_once_in_order(sizes: list[int], limits: ChunkLimits) -> None:
    tasks = make_tasks(sizes)
    out = list(chunks(tasks, limits))
    assert [t for c in out for t in c] == tasks
    assert all(c for c in out)  # no empty chunk


@given(sizes_st, limits_st)
def test_no_chunk_exceeds_max_files(sizes: list[int], limits: ChunkLimits) -> None:
    assert all(len(c) <= limits.max_files for c in chunks(make_tasks(sizes), limits))


@given(sizes_st, limits_st)
def test_chunk_over_max_bytes_only_if_single_file(sizes: list[int], limits: ChunkLimits) -> None:
    for c in chunks(make_tasks(sizes), limits):
        if sum(t.size for t in c) > limits.max_bytes:
            assert len(c) == 1


@given(sizes_st, limits_st)
def test_large_files_are_alone(sizes: list[int], limits: ChunkLimits) -> None:
    for c in chunks(make_tasks(sizes), limits):
        if any(t.size >= limits.large_file for t in c):
            assert len(c) == 1


@given(sizes_st, limits_st)
def test_small_chunks_close_only_when_full(sizes: list[int], limits: ChunkLimits) -> None:
    """A chunk of small files ends only when the next small file would not fit: no needless
    splitting, so per-task overhead stays low."""
    out = list(chunks(make_tasks(sizes), limits))
    for cur, nxt in itertools.pairwise(out):
        small = all(t.size < limits.large_file for t in cur + nxt[:1])
        if small:
            full = len(cur) >= limits.max_files
            over = sum(t.size for t in cur) + nxt[0].size > limits.max_bytes
            assert full or over, (cur, nxt)


def test_examples_with_default_limits() -> None:
    mib = 1024 * 1024
    tasks = make_tasks([1, 2, 9 * mib, 3, 8 * mib, 4])
    out = [[t.index for t in c] for c in chunks(tasks)]
    assert out == [[0, 1], [2], [3], [4], [5]]
    assert ChunkLimits() == DEFAULT_LIMITS


def test_many_empty_files_are_grouped_by_count() -> None:
    out = list(chunks(make_tasks([0] * 600), ChunkLimits(max_files=256)))
    assert [len(c) for c in out] == [256, 256, 88]


def test_empty_input_gives_no_chunk() -> None:
    assert list(chunks([], ChunkLimits())) == []


@given(sizes_st, limits_st, st.lists(st.booleans(), min_size=120, max_size=120))
def test_rows_that_ended_are_passed_over(
    sizes: list[int], limits: ChunkLimits, ended: list[bool]
) -> None:
    flags = bytearray(ended[: len(sizes)])
    start, seen = 0, []
    while start < len(sizes):
        rows, start = next_chunk(sizes, start, limits, flags)
        seen.extend(rows)
    assert seen == [i for i in range(len(sizes)) if not flags[i]]


def reference_chunk(
    sizes: list[int], start: int, limits: ChunkLimits, ended: bytearray
) -> tuple[list[int], int]:
    """The rule of next_chunk, one row at a time (its fast path must cut the same chunks)."""
    rows: list[int] = []
    nbytes, i = 0, start
    while i < len(sizes):
        if ended[i]:
            i += 1
            continue
        size = sizes[i]
        if rows and (
            size >= limits.large_file
            or nbytes + size > limits.max_bytes
            or len(rows) >= limits.max_files
        ):
            break
        rows.append(i)
        nbytes += size
        i += 1
        if size >= limits.large_file:
            break
    return rows, i


@given(sizes_st, limits_st, st.lists(st.booleans(), min_size=120, max_size=120))
def test_chunks_are_cut_as_the_rule_says_row_by_row(
    sizes: list[int], limits: ChunkLimits, ended: list[bool]
) -> None:
    for flags in (bytearray(len(sizes)), bytearray(ended[: len(sizes)])):
        start = 0
        while start < len(sizes):
            rows, after = next_chunk(sizes, start, limits, flags)
            assert (list(rows), after) == reference_chunk(sizes, start, limits, flags)
            start = after
