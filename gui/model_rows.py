"""Which storage rows the file table shows, and in what order: sorting and the status filter.

A mixin for :class:`gui.file_model.FileModel`. ``_base`` is the sorted permutation of storage
rows (``None``: insertion order); ``_order`` maps view rows to storage rows after the status
filter (``None``: identity, the cheap case for a million unsorted rows). While a job runs, rows
enter and leave a status filter; :meth:`apply_filter_changes` turns that into row removals and
insertions so the selection and the scroll position survive.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QCollator, QCollatorSortKey, QModelIndex, Qt

from core.discover import natural_key
from gui.columns import FOLDER, NAME, PROGRESS, SIZE, STATUS
from gui.i18n import name_collator

RESET_ABOVE = 5000  # more row moves than this in one refresh: a model reset is cheaper


class RowMembership:
    """Sorting/filter state of a row model; see the module docstring."""

    _base: array[int] | None
    _order: array[int] | None
    _filter: frozenset[int] | None
    _sort_spec: tuple[int, Any] | None
    _state: bytearray
    _paths: list[str]
    _collation: tuple[list[str], QCollator, list[QCollatorSortKey]]
    _sizes: array[int]
    fraction: Callable[[int], float | None]
    result_text: Callable[[int], str]
    # Provided by QAbstractItemModel (declared for readers, not redefined).
    layoutAboutToBeChanged: Any
    layoutChanged: Any

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (``-1``: the order the files were added in)."""
        if column < 0:
            self.set_base_order(None, None)
            return
        key = self._sort_key(column)
        descending = order == Qt.SortOrder.DescendingOrder
        rows = sorted(range(len(self._paths)), key=key, reverse=descending)
        self.set_base_order(array("q", rows), (column, order))

    def _sort_key(self, column: int) -> Callable[[int], Any]:
        paths = self._paths
        if column == NAME:
            collator = name_collator()
            if collator is not None:  # the language's order; ties keep the order added
                return self._name_keys(collator).__getitem__
            return lambda i: natural_key(os.path.basename(paths[i]))
        if column == FOLDER:
            return lambda i: natural_key(paths[i])
        if column == SIZE:
            return self._sizes.__getitem__
        if column == STATUS:
            return self._state.__getitem__
        if column == PROGRESS:
            return lambda i: (self._state[i], self.fraction(i) or 0.0)
        return self.result_text

    def _name_keys(self, collator: QCollator) -> list[QCollatorSortKey]:
        """The rows' collation keys of their names, made once per row: kept while rows are only
        appended (the same list of paths), made again for a new list or another collator."""
        cached = getattr(self, "_collation", None)
        if cached is None or cached[0] is not self._paths or cached[1] is not collator:
            cached = self._collation = (self._paths, collator, [])
        keys: list[QCollatorSortKey] = cached[2]
        if len(keys) < len(self._paths):
            key = collator.sortKey
            keys.extend(key(os.path.basename(p)) for p in self._paths[len(keys) :])
        return keys

    def init_membership(self, keep_settings: bool = False) -> None:
        if not keep_settings:
            self._filter = None
            self._sort_spec = None
        self._base = None
        self._order = self._filtered()

    def _filtered(self) -> array[int] | None:
        f = self._filter
        if f is None:
            return self._base
        state = self._state
        src: Iterable[int] = self._base if self._base is not None else range(len(self._paths))
        return array("q", (i for i in src if state[i] in f))

    def extend_membership(self, new_rows: range, accepted: Sequence[int]) -> None:
        """Rows were appended to storage (call between begin/endInsertRows)."""
        if self._base is not None:
            self._base.extend(new_rows)
        if self._filter is not None and self._order is not None:
            self._order.extend(accepted)

    def remap_membership(self, remap: dict[int, int]) -> None:
        """Storage rows were compacted (inside a model reset): old row -> new row."""
        if self._base is not None:
            self._base = array("q", (remap[i] for i in self._base if i in remap))
        self._order = self._filtered()

    @property
    def status_filter(self) -> frozenset[int] | None:
        return self._filter

    def set_status_filter(self, statuses: Iterable[int] | None) -> None:
        """Show only rows in these states (``None``: all rows)."""
        model: Any = self
        model.beginResetModel()
        self._filter = frozenset(int(s) for s in statuses) if statuses is not None else None
        self._order = self._filtered()
        model.endResetModel()

    def resort(self) -> None:
        """Sort again by the last sort column (after rows were added)."""
        if self._sort_spec is not None:
            model: Any = self
            model.sort(*self._sort_spec)

    def set_base_order(self, base: array[int] | None, spec: tuple[int, Any] | None) -> None:
        """Install a new sorted order, keeping persistent indexes (the selection) on their rows."""
        model: Any = self
        self._sort_spec = spec
        self.layoutAboutToBeChanged.emit()
        persistent = model.persistentIndexList()
        rows = [model.storage_row(p.row()) for p in persistent]
        self._base = base
        self._order = self._filtered()
        if persistent:
            inverse = array("q", [-1]) * len(self._paths)
            for view_row, i in enumerate(
                self._order if self._order is not None else range(len(self._paths))
            ):
                inverse[i] = view_row
            new = [
                model.index(inverse[i], p.column()) if inverse[i] >= 0 else QModelIndex()
                for i, p in zip(rows, persistent, strict=True)
            ]
            model.changePersistentIndexList(persistent, new)
        self.layoutChanged.emit()

    def apply_filter_changes(self) -> None:
        """Rows changed state under an active filter: remove and insert view rows to match."""
        model: Any = self
        old, new = self._order, self._filtered()
        if old is None or new is None:
            return
        keep = set(new)
        removed = sum(1 for i in old if i not in keep)
        inserted = len(new) - (len(old) - removed)
        if removed + inserted == 0:
            return
        if removed + inserted > RESET_ABOVE:
            model.beginResetModel()
            self._order = new
            model.endResetModel()
            return
        parent = QModelIndex()
        r = len(old) - 1
        while r >= 0:  # removals, bottom-up so row numbers above stay valid
            if old[r] in keep:
                r -= 1
                continue
            end = r
            while r >= 0 and old[r] not in keep:
                r -= 1
            model.beginRemoveRows(parent, r + 1, end)
            del old[r + 1 : end + 1]
            model.endRemoveRows()
        i = j = 0  # insertions: what is left of ``old`` is a subsequence of ``new``
        while i < len(new):
            if j < len(old) and old[j] == new[i]:
                i += 1
                j += 1
                continue
            start = i
            while i < len(new) and (j >= len(old) or new[i] != old[j]):
                i += 1
            model.beginInsertRows(parent, j, j + i - start - 1)
            old[j:j] = new[start:i]
            model.endInsertRows()
            j += i - start
