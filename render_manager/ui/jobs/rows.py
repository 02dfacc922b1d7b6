"""Row bookkeeping of the job table, without Qt: sort order, runs of rows, status counts.

`JobTableModel` decides what to tell the views; the functions here decide where rows go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.columns import SortKey, less


@dataclass(frozen=True)
class RowOrder:
    """The order rows are kept in: by `key` (None: arrival order), ties in arrival order.

    `arrival` numbers every job id in the order the jobs first arrived.
    """

    arrival: Mapping[str, int]
    key: Callable[[Job], SortKey] | None
    descending: bool

    def ordered(self, jobs: Iterable[Job]) -> list[Job]:
        """The jobs in this order."""
        arrival = self.arrival
        by_arrival = sorted(jobs, key=lambda j: arrival[j.id])
        if self.key is None:
            return by_arrival
        # A stable sort over arrival order: ties keep arrival order, in either direction.
        return sorted(by_arrival, key=self.key, reverse=self.descending)

    def in_place(self, rows: list[Job], row: int) -> bool:
        """True if a row's key still fits between its neighbours' keys."""
        key_of = self.key
        if key_of is None:
            return True
        key = key_of(rows[row])
        if row > 0:
            before = key_of(rows[row - 1])
            if less(before, key) if self.descending else less(key, before):
                return False
        if row + 1 < len(rows):
            after = key_of(rows[row + 1])
            if less(key, after) if self.descending else less(after, key):
                return False
        return True

    def insertion_point(self, rows: list[Job], job: Job) -> int:
        """Where a job goes in rows kept in this order: after every row tying with it."""
        key_of = self.key
        if key_of is None:
            return len(rows)
        key = key_of(job)
        descending = self.descending
        low, high = 0, len(rows)
        while low < high:
            mid = (low + high) // 2
            other = key_of(rows[mid])
            if less(other, key) if descending else less(key, other):
                high = mid
            else:
                low = mid + 1
        return low

    def reposition(self, rows: list[Job], changed: list[int]) -> list[Job]:
        """The rows with the changed ones moved to where this order wants them.

        The unchanged rows are still in order among themselves, so each changed row is
        placed among them by binary search: no key is computed for the whole table.
        """
        moving = {rows[r].id for r in changed}
        ordered = [job for job in rows if job.id not in moving]
        for job in self.ordered(rows[r] for r in changed):
            ordered.insert(self.insertion_point(ordered, job), job)
        return ordered

    def insert_runs(self, rows: list[Job], new: list[Job]) -> list[tuple[int, list[Job]]]:
        """Where new jobs go: (row, jobs) per place, places in increasing order."""
        if self.key is None:
            return [(len(rows), new)]
        runs: list[tuple[int, list[Job]]] = []
        # Sorted new jobs land at non-decreasing places: group those sharing one.
        for job in self.ordered(new):
            position = self.insertion_point(rows, job)
            if runs and runs[-1][0] == position:
                runs[-1][1].append(job)
            else:
                runs.append((position, [job]))
        return runs


class StatusCounts:
    """How many rows are in each status, kept up to date row by row."""

    def __init__(self) -> None:
        self._counts = dict.fromkeys(JobStatus, 0)

    def reset(self, jobs: Iterable[Job]) -> None:
        """Count these jobs from scratch."""
        counts = self._counts = dict.fromkeys(JobStatus, 0)
        for job in jobs:
            counts[job.status] += 1

    def add(self, jobs: Iterable[Job]) -> None:
        """Count rows that arrived."""
        counts = self._counts
        for job in jobs:
            counts[job.status] += 1

    def discard(self, jobs: Iterable[Job]) -> None:
        """Stop counting rows that left."""
        counts = self._counts
        for job in jobs:
            counts[job.status] -= 1

    def shift(self, deltas: Mapping[JobStatus, int]) -> None:
        """Rows gained (or lost, below 0) per status."""
        counts = self._counts
        for status, delta in deltas.items():
            counts[status] += delta

    def snapshot(self) -> dict[JobStatus, int]:
        """A copy of the counts, every status present."""
        return dict(self._counts)


def ranges(rows: list[int]) -> list[tuple[int, int]]:
    """Contiguous (first, last) runs of sorted row numbers."""
    runs = few_ranges(rows, len(rows))
    assert runs is not None
    return runs


def few_ranges(rows: list[int], limit: int) -> list[tuple[int, int]] | None:
    """Contiguous (first, last) runs of sorted row numbers, or None if there are more than
    `limit` (found without walking every row)."""
    runs: list[tuple[int, int]] = []
    first = last = -2
    for row in rows:
        if row == last + 1:
            last = row
            continue
        if last >= 0:
            if len(runs) == limit:
                return None
            runs.append((first, last))
        first = last = row
    if last >= 0:
        if len(runs) == limit:
            return None
        runs.append((first, last))
    return runs
