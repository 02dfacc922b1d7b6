"""A project's compositions as a table: name, size, frame rate and duration, filtered by words."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from typing_extensions import override

from render_manager.projects import Composition

_Index = QModelIndex | QPersistentModelIndex

COMPOSITION_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's `Composition` (any column)."""


class CompositionColumn(IntEnum):
    """The columns of the composition list."""

    NAME = 0
    SIZE = 1
    FPS = 2
    DURATION = 3


_HEADERS = {
    CompositionColumn.NAME: "Composition",
    CompositionColumn.SIZE: "Size",
    CompositionColumn.FPS: "fps",
    CompositionColumn.DURATION: "Duration",
}


def fps_text(rate: float) -> str:
    """A frame rate as After Effects shows it: 25, 29.97, 23.976."""
    return f"{rate:.3f}".rstrip("0").rstrip(".")


def duration_text(comp: Composition) -> str:
    """Seconds and frames: "10.00 s · 250 frames"."""
    return f"{comp.duration:.2f} s · {comp.frames:,} frames"


def work_area_frames(comp: Composition) -> tuple[int, int]:
    """The work area as aerender's first and last frame (inclusive)."""
    start = round(comp.work_area_start * comp.frame_rate)
    count = max(round(comp.work_area_duration * comp.frame_rate), 1)
    return start, start + count - 1


class CompositionModel(QAbstractTableModel):
    """One line per composition of the project, in the project's order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._comps: tuple[Composition, ...] = ()

    def set_compositions(self, comps: Sequence[Composition]) -> None:
        """Show another project's compositions (none: the list is emptied)."""
        self.beginResetModel()
        self._comps = tuple(comps)
        self.endResetModel()

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._comps)

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CompositionColumn)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return _HEADERS[CompositionColumn(section)] if 0 <= section < len(_HEADERS) else None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._comps):
            return None
        comp = self._comps[index.row()]
        column = CompositionColumn(index.column())
        if role == COMPOSITION_ROLE:
            return comp
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(comp, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            first, last = work_area_frames(comp)
            return f"{comp.name}\nWork area: frames {first} to {last}; {len(comp.layers)} layers"
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not CompositionColumn.NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, comp: Composition, column: CompositionColumn) -> str:
        match column:
            case CompositionColumn.NAME:
                return comp.name
            case CompositionColumn.SIZE:
                return f"{comp.width}\u00d7{comp.height}"  # x as a multiplication sign
            case CompositionColumn.FPS:
                return fps_text(comp.frame_rate)
            case CompositionColumn.DURATION:
                return duration_text(comp)


class CompositionFilter(QSortFilterProxyModel):
    """Compositions whose name holds every word typed (case ignored), in any order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()

    def set_words(self, text: str) -> None:
        """Filter by the words of `text` (empty: every composition)."""
        self.beginFilterChange()
        self._words = tuple(text.casefold().split())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @override
    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        name = model.data(model.index(source_row, CompositionColumn.NAME, source_parent))
        folded = str(name).casefold()
        return all(word in folded for word in self._words)
