"""Pausing and resuming local jobs and queues from any process sharing the home.

A paused queue (connection) is a row in the store: the engine reads it in the same
transaction that claims jobs, so once a pause is committed no new render starts, in
whatever process the engine runs. A paused job is held in the store at once. A running
render is only stopped when asked (`stop_running`): it is flagged, and the engine running
it stops it and puts the job back (queued for a paused queue, paused for a paused job),
the run not counted as an attempt. When no engine runs, the render left behind is stopped
here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from render_manager.domain.results import PauseSummary
from render_manager.domain.status import (
    LocalStatus,
    local_pause_refusal_reason,
    local_resume_refusal_reason,
)
from render_manager.engine.processes import ProcessIdentity, end_process_tree
from render_manager.store.engine_lock import EngineBusy, EngineLock
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_pauses import LocalPauseRepository, PauseRequest

# How long to wait for a running engine to confirm it stopped a render.
CONFIRM_TIMEOUT_S = 20.0
NOT_CONFIRMED = "the engine has not confirmed it stopped the render yet; it will"


class LocalPauser:
    """Pauses and resumes one home's local jobs and queues."""

    def __init__(
        self,
        jobs: JobRepository,
        local: LocalJobRepository,
        pauses: LocalPauseRepository,
        home: Path,
        *,
        wake_engine: Callable[[], None] | None = None,
    ) -> None:
        self._jobs = jobs
        self._local = local
        self._pauses = pauses
        self._home = home
        self._wake_engine = wake_engine

    async def pause_jobs(self, job_ids: Sequence[str], *, stop_running: bool) -> PauseSummary:
        """Hold queued jobs; with `stop_running`, stop running ones and hold them too."""
        summary = PauseSummary("pause")
        flagged = await asyncio.to_thread(self._pause_all, list(job_ids), stop_running, summary)
        for connection, ids in flagged.items():
            await self._stop(connection, ids, LocalStatus.PAUSED, summary)
        return summary

    async def resume_jobs(self, job_ids: Sequence[str]) -> PauseSummary:
        """Put paused jobs back in the queue, each in its old place."""
        summary = PauseSummary("resume")
        await asyncio.to_thread(self._resume_all, list(job_ids), summary)
        if summary.done:
            self._wake()
        return summary

    async def pause_queue(self, connection: str, *, stop_running: bool) -> PauseSummary:
        """Pause a connection's queue; with `stop_running` its running renders go back to
        the queue too. Raises UnknownConnection."""
        summary = PauseSummary("pause", connection=connection)
        summary.changed = await asyncio.to_thread(self._pauses.set_queue_paused, connection, True)
        if stop_running:
            ids = await asyncio.to_thread(self._pauses.requeue_running, connection)
            if ids:
                await self._stop(connection, ids, LocalStatus.QUEUED, summary)
        return summary

    async def resume_queue(self, connection: str) -> PauseSummary:
        """Let a connection's engine start renders again. Raises UnknownConnection."""
        summary = PauseSummary("resume", connection=connection)
        summary.changed = await asyncio.to_thread(self._pauses.set_queue_paused, connection, False)
        self._wake()
        return summary

    # -- internals -------------------------------------------------------------------------

    def _wake(self) -> None:
        if self._wake_engine is not None:
            self._wake_engine()

    def _pause_all(
        self, job_ids: list[str], stop_running: bool, summary: PauseSummary
    ) -> dict[str, list[str]]:
        flagged: dict[str, list[str]] = {}
        for job_id in dict.fromkeys(job_ids):
            job = self._jobs.get(job_id)
            if job is None:
                summary.skipped.append((job_id, "no such job"))
                continue
            why = local_pause_refusal_reason(job.raw_status, stop_running=stop_running)
            if why is not None:
                summary.skipped.append((job_id, why))
                continue
            match self._pauses.pause(job_id, stop_running=stop_running):
                case PauseRequest.DONE:
                    summary.done.append(job_id)
                case PauseRequest.STOP_REQUESTED:
                    flagged.setdefault(job.connection, []).append(job_id)
                case PauseRequest.REFUSED | PauseRequest.UNKNOWN:
                    summary.skipped.append((job_id, "it changed meanwhile: try again"))
        return flagged

    def _resume_all(self, job_ids: list[str], summary: PauseSummary) -> None:
        for job_id in dict.fromkeys(job_ids):
            job = self._jobs.get(job_id)
            if job is None:
                summary.skipped.append((job_id, "no such job"))
                continue
            why = local_resume_refusal_reason(job.raw_status)
            if why is None and self._pauses.resume(job_id) is PauseRequest.DONE:
                summary.done.append(job_id)
            else:
                summary.skipped.append((job_id, why or "it changed meanwhile: try again"))

    async def _stop(
        self, connection: str, job_ids: list[str], to: LocalStatus, summary: PauseSummary
    ) -> None:
        """Have the flagged renders stopped, and report them once they are."""
        lock = EngineLock(self._home, "renderctl pause", connection)
        try:
            lock.acquire()
        except EngineBusy:
            # An engine runs these renders: it sees the flags within a poll interval.
            self._wake()
            await self._confirm(job_ids, to, summary)
            return
        try:
            # No engine runs: stop what the last one left behind ourselves.
            for job_id in job_ids:
                record = await asyncio.to_thread(self._local.get, job_id)
                if record and record.pid is not None and record.pid_started_at is not None:
                    await end_process_tree(ProcessIdentity(record.pid, record.pid_started_at))
                await asyncio.to_thread(self._local.hold, job_id, to, "stopped by a pause")
                self._stopped(job_id, to, summary)
        finally:
            lock.release()

    async def _confirm(self, job_ids: list[str], to: LocalStatus, summary: PauseSummary) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONFIRM_TIMEOUT_S
        pending = list(job_ids)
        while pending and loop.time() < deadline:
            still = set(await asyncio.to_thread(self._pauses.running, pending))
            for job_id in [i for i in pending if i not in still]:
                pending.remove(job_id)
                job = await asyncio.to_thread(self._jobs.get, job_id)
                if job is not None and job.raw_status == to:
                    self._stopped(job_id, to, summary)
                elif job is not None:
                    summary.skipped.append((job_id, f"it {job.status.value} first"))
            if pending:
                await asyncio.sleep(0.1)
        summary.skipped += [(job_id, NOT_CONFIRMED) for job_id in pending]

    @staticmethod
    def _stopped(job_id: str, to: LocalStatus, summary: PauseSummary) -> None:
        summary.stopped.append(job_id)
        if to is LocalStatus.PAUSED:
            summary.done.append(job_id)
