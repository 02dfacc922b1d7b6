"""The render-queue items of a project, one line each, with a tick for those to render."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from typing_extensions import override

from render_manager.projects import RenderQueueItem, RenderStatus
from render_manager.services.render_queue_import import ImportedJob, status_text

_Index = QModelIndex | QPersistentModelIndex


class QueueColumn(IntEnum):
    """The columns, in order."""

    INDEX = 0
    COMP = 1
    STATUS = 2
    FRAMES = 3
    MODULE = 4
    OUTPUT = 5


_HEADERS = {
    QueueColumn.INDEX: "#",
    QueueColumn.COMP: "Composition",
    QueueColumn.STATUS: "Status",
    QueueColumn.FRAMES: "Frames",
    QueueColumn.MODULE: "Output module",
    QueueColumn.OUTPUT: "Renders to",
}


class RenderQueueModel(QAbstractTableModel):
    """Every item of the queue; the Queued ones start ticked, the others unticked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[RenderQueueItem] = []
        self._ticked: list[bool] = []
        self._jobs: dict[int, list[ImportedJob]] = {}

    def set_items(self, items: Sequence[RenderQueueItem], jobs: Sequence[ImportedJob]) -> None:
        """Show a project's queue, ticking what After Effects would render now.

        `jobs` are the items' jobs (`jobs_for`), made off the GUI thread since they look
        for the output folders on disk: they say where each render will land.
        """
        self.beginResetModel()
        self._items = list(items)
        self._ticked = [item.status is RenderStatus.QUEUED for item in items]
        self._jobs = {}
        for job in jobs:
            self._jobs.setdefault(job.item.index, []).append(job)
        self.endResetModel()

    def ticked(self) -> list[RenderQueueItem]:
        """The items to submit, in queue order."""
        return [item for item, on in zip(self._items, self._ticked, strict=True) if on]

    def toggle(self, rows: Sequence[int]) -> None:
        """Tick the rows if any is unticked, else untick them all (as a file manager does)."""
        rows = [r for r in rows if 0 <= r < len(self._items)]
        if not rows:
            return
        value = not all(self._ticked[r] for r in rows)
        for r in rows:
            self._set_ticked(r, value)

    def _set_ticked(self, row: int, value: bool) -> None:
        self._ticked[row] = value
        index = self.index(row, QueueColumn.INDEX)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueueColumn)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[QueueColumn(section)]
        return None

    @override
    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == QueueColumn.INDEX:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = QueueColumn(index.column())
        if role == Qt.ItemDataRole.CheckStateRole and column is QueueColumn.INDEX:
            on = self._ticked[index.row()]
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        jobs = self._jobs.get(item.index, [])
        if role == Qt.ItemDataRole.DisplayRole:
            return _landing(jobs) if column is QueueColumn.OUTPUT else _text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (QueueColumn.MODULE,
                                                              QueueColumn.OUTPUT):  # fmt: skip
            return "\n".join(
                f"{m.template or '(no template)'} → {m.output or '(no output path)'}"
                + (f"\n    {job.note}" if job.note else "")
                for m, job in zip(item.output_modules, jobs, strict=False)
            )
        return None

    @override
    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != QueueColumn.INDEX:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self._set_ticked(index.row(), checked)
        return True


def _text(item: RenderQueueItem, column: QueueColumn) -> str:
    modules = item.output_modules
    if column is QueueColumn.INDEX:
        return str(item.index)
    if column is QueueColumn.COMP:
        return item.comp
    if column is QueueColumn.STATUS:
        return status_text(item.status)
    if column is QueueColumn.FRAMES:
        return f"{item.frame_start}-{item.frame_end}"
    if column is QueueColumn.MODULE:
        names = [m.template or "(no template)" for m in modules]
        return names[0] + (f" (+{len(names) - 1})" if len(names) > 1 else "") if names else ""
    return ""


def _landing(jobs: Sequence[ImportedJob]) -> str:
    """Where each module's render lands: the project's path, or the job folder (and the
    path the project named, which this computer does not have or cannot follow)."""
    return "; ".join(
        job.output if job.note is None and job.output else
        f"job folder ({job.output})" if job.output else "job folder"
        for job in jobs
    )  # fmt: skip
