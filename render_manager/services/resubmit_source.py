"""What a failed or cancelled job was sent with, for Edit and resubmit, or why it cannot be.

Apart from resubmit.py so the window can ask (for its action's tooltip) without loading
the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from render_manager.backends.rules import rules_for
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.local_job_rules import LocalJobType
from render_manager.domain.status import retry_refusal_reason
from render_manager.services.context import AppContext
from render_manager.services.retry_plan import UNSETTLED
from render_manager.store.local_jobs import LocalJobRepository

# Why a job whose stored body cannot be read back is not offered.
NO_BODY = "its request is not stored (made elsewhere, or nested)"
ENCODE = "an encode job is not made in New render: submit its job file again instead"


@dataclass(frozen=True, slots=True)
class ResubmitSource:
    """A job that may be edited and sent again: its connection and the body it was sent
    with (without the lookup key a submission stamped on it)."""

    job: Job
    connection: Connection
    body: Mapping[str, Any]
    # The name of the job's batch, which a remote retry joins (kept: never renamed).
    batch_name: str | None = None

    def submission_name(self) -> str:
        """The batch name the retry is sent under."""
        return self.batch_name or f"Retry of {self.job.name}"


def load_source(ctx: AppContext, local: LocalJobRepository, job: Job) -> ResubmitSource | str:
    """What `job` was sent with, or why it cannot be edited and resubmitted (store reads:
    call it off the GUI thread)."""
    connection = next((c for c in ctx.connections.list() if c.name == job.connection), None)
    if connection is None:
        return f"its connection {job.connection!r} is no longer set up"
    reason = retry_refusal_reason(connection.kind, job.raw_status)
    if reason is not None:
        return f"only a failed or cancelled job can be resubmitted; this one is {reason}"
    links = ctx.requests.links([job.id]).get(job.id)
    if links is not None and links.retried_as:
        return f"already retried as {links.retried_as}: edit that job instead"
    if job.id in ctx.requests.unsettled([job.id]):
        return UNSETTLED.format(connection=job.connection)
    rules = rules_for(connection.kind)
    body: Any
    if rules.stores_jobs:
        record = local.get(job.id)
        if record is None:
            return NO_BODY
        if record.job_type is LocalJobType.ENCODE:
            return ENCODE
        body = record.spec
    else:
        body = ctx.requests.bodies([job.id]).get(job.id)
        if not isinstance(body, dict):
            return NO_BODY
        body = rules.unstamp(body)
    batch = ctx.jobs.batch(job.batch_id) if job.batch_id else None
    return ResubmitSource(job, connection, body, batch.name if batch else None)
