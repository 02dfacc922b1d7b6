"""Nexrender Cloud's team view: jobs created elsewhere on the account, brought into the store.

With a connection's `team_view` on, each refresh also lists the jobs created since the
newest one seen (`GET /jobs?from_date=…&minimal=true`, oldest first, paged) and stores
those the store does not know yet, with their status; from then on the usual refresh
follows them like any other job.

- Creation times come from the job ids: Nexrender Cloud's ids are ULIDs made by the server,
  so minimal records, which carry no times, still say when each job was made, on the
  server's clock (this computer's clock may be off).
- The first listing of a connection in a process looks back `LOOKBACK` (7 days): a week of
  the team's work, bounded so that an account with years of history is not pulled in
  whole. Later listings start at the newest creation time seen, less `OVERLAP` (1 minute),
  so a job made in the same instant, or indexed late by the server, is not missed; jobs
  already known are skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from render_manager.backends.protocol import ListsTeamJobs
from render_manager.domain.ids import ulid_time
from render_manager.domain.job import Batch, Job
from render_manager.store.jobs import JobRepository

LOOKBACK = timedelta(days=7)
OVERLAP = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TeamPull:
    """What one team listing found: jobs new to the store, and what it cost."""

    new: list[Job] = field(default_factory=list)
    requests: int = 0
    problems: list[str] = field(default_factory=list)


class TeamView:
    """Where each connection's team listing got to (kept in memory, per process)."""

    def __init__(
        self, jobs: JobRepository, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._jobs = jobs
        self._clock = clock
        self._newest: dict[str, datetime] = {}

    def since(self, name: str) -> datetime:
        """Where the next listing of this connection starts (`from_date`)."""
        newest = self._newest.get(name)
        return self._clock() - LOOKBACK if newest is None else newest - OVERLAP

    def forget(self) -> None:
        """Start over: the next listing of every connection looks back `LOOKBACK` again."""
        self._newest.clear()

    async def pull(self, name: str, backend: ListsTeamJobs) -> TeamPull:
        """List the jobs created since `since(name)` and store the ones not known yet."""
        listed = await backend.team_jobs(self.since(name))
        times = [t for job in listed.jobs if (t := ulid_time(job.id)) is not None]
        if times:
            previous = self._newest.get(name)
            self._newest[name] = max(times) if previous is None else max(previous, *times)
        fresh = [_dated(job) for job in listed.jobs]
        new = await asyncio.to_thread(self._store_new, name, fresh)
        return TeamPull(new, listed.requests, listed.problems)

    def _store_new(self, name: str, listed: Sequence[Job]) -> list[Job]:
        """Store the jobs the store does not know; returns them."""
        known = self._jobs.get_many(job.id for job in listed)
        new = [job for job in listed if job.id not in known]
        by_batch: dict[str | None, list[Job]] = {}
        for job in new:
            by_batch.setdefault(job.batch_id, []).append(job)
        for batch_id, jobs in by_batch.items():
            if batch_id is None or self._jobs.batch(batch_id) is not None:
                self._jobs.upsert_many(jobs)
                continue
            # A batch made elsewhere: filed under its own id, so it can be watched and cancelled.
            made = min(job.created_at for job in jobs)
            title = f"Team batch {batch_id}"
            self._jobs.add_batch(Batch(batch_id, name, title, created_at=made), jobs)
        return new


def _dated(job: Job) -> Job:
    """A minimal record's job with its creation time read from its id."""
    made = ulid_time(job.id)
    return job if made is None else job.with_changes(created_at=made)
