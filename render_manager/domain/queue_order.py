"""Priorities that put a local queue in the order the user dragged it into.

The engine renders higher priorities first and, among equal ones, the job submitted first.
A new order is written as new priorities for as few jobs as possible: the jobs that already
stand right keep theirs, so a user's own numbers survive a small move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class QueuedJob(NamedTuple):
    """One waiting job: its id, priority and submission order (lower: sent earlier)."""

    id: str
    priority: int
    order: int


def queue_sorted(jobs: Sequence[QueuedJob]) -> list[QueuedJob]:
    """The jobs in the order the engine takes them."""
    return sorted(jobs, key=lambda job: (-job.priority, job.order))


def priorities_for_order(ordered: Sequence[QueuedJob]) -> dict[str, int]:
    """The priorities that change, by id, for the engine to take `ordered` first to last.

    Two ways fit any order: raising jobs from the bottom up, or lowering them from the top
    down; the one that changes fewer jobs is taken (moving a job up raises it alone,
    moving one down lowers it alone).
    """
    raised = _from_bottom(ordered)
    lowered = _from_top(ordered)
    return raised if len(raised) <= len(lowered) else lowered


def _before(first: QueuedJob, then: QueuedJob) -> bool:
    """True if the engine takes `first` before `then`."""
    return (first.priority, -first.order) > (then.priority, -then.order)


def _from_bottom(ordered: Sequence[QueuedJob]) -> dict[str, int]:
    changes: dict[str, int] = {}
    after: QueuedJob | None = None
    for job in reversed(ordered):
        placed = job
        if after is not None and not _before(job, after):
            # Just enough to come before `after`: equal if sent earlier, else one more.
            placed = job._replace(priority=after.priority + (0 if job.order < after.order else 1))
            changes[job.id] = placed.priority
        after = placed
    return changes


def _from_top(ordered: Sequence[QueuedJob]) -> dict[str, int]:
    changes: dict[str, int] = {}
    ahead: QueuedJob | None = None
    for job in ordered:
        placed = job
        if ahead is not None and not _before(ahead, job):
            placed = job._replace(priority=ahead.priority - (0 if ahead.order < job.order else 1))
            changes[job.id] = placed.priority
        ahead = placed
    return changes


def moved(queue: Sequence[QueuedJob], ids: Sequence[str], before: str | None) -> list[QueuedJob]:
    """The queue (in engine order) with the jobs `ids` moved, in their queue order, to just
    before the job `before` (None: to the end)."""
    moving = set(ids)
    current = queue_sorted(queue)
    taken = [job for job in current if job.id in moving]
    rest = [job for job in current if job.id not in moving]
    at = next((n for n, job in enumerate(rest) if job.id == before), len(rest))
    return [*rest[:at], *taken, *rest[at:]]
