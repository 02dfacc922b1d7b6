"""The job table's model: rows update in place, never through a reset on refresh.

The model also keeps the table's sort order itself (`sort`), with Python's own sort over
the SORT_ROLE keys: a QSortFilterProxyModel sorting a Python model calls back into Python
twice per comparison, which took 14-40 s at 100,000 rows against well under a second
here. `JobFilterModel` passes the view's sort requests down here and only filters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.cell_roles import JOB_ROLE, SERVED_ROLES, SORT_ROLE, cell_data
from render_manager.ui.jobs.columns import HEADERS, Column, JobColumns, RateSamples, utc_now
from render_manager.ui.jobs.rows import RowOrder, StatusCounts, ranges
from render_manager.ui.jobs.upsert_plan import UpsertPlan, plan_upsert

__all__ = ["JobTableModel"]

_Index = QModelIndex | QPersistentModelIndex

# Beyond this many separate places to insert new rows into a sorted table, one re-sort is
# cheaper than the inserts.
_MAX_INSERT_RUNS = 32
_COLUMN_COUNT = len(Column)
_LAST_COLUMN = _COLUMN_COUNT - 1
_COLUMNS = tuple(Column(c) for c in range(_COLUMN_COUNT))  # Column(n) costs a microsecond


class JobTableModel(QAbstractTableModel):
    """Jobs as rows, keyed by job id.

    `clock` (monotonic seconds) times the progress samples behind estimated ETAs; `now`
    (aware datetime) ends the Duration of running jobs. Both are injectable for tests.
    """

    #: Jobs whose rows an upsert changed in place (new rows come as rowsInserted): views
    #: that aggregate jobs follow this instead of dataChanged, whose ranges may span rows
    #: that did not change. The list goes as one Python object: a `Signal(list)` converts
    #: it item by item (~4 ms for a refresh of 10,000 jobs, with no slot connected).
    jobs_changed = Signal(object)
    #: Every row was replaced in one layout change (replace_jobs): views that aggregate
    #: jobs read them all again, as after a reset.
    jobs_replaced = Signal()
    #: The batch names shown changed (set_batch_names).
    batch_names_changed = Signal()

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__()
        self._jobs: list[Job] = []
        self._row_of: dict[str, int] = {}
        self._row_of_stale = False
        # Arrival order: the unsorted order, and the tie-break of every sort.
        self._arrival: dict[str, int] = {}
        self._next_arrival = 0
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        # True while the rows are in order and nothing changed since the last sort.
        self._sort_fresh = True
        self._rates = RateSamples(clock)
        self._columns = JobColumns(self._rates, now)
        self._counts = StatusCounts()
        # Bumped by every change of the rows or their order: a plan made on a worker
        # thread against an older generation is made again.
        self._generation = 0

    # -- Qt model API -------------------------------------------------------------------

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    @override
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Qt's own index() asks rowCount and columnCount, two calls into Python per index;
        # this is one. Filtering 100,000 rows creates 100,000 indexes.
        if 0 <= row < len(self._jobs) and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    @override
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMN_COUNT

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < _COLUMN_COUNT
        ):
            return HEADERS[Column(section)]
        return None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called ~8 times per painted cell: the common cases come first and cheap.
        if role not in SERVED_ROLES or not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, section: int, role: int) -> Any:
        """What `data` answers for a cell, without a model index: the filter model asks
        here for the rows it shows, one call per painted role instead of three."""
        if role not in SERVED_ROLES or not 0 <= row < len(self._jobs):
            return None
        if not 0 <= section < _COLUMN_COUNT:
            return None
        job = self._jobs[row]
        # Delegates and the view's repaint check ask for the Job: answer it first.
        if role == JOB_ROLE:
            return job
        return cell_data(self._columns, job, _COLUMNS[section], role)

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by a column's SORT_ROLE key (-1: arrival order), and keep them so.

        Ties keep arrival order. Rows that change or arrive later are placed where the
        order wants them; time-driven keys (a running job's Duration) are not re-sorted
        as the clock advances, only when the job changes.
        """
        column = column if 0 <= column < len(Column) else -1
        if (column, order) == (self._sort_column, self._sort_order) and self._sort_fresh:
            return  # a view asks twice per header click (sortByColumn, then the indicator)
        self._sort_column = column
        self._sort_order = order
        self._generation += 1
        self._resort()

    # -- queries ------------------------------------------------------------------------

    def job_at(self, row: int) -> Job:
        """The job shown in a row."""
        return self._jobs[row]

    def row_of(self, job_id: str) -> int | None:
        """The row of a job, or None."""
        return self._rows().get(job_id)

    def jobs(self) -> Sequence[Job]:
        """Every job, in row order (read-only: change rows through upsert and remove)."""
        return self._jobs

    def counts(self) -> dict[JobStatus, int]:
        """How many rows are in each status (kept as rows change: no pass over the rows)."""
        return self._counts.snapshot()

    def batch_names(self) -> Mapping[str, str]:
        """Batch names by id, as far as they are known (kept up to date, read-only)."""
        return self._columns.batch_names

    def sort_column(self) -> int:
        """The column the rows are kept sorted by, or -1 for arrival order."""
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        """The direction of the sort."""
        return self._sort_order

    def eta_seconds(self, job: Job) -> float | None:
        """Seconds left for a job: the back-end's ETA, else an estimate, None when unknown."""
        return self._columns.eta_seconds(job)

    def duration_seconds(self, job: Job) -> float | None:
        """Time from start to finish, or to now while the job runs; None if not started."""
        return self._columns.duration_seconds(job)

    # -- updates ------------------------------------------------------------------------

    def set_jobs(self, jobs: Sequence[Job]) -> None:
        """Replace every row: only for the first load, never for a refresh."""
        self.beginResetModel()
        self._take(jobs)
        self.endResetModel()

    def replace_jobs(self, jobs: Sequence[Job]) -> None:
        """Replace every row in one layout change, keeping the selection and the current
        row on the jobs they were on: the full load that follows a first page of rows."""
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        held = [(self._jobs[i.row()].id, i.column()) if i.isValid() else None for i in before]
        self._take(jobs)
        rows = self._row_of
        after = [
            self.createIndex(rows[h[0]], h[1]) if h is not None and h[0] in rows else QModelIndex()
            for h in held
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        self.jobs_replaced.emit()

    def upsert(self, jobs: Iterable[Job]) -> None:
        """Update known jobs in place and add new ones.

        Changed rows are announced as contiguous `dataChanged` ranges (beyond 64 separate
        runs, as one range over their span: the views repaint only what they show); new
        rows arrive in one insert at the end when the table is unsorted, else in one
        insert per place the sort order puts them. A changed row the sort order wants
        elsewhere moves in a layout change. Selection and scroll position survive all three.
        """
        self.apply_upsert(self.plan_upsert(jobs))

    def plan_upsert(self, jobs: Iterable[Job]) -> UpsertPlan:
        """Work out what `upsert(jobs)` would change, changing nothing.

        Meant for a worker thread (a refresh reads the store off the GUI thread anyway):
        the per-job lookups and comparisons of 10,000 changed jobs are most of an upsert.
        It only reads the rows; if the GUI thread changes them meanwhile, `apply_upsert`
        sees it and plans again.
        """
        jobs = list(jobs)
        generation = self._generation
        if self._row_of_stale:
            return UpsertPlan(jobs, -1)  # the row index is rebuilt on the GUI thread only
        try:
            return self._plan(jobs, generation)
        except (IndexError, KeyError, RuntimeError):
            return UpsertPlan(jobs, -1)  # rows changed under a worker thread's reading

    def _plan(self, jobs: list[Job], generation: int) -> UpsertPlan:
        return plan_upsert(
            jobs,
            generation,
            rows=self._row_of,
            current=self._jobs,
            sort_column=self._sort_column,
            rates=self._rates,
        )

    def apply_upsert(self, plan: UpsertPlan) -> None:
        """Make a `plan_upsert` plan's changes and announce them (on the GUI thread).

        A plan made before the rows last changed is made again first, here.
        """
        if plan.generation != self._generation:
            self._rows()  # rebuilds a stale row index
            plan.release()
            plan = self._plan(plan.jobs, self._generation)
        self._generation += 1
        self._sort_fresh = False
        current = self._jobs
        for row, job in zip(plan.rows, plan.row_jobs, strict=True):
            current[row] = job
        self._counts.shift(plan.status_moves)
        if plan.rates is not None:
            self._rates.apply(plan.rates)
        if plan.rows:
            self.jobs_changed.emit(plan.row_jobs)
            emit, index = self.dataChanged.emit, self.createIndex
            for first, last in plan.runs:
                emit(index(first, 0), index(last, _LAST_COLUMN))
        if plan.moved:
            order = self._order()
            if not all(order.in_place(current, r) for r in plan.moved):
                self._relayout(order.reposition(current, plan.moved))
        if plan.new:
            for job in plan.new:
                self._arrive(job)
            self._counts.add(plan.new)
            self._insert(plan.new)

    def _take(self, jobs: Sequence[Job]) -> None:
        """These jobs become the rows, in order (no signal: the callers announce it)."""
        self._generation += 1
        self._arrival = {}
        self._next_arrival = 0
        self._columns.batch_created.clear()
        self._rates.clear()
        for job in jobs:
            self._arrive(job)
        self._rates.observe_many(jobs)
        self._jobs = self._order().ordered(jobs)
        self._counts.reset(self._jobs)
        self._reindex()
        self._sort_fresh = True

    def remove(self, job_ids: Iterable[str]) -> None:
        """Remove the rows of these jobs (unknown ids are ignored)."""
        index = self._rows()
        rows = sorted({r for i in job_ids if (r := index.get(i)) is not None})
        self._generation += 1
        # Highest runs first, so removing one run does not shift the rows of the next.
        for first, last in reversed(ranges(rows)):
            self.beginRemoveRows(QModelIndex(), first, last)
            leaving = self._jobs[first : last + 1]
            for job in leaving:
                self._rates.forget(job.id)
                self._arrival.pop(job.id, None)
            self._counts.discard(leaving)
            del self._jobs[first : last + 1]
            self._row_of_stale = True
            self.endRemoveRows()

    def set_batch_names(self, names: Mapping[str, str]) -> None:
        """Batch names by id (read from the store): the Batch column shows them."""
        known = self._columns.batch_names
        fresh = {k: v for k, v in names.items() if known.get(k) != v}
        if not fresh:
            return
        known.update(fresh)
        self._generation += 1
        self.batch_names_changed.emit()
        if self._jobs:
            roles = [Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole]
            last = len(self._jobs) - 1
            self.dataChanged.emit(
                self.index(0, Column.BATCH), self.index(last, Column.BATCH), roles
            )
        if self._sort_column == Column.BATCH:
            self._resort()

    def tick(self) -> None:
        """Announce that running jobs' Duration moved on: call it from a one-second timer.

        Only the Duration cells of running rows are signalled, in contiguous ranges.
        """
        rows = [
            r
            for r, job in enumerate(self._jobs)
            if job.started_at is not None and job.finished_at is None and not job.is_terminal
        ]
        self._sort_fresh = False
        roles = [Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole]
        for first, last in ranges(rows):
            self.dataChanged.emit(
                self.index(first, Column.DURATION), self.index(last, Column.DURATION), roles
            )

    # -- ordering -----------------------------------------------------------------------

    def _arrive(self, job: Job) -> None:
        if job.id not in self._arrival:
            self._arrival[job.id] = self._next_arrival
            self._next_arrival += 1
            batch = job.batch_id
            if batch is not None and batch not in self._columns.batch_created:
                self._columns.batch_created[batch] = job.created_at.timestamp()

    def _rows(self) -> dict[str, int]:
        if self._row_of_stale:
            self._reindex()
        return self._row_of

    def _reindex(self) -> None:
        self._row_of = {job.id: row for row, job in enumerate(self._jobs)}
        self._row_of_stale = False

    def _order(self) -> RowOrder:
        column = self._sort_column
        key = None if column < 0 else partial(self._columns.sort_key, column=Column(column))
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return RowOrder(self._arrival, key, descending)

    def _resort(self) -> None:
        self._relayout(self._order().ordered(self._jobs))
        self._sort_fresh = True

    def _relayout(self, ordered: list[Job]) -> None:
        """Show the same jobs in a new order, moving persistent indexes (the selection)."""
        if ordered == self._jobs:  # identity first: cheap when nothing moved
            return
        self._generation += 1
        self.layoutAboutToBeChanged.emit()
        old_jobs = self._jobs
        self._jobs = ordered
        self._reindex()
        before = self.persistentIndexList()
        after = [
            self.index(self._row_of[old_jobs[i.row()].id], i.column())
            if i.isValid()
            else QModelIndex()
            for i in before
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _insert(self, new: list[Job]) -> None:
        runs = self._order().insert_runs(self._jobs, new)
        resort = len(runs) > _MAX_INSERT_RUNS
        if resort:
            runs = [(len(self._jobs), new)]
        # Last place first, so an insert never shifts the place of the next one.
        for position, block in reversed(runs):
            self.beginInsertRows(QModelIndex(), position, position + len(block) - 1)
            self._jobs[position:position] = block
            if position == len(self._jobs) - len(block):
                for offset, job in enumerate(block):
                    self._row_of[job.id] = position + offset
            else:
                self._row_of_stale = True
            self.endInsertRows()
        if resort:
            self._resort()
