"""Cancelling any jobs, local or remote: one entry point for the window and `renderctl`.

Every job goes to its connection's back-end; the local engine's stops running renders
(through whichever process runs them) and takes queued jobs off the queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from render_manager.domain.job import Batch, Job
from render_manager.domain.results import CancelSummary
from render_manager.domain.status import BackendKind, cancel_refusal_reason
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices


async def cancel_jobs(
    services: AppServices, job_ids: Sequence[str], *, batch_id: str | None = None
) -> CancelSummary:
    """Cancel jobs wherever they run; running local renders are stopped.

    With `batch_id` (the user asked to cancel that batch), a Nexrender Cloud batch whose
    every cancellable job is among `job_ids` is cancelled with one batch request; other
    jobs and other back-ends are cancelled job by job. Unknown ids are reported as skipped;
    every other job ends up cancelled or skipped with the reason its back-end gives.
    """
    ctx, remote = services.ctx, services.job_service
    # Read off the loop: cancelling a 10,000-job batch must not freeze the window.
    connections = await asyncio.to_thread(ctx.connections.list)
    kinds = {c.name: c.kind for c in connections}
    ids = list(dict.fromkeys(job_ids))
    stored = await asyncio.to_thread(ctx.jobs.get_many, ids)
    jobs: list[Job] = []
    summary = CancelSummary()
    for job_id in ids:
        job = stored.get(job_id)
        if job is None:
            summary.skipped.append((job_id, "no such job"))
        else:
            jobs.append(job)
    if jobs and batch_id is not None:
        whole, jobs = await _whole_batch(ctx, remote, batch_id, jobs, kinds)
        if whole:
            outcome = await remote.cancel_batch(whole[0].connection, batch_id, whole)
            summary.cancelled += outcome.cancelled
            summary.skipped += outcome.skipped
    if jobs:
        # Each connection's back-end: the local engine stops its renders or dequeues.
        outcome = await remote.cancel(jobs)
        summary.cancelled += outcome.cancelled
        summary.skipped += outcome.skipped
    return summary


async def _whole_batch(
    ctx: AppContext,
    remote: JobService,
    batch_id: str,
    jobs: list[Job],
    kinds: Mapping[str, BackendKind],
) -> tuple[list[Job], list[Job]]:
    """`jobs` split into those a batch request cancels, and the rest.

    Only a back-end that cancels batches gets a batch request, and as it cancels every
    remaining job of the batch, only when every job of it that can be cancelled was chosen:
    a job the user left out is never cancelled behind their back.
    """
    batch = await asyncio.to_thread(ctx.jobs.batch, batch_id)
    kind = kinds.get(batch.connection) if batch is not None else None
    if batch is None or kind is None:
        return [], jobs
    if not await remote.cancels_batches(batch.connection):
        return [], jobs
    return await asyncio.to_thread(_split, ctx, batch, jobs, kind)


def _split(
    ctx: AppContext, batch: Batch, jobs: list[Job], kind: BackendKind
) -> tuple[list[Job], list[Job]]:
    members = ctx.jobs.list(batch_id=batch.id)
    cancellable = {j.id for j in members if cancel_refusal_reason(kind, j.raw_status) is None}
    chosen = [j for j in jobs if j.batch_id == batch.id and j.connection == batch.connection]
    if not cancellable or not cancellable <= {j.id for j in chosen}:
        return [], jobs
    taken = {j.id for j in chosen}
    return chosen, [j for j in jobs if j.id not in taken]
