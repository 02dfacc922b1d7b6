"""A proxy over the job table that shows an ascending subset of its rows, in its order.

The Qt side of `JobFilterModel`: row mapping, the model API the view calls (each one
call into Python) and the layout change that swaps one subset for another. Which rows
make the subset, and keeping it in step with the source, is the filter model's part.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.ui.jobs.cell_roles import SERVED_ROLES
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.table_model import JobTableModel

__all__ = ["RowSubsetProxy"]

_Index = QModelIndex | QPersistentModelIndex
_COLUMN_COUNT = len(Column)


class RowSubsetProxy(QAbstractProxyModel):
    """Shows the source rows listed in `_rows` (ascending; None: every row, one to one)
    of a `JobTableModel`, which the subclass sets as `_source`. Sorting is handed down
    to the source, which keeps its rows sorted itself."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: JobTableModel | None = None
        # Source row of each shown row, ascending; None while every row is shown.
        self._rows: list[int] | None = None

    def job_at(self, row: int) -> Job:
        """The job shown in a row of this (filtered) model."""
        assert self._source is not None
        return self._source.job_at(self._source_row(row))

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._source is None:
            return 0
        return self._source.rowCount() if self._rows is None else len(self._rows)

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._source is None:
            return 0
        return self._source.columnCount()

    @override
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Asked ~1,700 times per paint: one call into Python, not three.
        source, rows = self._source, self._rows
        count = 0 if source is None else len(source.jobs()) if rows is None else len(rows)
        if 0 <= row < count and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    @override
    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    @override
    def sibling(self, row: int, column: int, idx: _Index) -> QModelIndex:
        return self.index(row, column)

    @override
    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.rowCount() > 0

    @override
    def mapToSource(self, proxy_index: _Index) -> QModelIndex:
        if self._source is None or not proxy_index.isValid():
            return QModelIndex()
        return self._source.index(self._source_row(proxy_index.row()), proxy_index.column())

    @override
    def mapFromSource(self, source_index: _Index) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = self._proxy_row(source_index.row())
        return QModelIndex() if row < 0 else self.createIndex(row, source_index.column())

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Straight to the source's cell: the view asks ~8 roles per painted cell, half of
        # them roles the model never serves (refused first, before any other call).
        source = self._source
        if role not in SERVED_ROLES or source is None or not index.isValid():
            return None
        row = index.row()
        rows = self._rows
        if rows is not None:
            if row >= len(rows):
                return None
            row = rows[row]
        return source.cell(row, index.column(), role)

    @override
    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._source is None or orientation == Qt.Orientation.Vertical:
            return None
        return self._source.headerData(section, orientation, role)

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._source is not None:
            self._source.sort(column, order)

    # -- the rows shown -------------------------------------------------------------------

    def _source_row(self, row: int) -> int:
        return row if self._rows is None else self._rows[row]

    def _proxy_row(self, source_row: int) -> int:
        rows = self._rows
        if rows is None:
            return source_row
        at = bisect_left(rows, source_row)
        return at if at < len(rows) and rows[at] == source_row else -1

    def _show(self, rows: list[int] | None) -> None:
        """Show these source rows, in one layout change that keeps persistent indexes."""
        if rows == self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        sources = [(self._source_row(i.row()), i.column()) for i in before]
        self._rows = rows
        after = [
            self.createIndex(row, column)
            if (row := self._proxy_row(source)) >= 0
            else QModelIndex()
            for source, column in sources
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
