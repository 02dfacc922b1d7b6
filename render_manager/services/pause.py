"""Pausing and resuming jobs and connections: one entry point for the window and `renderctl`.

Only a back-end with `Pauses` (its rules say `pauses`) holds jobs; on any other the job is
left alone with its rules' reason, and a connection pause raises `PauseUnavailable`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import Pauses
from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job
from render_manager.domain.results import PauseSummary
from render_manager.services.pause_plan import pause_refusal, resume_refusal

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices


class PauseUnavailable(BackendError):
    """The connection's service has no pause."""


async def pause_jobs(
    services: AppServices, job_ids: Sequence[str], *, stop_running: bool
) -> PauseSummary:
    """Hold queued jobs (and, with `stop_running`, running ones); others are skipped with why."""
    summary = PauseSummary("pause")
    for backend, group in await _groups(services, job_ids, summary, stop_running=stop_running):
        part = await backend.pause_jobs(group, stop_running=stop_running)
        _merge(summary, part)
    return _in_order(summary, job_ids)


async def resume_jobs(services: AppServices, job_ids: Sequence[str]) -> PauseSummary:
    """Put paused jobs back in their queues; others are skipped with why."""
    summary = PauseSummary("resume")
    for backend, group in await _groups(services, job_ids, summary, stop_running=None):
        _merge(summary, await backend.resume_jobs(group))
    return _in_order(summary, job_ids)


async def pause_connection(services: AppServices, name: str, *, stop_running: bool) -> PauseSummary:
    """Pause a connection's queue. Raises UnknownConnection, or PauseUnavailable."""
    return await (await _queue(services, name)).pause_queue(stop_running=stop_running)


async def resume_connection(services: AppServices, name: str) -> PauseSummary:
    """Resume a connection's queue. Raises UnknownConnection, or PauseUnavailable."""
    return await (await _queue(services, name)).resume_queue()


async def _queue(services: AppServices, name: str) -> Pauses:
    connection = await asyncio.to_thread(services.ctx.connections.get, name)
    rules = rules_for(connection.kind)
    if not rules.pauses:
        raise PauseUnavailable(f"{name}: {rules.no_pause}")
    backend = await services.job_service.backend(name)
    if not isinstance(backend, Pauses):
        raise PauseUnavailable(f"{name}: {rules.no_pause}")
    return backend


async def _groups(
    services: AppServices,
    job_ids: Sequence[str],
    summary: PauseSummary,
    *,
    stop_running: bool | None,
) -> list[tuple[Pauses, list[Job]]]:
    """The jobs that can be paused (`stop_running` given) or resumed (None), by back-end;
    the others go to `summary.skipped`."""
    ctx = services.ctx
    ids = list(dict.fromkeys(job_ids))
    connections = await asyncio.to_thread(ctx.connections.list)
    kinds = {c.name: c.kind for c in connections}
    stored = await asyncio.to_thread(ctx.jobs.get_many, ids)
    by_connection: dict[str, list[Job]] = {}
    for job_id in ids:
        job = stored.get(job_id)
        if job is None:
            summary.skipped.append((job_id, "no such job"))
            continue
        why = (
            resume_refusal(job, kinds)
            if stop_running is None
            else pause_refusal(job, kinds, stop_running=stop_running)
        )
        if why is not None:
            summary.skipped.append((job_id, why))
        else:
            by_connection.setdefault(job.connection, []).append(job)
    groups: list[tuple[Pauses, list[Job]]] = []
    for name, jobs in by_connection.items():
        try:
            backend = await services.job_service.backend(name)
        except BackendError as exc:
            summary.skipped += [(job.id, str(exc)) for job in jobs]
            continue
        if isinstance(backend, Pauses):
            groups.append((backend, jobs))
        else:
            summary.skipped += [(job.id, f"{name} cannot hold jobs") for job in jobs]
    return groups


def _merge(summary: PauseSummary, part: PauseSummary) -> None:
    summary.done += part.done
    summary.stopped += part.stopped
    summary.skipped += part.skipped


def _in_order(summary: PauseSummary, job_ids: Sequence[str]) -> PauseSummary:
    order = {job_id: n for n, job_id in enumerate(job_ids)}
    summary.done.sort(key=lambda i: order.get(i, 0))
    summary.stopped.sort(key=lambda i: order.get(i, 0))
    summary.skipped.sort(key=lambda pair: order.get(pair[0], 0))
    return summary
