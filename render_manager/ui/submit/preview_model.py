"""The rows of a batch before and after sending: number, state, job id or error, and values."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from typing_extensions import override

from render_manager.services.batch_submit import RowOutcome, RowState

_Index = QModelIndex | QPersistentModelIndex

STATE_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's `RowState` (any column)."""


class PreviewColumn(IntEnum):
    """The fixed columns; the data file's columns follow them."""

    ROW = 0
    STATE = 1
    MESSAGE = 2


_HEADERS = {
    PreviewColumn.ROW: "Row",
    PreviewColumn.STATE: "Status",
    PreviewColumn.MESSAGE: "Job / problem",
}
_FIXED = len(PreviewColumn)

STATE_TEXT = {
    RowState.READY: "Ready",
    RowState.INVALID: "Invalid",
    RowState.CREATED: "Created",
    RowState.FAILED: "Failed",
    RowState.NOT_SENT: "Not sent",
    RowState.UNKNOWN: "Unknown",
}
# Soft tints that keep text readable in light themes; red for rows that need the user,
# amber for rows whose fate must be checked.
_TINT = {
    RowState.INVALID: QColor(255, 220, 220),
    RowState.FAILED: QColor(255, 220, 220),
    RowState.UNKNOWN: QColor(255, 238, 200),
    RowState.NOT_SENT: QColor(235, 235, 235),
}
# A row sent all the same, with something left unchecked: pale yellow, quieter than amber.
_WARNED = QColor(255, 247, 214)
_DARK_TEXT = QBrush(QColor(20, 20, 20))
WARNING_SIGN = "\u26a0"


class PreviewModel(QAbstractTableModel):
    """One line per data row; rows change in place as chunks are sent."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RowOutcome] = []
        self._columns: tuple[str, ...] = ()

    def set_rows(self, rows: list[RowOutcome], columns: Sequence[str]) -> None:
        """Show a new preview (the rows are the submission's own, read live)."""
        self.beginResetModel()
        self._rows = rows
        self._columns = tuple(columns)
        self.endResetModel()

    def rows_changed(self, positions: Sequence[int]) -> None:
        """Repaint these rows, one signal per run of adjacent rows."""
        last = self.columnCount() - 1
        for first, end in _runs(sorted(set(positions))):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))

    def row(self, position: int) -> RowOutcome:
        """The outcome shown on one line."""
        return self._rows[position]

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _FIXED + len(self._columns)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if 0 <= section < _FIXED:
            return _HEADERS[PreviewColumn(section)]
        if _FIXED <= section < self.columnCount():
            return self._columns[section - _FIXED]
        return None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == STATE_ROLE:
            return row.state
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column, tooltip=role == Qt.ItemDataRole.ToolTipRole)
        tint = _TINT.get(row.state) or (_WARNED if row.warnings else None)
        if role == Qt.ItemDataRole.BackgroundRole and tint is not None:
            return QBrush(tint)
        if role == Qt.ItemDataRole.ForegroundRole and tint is not None:
            return _DARK_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and column == PreviewColumn.ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: RowOutcome, column: int, *, tooltip: bool) -> str | None:
        if column == PreviewColumn.ROW:
            # Numbered as a spreadsheet shows data rows: the first under the header is 1.
            return None if tooltip else str(row.index + 1)
        if column == PreviewColumn.STATE:
            return STATE_TEXT[row.state]
        if column == PreviewColumn.MESSAGE:
            warned = "\n".join(f"{WARNING_SIGN} {w}" for w in row.warnings)
            if tooltip:
                return "\n".join(t for t in (row.job_id or row.error, warned) if t) or None
            return row.job_id or row.error or warned
        if column < self.columnCount():
            return row.values.get(self._columns[column - _FIXED], "")
        return None


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs
