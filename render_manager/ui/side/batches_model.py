"""The side panel's batches: aggregate progress per batch, newest batch first.

Fed job by job (`update`, `remove`) from the job table's own change signals, so a refresh
costs in proportion to the jobs that changed, never to the jobs in the store.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.services.batch_progress import BatchProgress, BatchProgressTracker
from render_manager.services.batch_report import counts_text, eta_text, progress_text
from render_manager.ui.jobs.cell_roles import PROGRESS_ROLE
from render_manager.ui.jobs.columns import utc_now

_Index = QModelIndex | QPersistentModelIndex

BATCH_ID_ROLE = Qt.ItemDataRole.UserRole + 10
"""The row's batch id (any column)."""
BATCH_PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 11
"""The row's `BatchProgress` (any column)."""
BATCH_COUNTS_ROLE = Qt.ItemDataRole.UserRole + 12
"""The row's counts in words (`8 of 50 finished · 42 cancelled`), any column."""

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class BatchColumn(IntEnum):
    """The batch list's columns."""

    NAME = 0
    PROGRESS = 1
    ETA = 2


_HEADERS = {BatchColumn.NAME: "Batch", BatchColumn.PROGRESS: "Progress", BatchColumn.ETA: "ETA"}


class BatchesModel(QAbstractTableModel):
    """One row per batch that has jobs in the table. `now` is injectable for tests."""

    def __init__(self, *, now: Callable[[], datetime] = utc_now) -> None:
        super().__init__()
        self._now = now
        self._tracker = BatchProgressTracker()
        self._rows: list[BatchProgress] = []
        self._names: dict[str, str] = {}

    # -- Qt model API -------------------------------------------------------------------

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(BatchColumn)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(BatchColumn)
        ):
            return _HEADERS[BatchColumn(section)]
        return None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        progress = self._rows[index.row()]
        column = BatchColumn(index.column())
        if role == BATCH_ID_ROLE:
            return progress.batch_id
        if role == BATCH_PROGRESS_ROLE:
            return progress
        if role == BATCH_COUNTS_ROLE:
            return counts_text(progress)
        if role == Qt.ItemDataRole.DisplayRole:
            if column is BatchColumn.NAME:
                return self.name_of(progress.batch_id)
            if column is BatchColumn.PROGRESS:
                return progress_text(progress)
            return eta_text(progress)
        if role == PROGRESS_ROLE and column is BatchColumn.PROGRESS:
            return progress.percent
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(progress)
        if role == Qt.ItemDataRole.AccessibleTextRole and column is BatchColumn.NAME:
            # The card shows the other columns' texts too: a screen reader reads them all.
            parts = [self.name_of(progress.batch_id), progress_text(progress)]
            parts += [counts_text(progress), eta_text(progress)]
            return ", ".join(p for p in parts if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is BatchColumn.ETA:
            return _RIGHT
        return None

    # -- queries ------------------------------------------------------------------------

    def name_of(self, batch_id: str) -> str:
        """The batch's name, or its id until the name is known."""
        return self._names.get(batch_id, batch_id)

    def progress_of(self, batch_id: str) -> BatchProgress | None:
        """A batch's aggregate as last computed, or None."""
        position = self._position(batch_id)
        return None if position is None else self._rows[position]

    def batch_ids(self) -> list[str]:
        """Every batch, in row order."""
        return [p.batch_id for p in self._rows]

    # -- updates ------------------------------------------------------------------------

    def set_jobs(self, jobs: Iterable[Job]) -> None:
        """Start over from every job (the job table was reset: first load only)."""
        self.beginResetModel()
        self._tracker.clear()
        self._tracker.update(jobs)
        now = self._now()
        fresh = (self._tracker.progress(b, now) for b in self._tracker.batch_ids())
        self._rows = sorted((p for p in fresh if p is not None), key=_newest_first)
        self.endResetModel()

    def update(self, jobs: Iterable[Job]) -> None:
        """Take in new or changed jobs; only the batches they touch are recomputed."""
        self._apply(self._tracker.update(jobs))

    def remove(self, job_ids: Iterable[str]) -> None:
        """Forget jobs; a batch left without jobs leaves the list."""
        self._apply(self._tracker.remove(job_ids))

    def set_names(self, names: Mapping[str, str]) -> None:
        """Names of batches (from the store); rows show the id until theirs arrives."""
        for batch_id, name in names.items():
            if self._names.get(batch_id) != name:
                self._names[batch_id] = name
                position = self._position(batch_id)
                if position is not None:
                    index = self.index(position, BatchColumn.NAME)
                    self.dataChanged.emit(index, index)

    def tick(self) -> None:
        """The clock moved on: recompute the ETA of batches still running."""
        self._apply({p.batch_id for p in self._rows if not p.counts.done})

    # -- plumbing -----------------------------------------------------------------------

    def _apply(self, batch_ids: set[str]) -> None:
        now = self._now()
        for batch_id in batch_ids:
            fresh = self._tracker.progress(batch_id, now)
            position = self._position(batch_id)
            if fresh is None:
                if position is not None:
                    self.beginRemoveRows(QModelIndex(), position, position)
                    del self._rows[position]
                    self.endRemoveRows()
            elif position is None:
                keys = [_newest_first(p) for p in self._rows]
                at = bisect.bisect_right(keys, _newest_first(fresh))
                self.beginInsertRows(QModelIndex(), at, at)
                self._rows.insert(at, fresh)
                self.endInsertRows()
            elif fresh != self._rows[position]:
                self._rows[position] = fresh
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(BatchColumn) - 1)
                )

    def _position(self, batch_id: str) -> int | None:
        # Batches are few (tens, not thousands): a scan is cheaper than keeping an index.
        return next((i for i, p in enumerate(self._rows) if p.batch_id == batch_id), None)

    def _tooltip(self, progress: BatchProgress) -> str:
        c = progress.counts
        lines = [
            self.name_of(progress.batch_id),
            f"{progress.connection} · batch {progress.batch_id}",
            f"{c.total} jobs: {c.finished} finished, {progress.rendering} rendering, "
            f"{progress.queued} queued, {c.failed} failed, {c.cancelled} cancelled",
        ]
        if progress.fraction is None:
            lines.append("No job left to render: every one was cancelled or failed")
        else:
            to_render = c.finished + c.pending
            line = f"{progress_text(progress)} done of the {to_render} jobs to render"
            if c.failed or c.cancelled:
                line += " (failed and cancelled jobs count as neither)"
            lines.append(line)
        eta = eta_text(progress)
        if not c.done and eta:
            lines.append(f"About {eta} left at the pace so far")
        return "\n".join(lines)


def _newest_first(progress: BatchProgress) -> tuple[float, str]:
    return (-progress.created_at.timestamp(), progress.batch_id)
