"""The file table's model: one row per input file, stored compactly for a million rows.

Rows live in parallel arrays (paths, sizes, mtime_ns, a status byte) rather than an object per row.
While a job runs the model shares the job tracker's state bytes, results and per-file progress, so
a tick only emits one ``dataChanged`` over the changed range. Sorting and the status filter are
done here (a permutation of storage rows), not by a proxy that would call back into Python for
every row. Storage row ``i`` is always row ``i`` of the current or last job.
"""

from __future__ import annotations

import os
import time
from array import array
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QPalette

from core.i18n import message_for_people
from core.progress import format_bytes
from core.records import FileEntry, FileResult, SkippedEntry, Status, Task
from core.results import ResultStore
from gui.columns import (
    COLUMNS,
    FOLDER,
    NAME,
    PATH_ROLE,
    PROGRESS,
    PROGRESS_ROLE,
    RESULT,
    SIZE,
    STATUS,
    STATUS_ROLE,
    failed_tint,
)
from gui.i18n import status_label, translate
from gui.inputs import FolderSpan, Snapshot
from gui.model_rows import RowMembership
from gui.result_detail import detail_text

if TYPE_CHECKING:
    from core.progress import Tracker

# data() runs for every visible cell and role on each repaint: plain ints, not enum lookups.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_NCOLS = len(COLUMNS)
_USER = int(Qt.ItemDataRole.UserRole)
_FAILED, _DONE, _RUNNING = int(Status.FAILED), int(Status.DONE), int(Status.RUNNING)
_PENDING = int(Status.PENDING)
_FILES_ONLY = {FileEntry}
_PATH, _SIZE, _MTIME_NS = attrgetter("path"), attrgetter("size"), attrgetter("mtime_ns")
FILTER_REFRESH = 0.5  # seconds between status-filter refreshes while a job runs
Index = QModelIndex | QPersistentModelIndex


class FileModel(RowMembership, QAbstractTableModel):
    """Rows of input files. ``seen`` is shared with discovery so duplicates are dropped."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.seen: set[str] = set()
        self._paths: list[str] = []
        self._sizes = array("q")
        self._mtimes = array("q")  # st_mtime_ns as discovery read it (-1: not known)
        self._state = bytearray()
        # The rows' results: a plain list, or the shared store of the job that showed them last.
        self._results: list[FileResult | None] | ResultStore = []
        self._skipped: dict[int, str] = {}  # discovery skips: storage row -> reason
        self._partial: array[int] | None = None
        self._tracker: Tracker | None = None
        self._tint = QColor()
        self._filter_at = 0.0
        self.total_bytes = 0
        self.generation = 0  # bumped whenever rows are added or removed
        self.folders = FolderSpan()  # the Folder column is relative to the inputs' common folder
        self._labels = [status_label(s) for s in Status]  # in the window's language
        self.init_membership()

    # --- storage access ----------------------------------------------------------------------
    @property
    def paths(self) -> list[str]:
        """All paths in storage order (do not modify)."""
        return self._paths

    @property
    def tracker(self) -> Tracker | None:
        """The running job's tracker (None between jobs)."""
        return self._tracker

    def storage_count(self) -> int:
        return len(self._paths)

    def path(self, i: int) -> str:
        return self._paths[i]

    def status(self, i: int) -> Status:
        return Status(self._state[i])

    def result(self, i: int) -> FileResult | None:
        return self._results[i]

    def snapshot(self) -> Snapshot:
        """The inputs as they are now, for another thread to plan from (see :class:`Snapshot`:
        nothing is copied here, on the GUI thread)."""
        return Snapshot.of(self._paths, self._sizes, self._mtimes, self._skipped)

    # --- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._order) if self._order is not None else len(self._paths)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < _NCOLS:
            return translate("FileModel", COLUMNS[section])
        return None

    # The view asks for every visible cell on each repaint; from C++ each Python call has to
    # take the GIL (contended while a scan or the job's run loop works), so answer a cell in as
    # few calls as possible: index() instead of rowCount()+columnCount(), the base class's
    # flags(), and multiData() for all the roles a delegate asks at once.
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        n = len(self._order) if self._order is not None else len(self._paths)
        if 0 <= row < n and 0 <= column < _NCOLS and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    # The stubs type ``span`` as a span or a single QModelRoleData and give the span no
    # __getitem__; Qt's views always pass a span.
    def multiData(self, index: Index, span: QModelRoleDataSpan) -> None:  # type: ignore[override]
        r = index.row()
        i = self._order[r] if self._order is not None else r
        col = index.column()
        for k in range(span.size()):
            rd = span[k]  # type: ignore[index]
            role = rd.role()
            if role == _DISPLAY:
                rd.setData(self._display(i, col))
            elif role == _BACKGROUND and self._state[i] == _FAILED:
                rd.setData(self._tint)
            elif role == _ALIGN and col in (SIZE, PROGRESS):
                rd.setData(_RIGHT)
            elif role == _TOOLTIP or role >= _USER:
                value = self.data(index, role)
                if value is None:
                    rd.clearData()
                else:
                    rd.setData(value)
            else:  # font, colours, check state, decoration...: the view's defaults
                rd.clearData()

    def storage_row(self, view_row: int) -> int:
        return self._order[view_row] if self._order is not None else view_row

    def view_row(self, i: int) -> int:
        """The view row showing storage row ``i``, or -1 if the filter hides it."""
        if self._order is None:
            return i
        try:
            return self._order.index(i)  # a search in C: fine at a tick's rate for a few rows
        except ValueError:
            return -1

    def running_rows(self, limit: int) -> list[int]:
        """Up to ``limit`` storage rows being worked on, lowest first (searched in C)."""
        rows: list[int] = []
        state, i = self._state, -1
        while len(rows) < limit:
            i = state.find(_RUNNING, i + 1)
            if i < 0:
                break
            rows.append(i)
        return rows

    def first_pending(self) -> int | None:
        """The first row not yet dealt with (storage row), or None: where a job's work is when
        its files are too small to be seen running."""
        i = self._state.find(_PENDING)
        return i if i >= 0 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = index.row()
        i = self._order[r] if self._order is not None else r
        col = index.column()
        if role == _DISPLAY:
            return self._display(i, col)
        if role == PROGRESS_ROLE:
            return self.fraction(i)
        if role == _BACKGROUND:
            return self._tint if self._state[i] == _FAILED else None
        if role == _ALIGN:
            return _RIGHT if col in (SIZE, PROGRESS) else None
        if role == _TOOLTIP:
            return self._tooltip(i, col)
        if role == STATUS_ROLE:
            return self._state[i]
        if role == PATH_ROLE:
            return self._paths[i]
        return None

    def _display(self, i: int, col: int) -> str:
        if col == NAME:
            return os.path.basename(self._paths[i])
        if col == FOLDER:
            return self.folders.folder(self._paths[i])
        if col == SIZE:
            return "" if i in self._skipped else format_bytes(self._sizes[i])
        if col == STATUS:
            return self._labels[self._state[i]]
        if col == PROGRESS:
            f = self.fraction(i)
            return "" if f is None else f"{int(f * 100)}%"
        return self.result_text(i)

    def fraction(self, i: int) -> float | None:
        """Progress of a running row (a bar is painted), else None."""
        if self._state[i] != _RUNNING:
            return None
        size = self._sizes[i]
        part = self._partial
        return part[i] / size if part is not None and size else 0.0

    def result_text(self, i: int) -> str:
        """The digest or output of a done row; the reason of a failed or skipped one (core's
        English sentence, shown in the window's language)."""
        r = self._results[i]
        if r is None:
            reason = self._skipped.get(i)
            return message_for_people(reason) if reason else ""
        if r.status == Status.DONE:
            done = " → ".join(x for x in (r.value, r.output) if x)
            return done or message_for_people(r.message)
        return message_for_people(r.message)

    def _tooltip(self, i: int, col: int) -> str | None:
        """The full path, and the full reason of a row that did not simply succeed; and the
        detail of a result that has one (a failed command's running time and output tails)."""
        st = Status(self._state[i])
        text = self.result_text(i)
        if st in (Status.FAILED, Status.SKIPPED, Status.CANCELLED) and text:
            r = self._results[i]
            more = detail_text(r.detail) if r is not None else ""
            head = f"{self._paths[i]}\n{self._labels[st]}: {text}"
            return head + (f"\n\n{more}" if more else "")
        if col == RESULT and text:
            r = self._results[i]
            message = message_for_people(r.message) if r is not None and r.message else ""
            extra = f"\n{message}" if message and message != text else ""
            more = detail_text(r.detail) if r is not None else ""
            return text + extra + (f"\n\n{more}" if more else "")
        if col in (NAME, FOLDER):
            return self._paths[i]
        return None

    def set_palette(self, palette: QPalette) -> None:
        self._tint = failed_tint(palette)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, RESULT))

    # --- adding and removing rows --------------------------------------------------------------
    def append(self, items: Iterable[FileEntry | SkippedEntry]) -> int:
        """Append discovered inputs (already de-duplicated through ``seen``). Returns the count."""
        items = list(items)
        if not items:
            return 0
        n0, k = len(self._paths), len(items)
        new_rows = range(n0, n0 + k)
        state = bytearray([Status.PENDING]) * k
        # This runs on the GUI thread for every batch a listing finds (30,000 rows at a time
        # from a fast disk): the usual batch, files only, is taken in column by column in C.
        accepted: Sequence[int]
        if set(map(type, items)) == _FILES_ONLY:
            skipped: list[tuple[int, SkippedEntry]] = []
            sizes = array("q", map(_SIZE, items))
            mtimes: Iterable[int] = map(_MTIME_NS, items)
            pending = self._filter is None or _PENDING in self._filter
            accepted = new_rows if pending else ()
        else:
            skipped = [(n0 + j, e) for j, e in enumerate(items) if isinstance(e, SkippedEntry)]
            for i, _ in skipped:
                state[i - n0] = Status.SKIPPED
            sizes = array("q", [e.size if isinstance(e, FileEntry) else 0 for e in items])
            mtimes = [e.mtime_ns if isinstance(e, FileEntry) else -1 for e in items]
            wanted = self._filter
            accepted = [i for i in new_rows if wanted is None or state[i - n0] in wanted]
        first = self.rowCount()
        if accepted:
            self.beginInsertRows(QModelIndex(), first, first + len(accepted) - 1)
        self._paths.extend(map(_PATH, items))
        self._sizes.extend(sizes)
        self._mtimes.extend(mtimes)
        self._state.extend(state)
        if isinstance(self._results, ResultStore):  # rows added after a job
            self._results.extend(k)
        else:
            self._results.extend([None] * k)
        for i, e in skipped:
            self._skipped[i] = e.reason
        self.total_bytes += sum(sizes)
        self.extend_membership(new_rows, accepted)
        if accepted:
            self.endInsertRows()
        if self.folders.extend(self._paths[n0:]) and n0 and self.rowCount():
            last = self.rowCount() - 1
            self.dataChanged.emit(self.index(0, FOLDER), self.index(last, FOLDER))
        self.generation += 1
        return k

    def remove_view_rows(self, view_rows: Iterable[int]) -> None:
        """Remove rows (view row numbers) and forget their paths so they can be added again."""
        drop = {self.storage_row(r) for r in view_rows}
        if not drop:
            return
        self.beginResetModel()
        keep = [i for i in range(len(self._paths)) if i not in drop]
        self.seen.difference_update(self._paths[i] for i in drop)
        remap = (
            dict(zip(keep, range(len(keep)), strict=True))
            if self._base is not None or self._skipped
            else {}
        )
        self._paths = [self._paths[i] for i in keep]
        self._sizes = array("q", (self._sizes[i] for i in keep))
        self._mtimes = array("q", (self._mtimes[i] for i in keep))
        self._state = bytearray(self._state[i] for i in keep)
        self._results = [self._results[i] for i in keep]
        self._skipped = {remap[i]: r for i, r in self._skipped.items() if i in remap}
        self.total_bytes = sum(self._sizes)
        self.folders.reset(self._paths)
        self.remap_membership(remap)
        self.generation += 1
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.seen.clear()  # the same set object: a running Scanner shares it
        self._paths, self._sizes, self._mtimes = [], array("q"), array("q")
        self._state, self._results, self._skipped = bytearray(), [], {}
        self.total_bytes = 0
        self.folders.reset()
        self.init_membership(keep_settings=True)
        self.generation += 1
        self.endResetModel()

    def load_tasks(self, tasks: Sequence[Task]) -> None:
        """Replace the rows with a job's rows (a verify job's rows come from its manifest)."""
        self.beginResetModel()
        self._paths = [t.path for t in tasks]
        self.seen.clear()
        self.seen.update(self._paths)
        self._sizes = array("q", (t.size for t in tasks))
        self._mtimes = array("q", (t.mtime_ns for t in tasks))
        self._state = bytearray(len(tasks))
        self._results = [None] * len(tasks)
        self._skipped = {}
        self.total_bytes = sum(self._sizes)
        self.folders.reset(self._paths)
        self.init_membership(keep_settings=True)
        self.generation += 1
        self.endResetModel()

    # --- a running job -------------------------------------------------------------------------
    def attach(self, tracker: Tracker) -> None:
        """Show a job's tracker (its rows must be this model's rows). Shares its arrays."""
        if tracker.n != len(self._paths):
            raise ValueError("the job's rows are not the model's rows")
        self._tracker = tracker
        self._state, self._results, self._partial = tracker.state, tracker.results, tracker.partial
        tracker.take_changed()
        self._filter_at = 0.0
        self._refresh(force=True)

    def detach(self) -> None:
        """The job ended: keep its final states and results, stop reading progress."""
        self._tracker = None
        self._partial = None

    def sync(self) -> None:
        """Apply what changed since the last tick as one coalesced ``dataChanged``."""
        if self._tracker is None:
            return
        span = self._tracker.take_changed()
        if span is not None:
            self._refresh(span)

    def _refresh(self, span: tuple[int, int] | None = None, force: bool = False) -> None:
        if self._filter is not None:
            now = time.monotonic()
            if force or self._tracker is None or now - self._filter_at >= FILTER_REFRESH:
                self._filter_at = now
                self.apply_filter_changes()
        rows = self.rowCount()
        if not rows:
            return
        lo, hi = span if span is not None and self._order is None else (0, rows - 1)
        self.dataChanged.emit(self.index(lo, 0), self.index(min(hi, rows - 1), RESULT))
