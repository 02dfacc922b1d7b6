"""What a pause or a resume will do, worked out before anything changes, so the user can
confirm it.

Per job: held now (a queued job is never started until resumed), stopped and held (a
running render, only if the user asks to stop running renders; its run is not counted),
back to the queue in its old place (a resume), or left alone with the reason: its
service has no pause, it has ended, it is not paused. Pure: the window shows it,
`renderctl pause` and `resume` act on the same decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job
from render_manager.domain.status import (
    BackendKind,
    JobStatus,
    is_local_running,
    local_pause_refusal_reason,
    local_resume_refusal_reason,
)


@dataclass(frozen=True, slots=True)
class PausePlan:
    """A selection sorted by what pausing (or resuming) it will do; no job appears twice.

    `change` are jobs held now (or, for a resume, put back in the queue), `stop` running
    jobs held only if running renders are stopped too, `refused` those left alone; each
    pairs the job with what the user reads about it.
    """

    resume: bool
    change: list[tuple[Job, str]] = field(default_factory=list)
    stop: list[tuple[Job, str]] = field(default_factory=list)
    refused: list[tuple[Job, str]] = field(default_factory=list)

    @property
    def ids_to_send(self) -> list[str]:
        """The ids changed without stopping any render."""
        return [job.id for job, _ in self.change]

    @property
    def ids_to_stop(self) -> list[str]:
        """The running jobs stopped and held if the user asks for it."""
        return [job.id for job, _ in self.stop]

    def summary(self) -> str:
        """One sentence a user can read before confirming."""
        verb = "resumed" if self.resume else "paused"
        parts: list[str] = []
        if self.change:
            n = len(self.change)
            parts.append(f"{_count(n, 'job')} will be {verb}")
        if self.stop:
            parts.append(f"{_count(len(self.stop), 'running job')} can be stopped and held")
        refused = len(self.refused)
        if parts:
            sentence = ", ".join(parts)
            if refused:
                sentence += f"; {refused} cannot be {verb}"
            return sentence + "."
        if refused == 1:
            return f"The selected job cannot be {verb}."
        if refused:
            return f"None of the {refused} selected jobs can be {verb}."
        return "No jobs are selected."


def pause_refusal(job: Job, kinds: Mapping[str, BackendKind], *, stop_running: bool) -> str | None:
    """Why this job cannot be paused, or None if it can (see `plan_pause`)."""
    kind = kinds.get(job.connection)
    if kind is None:
        return f"its connection {job.connection!r} is no longer set up"
    rules = rules_for(kind)
    if not rules.pauses:
        return f"{job.connection}: {rules.no_pause}"
    return local_pause_refusal_reason(job.raw_status, stop_running=stop_running)


def resume_refusal(job: Job, kinds: Mapping[str, BackendKind]) -> str | None:
    """Why this job cannot be resumed, or None if it is paused."""
    kind = kinds.get(job.connection)
    if kind is None:
        return f"its connection {job.connection!r} is no longer set up"
    rules = rules_for(kind)
    if not rules.pauses:
        return f"{job.connection}: {rules.no_pause}"
    return local_resume_refusal_reason(job.raw_status)


def plan_pause(
    selected: Sequence[Job], kinds: Mapping[str, BackendKind], *, stop_running: bool = False
) -> PausePlan:
    """Plan pausing `selected`; `kinds` maps connection names to their back-end kind.

    Running jobs land in `stop` (held only if their renders are stopped too), or in
    `change` at once with `stop_running`.
    """
    plan = PausePlan(resume=False)
    for job in _distinct(selected):
        why = pause_refusal(job, kinds, stop_running=True)
        if why is not None:
            plan.refused.append((job, why))
        elif is_local_running(job.raw_status):
            note = "its render is stopped and the job held; this run is not counted"
            (plan.change if stop_running else plan.stop).append((job, note))
        else:
            plan.change.append((job, "held: not started until resumed"))
    return plan


def plan_resume(selected: Sequence[Job], kinds: Mapping[str, BackendKind]) -> PausePlan:
    """Plan resuming `selected`: paused jobs go back to the queue in their old places."""
    plan = PausePlan(resume=True)
    for job in _distinct(selected):
        why = resume_refusal(job, kinds)
        if why is not None:
            plan.refused.append((job, why))
        else:
            plan.change.append((job, "back to the queue, in its old place"))
    return plan


def batch_pause_targets(batch_id: str, jobs: Iterable[Job], *, stop_running: bool) -> list[Job]:
    """The jobs "pause batch" means: its queued ones (and running ones, if stopped too)."""
    wanted = {JobStatus.QUEUED, JobStatus.PENDING}
    if stop_running:
        wanted.add(JobStatus.RENDERING)
    return [job for job in jobs if job.batch_id == batch_id and job.status in wanted]


def batch_resume_targets(batch_id: str, jobs: Iterable[Job]) -> list[Job]:
    """The jobs "resume batch" means: its paused ones."""
    return [job for job in jobs if job.batch_id == batch_id and job.status is JobStatus.PAUSED]


def _distinct(jobs: Sequence[Job]) -> list[Job]:
    return list({job.id: job for job in jobs}.values())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
