"""The result store and a chunk's results as columns (core.records.ResultBatch): a chunk recorded
column by column ends exactly as its records one by one would, and a row's first result wins."""

from __future__ import annotations

import array
import hashlib

from core.records import (
    FileEntry,
    FileResult,
    Kind,
    ResultBatch,
    SkippedEntry,
    Status,
    Task,
    TaskColumns,
    rows_and_statuses,
)
from core.results import ResultStore, TaskList
from tests.fault_ops import HashOperation


def batch(rows: range | list[int], values: list[str], attempt: int = 1) -> ResultBatch:
    n = len(values)
    statuses = bytes([Status.DONE if v else Status.FAILED for v in values])
    kinds = bytes([Kind.NONE if v else Kind.MISSING for v in values])
    durations = array.array("f", [0.25 * k for k in range(n)])
    return ResultBatch(rows, statuses, values, kinds, durations, attempt, "4242")


def digests(n: int, start: int = 0) -> list[str]:
    return [hashlib.sha256(str(k).encode()).hexdigest() for k in range(start, start + n)]


def stores_agree(a: ResultStore, b: ResultStore) -> None:
    assert a.status == b.status and a.kinds == b.kinds and a.attempts == b.attempts
    assert a.values == b.values and a.final_count == b.final_count
    assert list(a) == list(b)


def test_a_batch_is_the_sequence_of_its_records() -> None:
    values = [*digests(3), "", "OK"]
    b = batch(range(10, 15), values, attempt=2)
    records = list(b)
    assert len(b) == 5 and records == [b[k] for k in range(5)] and b[1:3] == records[1:3]
    assert records[3] == FileResult(
        13, Status.FAILED, "", "", None, Kind.MISSING, 2, "", 0.75, "4242"
    )
    assert records[0].status is Status.DONE and records[0].kind is Kind.NONE
    rows, statuses = rows_and_statuses(b)
    assert list(rows) == list(range(10, 15)) and statuses == b.statuses
    assert rows_and_statuses(records) == (rows, statuses)


def test_a_chunk_recorded_as_columns_ends_as_its_records_would() -> None:
    cases = [
        digests(8),  # digests: stored as their bytes
        [*digests(3), "", *digests(4)],  # a failed row among them
        [d.upper() for d in digests(8)],  # not lower case: kept as text
        ["OK"] * 8,  # short values
        [*digests(4), hashlib.sha512(b"x").hexdigest(), *digests(3)],  # two widths
        ["zz" * 32] * 8,  # as long as a digest, not hex
    ]
    for values in cases:
        columns, records = ResultStore(20), ResultStore(20)
        b = batch(range(4, 12), values, attempt=3)
        assert columns.put_all(b) is b  # recorded as it is
        assert records.put_all(list(b)) == list(b)
        stores_agree(columns, records)
        assert [columns.value(i) for i in range(4, 12)] == values
    packed = ResultStore(8)
    packed.put_all(batch(range(8), digests(8)))
    assert all(type(v) is bytes and len(v) == 32 for v in packed.values)


def test_a_rows_first_result_wins_over_a_later_chunk() -> None:
    columns, records = ResultStore(8), ResultStore(8)
    first = FileResult(3, Status.FAILED, "", "it crashed the worker", None, Kind.CRASHED_WORKER)
    for store in (columns, records):
        assert store.put(first)
    later = batch(range(8), digests(8), attempt=2)
    fresh = columns.put_all(later)
    assert [r.index for r in fresh] == [0, 1, 2, 4, 5, 6, 7]
    records.put_all(list(later))
    stores_agree(columns, records)
    assert columns[3] == first
    assert columns.put_all(batch(range(8), digests(8, 100))) == []  # every row had ended
    assert columns.value(0) == digests(1)[0]


def test_a_batch_of_rows_that_do_not_follow_each_other_goes_row_by_row() -> None:
    columns, records = ResultStore(10), ResultStore(10)
    b = batch([7, 2, 5], digests(3))
    assert [r.index for r in columns.put_all(b)] == [7, 2, 5]
    records.put_all(list(b))
    stores_agree(columns, records)


def test_planned_columns_are_the_tasks_they_stand_for() -> None:
    paths = [f"/data/f{k}" for k in range(6)]
    cols = TaskColumns(10, paths, list(range(6)), [k * 1000 for k in range(6)])
    tasks = [Task(10 + k, p, k, None, None, k * 1000) for k, p in enumerate(paths)]
    assert list(cols) == tasks == [cols[k] for k in range(6)] and cols[-1] == tasks[-1]
    assert len(cols) == 6 and cols[2:4] == tasks[2:4]
    by_columns, by_tasks = TaskList(Task(k, f"/x{k}", 1) for k in range(10)), TaskList()
    by_columns.extend(cols)
    by_tasks.extend([Task(k, f"/x{k}", 1) for k in range(10)])
    by_tasks.extend(tasks)
    assert list(by_columns) == list(by_tasks) and len(by_columns) == 16
    with_expected = TaskList([Task(0, "/m", 1, expected="sha256:" + "ab" * 32)])
    with_expected.extend(TaskColumns(1, ["/n"], [2], [3]))
    assert with_expected[1] == Task(1, "/n", 2, None, None, 3)
    assert with_expected[0].expected == "sha256:" + "ab" * 32


def test_a_batch_of_files_is_planned_as_columns_and_one_with_skips_row_by_row() -> None:
    files = [FileEntry(f"/d/f{k}", k, 0.0, k * 10) for k in range(4)]
    plan = HashOperation().rows(files, None, 7)
    assert type(plan.tasks) is TaskColumns and plan.settled == []
    assert list(plan.tasks) == [Task(7 + k, f"/d/f{k}", k, mtime_ns=k * 10) for k in range(4)]
    mixed = HashOperation().rows([*files[:2], SkippedEntry("/d/fifo", "a FIFO"), files[2]], None, 0)
    assert [t.index for t in mixed.tasks] == [0, 1, 2, 3] and mixed.tasks[2].size == 0
    assert [(r.index, r.status) for r in mixed.settled] == [(2, Status.SKIPPED)]


def test_a_large_batch_is_planned_in_pieces_and_a_skip_in_its_last_piece_is_seen() -> None:
    files = [FileEntry(f"/d/f{k}", k, 0.0, k) for k in range(40_000)]  # three pieces
    plan = HashOperation().rows(files, None, 0)
    assert type(plan.tasks) is TaskColumns and len(plan.tasks) == 40_000
    assert plan.tasks[39_999] == Task(39_999, "/d/f39999", 39_999, mtime_ns=39_999)
    files[-1] = SkippedEntry("/d/fifo", "a FIFO")
    plan = HashOperation().rows(files, None, 0)
    assert type(plan.tasks) is list and [r.index for r in plan.settled] == [39_999]


def test_the_journals_columns_keep_each_rows_fields_whatever_the_mix() -> None:
    # The journal writer gathers chunks as columns and other results field by field; the rare
    # fields appear once a row may have one, with the rows before them given none.
    from core.journal_writer import _Columns

    cols = _Columns()
    cols.add_batch(batch(range(0, 3), digests(3)))
    assert not cols.rare
    crashed = FileResult(3, Status.FAILED, "", "it crashed", None, Kind.CRASHED_WORKER, 2)
    cols.add_results([crashed])
    cols.add_batch(batch(range(4, 6), digests(2, 4), attempt=2))
    assert cols.rare and cols.rows == list(range(6))
    assert cols.messages == ["", "", "", "it crashed", "", ""]
    assert cols.attempts == [1, 1, 1, 2, 2, 2] and cols.outputs == [None] * 6
    assert cols.values == [*digests(3), "", *digests(2, 4)] and len(cols.details) == 6
    assert bytes(cols.statuses) == bytes([Status.DONE] * 3 + [Status.FAILED] + [Status.DONE] * 2)
