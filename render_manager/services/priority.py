"""Changing where jobs stand in their queue, for the window and `renderctl priority`.

A change on a selection is planned first (`priority_plan`), then sent to each connection
whose back-end `Reprioritises`, in one call per connection; a job claimed meanwhile is
skipped with the reason. Dragging queued rows of one local connection writes the new order
as priorities (`queue_order`). Also what a job's priority and start time are, for JSON.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import Reprioritises
from render_manager.domain.job import Job
from render_manager.domain.queue_order import QueuedJob, moved, priorities_for_order
from render_manager.domain.status import JobStatus
from render_manager.services.priority_plan import PriorityChange, PriorityPlan, plan_priority

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices


@dataclass(slots=True)
class PrioritySummary:
    """Which jobs got a new priority (id, the one before, the new one), which not and why."""

    changed: list[tuple[str, int, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `renderctl priority --json` shape."""
        return {
            "changed": [{"id": i, "priority": new, "was": was} for i, was, new in self.changed],
            "skipped": [{"id": i, "reason": reason} for i, reason in self.skipped],
        }


@dataclass(frozen=True, slots=True)
class QueueFacts:
    """A job's priority (None: its service keeps none we know of) and start time."""

    priority: int | None
    not_before: datetime | None = None


def queue_facts(services: AppServices, jobs: Sequence[Job]) -> dict[str, QueueFacts]:
    """Each job's priority and start time: a local job's from its queue, a remote one's
    from the body it was sent with (reads the store: off the GUI thread)."""
    ids = [job.id for job in jobs]
    places = services.local_jobs.queue_places(ids)
    remote = [i for i in ids if i not in places]
    bodies = services.ctx.requests.bodies(remote) if remote else {}
    found: dict[str, QueueFacts] = {}
    for job_id in ids:
        place = places.get(job_id)
        if place is not None:
            start = place.not_before
            when = None if start is None else datetime.fromtimestamp(start, UTC).astimezone()
            found[job_id] = QueueFacts(place.priority, when)
            continue
        body = bodies.get(job_id)
        value = body.get("priority") if isinstance(body, dict) else None
        given = isinstance(value, int) and not isinstance(value, bool)
        found[job_id] = QueueFacts(value if given else None)
    return found


async def plan_for(
    services: AppServices, job_ids: Sequence[str], change: PriorityChange
) -> tuple[PriorityPlan, list[str]]:
    """The plan of `change` on these jobs, and the ids that name no job."""
    ctx = services.ctx
    ids = list(dict.fromkeys(job_ids))
    connections = await asyncio.to_thread(ctx.connections.list)
    kinds = {c.name: c.kind for c in connections}
    stored = await asyncio.to_thread(ctx.jobs.get_many, ids)
    jobs = [stored[i] for i in ids if i in stored]
    places = await asyncio.to_thread(services.local_jobs.queue_places, [j.id for j in jobs])
    current = {i: place.priority for i, place in places.items()}
    return plan_priority(jobs, kinds, current, change), [i for i in ids if i not in stored]


async def change_priority(
    services: AppServices, job_ids: Sequence[str], change: PriorityChange
) -> PrioritySummary:
    """Apply `change` to every job that allows it; each other one is skipped, saying why."""
    plan, unknown = await plan_for(services, job_ids, change)
    summary = await apply_plan(services, plan)
    summary.skipped += [(i, "no such job") for i in unknown]
    order = {job_id: n for n, job_id in enumerate(job_ids)}
    summary.changed.sort(key=lambda item: order.get(item[0], 0))
    summary.skipped.sort(key=lambda item: order.get(item[0], 0))
    return summary


async def apply_plan(services: AppServices, plan: PriorityPlan) -> PrioritySummary:
    """Send a confirmed plan: one call per connection."""
    summary = PrioritySummary(skipped=[(job.id, why) for job, why in plan.refused])
    grouped: dict[str, dict[str, int]] = {}
    for job, new, _ in plan.change:
        grouped.setdefault(job.connection, {})[job.id] = new
    places = await asyncio.to_thread(
        services.local_jobs.queue_places, [job.id for job, _, _ in plan.change]
    )
    for name, priorities in grouped.items():
        await _send(services, name, priorities, places, summary)
    return summary


async def reorder_queue(
    services: AppServices, connection: str, job_ids: Sequence[str], before: str | None
) -> PrioritySummary:
    """Move queued jobs of one connection to just before the job `before` (None: to the
    end of its queue), by giving as few jobs as possible a new priority."""
    queued = await asyncio.to_thread(
        services.ctx.jobs.list, connection=connection, statuses=[JobStatus.QUEUED]
    )
    places = await asyncio.to_thread(services.local_jobs.queue_places, [j.id for j in queued])
    queue = [QueuedJob(i, p.priority, p.order) for i, p in places.items()]
    summary = PrioritySummary()
    waiting = {job.id for job in queue}
    summary.skipped += [(i, "it no longer waits in the queue") for i in job_ids if i not in waiting]
    ids = [i for i in job_ids if i in waiting]
    if ids:
        priorities = priorities_for_order(moved(queue, ids, before))
        await _send(services, connection, priorities, places, summary)
    return summary


async def _send(
    services: AppServices,
    name: str,
    priorities: Mapping[str, int],
    places: Mapping[str, Any],
    summary: PrioritySummary,
) -> None:
    if not priorities:
        return
    try:
        backend = await services.job_service.backend(name)
    except BackendError as exc:
        summary.skipped += [(i, str(exc)) for i in priorities]
        return
    if not isinstance(backend, Reprioritises):
        summary.skipped += [(i, f"{name} cannot change a job's priority") for i in priorities]
        return
    outcome = await backend.set_priorities(priorities)
    summary.changed += [
        (i, places[i].priority if i in places else 0, priorities[i]) for i in outcome.changed
    ]
    summary.skipped += list(outcome.skipped)
