"""Compact per-row storage for a job: the tasks and the final results, in columns.

A job of a million files must stay far below a gigabyte, so no object per row is kept: a row's
task is a path in a list plus its size in an array (outputs and expected values, which most jobs
lack, in dicts), and a row's result is one status byte plus its value (messages and outputs
again in dicts, by row). :class:`Task` and :class:`FileResult` objects are made when they are
read, and thrown away again. Both read like sequences of those records.

Written by one thread (the job's run thread), read by any: item assignments on lists, arrays,
dicts and bytearrays are atomic in CPython.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Protocol, overload

from core.records import (
    KIND_BY_VALUE,
    STATUSES,
    FileResult,
    ResultBatch,
    Status,
    Task,
    TaskColumns,
)

DETAIL_BUDGET = 64 * 1024 * 1024  # characters of details a store keeps (past them: none kept)


class TaskList(Sequence[Task]):
    """The tasks of a job's rows, ``tasks[i].index == i``, stored as columns."""

    __slots__ = ("paths", "sizes", "mtimes", "_outputs", "_expected")

    def __init__(self, tasks: Iterable[Task] = ()) -> None:
        self.paths: list[str] = []
        self.sizes = array("q")
        self.mtimes = array("q")  # mtime_ns at planning (-1: not known)
        self._outputs: dict[int, str] = {}
        # Per-row expected values (verify's digests), once any row has one. An entry may be an
        # (algorithm, digest) pair that shares the digest string of its source: see add().
        self._expected: list[str | tuple[str, str | bytes] | None] | None = None
        self.extend(tasks)

    def add(
        self,
        path: str,
        size: int,
        output: str | None = None,
        expected: str | tuple[str, str] | None = None,
        mtime_ns: int = -1,
    ) -> int:
        """Append one row without making a Task; returns its index. ``expected`` may be given
        as ``(algorithm, digest)``, read back as ``"algorithm:digest"``: a million rows then
        keep each digest as its bytes instead of a string of their own."""
        i = len(self.paths)
        self.paths.append(path)
        self.sizes.append(size)
        self.mtimes.append(mtime_ns)
        if output is not None:
            self._outputs[i] = output
        if expected is not None:
            if self._expected is None:
                self._expected = [None] * i
            if isinstance(expected, tuple):  # (algorithm, hex digest): keep the digest's bytes
                self._expected.append((expected[0], _pack(expected[1])))
            else:
                self._expected.append(expected)
        elif self._expected is not None:
            self._expected.append(None)
        return i

    def _expected_of(self, i: int) -> str | None:
        col = self._expected
        e = col[i] if col is not None else None
        if e is None or isinstance(e, str):
            return e
        algorithm, digest = e
        hexd = digest.hex() if isinstance(digest, bytes) else digest
        return f"{algorithm}:{hexd}"

    def append(self, t: Task) -> None:
        self.extend((t,))

    def extend(self, tasks: Iterable[Task]) -> None:
        """Append tasks; each one's index must be the next row number."""
        n = len(self.paths)
        if type(tasks) is TaskColumns and tasks.start == n:  # a planned batch: its columns
            self.paths.extend(tasks.paths)
            self.sizes.extend(tasks.sizes)
            self.mtimes.extend(tasks.mtimes)
            if self._expected is not None:
                self._expected.extend([None] * len(tasks.paths))
            return
        tasks = tasks if isinstance(tasks, list | tuple) else list(tasks)
        if (
            self._expected is None
            and tasks
            and tasks[0].index == n
            and tasks[-1].index == n + len(tasks) - 1
            and not any(t.output is not None or t.expected is not None for t in tasks)
            and all(t.index == i for i, t in enumerate(tasks, n))
        ):  # plain rows (checksums of 100,000s of files): the columns in one pass each
            self.paths.extend([t.path for t in tasks])
            self.sizes.extend([t.size for t in tasks])
            self.mtimes.extend([t.mtime_ns for t in tasks])
            return
        for t in tasks:
            if t.index != len(self.paths):
                raise ValueError(f"task index {t.index} where row {len(self.paths)} was expected")
            self.add(t.path, t.size, t.output, t.expected, t.mtime_ns)

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, i: int) -> Task: ...

    @overload
    def __getitem__(self, i: slice) -> list[Task]: ...

    def __getitem__(self, i: int | slice) -> Task | list[Task]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.paths)))]
        if i < 0:
            i += len(self.paths)
        return Task(
            i,
            self.paths[i],
            self.sizes[i],
            self._outputs.get(i),
            self._expected_of(i),
            self.mtimes[i],
        )

    def take(self, rows: Sequence[int]) -> Sequence[Task]:
        """The tasks of ``rows`` (a chunk being submitted): when no row has an output or
        expected value, as for checksums, slices of the columns (:class:`TaskColumns`, rows
        that follow each other) or one C-level map over them."""
        if self._outputs or self._expected is not None:
            return [self[i] for i in rows]
        if type(rows) is range and rows.step == 1:
            span = slice(rows.start, rows.stop)
            return TaskColumns(rows.start, self.paths[span], self.sizes[span], self.mtimes[span])
        none = itertools.repeat(None)
        return list(
            map(
                Task,
                rows,
                map(self.paths.__getitem__, rows),
                map(self.sizes.__getitem__, rows),
                none,
                none,
                map(self.mtimes.__getitem__, rows),
            )
        )

    def key(self, i: int) -> tuple[str, int, int]:
        """Row ``i``'s file identity ``(path, size, mtime_ns)`` as it was planned."""
        return self.paths[i], self.sizes[i], self.mtimes[i]

    def __iter__(self) -> Iterator[Task]:
        outputs, n = self._outputs, len(self.paths)
        if not outputs and self._expected is None:
            no_output, no_expected = itertools.repeat(None, n), itertools.repeat(None, n)
            return map(Task, range(n), self.paths, self.sizes, no_output, no_expected, self.mtimes)
        return (
            Task(i, p, s, outputs.get(i), self._expected_of(i), m)
            for i, (p, s, m) in enumerate(zip(self.paths, self.sizes, self.mtimes, strict=True))
        )


class ResultStore:
    """The final result of every row, or ``None`` while it has none. The first result of a row
    wins: a resubmitted chunk never overwrites (or counts twice) a row that already ended."""

    __slots__ = (
        "status",
        "kinds",
        "attempts",
        "values",
        "_messages",
        "_outputs",
        "_details",
        "detail_room",
        "final_count",
    )

    def __init__(self, n: int = 0) -> None:
        self.final_count = 0  # rows that have their final result
        self.status = bytearray(n)  # 0 while the row has no final result; else its Status
        self.kinds = bytearray(n)  # each row's Kind
        self.attempts = bytearray(n)  # which try gave the result (255 and more: 255)
        self.values: list[str | bytes] = [""] * n  # hex digests packed as bytes (see _pack)
        self._messages: dict[int, str] = {}
        self._outputs: dict[int, str] = {}
        # Details (FileResult.detail) of the rows that have one, within a budget: a million
        # failed commands' output tails must not fill the memory (the journal has them all).
        self._details: dict[int, str] = {}
        self.detail_room = DETAIL_BUDGET

    def extend(self, k: int) -> None:
        """``k`` more rows, without results yet."""
        self.status.extend(bytes(k))
        self.kinds.extend(bytes(k))
        self.attempts.extend(bytes(k))
        self.values.extend([""] * k)

    def put(self, r: FileResult) -> bool:
        """Record ``r`` unless its row has a final result; returns whether it was recorded."""
        return bool(self.put_all((r,)))

    def put_all(self, results: Iterable[FileResult]) -> Sequence[FileResult]:
        """Record each result whose row has no final result yet (a row's first wins); returns
        those recorded, in order (a :class:`ResultBatch` of a chunk none of whose rows had
        ended is recorded column by column and returned as it is). The job's run thread stores
        every row through here."""
        status, kinds, attempts, values = self.status, self.kinds, self.attempts, self.values
        if type(results) is ResultBatch and type(results.rows) is range and results.rows:
            span = slice(results.rows.start, results.rows.stop)
            if not any(status[span]):  # a chunk none of whose rows ended: columns, in C
                n = len(results.rows)
                kinds[span] = results.kinds
                attempts[span] = bytes((min(results.attempt, 255),)) * n
                values[span] = _pack_all(results.values)
                status[span] = results.statuses  # last, as below
                self.final_count += n
                return results
        messages, outputs, details = self._messages, self._outputs, self._details
        fresh: list[FileResult] = []
        keep = fresh.append
        for r in results:
            i = r.index
            if status[i]:
                continue
            kinds[i] = r.kind
            attempt = r.attempt
            attempts[i] = attempt if attempt < 255 else 255
            if r.value:
                values[i] = _pack(r.value)
            if r.message:
                messages[i] = r.message
            if r.output is not None:
                outputs[i] = r.output
            detail = r.detail
            if detail and len(detail) <= self.detail_room:
                self.detail_room -= len(detail)
                details[i] = detail
            status[i] = r.status  # last: a reader that sees the status sees the rest
            keep(r)
        self.final_count += len(fresh)
        return fresh

    def final(self, i: int) -> bool:
        return self.status[i] != 0

    def __len__(self) -> int:
        return len(self.status)

    def __getitem__(self, i: int) -> FileResult | None:
        if i < 0:
            i += len(self.status)
        st = self.status[i]
        if not st:
            return None
        return FileResult(
            i,
            STATUSES[st],
            self.value(i),
            self._messages.get(i, ""),
            self._outputs.get(i),
            KIND_BY_VALUE[self.kinds[i]],
            self.attempts[i],
            self._details.get(i, ""),
        )

    def value(self, i: int) -> str:
        v = self.values[i]
        return v.hex() if type(v) is bytes else v  # type: ignore[return-value]

    def packed_values(self, rows: Iterable[int]) -> list[str | bytes]:
        """The values of these rows as stored (hex digests as bytes): no new string each."""
        if type(rows) is range and rows.step == 1:  # every row (see indices): a copy in C
            return self.values[rows.start : rows.stop]
        return list(map(self.values.__getitem__, rows))

    def values_of(self, rows: Iterable[int]) -> list[str]:
        """The values of these rows, as strings."""
        values = self.values
        return [v.hex() if type(v) is bytes else v for v in map(values.__getitem__, rows)]  # type: ignore[misc]

    def __iter__(self) -> Iterator[FileResult | None]:
        return map(self.__getitem__, range(len(self.status)))

    def finals(self) -> FinalResults:
        """The rows that have a final result, as a sequence that can be iterated many times."""
        return FinalResults(self)

    def indices(self, status: Status) -> Sequence[int]:
        """Rows whose final status is ``status``, in row order (a ``range`` when that is every
        row: no list of a million numbers made while holding the GIL)."""
        code = int(status)
        st = self.status
        if st.count(code) == len(st):
            return range(len(st))
        return [i for i, s in enumerate(st) if s == code]


def _pack(value: str) -> str | bytes:
    """A lower-case hex digest as its bytes (65 bytes in memory instead of 113 for sha256);
    anything else as it is. Exact: such a string always comes back the same from ``.hex()``."""
    if len(value) >= 32:
        try:
            packed = _fromhex(value)
        except ValueError:  # not hex
            return value
        if packed.hex() == value:  # not upper case, no spaces: it comes back the same
            return packed
    return value


_fromhex = bytes.fromhex


def _pack_all(values: list[str]) -> list[str | bytes]:
    """:func:`_pack` of each value; a chunk's digests (lower-case hex, all of one length) in a
    few C calls."""
    first = values[0] if values else ""
    width = len(first)
    if width >= 32 and width % 2 == 0 and len(set(map(len, values))) == 1:
        joined = "".join(values)
        try:
            packed = _fromhex(joined)
        except ValueError:
            packed = b""
        if packed and packed.hex() == joined:  # every one comes back the same
            step = width // 2
            return [packed[k : k + step] for k in range(0, len(packed), step)]
    return list(map(_pack, values))


class FinalResults(Collection[FileResult]):
    """The final results of a store (what an operation's finish step gets): ``len`` and
    repeated iteration, each making :class:`FileResult` records on the fly."""

    __slots__ = ("store",)

    def __init__(self, store: ResultStore) -> None:
        self.store = store

    def __len__(self) -> int:
        st = self.store.status
        return len(st) - st.count(0)

    def __contains__(self, r: object) -> bool:
        return isinstance(r, FileResult) and self.store[r.index] == r

    def __iter__(self) -> Iterator[FileResult]:
        store = self.store
        for i, s in enumerate(store.status):
            if s:
                r = store[i]
                assert r is not None
                yield r


class ResultSink(Protocol):
    """Receives every final result of a job once, in the job's run thread, as results arrive
    (the feed of the window's tracker is one; a journal writer is another). Keep it quick: hand
    the batch to another thread if there is real work to do."""

    def accept(self, results: Sequence[FileResult]) -> None: ...
