"""Cancelling any jobs, local or remote: one entry point for the window and `renderctl`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from render_manager.domain.status import BackendKind
from render_manager.services.context import AppContext
from render_manager.services.local_cancel import LocalCanceller
from render_manager.services.remote import RemoteService
from render_manager.services.results import CancelSummary
from render_manager.store.local_jobs import LocalJobRepository


async def cancel_jobs(
    ctx: AppContext,
    job_ids: Sequence[str],
    *,
    remote: RemoteService,
    wake_engine: Callable[[], None] | None = None,
) -> CancelSummary:
    """Cancel jobs wherever they run; running local renders are stopped.

    Unknown ids are reported as skipped; every other job ends up cancelled or skipped with
    the reason its back-end gives.
    """
    # Read off the loop: cancelling a 10,000-job batch must not freeze the window.
    connections = await asyncio.to_thread(ctx.connections.list)
    kinds = {c.name: c.kind for c in connections}
    ids = list(dict.fromkeys(job_ids))
    stored = await asyncio.to_thread(ctx.jobs.get_many, ids)
    local_ids: list[str] = []
    remote_jobs = []
    summary = CancelSummary()
    for job_id in ids:
        job = stored.get(job_id)
        if job is None:
            summary.skipped.append((job_id, "no such job"))
        elif kinds.get(job.connection) is BackendKind.LOCAL:
            local_ids.append(job_id)
        else:
            remote_jobs.append(job)
    if local_ids:
        canceller = LocalCanceller(
            ctx.jobs, LocalJobRepository(ctx.db), ctx.home, wake_engine=wake_engine
        )
        local = await canceller.cancel(local_ids)
        summary.cancelled += local.cancelled
        summary.skipped += local.skipped
    if remote_jobs:
        outcome = await remote.cancel(remote_jobs)
        summary.cancelled += outcome.cancelled
        summary.skipped += outcome.skipped
    return summary
