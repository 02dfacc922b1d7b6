"""Aggregate progress of batches, and an ETA from the batch's own throughput.

`batch_progress` computes one batch from its jobs; `BatchProgressTracker` keeps every
batch's aggregate up to date job by job, so a refresh that changed k jobs costs O(k)
however many jobs the store holds.

Progress is the work done over the work that will be done, in job-equivalents: a finished
job counts 1, a job still running counts its progress (0.5 at 50 %), a queued one 0. A
cancelled job is never done and will never be, so it leaves both sides; so does a failed
job: it delivers nothing and will not be rendered again unless someone retries it (a retried
job is queued again, and counts again). Failures are therefore never hidden in "done": they
are counted apart, and a producer reads "8 of 50 finished · 2 failed · 40 cancelled" next
to the bar. A batch left with no work to do (every job cancelled or failed) has no progress
(`fraction` is None) rather than a false 0 or 100 %.

The ETA follows the same rule: the work left (queued and rendering, less what is rendered)
at the pace of finished work since the batch's first job started. Time spent on a job that
then failed counts as time but not as work, so failures make the ETA more cautious, never
more hopeful.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from render_manager.domain.job import BatchCounts, Job
from render_manager.domain.status import TERMINAL_STATUSES, JobStatus

# Progress is kept in hundredths of a percent as integers: sums built up by adding and
# subtracting millions of floats would drift, integers stay exact.
_SCALE = 100
_FULL = 100 * _SCALE


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """One batch's aggregate: counts, overall progress and the time left."""

    batch_id: str
    connection: str
    counts: BatchCounts
    # Jobs rendering now (among `counts.pending`; the others wait in the queue).
    rendering: int
    # Share of the work that will be done that is done, 0.0-1.0, running jobs counted by
    # their progress; None when no work is left to do at all (every job cancelled or failed).
    fraction: float | None
    eta_seconds: float | None
    # The earliest job's creation: batches are listed newest first by it.
    created_at: datetime
    started_at: datetime | None

    @property
    def queued(self) -> int:
        """Jobs not started yet (queued, or a nested parent waiting on its children)."""
        return self.counts.pending - self.rendering

    @property
    def percent(self) -> float | None:
        """`fraction` as 0-100, or None when there is no work to do."""
        return None if self.fraction is None else self.fraction * 100.0


def eta_seconds(work_done: float, work_left: float, elapsed_s: float) -> float | None:
    """Seconds left at the throughput so far; None while there is nothing to measure."""
    if work_left <= 0:
        return None if work_done <= 0 else 0.0
    if work_done <= 0 or elapsed_s <= 0:
        return None
    return work_left * elapsed_s / work_done


def batch_progress(batch_id: str, jobs: Iterable[Job], now: datetime) -> BatchProgress | None:
    """The aggregate of one batch's jobs at `now`; None for a batch without jobs."""
    tracker = BatchProgressTracker()
    tracker.update(j for j in jobs if j.batch_id == batch_id)
    return tracker.progress(batch_id, now)


# What one job adds to its batch's aggregate: (batch id, status, progress in hundredths of a
# percent while not terminal, created_at, started_at). A plain tuple: the first load builds
# one per job, and a tuple is several times cheaper to make than a frozen dataclass.
_Entry = tuple[str, JobStatus, int, datetime, datetime | None]


def _entry(job: Job, batch_id: str) -> _Entry:
    status = job.status
    progress = 0 if status in TERMINAL_STATUSES else round((job.progress or 0.0) * _SCALE)
    return (batch_id, status, progress, job.created_at, job.started_at)


class _Aggregate:
    """Running sums of one batch; the earliest times are recomputed only when one leaves."""

    def __init__(self, connection: str) -> None:
        self.connection = connection
        self.entries: dict[str, _Entry] = {}
        self.statuses: dict[JobStatus, int] = dict.fromkeys(JobStatus, 0)
        self.running_progress = 0
        self._created: datetime | None = None
        self._started: datetime | None = None
        self._stale = False

    def add(self, job_id: str, entry: _Entry) -> None:
        _, status, progress, created, started = entry
        self.entries[job_id] = entry
        self.statuses[status] += 1
        self.running_progress += progress
        if not self._stale:
            if self._created is None or created < self._created:
                self._created = created
            if started is not None and (self._started is None or started < self._started):
                self._started = started

    def discard(self, job_id: str) -> None:
        _, status, progress, created, started = self.entries.pop(job_id)
        self.statuses[status] -= 1
        self.running_progress -= progress
        if created == self._created or (started is not None and started == self._started):
            self._stale = True

    def earliest(self) -> tuple[datetime | None, datetime | None]:
        if self._stale:
            entries = self.entries.values()
            self._created = min((e[3] for e in entries), default=None)
            self._started = min((e[4] for e in entries if e[4] is not None), default=None)
            self._stale = False
        return self._created, self._started


class BatchProgressTracker:
    """Every batch's aggregate, kept current from the jobs that change.

    Jobs without a batch are ignored. A job moving to another batch leaves the old one.
    """

    def __init__(self) -> None:
        self._batches: dict[str, _Aggregate] = {}
        self._batch_of: dict[str, str] = {}

    def update(self, jobs: Iterable[Job]) -> set[str]:
        """Take in new or changed jobs; returns the ids of batches whose aggregate moved."""
        touched: set[str] = set()
        for job in jobs:
            previous = self._batch_of.get(job.id)
            batch_id = job.batch_id
            if batch_id is None:
                if previous is not None:
                    touched |= self._drop(job.id)
                continue
            entry = _entry(job, batch_id)
            if previous is not None:
                if self._batches[previous].entries[job.id] == entry:
                    continue
                self._drop(job.id)
                touched.add(previous)
            aggregate = self._batches.get(batch_id)
            if aggregate is None:
                aggregate = self._batches[batch_id] = _Aggregate(job.connection)
            aggregate.add(job.id, entry)
            self._batch_of[job.id] = batch_id
            touched.add(batch_id)
        return touched

    def remove(self, job_ids: Iterable[str]) -> set[str]:
        """Forget jobs; returns the ids of batches that changed (or went away)."""
        touched: set[str] = set()
        for job_id in job_ids:
            touched |= self._drop(job_id)
        return touched

    def clear(self) -> None:
        """Forget every job."""
        self._batches.clear()
        self._batch_of.clear()

    def batch_ids(self) -> list[str]:
        """Every batch with at least one job."""
        return list(self._batches)

    def progress(self, batch_id: str, now: datetime) -> BatchProgress | None:
        """A batch's aggregate at `now` (the clock moves the ETA), or None if unknown."""
        aggregate = self._batches.get(batch_id)
        if aggregate is None:
            return None
        s = aggregate.statuses
        finished, failed, cancelled = (
            s[JobStatus.FINISHED],
            s[JobStatus.FAILED],
            s[JobStatus.CANCELLED],
        )
        total = len(aggregate.entries)
        pending = total - finished - failed - cancelled
        counts = BatchCounts(total, finished, failed, cancelled, pending)
        partial = aggregate.running_progress / _FULL
        # Cancelled and failed jobs leave both sides (see the module's docstring).
        work = finished + pending
        fraction = None if work == 0 else min(1.0, max(0.0, (finished + partial) / work))
        created, started = aggregate.earliest()
        assert created is not None  # a batch in the tracker has at least one job
        eta = None
        if started is not None and pending:
            work_done = finished + partial
            eta = eta_seconds(work_done, pending - partial, (now - started).total_seconds())
        return BatchProgress(
            batch_id=batch_id,
            connection=aggregate.connection,
            counts=counts,
            rendering=s[JobStatus.RENDERING],
            fraction=fraction,
            eta_seconds=eta,
            created_at=created,
            started_at=started,
        )

    def _drop(self, job_id: str) -> set[str]:
        batch_id = self._batch_of.pop(job_id, None)
        if batch_id is None:
            return set()
        aggregate = self._batches[batch_id]
        aggregate.discard(job_id)
        if not aggregate.entries:
            del self._batches[batch_id]
        return {batch_id}
