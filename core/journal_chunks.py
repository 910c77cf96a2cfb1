"""A chunk of a job's results as the journal stores it (schema version 5): columns, not rows.

Each column of a chunk is one value in its ``chunks`` row: the row numbers as a JSON array
(``numbers``), the paths and values as their bytes one after another with a little-endian uint32
array of where each one ends, sizes, times and durations as little-endian int64 arrays, statuses
and kinds as a byte per row (the enums' stable values), the worker once (when one ran all its
rows), and the rarely set fields (output, message, attempt, carried, detail, a worker per row)
as JSON lists in ``extra``, present only when a row has one. Building that costs the writer a
few C calls per column, where a JSON array of rows (version 3) cost about 1.7 us of Python and
JSON per file: a third of a journal's whole cost on a checksum job of 20,000 small files.

The ``results`` view (:func:`view_sql`) shows the rows again for people reading the file with
the ``sqlite3`` shell: its SQL reads bytes through ``instr`` on a table of the 256 byte values,
as SQLite has no function that reads an integer out of a blob. :func:`decode` is the fast way.
"""

from __future__ import annotations

import array
import itertools
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from core.records import Kind, Status

CHUNK_ROWS = 256
"""Rows per stored chunk at most: the view reads a chunk's columns once per row, so a bounded
chunk keeps it linear, and a reader holds the GIL for one chunk's decoding at a time."""

# The columns of a row in ``chunks`` after job, seq, at, count (their order in the table: the
# small ones first, so that the view's many reads of them do not walk the big blobs' pages).
COLUMNS = (
    "statuses",
    "kinds",
    "path_ends",
    "value_ends",
    "sizes",
    "mtimes",
    "durations",
    "worker",
    "extra",
    "numbers",
    "paths",
    "vals",
)
EXTRA_FIELDS = ("output", "message", "attempt", "carried", "detail", "worker")

STATUS_NAME = {int(s): s.name.lower() for s in Status}
STATUS_CODE = {name: code for code, name in STATUS_NAME.items()}
KIND_SLUG: dict[int, str | None] = {int(k): (k.slug if k else None) for k in Kind}
KIND_CODE = {slug: code for code, slug in KIND_SLUG.items()}
UNKNOWN_KIND = "unknown"  # a kind this version does not know (written by a newer one)

_U32 = "I" if array.array("I").itemsize == 4 else "L"
_SWAP = sys.byteorder == "big"  # the arrays are stored little-endian
_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False)

Packed = tuple[Any, ...]
"""A chunk's values in :data:`COLUMNS` order."""


def _packed(code: str, values: Any) -> bytes:
    a = array.array(code, values)
    if _SWAP:
        a.byteswap()
    return a.tobytes()


def _unpacked(code: str, data: bytes) -> array.array[int]:
    a = array.array(code)
    a.frombytes(data)
    if _SWAP:
        a.byteswap()
    return a


def _strings(items: Sequence[str]) -> tuple[bytes, bytes]:
    """``items`` one after another (as the file system encodes names: a name that is not UTF-8
    comes back exact) and where each ends."""
    joined = "".join(items)
    if joined.isascii():  # the usual case, all in C: a character is a byte
        return joined.encode("ascii"), _packed(_U32, itertools.accumulate(map(len, items)))
    parts = [s.encode(_FS_ENCODING, _FS_ERRORS) for s in items]
    return b"".join(parts), _packed(_U32, itertools.accumulate(map(len, parts)))


def _pieces(data: bytes, ends: bytes) -> list[bytes]:
    stops = _unpacked(_U32, ends)
    return [data[a:b] for a, b in zip(itertools.chain((0,), stops), stops, strict=False)]


def _micros(durations: Sequence[float | None]) -> list[int]:
    return [-1 if d is None else round(d * 1e6) for d in durations]


def pack(
    rows: Sequence[int],
    paths: Sequence[str],
    sizes: Sequence[int],
    mtimes: Sequence[int],
    statuses: bytes,
    kinds: bytes,
    values: Sequence[str],
    durations: Sequence[float | None],
    workers: Sequence[str],
    extra: Mapping[str, Sequence[Any]] | None = None,
) -> Packed:
    """One chunk's columns from its rows' fields, each a sequence in row order: ``statuses`` and
    ``kinds`` a byte per row (Status and Kind values), ``values`` and ``workers`` ``""`` for
    none, ``extra`` the rarely set fields (:data:`EXTRA_FIELDS`) that some row has."""
    path_data, path_ends = _strings(paths)
    value_data, value_ends = _strings(values)
    fields = dict(extra or {})
    names = set(workers)
    worker: str | None = None
    if len(names) == 1:
        worker = names.pop() or None
    elif names:
        fields["worker"] = [w or None for w in workers]
    return (
        statuses,
        kinds,
        path_ends,
        value_ends,
        _packed("q", sizes),
        _packed("q", mtimes),
        _packed("q", _micros(durations)),
        worker,
        _ENCODER.encode(fields) if fields else None,
        _ENCODER.encode(list(rows)),
        path_data,
        value_data,
    )


def rare_fields(
    outputs: Sequence[str | None],
    messages: Sequence[str | None],
    attempts: Sequence[int],
    carried: Sequence[int | None],
    details: Sequence[str | None],
) -> dict[str, list[Any]]:
    """The rarely set fields (:data:`EXTRA_FIELDS` but the worker) that a chunk stores: each
    only when some row has one (an empty value is none; an attempt other than the first), as a
    list with ``None`` for a row without. Each check is one C call, as this runs per chunk on the
    writer's hot path (a carried job number is never 0: journal job numbers start at 1)."""
    extra: dict[str, list[Any]] = {}
    if any(outputs):
        extra["output"] = [o or None for o in outputs]
    if any(messages):
        extra["message"] = [m or None for m in messages]
    if attempts and (max(attempts) != 1 or min(attempts) != 1):
        extra["attempt"] = list(attempts)
    if any(carried):
        extra["carried"] = [c or None for c in carried]
    if any(details):
        extra["detail"] = [d or None for d in details]
    return extra


def pack_rows(rows: Sequence[Sequence[Any]]) -> Packed:
    """One chunk from rows in the order of ``core.journal.RESULT_COLUMNS`` without ``at`` (paths
    and outputs as bytes or ``str``, status and kind by name; ``worker`` may be left off): for
    migrations and :meth:`core.journal.Journal.add_results`, not the writer's hot path."""
    full = [(*r, None) if len(r) == 13 else tuple(r) for r in rows]
    (number, path, size, mtime, status, kind, value, output, message, attempt, duration,
     carried, detail, worker) = map(list, zip(*full, strict=True))  # fmt: skip
    text_output = [_text(o) if o is not None else None for o in output]
    extra = rare_fields(text_output, message, attempt, carried, detail)
    return pack(
        number,
        [_text(p) for p in path],
        size,
        mtime,
        bytes(STATUS_CODE[s] for s in status),
        bytes(KIND_CODE.get(k, 0) if k is not None else 0 for k in kind),
        [v or "" for v in value],
        duration,
        [w or "" for w in worker],
        extra,
    )


def _text(p: str | bytes) -> str:
    return p.decode(_FS_ENCODING, _FS_ERRORS) if type(p) is bytes else str(p)


def decode(packed: Sequence[Any]) -> list[tuple[Any, ...]]:
    """A chunk's rows (``packed`` in :data:`COLUMNS` order) in the order of
    ``core.journal.RESULT_COLUMNS`` without ``at``: paths and outputs as bytes, status and kind by
    name, values, messages and details ``None`` when empty."""
    (statuses, kinds, path_ends, value_ends, sizes, mtimes, durations, worker, extra, rows,
     paths, values) = packed  # fmt: skip
    numbers = json.loads(rows)
    n = len(numbers)
    fields: dict[str, list[Any]] = json.loads(extra) if extra else {}
    none = [None] * n
    outputs = fields.get("output") or none
    status_name, kind_slug = STATUS_NAME, KIND_SLUG
    return list(
        zip(
            numbers,
            _pieces(paths, path_ends),
            _unpacked("q", sizes),
            _unpacked("q", mtimes),
            [status_name[s] for s in statuses],
            [kind_slug.get(k, UNKNOWN_KIND) for k in kinds],
            [v.decode(_FS_ENCODING, _FS_ERRORS) or None for v in _pieces(values, value_ends)],
            [o.encode(_FS_ENCODING, _FS_ERRORS) if o is not None else None for o in outputs],
            fields.get("message") or none,
            fields.get("attempt") or [1] * n,
            [None if d < 0 else d / 1e6 for d in _unpacked("q", durations)],
            fields.get("carried") or none,
            fields.get("detail") or none,
            fields.get("worker") or [worker] * n,
            strict=True,
        )
    )


# --- the results view ----------------------------------------------------------------------
_BYTES = "X'" + bytes(range(256)).hex() + "'"


def _byte(column: str, at: str) -> str:
    """The byte at 1-based offset ``at`` of blob ``column``, as an integer."""
    return f"(instr({_BYTES}, substr({column}, {at}, 1)) - 1)"


def _uint(column: str, k: str, width: int) -> str:
    return " + ".join(
        f"{_byte(column, f'{k} * {width} + {j + 1}')} * {256**j}" for j in range(width)
    )


def _int64(column: str, k: str) -> str:
    top = _byte(column, f"{k} * 8 + 8")
    low = " + ".join(f"{_byte(column, f'{k} * 8 + {j + 1}')} * {256**j}" for j in range(7))
    return f"({low} + ({top} - 256 * ({top} >= 128)) * {256**7})"


def _piece(data: str, ends: str, k: str) -> str:
    start = f"(CASE WHEN {k} = 0 THEN 0 ELSE {_uint(ends, f'({k} - 1)', 4)} END)"
    return f"substr({data}, {start} + 1, ({_uint(ends, k, 4)}) - {start})"


def _extra(name: str, k: str) -> str:
    return f"json_extract(c.extra, '$.{name}[' || {k} || ']')"


def view_sql() -> str:
    """The ``results`` view: a row per result, in the columns of version 2's table."""
    k = "r.key"
    status = " ".join(f"WHEN {code} THEN '{name}'" for code, name in STATUS_NAME.items())
    kind = " ".join(f"WHEN {code} THEN '{slug}'" for code, slug in KIND_SLUG.items() if slug)
    duration = _int64("c.durations", k)
    columns = [
        "c.job AS job",
        "r.value AS row",
        f"CAST({_piece('c.paths', 'c.path_ends', k)} AS BLOB) AS path",
        f"{_int64('c.sizes', k)} AS size",
        f"{_int64('c.mtimes', k)} AS mtime_ns",
        f"CASE {_byte('c.statuses', f'{k} + 1')} {status} END AS status",
        f"CASE {_byte('c.kinds', f'{k} + 1')} {kind} ELSE NULL END AS kind",
        f"nullif(CAST({_piece('c.vals', 'c.value_ends', k)} AS TEXT), '') AS value",
        f"CAST({_extra('output', k)} AS BLOB) AS output",
        f"{_extra('message', k)} AS message",
        f"coalesce({_extra('attempt', k)}, 1) AS attempt",
        f"CASE WHEN {duration} < 0 THEN NULL ELSE ({duration}) / 1000000.0 END AS duration",
        f"{_extra('carried', k)} AS carried",
        f"{_extra('detail', k)} AS detail",
        f"coalesce(c.worker, {_extra('worker', k)}) AS worker",
        "c.at AS at",
    ]
    return (
        "CREATE VIEW results AS SELECT "
        + ", ".join(columns)
        + " FROM chunks c, json_each(c.numbers) r"
    )
