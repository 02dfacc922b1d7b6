"""What a priority change will do, worked out before anything changes, so the user can
confirm it: per job its new priority, or why it keeps the one it has (it no longer waits,
its service cannot change it). Pure: the window shows it, `renderctl priority` acts on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus

# Raise and lower move a job by this much.
STEP = 1


class PriorityMove(StrEnum):
    """How a priority changes: to a number, or one step up or down."""

    SET = "set"
    RAISE = "raise"
    LOWER = "lower"


@dataclass(frozen=True, slots=True)
class PriorityChange:
    """The change asked for; `value` is the number for SET."""

    move: PriorityMove
    value: int = 0

    def applied(self, current: int) -> int:
        """The priority a job at `current` gets."""
        if self.move is PriorityMove.SET:
            return self.value
        return current + (STEP if self.move is PriorityMove.RAISE else -STEP)

    def describe(self) -> str:
        """The change in a few words, for a dialog's title."""
        if self.move is PriorityMove.SET:
            return f"Set priority to {self.value}"
        return "Raise priority" if self.move is PriorityMove.RAISE else "Lower priority"


@dataclass(frozen=True, slots=True)
class PriorityPlan:
    """A selection sorted by what the change will do; no job appears twice.

    `change` pairs each job with its new priority and the words shown beside it; `refused`
    pairs each job left alone with why.
    """

    change: list[tuple[Job, int, str]] = field(default_factory=list)
    refused: list[tuple[Job, str]] = field(default_factory=list)

    @property
    def priorities(self) -> dict[str, int]:
        """The new priority of each job that changes, by id."""
        return {job.id: new for job, new, _ in self.change}

    @property
    def affected_count(self) -> int:
        """How many jobs get a new place in their queue if the user confirms."""
        return len(self.change)

    def summary(self) -> str:
        """One sentence a user can read before confirming."""
        refused = len(self.refused)
        if self.change:
            n = len(self.change)
            sentence = f"{n} job{'' if n == 1 else 's'} will get a new priority"
            if refused:
                sentence += f"; {refused} cannot be changed"
            return sentence + "."
        if refused == 1:
            return "The selected job's priority cannot be changed."
        if refused:
            return f"None of the {refused} selected jobs' priorities can be changed."
        return "No jobs are selected."


def priority_refusal(kind: BackendKind | None, job: Job) -> str | None:
    """Why this job's priority cannot change now, or None if it can."""
    if kind is None:
        return f"its connection {job.connection!r} is no longer set up"
    rules = rules_for(kind)
    if not rules.reprioritises:
        return rules.no_reprioritise
    if job.status is not JobStatus.QUEUED:
        return _NOT_WAITING.get(job.status, f"it is {job.status.value}")
    return None


_NOT_WAITING = {
    JobStatus.PENDING: "it is already under way",
    JobStatus.RENDERING: "it is already rendering",
    JobStatus.FINISHED: "it has already finished",
    JobStatus.FAILED: "it has already failed",
    JobStatus.CANCELLED: "it has been cancelled",
}


def plan_priority(
    selected: Sequence[Job],
    kinds: Mapping[str, BackendKind],
    current: Mapping[str, int],
    change: PriorityChange,
) -> PriorityPlan:
    """Plan `change` on `selected`; `kinds` maps connection names to their back-end kind,
    `current` the jobs' priorities now (a job missing from it is at 0)."""
    plan = PriorityPlan()
    seen: set[str] = set()
    for job in selected:
        if job.id in seen:
            continue
        seen.add(job.id)
        reason = priority_refusal(kinds.get(job.connection), job)
        if reason is not None:
            plan.refused.append((job, reason))
            continue
        was = current.get(job.id, 0)
        new = change.applied(was)
        words = f"priority {was} → {new}" if new != was else f"stays at priority {was}"
        plan.change.append((job, new, words))
    return plan
