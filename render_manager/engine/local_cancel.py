"""Cancelling local jobs from any process sharing the home.

A queued job is cancelled in the store at once. A running one is flagged, and the engine
that runs it (the window or `renderctl engine`, maybe in another process) stops its process
tree within a poll interval. When no engine runs, the render left behind is stopped here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from render_manager.domain.results import CancelSummary
from render_manager.domain.status import (
    BackendKind,
    CancelRequest,
    LocalStatus,
    cancel_refusal_reason,
)
from render_manager.engine.processes import ProcessIdentity, end_process_tree
from render_manager.store.engine_lock import EngineBusy, EngineLock
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository

# How long to wait for a running engine to confirm a cancel before reporting it as pending.
CONFIRM_TIMEOUT_S = 20.0


class LocalCanceller:
    """Cancels local jobs, wherever their engine runs."""

    def __init__(
        self,
        jobs: JobRepository,
        local: LocalJobRepository,
        home: Path,
        *,
        wake_engine: Callable[[], None] | None = None,
    ) -> None:
        self._jobs = jobs
        self._local = local
        self._home = home
        # An engine in this same process is told at once instead of at its next poll.
        self._wake_engine = wake_engine

    async def cancel(self, job_ids: list[str], *, wait: bool = True) -> CancelSummary:
        """Cancel jobs; with wait, running ones are reported once they have really stopped."""
        outcome = CancelSummary()
        # The store's flags are set off the loop: a long batch must not freeze the window.
        requested = await asyncio.to_thread(self._request, job_ids, outcome)
        for connection, ids in requested.items():
            await self._stop_running(connection, ids, outcome, wait=wait)
        return outcome

    def _request(self, job_ids: list[str], outcome: CancelSummary) -> dict[str, list[str]]:
        """Cancel queued jobs and flag running ones; returns the flagged ones by connection."""
        requested: dict[str, list[str]] = {}
        for job_id in job_ids:
            job = self._jobs.get(job_id)
            if job is None:
                outcome.skipped.append((job_id, "no such job"))
                continue
            if job.is_terminal:
                reason = cancel_refusal_reason(BackendKind.LOCAL, job.raw_status)
                outcome.skipped.append((job_id, reason or "it has already ended"))
                continue
            match self._local.request_cancel(job_id):
                case CancelRequest.CANCELLED:
                    outcome.cancelled.append(job_id)
                case CancelRequest.REQUESTED:
                    requested.setdefault(job.connection, []).append(job_id)
                case CancelRequest.ENDED | CancelRequest.UNKNOWN:
                    outcome.skipped.append((job_id, "it ended before it could be cancelled"))
        return requested

    async def _stop_running(
        self, connection: str, job_ids: list[str], outcome: CancelSummary, *, wait: bool
    ) -> None:
        lock = EngineLock(self._home, "renderctl cancel", connection)
        try:
            lock.acquire()
        except EngineBusy:
            # An engine runs these renders; it sees the flags within a poll interval.
            if self._wake_engine is not None:
                self._wake_engine()
            if wait:
                await self._confirm(job_ids, outcome)
            else:
                outcome.cancelled.extend(job_ids)
            return
        try:
            # No engine runs: stop what it left behind ourselves.
            for job_id in job_ids:
                record = self._local.get(job_id)
                if record and record.pid is not None and record.pid_started_at is not None:
                    await end_process_tree(ProcessIdentity(record.pid, record.pid_started_at))
                self._local.set_status(job_id, LocalStatus.CANCELLED, error="cancelled by user")
                outcome.cancelled.append(job_id)
        finally:
            lock.release()

    async def _confirm(self, job_ids: list[str], outcome: CancelSummary) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONFIRM_TIMEOUT_S
        pending = set(job_ids)
        while pending and loop.time() < deadline:
            current = await asyncio.to_thread(self._jobs.get_many, pending)
            for job_id in list(pending):
                job = current.get(job_id)
                if job is not None and job.is_terminal:
                    pending.discard(job_id)
                    if job.raw_status == LocalStatus.CANCELLED:
                        outcome.cancelled.append(job_id)
                    else:
                        outcome.skipped.append((job_id, f"it {job.status.value} first"))
            if pending:
                await asyncio.sleep(0.1)
        for job_id in sorted(pending):
            outcome.skipped.append(
                (job_id, "the engine has not confirmed the cancel yet; it will stop the render")
            )
