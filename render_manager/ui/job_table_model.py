"""The job table's model: rows update in place, never through a reset on refresh."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus

_Index = QModelIndex | QPersistentModelIndex

# Custom roles: what sorting and other views read instead of display text.
JOB_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class Column(IntEnum):
    """The table's columns, in their default order."""

    NAME = 0
    CONNECTION = 1
    STATUS = 2
    PROGRESS = 3
    CREATED = 4
    STARTED = 5
    FINISHED = 6
    OUTPUT = 7
    ERROR = 8


HEADERS = {
    Column.NAME: "Name",
    Column.CONNECTION: "Connection",
    Column.STATUS: "Status",
    Column.PROGRESS: "Progress",
    Column.CREATED: "Created",
    Column.STARTED: "Started",
    Column.FINISHED: "Finished",
    Column.OUTPUT: "Output",
    Column.ERROR: "Error",
}


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class JobTableModel(QAbstractTableModel):
    """Jobs as rows, keyed by job id."""

    def __init__(self) -> None:
        super().__init__()
        self._jobs: list[Job] = []
        self._row_of: dict[str, int] = {}

    # -- Qt model API -------------------------------------------------------------------

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return HEADERS[Column(section)]
        return None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, column)
        if role == SORT_ROLE:
            return self._sort_key(job, column)
        if role == JOB_ROLE:
            return job
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.ERROR, Column.OUTPUT):
            return job.error if column is Column.ERROR else job.output
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.PROGRESS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # -- updates ------------------------------------------------------------------------

    def job_at(self, row: int) -> Job:
        """The job shown in a row."""
        return self._jobs[row]

    def row_of(self, job_id: str) -> int | None:
        """The row of a job, or None."""
        return self._row_of.get(job_id)

    def set_jobs(self, jobs: Sequence[Job]) -> None:
        """Replace every row: only for the first load, never for a refresh."""
        self.beginResetModel()
        self._jobs = list(jobs)
        self._row_of = {job.id: row for row, job in enumerate(self._jobs)}
        self.endResetModel()

    def upsert(self, jobs: Iterable[Job]) -> None:
        """Update known jobs in place and append new ones.

        Changed rows are announced as contiguous `dataChanged` ranges; new rows in one
        insert, so selection and scroll position survive.
        """
        changed: list[int] = []
        new: list[Job] = []
        for job in jobs:
            row = self._row_of.get(job.id)
            if row is None:
                new.append(job)
            elif self._jobs[row] != job:
                self._jobs[row] = job
                changed.append(row)
        last_column = len(Column) - 1
        for first, last in _ranges(sorted(changed)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        if new:
            start = len(self._jobs)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            for offset, job in enumerate(new):
                self._jobs.append(job)
                self._row_of[job.id] = start + offset
            self.endInsertRows()

    def remove(self, job_ids: Iterable[str]) -> None:
        """Remove the rows of these jobs (unknown ids are ignored)."""
        rows = sorted({r for i in job_ids if (r := self._row_of.get(i)) is not None})
        # Highest runs first, so removing one run does not shift the rows of the next.
        for first, last in reversed(_ranges(rows)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._jobs[first : last + 1]
            self.endRemoveRows()
        if rows:
            self._row_of = {job.id: row for row, job in enumerate(self._jobs)}

    def counts(self) -> dict[JobStatus, int]:
        """How many rows are in each status."""
        counts = dict.fromkeys(JobStatus, 0)
        for job in self._jobs:
            counts[job.status] += 1
        return counts

    # -- presentation -------------------------------------------------------------------

    @staticmethod
    def _display(job: Job, column: Column) -> str:
        match column:
            case Column.NAME:
                return job.name
            case Column.CONNECTION:
                return job.connection
            case Column.STATUS:
                return job.status.value.capitalize()
            case Column.PROGRESS:
                return f"{job.progress:.0f} %"
            case Column.CREATED:
                return _when(job.created_at)
            case Column.STARTED:
                return _when(job.started_at)
            case Column.FINISHED:
                return _when(job.finished_at)
            case Column.OUTPUT:
                return job.output or ""
            case Column.ERROR:
                return (job.error or "").splitlines()[0] if job.error else ""

    @staticmethod
    def _sort_key(job: Job, column: Column) -> Any:
        match column:
            case Column.PROGRESS:
                return job.progress
            case Column.CREATED:
                return job.created_at.timestamp()
            case Column.STARTED:
                return job.started_at.timestamp() if job.started_at else 0.0
            case Column.FINISHED:
                return job.finished_at.timestamp() if job.finished_at else 0.0
            case Column.STATUS:
                return list(JobStatus).index(job.status)
            case _:
                return JobTableModel._display(job, column).casefold()


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    """Contiguous (first, last) runs of sorted row numbers."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
