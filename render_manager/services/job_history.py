"""A job's history across retries: every attempt of a local job, the links of a remote one.

A local job retried in place keeps one id; each attempt that ended before a retry is in
the event log (`job.retried`: its status, error, end and the log it was moved to). A remote
job retried is a new job: `retry_of` names the job it retries, `retried_as` the job that
retried it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from render_manager.domain.job import Job
from render_manager.domain.status import LocalStatus
from render_manager.services.context import AppContext
from render_manager.store.local_jobs import LocalJobRepository


@dataclass(frozen=True, slots=True)
class Attempt:
    """One run of a local job: its number (1 first), how it ended (its raw status, or
    where it stands now for the current one), why, and its log."""

    number: int
    raw_status: str
    error: str | None
    log: str | None
    ended_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The shape `renderctl show --json` prints in `attempt_history`."""
        return {
            "attempt": self.number,
            "status": self.raw_status,
            "error": self.error,
            "log": self.log,
            "ended_at": self.ended_at,
        }


@dataclass(frozen=True, slots=True)
class JobHistory:
    """Every attempt of a job (local jobs; empty for remote ones) and its retry links."""

    attempts: tuple[Attempt, ...] = ()
    retry_of: str | None = None
    retried_as: str | None = None


def job_history(ctx: AppContext, local: LocalJobRepository, job: Job) -> JobHistory:
    """The history of one job, read from the store (call it off the GUI thread)."""
    links = ctx.requests.links([job.id]).get(job.id)
    retry_of = links.retry_of if links else None
    retried_as = links.retried_as if links else None
    record = local.get(job.id)
    if record is None:
        return JobHistory((), retry_of, retried_as)
    past = [
        Attempt(
            number=int(str(event.data.get("attempt") or 0)) or n + 1,
            raw_status=str(event.data.get("raw_status") or ""),
            error=_text(event.data.get("error")),
            log=_text(event.data.get("log")),
            ended_at=_text(event.data.get("ended_at")),
        )
        for n, event in enumerate(e for e in ctx.events.for_job(job.id) if e.kind == "job.retried")
    ]
    # Queued after a retry, the next run has not been counted yet.
    waiting = job.raw_status == LocalStatus.QUEUED.value
    number = max(record.attempts + (1 if waiting else 0), (past[-1].number + 1) if past else 1)
    current = Attempt(number, job.raw_status, job.error, record.log_path, None)
    return JobHistory((*past, current), retry_of, retried_as)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
