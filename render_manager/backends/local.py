"""The local engine behind the Backend protocol: this computer's aerender and ffmpeg queue.

Submit many validates every body (the one local validator) and queues them all in one
store transaction, or none; cancel many takes queued jobs off the queue and stops running
renders (through the engine that runs them, in whatever process); a retry requeues an ended
job in place (`RetriesInPlace`); jobs and the whole queue pause and resume (`Pauses`);
refresh reports the jobs whose status moved since the last look; get reads one job; check
access looks for aerender. The engine writes its jobs into the store itself, so a caller
stores nothing (`ServiceRules.stores_jobs`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from render_manager.backends import local_rules
from render_manager.backends.errors import BackendError, JobGone
from render_manager.backends.local_home import LocalHome
from render_manager.backends.protocol import (
    CancelOutcome,
    PriorityOutcome,
    RefreshOutcome,
    RetryOutcome,
    ServiceRules,
    SubmitOutcome,
)
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.results import PauseSummary
from render_manager.domain.status import BackendKind
from render_manager.engine.local_cancel import LocalCanceller
from render_manager.engine.local_pause import LocalPauser
from render_manager.engine.local_retry import LocalRetrier
from render_manager.engine.local_submit import LocalSubmitter
from render_manager.engine.locate import locate_aerender


class LocalBackend:
    """The local engine of one connection."""

    RULES = local_rules.RULES

    def __init__(self, connection: Connection, home: LocalHome) -> None:
        if connection.kind is not BackendKind.LOCAL:
            raise ValueError(f"{connection.name} is not a local connection")
        self._connection = connection
        self._home = home
        # The status each job of this connection had at the last look (non-terminal ones).
        self._seen: dict[str, str] = {}

    @property
    def kind(self) -> BackendKind:
        """Which service this is."""
        return BackendKind.LOCAL

    @property
    def rules(self) -> ServiceRules:
        """What is known of the engine before any job is queued."""
        return self.RULES

    async def submit_many(
        self,
        bodies: Sequence[Mapping[str, Any]],
        *,
        batch_name: str | None = None,
        base_dir: Path | None = None,
    ) -> SubmitOutcome:
        """Queue every body in one transaction, or none if any is refused (each refused
        row lists every problem found in it). Relative paths are read from `base_dir`."""
        home = self._home
        submitter = LocalSubmitter(home.jobs, home.local_jobs, home.folder, self._connection)
        result = await asyncio.to_thread(
            submitter.submit, list(bodies), base_dir=base_dir or home.folder, batch_name=batch_name
        )
        if result.errors:
            return SubmitOutcome("error", errors=list(result.errors), warnings=result.warnings)
        stored = await asyncio.to_thread(home.jobs.get_many, [job_id for _, job_id in result.jobs])
        jobs = [(i, stored[job_id]) for i, job_id in result.jobs if job_id in stored]
        self._seen.update((job.id, job.raw_status) for _, job in jobs)
        if home.wake_engine is not None:
            home.wake_engine()
        return SubmitOutcome(
            "created", batch_id=result.batch_id, jobs=jobs, warnings=result.warnings
        )

    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """The jobs whose status moved since the last look: `known` (the connection's
        jobs not yet ended, as stored) and those seen last time that have ended since."""
        ended_ids = set(self._seen) - {job.id for job in known}
        ended = await asyncio.to_thread(self._home.jobs.get_many, ended_ids) if ended_ids else {}
        changed = [
            job for job in (*known, *ended.values()) if self._seen.get(job.id) != job.raw_status
        ]
        self._seen = {job.id: job.raw_status for job in known}
        return RefreshOutcome(changed=changed)

    async def get(self, job_id: str) -> Job:
        """One job, as the store has it now."""
        job = await asyncio.to_thread(self._home.jobs.get, job_id)
        if job is None or job.connection != self._connection.name:
            raise JobGone(f"{self._connection.name}: no job {job_id}")
        return job

    async def cancel_many(self, jobs: Sequence[Job]) -> CancelOutcome:
        """Take queued jobs off the queue; stop running renders, reported once stopped."""
        home = self._home
        canceller = LocalCanceller(
            home.jobs, home.local_jobs, home.folder, wake_engine=home.wake_engine
        )
        summary = await canceller.cancel([job.id for job in jobs])
        now = await asyncio.to_thread(home.jobs.get_many, summary.cancelled)
        cancelled = [now[job_id] for job_id in summary.cancelled if job_id in now]
        return CancelOutcome(cancelled=cancelled, skipped=list(summary.skipped))

    async def retry_in_place(self, jobs: Sequence[Job]) -> RetryOutcome:
        """Put failed and cancelled jobs back in the queue under their own ids; the log of
        the attempt that ended is kept beside the next one's."""
        retrier = LocalRetrier(self._home.local_jobs, wake_engine=self._home.wake_engine)
        requeued, skipped = await retrier.retry([job.id for job in jobs])
        return RetryOutcome(requeued=requeued, skipped=skipped)

    async def pause_jobs(self, jobs: Sequence[Job], *, stop_running: bool) -> PauseSummary:
        """Hold queued jobs; with `stop_running`, stop running renders and hold them too
        (reported once stopped), their run not counted."""
        return await self._pauser().pause_jobs([job.id for job in jobs], stop_running=stop_running)

    async def resume_jobs(self, jobs: Sequence[Job]) -> PauseSummary:
        """Put paused jobs back in the queue, in their old places."""
        return await self._pauser().resume_jobs([job.id for job in jobs])

    async def pause_queue(self, *, stop_running: bool) -> PauseSummary:
        """Start no new render on this connection, in whatever process its engine runs;
        with `stop_running`, running renders go back to the queue, their run not counted."""
        return await self._pauser().pause_queue(self._connection.name, stop_running=stop_running)

    async def resume_queue(self) -> PauseSummary:
        """Start renders again."""
        return await self._pauser().resume_queue(self._connection.name)

    def _pauser(self) -> LocalPauser:
        home = self._home
        if home.pauses is None:
            raise BackendError(f"{self._connection.name}: pauses are not available here")
        return LocalPauser(
            home.jobs, home.local_jobs, home.pauses, home.folder, wake_engine=home.wake_engine
        )

    async def set_priorities(self, priorities: Mapping[str, int]) -> PriorityOutcome:
        """New priorities for queued jobs of this connection, in one transaction; the
        engine's next claim follows them. A job claimed or ended meanwhile is skipped."""
        mine = await asyncio.to_thread(self._home.jobs.get_many, list(priorities))
        asked = {i: p for i, p in priorities.items() if i in mine and self._owns(mine[i])}
        changed = await asyncio.to_thread(self._home.local_jobs.set_priorities, asked)
        done = set(changed)
        skipped = [
            (job_id, "it no longer waits in the queue" if job_id in asked else "no such job")
            for job_id in priorities
            if job_id not in done
        ]
        return PriorityOutcome(changed=changed, skipped=skipped)

    def _owns(self, job: Job) -> bool:
        return job.connection == self._connection.name

    async def check_access(self) -> None:
        """Look for the connection's aerender; BackendError says why renders cannot run."""
        lookup = await asyncio.to_thread(locate_aerender, self._connection.aerender)
        if not lookup.found:
            raise BackendError(
                f"{self._connection.name}: {lookup.problem}. After Effects renders cannot "
                "run; encode jobs still do"
            )

    async def aclose(self) -> None:
        """Nothing is held open: the store belongs to the home."""
