"""What a cancel will do, worked out before anything is sent, so the user can confirm it.

A plan splits a selection into the jobs that will be cancelled, the local renders that will
be stopped mid-render, the jobs that are not selected but go with them (Nexrender Cloud
cascades a cancel along nested jobs, seed 002), and the jobs that cannot be cancelled, each
with its reason. It is pure: the window shows it, the CLI can print it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job, progress_detail, progress_text
from render_manager.domain.status import (
    BackendKind,
    JobStatus,
    cancel_refusal_reason,
    normalize_status,
)


def _cascades(kind: BackendKind | None) -> bool:
    """True if the service cancels related jobs along with the one asked for."""
    return kind is not None and rules_for(kind).cancel_cascades


@dataclass(frozen=True, slots=True)
class CancelPlan:
    """A selection sorted by what cancelling it will do; no job appears twice.

    `cancel` and `stop` are the selected jobs to send (`stop`: local renders running now,
    which are killed). `cascade` holds jobs not selected that the back-end cancels with them;
    `cascade_via` says for each (by id) which job brings it along. `refused` pairs each job
    that cannot be cancelled with the reason.
    """

    cancel: list[Job] = field(default_factory=list)
    stop: list[Job] = field(default_factory=list)
    cascade: list[Job] = field(default_factory=list)
    refused: list[tuple[Job, str]] = field(default_factory=list)
    cascade_via: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids_to_send(self) -> list[str]:
        """The ids to hand to the cancel service: cascades are left to the back-end."""
        return [job.id for job in (*self.cancel, *self.stop)]

    @property
    def affected_count(self) -> int:
        """How many jobs end up cancelled if the user confirms, cascades included."""
        return len(self.cancel) + len(self.stop) + len(self.cascade)

    @property
    def selected_count(self) -> int:
        """How many distinct jobs were selected."""
        return len(self.cancel) + len(self.stop) + len(self.refused)

    def summary(self) -> str:
        """One sentence a user can read before confirming."""
        parts: list[str] = []
        if self.cancel:
            parts.append(f"{_count(len(self.cancel), 'job')} will be cancelled")
        if self.stop:
            parts.append(f"{_count(len(self.stop), 'render')} will be stopped")
        if self.cascade:
            parts.append(f"{_count(len(self.cascade), 'nested job')} will be cancelled with them")
        refused = len(self.refused)
        if parts:
            sentence = ", ".join(parts)
            if refused:
                sentence += f"; {refused} cannot be cancelled"
            return sentence + "."
        if refused == 1:
            return "The selected job cannot be cancelled."
        if refused:
            return f"None of the {refused} selected jobs can be cancelled."
        return "No jobs are selected."


def plan_cancel(
    selected: Sequence[Job], kinds: Mapping[str, BackendKind], all_jobs: Iterable[Job]
) -> CancelPlan:
    """Plan cancelling `selected`; `kinds` maps connection names to their back-end kind.

    `all_jobs` is where cascaded jobs are looked for: on Nexrender Cloud, cancelling a job
    also cancels the cancellable jobs nested under it and, upwards, the parent waiting on it
    and that parent's other children (seed 002). Only queued or pending ones go along.
    """
    chosen: dict[str, Job] = {}
    for job in selected:
        chosen.setdefault(job.id, job)
    cancel: list[Job] = []
    stop: list[Job] = []
    refused: list[tuple[Job, str]] = []
    cascading: list[Job] = []
    for job in chosen.values():
        kind = kinds.get(job.connection)
        if kind is None:
            refused.append((job, f"its connection {job.connection!r} is no longer set up"))
            continue
        reason = cancel_refusal_reason(kind, job.raw_status)
        if reason is not None:
            refused.append((job, reason))
        elif rules_for(kind).stops_running and _is_running(kind, job):
            stop.append(job)
        else:
            cancel.append(job)
            if _cascades(kind):
                cascading.append(job)
    cascade, via = _cascade(cascading, set(chosen), kinds, all_jobs)
    return CancelPlan(cancel, stop, cascade, refused, via)


def plan_cancel_batch(
    batch_id: str, kinds: Mapping[str, BackendKind], all_jobs: Iterable[Job]
) -> CancelPlan:
    """Plan cancelling every job of a batch (its finished ones show as refused)."""
    jobs = list(all_jobs)
    return plan_cancel([j for j in jobs if j.batch_id == batch_id], kinds, jobs)


def running_detail(job: Job) -> str:
    """What a render being stopped has done so far: ``rendering now, 37 % done``, or the
    frames rendered when its length is unknown (never a false ``0 %``)."""
    if job.progress is not None:
        return f"rendering now, {progress_text(job)} done"
    return f"rendering now, {progress_detail(job)}"


def _is_running(kind: BackendKind, job: Job) -> bool:
    return normalize_status(kind, job.raw_status) is JobStatus.RENDERING


def _cascade(
    roots: list[Job],
    selected_ids: set[str],
    kinds: Mapping[str, BackendKind],
    all_jobs: Iterable[Job],
) -> tuple[list[Job], dict[str, str]]:
    """Cancellable jobs linked to `roots` by parent/child links, and what brings each along."""
    if not roots:
        return [], {}
    by_key: dict[tuple[str, str], Job] = {}
    children: dict[tuple[str, str], list[Job]] = {}
    for job in all_jobs:
        if not _cascades(kinds.get(job.connection)):
            continue
        by_key.setdefault((job.connection, job.id), job)
        if job.parent_id is not None:
            children.setdefault((job.connection, job.parent_id), []).append(job)
    seen = set(selected_ids)
    found: list[Job] = []
    via: dict[str, str] = {}
    queue = deque(roots)
    while queue:
        job = queue.popleft()
        kind = kinds[job.connection]
        parent = by_key.get((job.connection, job.parent_id)) if job.parent_id else None
        linked = [(child, f"nested in {job.name}") for child in children.get(_key(job), [])]
        if parent is not None:
            linked.append((parent, f"waits on {job.name}"))
        for other, why in linked:
            if other.id in seen or cancel_refusal_reason(kind, other.raw_status) is not None:
                continue
            seen.add(other.id)
            found.append(other)
            via[other.id] = why
            queue.append(other)
    return found, via


def _key(job: Job) -> tuple[str, str]:
    return (job.connection, job.id)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
