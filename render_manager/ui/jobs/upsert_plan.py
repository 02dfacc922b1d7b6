"""Planning a refresh of the job table: which rows an upsert changes, which it moves
and which jobs are new, worked out without touching the model.

Kept apart from the Qt model so that the planning, most of the cost of refreshing 10,000
changed jobs, reads plainly as the pure pass it is and can run on a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.columns import Column, RateSamples, RateUpdate
from render_manager.ui.jobs.rows import few_ranges

__all__ = ["UpsertPlan", "plan_upsert"]

# Beyond this many separate runs of changed rows, one dataChanged over their whole span is
# cheaper than a signal per run: 10,000 signals cost ~40 ms through a proxy and a view,
# where one span costs the view a repaint of its visible rows only.
_MAX_CHANGE_RANGES = 64
# Rows freed per slice by UpsertPlan.release (~0.3 ms each).
_RELEASE_SLICE = 500
# The Job fields each column's sort key is made of, when it depends on nothing else: a
# changed job whose fields here are unchanged keeps its place without computing a key.
# ETA and Duration keys also move with the clock and the progress rate: not listed.
_KEY_FIELDS: dict[int, Callable[[Job], object]] = {
    Column.NAME: attrgetter("name"),
    Column.CONNECTION: attrgetter("connection"),
    Column.STATUS: attrgetter("status"),
    Column.PROGRESS: attrgetter("progress"),
    Column.FRAMES: attrgetter("total_frames", "frames_done"),
    Column.BATCH: attrgetter("batch_id"),
    Column.CREATED: attrgetter("created_at"),
    Column.STARTED: attrgetter("started_at"),
    Column.OUTPUT: attrgetter("output"),
    Column.ERROR: attrgetter("error"),
}


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """An upsert worked out ahead (`JobTableModel.plan_upsert`): rows to set, ranges to
    announce, status moves, rate samples and new jobs, as of the model's `generation`
    (-1: not worked out; `apply_upsert` plans it then)."""

    jobs: list[Job]
    generation: int
    rows: list[int] = field(default_factory=list)
    row_jobs: list[Job] = field(default_factory=list)
    runs: list[tuple[int, int]] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    status_moves: dict[JobStatus, int] = field(default_factory=dict)
    """Rows gained (or lost, below 0) per status."""
    rates: RateUpdate | None = None
    new: list[Job] = field(default_factory=list)
    retired: list[object] = field(default_factory=list)
    """What the plan's rows replace: freed with the plan, so drop the plan off the GUI
    thread (`release` on a worker) to spare it 10,000 deallocations."""

    def release(self) -> None:
        """Free what the plan replaced, here (call it on a worker thread after the apply,
        best while the GUI thread idles: freeing 10,000 rows takes ~5-10 ms).

        In slices, letting go of the interpreter between them, so that the GUI thread
        never waits long for it.
        """
        for replaced in (self.retired, self.rates.replaced if self.rates else []):
            while replaced:
                del replaced[-_RELEASE_SLICE:]
                time.sleep(0)


def plan_upsert(
    jobs: list[Job],
    generation: int,
    *,
    rows: dict[str, int],
    current: Sequence[Job],
    sort_column: int,
    rates: RateSamples,
) -> UpsertPlan:
    """Work out what upserting `jobs` changes in rows `current` (indexed by job id in
    `rows`, kept sorted by `sort_column`, -1 for none), changing nothing.

    Raises IndexError, KeyError or RuntimeError if the rows change while it reads them.
    """
    # One pass, everything bound to locals: a refresh can bring 10,000 jobs.
    key_fields = _KEY_FIELDS.get(sort_column)
    keyed = sort_column >= 0
    changed: dict[int, Job] = {}
    moved: list[int] = []  # changed rows whose sort key may have changed
    progressed: list[Job] = []  # changed progress or status: a rate sample each
    status_moves: dict[JobStatus, int] = {}
    new: dict[str, Job] = {}
    for job in jobs:
        row = rows.get(job.id)
        if row is None:
            new[job.id] = job  # the last copy of a job wins, as for known rows
            continue
        old = changed.get(row) or current[row]
        # Progress and status first: they tell most changes apart without comparing
        # every field.
        if old.status is not job.status:
            status_moves[old.status] = status_moves.get(old.status, 0) - 1
            status_moves[job.status] = status_moves.get(job.status, 0) + 1
            progressed.append(job)
        elif old.progress != job.progress:
            progressed.append(job)
        elif old is job or old == job:
            continue
        changed[row] = job
        if keyed and (key_fields is None or key_fields(old) != key_fields(job)):
            moved.append(row)
    order = sorted(changed)
    runs = few_ranges(order, _MAX_CHANGE_RANGES) if order else []
    if runs is None:
        runs = [(order[0], order[-1])]
    planned_rates = rates.planned([*progressed, *new.values()])
    return UpsertPlan(
        jobs,
        generation,
        retired=[current[r] for r in order],
        rows=order,
        row_jobs=[changed[r] for r in order],
        runs=runs,
        moved=moved,
        status_moves=status_moves,
        rates=planned_rates,
        new=list(new.values()),
    )
