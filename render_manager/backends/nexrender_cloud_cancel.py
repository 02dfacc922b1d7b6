"""Nexrender Cloud cancellation: one job, sets of up to 1000, and cascades.

Only queued and pending jobs can be cancelled; others are skipped without a request. A set
the cloud refuses (an unknown id, or a job that started rendering meanwhile) is retried one
job at a time, and a refused single cancel is explained by reading the job again. Every job
a cancel answer lists is reported, children cancelled along with their parent included.
Whole batches are cancelled in nexrender_cloud_batches.py.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from render_manager.backends.errors import BackendError, BadRequest, JobGone
from render_manager.backends.http import Http
from render_manager.backends.nexrender_cloud_records import (
    KIND,
    MAX_PER_REQUEST,
    jobs_from_list,
)
from render_manager.backends.protocol import CancelOutcome
from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus, cancel_refusal_reason

log = logging.getLogger(__name__)

# One job, fresh from `GET /jobs/{id}`.
GetJob = Callable[[str], Awaitable[Job]]


async def cancel_many(http: Http, jobs: Sequence[Job], *, get: GetJob) -> CancelOutcome:
    """Cancel the cancellable `jobs` over `http`; `get` reads a job whose cancel was refused."""
    known = {j.id: j for j in jobs}
    run = _Cancelling(http, get, known)
    wanted: list[str] = []
    for job in known.values():
        reason = cancel_refusal_reason(KIND, job.raw_status)
        if reason is None:
            wanted.append(job.id)
        else:
            run.skipped.append((job.id, reason))
    stop: str | None = None
    for start in range(0, len(wanted), MAX_PER_REQUEST):
        ids = [i for i in wanted[start : start + MAX_PER_REQUEST] if i not in run.cancelled]
        if stop is not None:
            run.skipped.extend((i, f"not sent: {stop}") for i in ids)
            continue
        try:
            if len(wanted) == 1:
                await run.each(ids)
            else:
                await run.set(ids)
        except BackendError as exc:
            if not run.cancelled:
                raise
            stop = str(exc)
            run.skipped.extend((i, f"not cancelled: {exc}") for i in ids if i not in run.cancelled)
    skipped = [(i, why) for i, why in run.skipped if i not in run.cancelled]
    return CancelOutcome(list(run.cancelled.values()), skipped)


@dataclass(slots=True)
class _Cancelling:
    """One cancel_many call: the jobs it cancelled so far and those it skipped, with why."""

    http: Http
    get: GetJob
    known: Mapping[str, Job]
    cancelled: dict[str, Job] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    async def set(self, ids: list[str]) -> None:
        """`POST /jobs/cancel` for all `ids`, or one request each if the cloud refuses."""
        try:
            data = await self.http.json("POST", "jobs/cancel", safe=True, json_body={"jobs": ids})
        except (JobGone, BadRequest):
            # An unknown id (404) or a job no longer cancellable refuses the whole set.
            await self.each(ids)
            return
        self._take(data, ids)

    async def each(self, ids: list[str]) -> None:
        """`PATCH /jobs/{id}/cancel` for each of `ids` not cancelled yet."""
        for job_id in ids:
            if job_id in self.cancelled:
                continue  # a cascade of an earlier job already took it
            path = f"jobs/{quote(job_id, safe='')}/cancel"
            try:
                data = await self.http.json("PATCH", path, safe=True)
            except JobGone:
                self.skipped.append((job_id, "job gone: Nexrender Cloud no longer knows it"))
                continue
            except BadRequest as exc:
                await self._explain_refusal(job_id, exc)
                continue
            self._take(data, [job_id])

    async def _explain_refusal(self, job_id: str, refusal: BadRequest) -> None:
        """A refused cancel: maybe an earlier attempt did it, maybe the job moved on."""
        try:
            current = await self.get(job_id)
        except BackendError:
            self.skipped.append((job_id, str(refusal)))
            return
        if current.status is JobStatus.CANCELLED:
            old = self.known.get(job_id)
            self.cancelled[job_id] = (
                old.with_changes(status=current.status, raw_status=current.raw_status)
                if old
                else current
            )
            return
        reason = cancel_refusal_reason(KIND, current.raw_status)
        self.skipped.append((job_id, reason or str(refusal)))

    def _take(self, data: object, ids: list[str]) -> None:
        """Record every job a cancel answer lists (cascades included)."""
        name = self.http.connection
        if not isinstance(data, list):
            data = [data] if isinstance(data, Mapping) else []
        jobs, problems = jobs_from_list(
            data, connection=name, now=datetime.now(UTC), known=self.known
        )
        for problem in problems:
            log.warning("%s: cancel answer: %s", name, problem)
        for job in jobs:
            self.cancelled[job.id] = job
        for job_id in ids:
            if job_id not in self.cancelled:
                self.skipped.append((job_id, "the server did not confirm the cancellation"))
