"""Retrying jobs, local or remote: one entry point for the window and `renderctl`.

A local job goes back to its queue under its own id (`RetriesInPlace`). A remote job is a
new submission of the body the first was sent with, through the same never-twice path as
any submission (`BatchSubmission`): a lost answer is settled by looking the row's key up
before anything is sent again, and where the service cannot be asked (Rendley) the job is
held back and the user told to check. The new job is linked to the old one both ways; the
old one keeps its failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import RetriesInPlace
from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job
from render_manager.domain.results import RetrySummary
from render_manager.services.batch_data import PreparedRow
from render_manager.services.batch_submit import RowState
from render_manager.services.retry_facts import load_facts
from render_manager.services.retry_plan import plan_retry

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices

CHECK = "check {connection}'s job list, then resend it if it is not there"
# What the user does once they checked: the next retry sends it only when told to.
RESEND = (
    "check {connection}'s job list; if it is not there, retry it again and say to resend "
    "(renderctl retry --resend-unknown, or the box in the retry dialog)"
)

# Why a remote job whose create answer was lost and cannot be looked up is not sent again.
HELD_BACK = (
    "the answer to its create request was lost and {connection} cannot be asked whether "
    "the job was made: " + RESEND
)


async def retry_jobs(
    services: AppServices, job_ids: Sequence[str], *, resend_unknown: bool = False
) -> RetrySummary:
    """Retry failed and cancelled jobs; every other one is skipped with the reason.

    `resend_unknown`: the user checked that the jobs an earlier, lost retry may have made
    do not exist, so those are sent again too.
    """
    ctx = services.ctx
    ids = list(dict.fromkeys(job_ids))
    connections = await asyncio.to_thread(ctx.connections.list)
    kinds = {c.name: c.kind for c in connections}
    stored = await asyncio.to_thread(ctx.jobs.get_many, ids)
    summary = RetrySummary()
    jobs = [stored[i] for i in ids if i in stored]
    summary.skipped += [(i, "no such job") for i in ids if i not in stored]
    attempts = await asyncio.to_thread(services.local_jobs.attempts, [j.id for j in jobs])
    facts = await asyncio.to_thread(load_facts, ctx, jobs, attempts)
    plan = plan_retry(jobs, kinds, facts, resend_unknown=resend_unknown)
    summary.skipped += [(job.id, why) for job, why in plan.refused]
    in_place = _by_connection([job for job, _ in plan.requeue])
    anew = _by_connection([job for job, _ in plan.resubmit])
    for name, group in in_place.items():
        await _retry_in_place(services, name, group, summary)
    by_name = {c.name: c for c in connections}
    for name, group in anew.items():
        await _resubmit(services, by_name[name], group, summary)
    order = {job_id: n for n, job_id in enumerate(ids)}
    summary.retried.sort(key=lambda pair: order.get(pair[0], 0))
    summary.skipped.sort(key=lambda pair: order.get(pair[0], 0))
    return summary


async def _retry_in_place(
    services: AppServices, name: str, jobs: list[Job], summary: RetrySummary
) -> None:
    try:
        backend = await services.job_service.backend(name)
    except BackendError as exc:
        summary.skipped += [(job.id, str(exc)) for job in jobs]
        return
    if not isinstance(backend, RetriesInPlace):
        summary.skipped += [(job.id, f"{name} cannot put a job back in its queue") for job in jobs]
        return
    outcome = await backend.retry_in_place(jobs)
    summary.retried += [(job_id, job_id) for job_id, _attempt in outcome.requeued]
    summary.skipped += list(outcome.skipped)


async def _resubmit(
    services: AppServices, connection: Any, jobs: list[Job], summary: RetrySummary
) -> None:
    """Send the stored bodies of `jobs` again as one submission, chunked as any other."""
    ctx = services.ctx
    bodies = await asyncio.to_thread(ctx.requests.bodies, [job.id for job in jobs])
    unstamp = rules_for(connection.kind).unstamp
    rows = [
        PreparedRow(n, {}, unstamp(bodies[job.id]) if isinstance(bodies[job.id], dict) else None)
        for n, job in enumerate(jobs)
    ]
    batches = {job.batch_id for job in jobs}
    batch_id = next(iter(batches)) if len(batches) == 1 else None
    batch = await asyncio.to_thread(ctx.jobs.batch, batch_id) if batch_id else None
    name = batch.name if batch is not None else f"Retry of {len(jobs)} jobs"
    submission = services.submission(
        connection, rows, base_dir=ctx.home, batch_name=name, batch_id=batch_id
    )
    await submission.submit()
    if submission.count(RowState.UNKNOWN):
        # A lost answer: look each such row up by its key before anything is sent again.
        await submission.retry_failed()
    links: list[tuple[str, str, Any]] = []
    unknown: list[str] = []
    for job, row in zip(jobs, submission.rows, strict=True):
        if row.state is RowState.CREATED and row.job_id is not None:
            summary.retried.append((job.id, row.job_id))
            links.append((row.job_id, job.id, row.body))
        elif row.state is RowState.UNKNOWN:
            # Held back: the next retry of it waits until the user says they checked.
            unknown.append(job.id)
            why = HELD_BACK if row.key is None else f"not retried: {row.error}; " + RESEND
            summary.skipped.append((job.id, why.format(connection=connection.name)))
        else:
            summary.skipped.append((job.id, f"not retried: {row.error or row.state.value}"))
    await asyncio.to_thread(ctx.requests.link_retries, links)
    await asyncio.to_thread(ctx.requests.mark_retry_unknown, unknown)


def _by_connection(jobs: Sequence[Job]) -> dict[str, list[Job]]:
    grouped: dict[str, list[Job]] = {}
    for job in jobs:
        grouped.setdefault(job.connection, []).append(job)
    return grouped
