"""What a retry will do, worked out before anything is sent, so the user can confirm it.

Per job: back to its queue as its next attempt (the local engine retries in place), a new
job on its connection made from the body the first one was sent with, or skipped with the
reason (still queued or rendering, finished, already retried, no body kept). Pure: the
window shows it, `renderctl retry` acts on the same decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus, retry_refusal_reason


@dataclass(frozen=True, slots=True)
class RetryFacts:
    """What the store knows that a retry plan needs beyond the jobs themselves."""

    # Local jobs: how many times each has run.
    attempts: Mapping[str, int] = field(default_factory=dict)
    # Remote jobs whose body is kept (only those can be sent again).
    with_body: frozenset[str] = frozenset()
    # Jobs retried already, and the job each became.
    retried_as: Mapping[str, str] = field(default_factory=dict)
    # Jobs whose last retry was sent and its answer lost, where the service cannot be asked.
    unsettled: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RetryPlan:
    """A selection sorted by what retrying it will do; no job appears twice.

    `requeue` are jobs going back to their own queue, `resubmit` jobs sent again as new
    jobs, `refused` those skipped; each pairs the job with what the user reads about it.
    """

    requeue: list[tuple[Job, str]] = field(default_factory=list)
    resubmit: list[tuple[Job, str]] = field(default_factory=list)
    refused: list[tuple[Job, str]] = field(default_factory=list)
    # Among `refused`: jobs held back only because an earlier retry's outcome is unknown;
    # sent if the user says they checked it was not created (`resend_unknown`).
    unsettled: list[str] = field(default_factory=list)

    @property
    def ids_to_send(self) -> list[str]:
        """The ids to hand to the retry service."""
        return [job.id for job, _ in (*self.requeue, *self.resubmit)]

    @property
    def affected_count(self) -> int:
        """How many jobs are sent again if the user confirms."""
        return len(self.requeue) + len(self.resubmit)

    @property
    def selected_count(self) -> int:
        """How many distinct jobs were asked about."""
        return self.affected_count + len(self.refused)

    def summary(self) -> str:
        """One sentence a user can read before confirming."""
        parts: list[str] = []
        if self.requeue:
            parts.append(f"{_count(len(self.requeue), 'job')} will go back to the queue")
        if self.resubmit:
            parts.append(f"{_count(len(self.resubmit), 'new job')} will be created")
        refused = len(self.refused)
        if parts:
            sentence = ", ".join(parts)
            if refused:
                sentence += f"; {refused} cannot be retried"
            return sentence + "."
        if refused == 1:
            return "The selected job cannot be retried."
        if refused:
            return f"None of the {refused} selected jobs can be retried."
        return "No jobs are selected."


def plan_retry(
    selected: Sequence[Job],
    kinds: Mapping[str, BackendKind],
    facts: RetryFacts,
    *,
    resend_unknown: bool = False,
) -> RetryPlan:
    """Plan retrying `selected`; `kinds` maps connection names to their back-end kind.

    A job whose earlier retry has an unknown outcome is held back unless `resend_unknown`
    (the user checked the service's job list and it was not created).
    """
    plan = RetryPlan()
    seen: set[str] = set()
    for job in selected:
        if job.id in seen:
            continue
        seen.add(job.id)
        kind = kinds.get(job.connection)
        if kind is None:
            plan.refused.append((job, f"its connection {job.connection!r} is no longer set up"))
            continue
        reason = retry_refusal_reason(kind, job.raw_status)
        if reason is None and job.id in facts.retried_as:
            reason = f"already retried as {facts.retried_as[job.id]}"
        in_place = rules_for(kind).retries_in_place
        if reason is None and not in_place and job.id not in facts.with_body:
            reason = "its request is not stored (made elsewhere, or nested)"
        if reason is None and job.id in facts.unsettled and not resend_unknown:
            reason = UNSETTLED.format(connection=job.connection)
            plan.unsettled.append(job.id)
        if reason is not None:
            plan.refused.append((job, reason))
        elif in_place:
            attempt = facts.attempts.get(job.id, 0) + 1
            plan.requeue.append((job, f"back to the queue (attempt {attempt})"))
        else:
            plan.resubmit.append((job, f"new job on {job.connection}"))
    return plan


# Why a job an earlier, lost retry may have made again is not sent without the user's word.
UNSETTLED = (
    "an earlier retry's answer was lost, so its new job may exist: check {connection}'s "
    "job list; resend it only if it is not there"
)


def batch_retry_targets(batch_id: str, jobs: Iterable[Job], facts: RetryFacts) -> list[Job]:
    """The jobs "retry batch" means: the batch's failed and cancelled ones not yet retried
    (a job retried already has its retry in the batch, or in a batch of its own)."""
    return [
        job
        for job in jobs
        if job.batch_id == batch_id
        and job.status in (JobStatus.FAILED, JobStatus.CANCELLED)
        and job.id not in facts.retried_as
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
