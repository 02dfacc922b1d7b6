"""Nexrender Cloud batches: their aggregate state, and cancelling a whole batch in one request.

`POST /batches/{id}/cancel` answers (seed 003, render-apis.md §1) `{batchId, status:
cancelled|partial|unchanged, totalJobs, cancelledCount, skippedCount, jobs[{index, id,
result, status, reason}], cancelledJobs[]}`: one row per job of the batch, cancelled or
skipped with a reason, and in `cancelledJobs` the id of every job cancelled, nested
children included (seed 002's cascade). The service sends those ids as plain strings, not
job records; a record there is read as one all the same. The answer is read as defensively
as any other record:

- a row whose `result` is `cancelled` is a cancelled job whatever `status` it shows (the
  seed does not say whether that is the status before or after);
- an id of `cancelledJobs` the caller knows is that job, now cancelled; one it does not
  know (a nested child it never listed) is read on its own (`GET /jobs/{id}`);
- with neither `cancelledJobs` nor rows, the batch is read again (`GET /batches/{id}`);
- a job the caller knows that the answer does not mention (a nested child has no row), and
  that could have been cancelled, is read on its own (`GET /jobs/{id}`); if it is still
  cancellable, the batch request did not reach it, and it is cancelled on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from render_manager.backends.errors import BackendError, BadResponse
from render_manager.backends.http import Http
from render_manager.backends.nexrender_cloud_records import (
    KIND,
    job_from_raw,
    jobs_from_list,
    record_id,
)
from render_manager.backends.protocol import CancelOutcome
from render_manager.backends.records import UnreadableRecord
from render_manager.domain.job import BatchCounts, Job
from render_manager.domain.status import JobStatus, cancel_refusal_reason

log = logging.getLogger(__name__)

# The v2 status of a cancelled job (stored upstream as an error, served normalized).
CANCELLED = "manually_cancelled"

GetJob = Callable[[str], Awaitable[Job]]
# Cancel jobs one by one (cancel_many): for jobs the batch request left untouched.
CancelJobs = Callable[[Sequence[Job]], Awaitable[CancelOutcome]]


@dataclass(frozen=True, slots=True)
class CloudBatch:
    """A batch's aggregate state from `GET /batches/{id}`."""

    id: str
    raw_status: str | None
    counts: BatchCounts
    jobs: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


GetBatch = Callable[[str], Awaitable[CloudBatch]]


def read_batch(raw: object, *, connection: str, now: datetime) -> CloudBatch:
    """`GET /batches/{id}`: counts from its jobs when listed, else from its stats."""
    if not isinstance(raw, Mapping):
        raise UnreadableRecord(f"expected an object, got {type(raw).__name__}")
    batch_id = raw.get("batchId", raw.get("id"))
    if not isinstance(batch_id, str) or not batch_id:
        raise UnreadableRecord("the batch has no batchId")
    status = raw.get("status")
    items = raw.get("jobs")
    jobs, problems = jobs_from_list(
        items if isinstance(items, list) else [], connection=connection, now=now
    )
    jobs = [j if j.batch_id else j.with_changes(batch_id=batch_id) for j in jobs]
    if jobs:
        counts = BatchCounts.of(j.status for j in jobs)
    else:
        stats = raw.get("stats")
        stats = stats if isinstance(stats, Mapping) else {}
        number = {k: v if isinstance(v, int) and v >= 0 else 0 for k, v in stats.items()}
        counts = BatchCounts(
            total=number.get("total", 0),
            finished=number.get("finished", 0),
            failed=number.get("error", 0),
            pending=number.get("pending", 0),
        )
    return CloudBatch(batch_id, status if isinstance(status, str) else None, counts, jobs, problems)


async def cancel_batch(
    http: Http,
    batch_id: str,
    known: Sequence[Job],
    *,
    get_batch: GetBatch,
    get_job: GetJob,
    cancel_jobs: CancelJobs,
) -> CancelOutcome:
    """Cancel every remaining job of a batch over `http`, merged into `known` where given.

    Every job of `known` ends up either cancelled or skipped with a reason, including nested
    children the answer has no row for. A job of `known` the request left cancellable (filed
    under this batch here, but not part of it at the cloud) is cancelled with `cancel_jobs`.
    JobGone if the cloud does not know the batch.
    """
    name = http.connection
    by_id = {j.id: j for j in known}
    data = await http.json("POST", f"batches/{quote(batch_id, safe='')}/cancel", safe=True)
    if not isinstance(data, Mapping):
        raise BadResponse(f"{name}: the batch cancel answer is not an object")
    records = data.get("cancelledJobs")
    items = data.get("jobs")
    rows = [r for r in items if record_id(r)] if isinstance(items, list) else []
    skipped: dict[str, str] = {}
    fresh: dict[str, Job] = {}
    if isinstance(records, list) or rows:
        cancelled, unknown = _from_answer(records, rows, by_id, name)
        cancelled.update(await _read_cancelled(unknown, get_job, batch_id))
        skipped = {str(r["id"]): _skip_reason(r) for r in rows if r["id"] not in cancelled}
    else:
        cancelled = {}
        fresh = await _read_batch(batch_id, get_batch)
    leftover = await _settle_the_rest(known, cancelled, skipped, fresh, get_job)
    if leftover:
        rest = await cancel_jobs(leftover)
        cancelled.update((job.id, job) for job in rest.cancelled)
        skipped.update((job_id, why) for job_id, why in rest.skipped if job_id not in cancelled)
    jobs = [j if j.batch_id else j.with_changes(batch_id=batch_id) for j in cancelled.values()]
    return CancelOutcome(jobs, list(skipped.items()))


def _from_answer(
    records: object, rows: list[Mapping[str, Any]], by_id: Mapping[str, Job], name: str
) -> tuple[dict[str, Job], list[str]]:
    """The jobs a detailed answer reports cancelled, and the ids it names but nothing here
    describes (cancelled jobs the caller never knew: read them to report them)."""
    now = datetime.now(UTC)
    items = records if isinstance(records, list) else []
    ids = [item for item in items if isinstance(item, str) and item]
    full = [item for item in items if not isinstance(item, str)]
    jobs, problems = jobs_from_list(full, connection=name, now=now, known=by_id)
    for problem in problems:
        log.warning("%s: batch cancel answer: %s", name, problem)
    cancelled = {job.id: job for job in jobs}
    for row in rows:
        if row.get("result") != "cancelled" or row["id"] in cancelled:
            continue
        try:
            job = job_from_raw({**row, "status": CANCELLED}, connection=name, now=now, known=by_id)
        except UnreadableRecord as exc:
            log.warning("%s: batch cancel answer: job %s: %s", name, row["id"], exc)
            continue
        cancelled[job.id] = job
    unknown: list[str] = []
    for job_id in dict.fromkeys(ids):
        if job_id in cancelled:
            continue
        mine = by_id.get(job_id)
        if mine is None:
            unknown.append(job_id)
        else:
            cancelled[job_id] = mine.with_changes(status=JobStatus.CANCELLED, raw_status=CANCELLED)
    return cancelled, unknown


async def _read_cancelled(job_ids: list[str], get_job: GetJob, batch_id: str) -> dict[str, Job]:
    """Jobs the answer says it cancelled that the caller did not know, read one by one."""
    found: dict[str, Job] = {}
    for job_id in job_ids:
        try:
            job = await get_job(job_id)
        except BackendError as exc:
            log.warning(
                "batch %s: job %s: reading it after the cancel failed: %s", batch_id, job_id, exc
            )
            continue
        if job.status is JobStatus.CANCELLED:
            found[job_id] = job
    return found


async def _settle_the_rest(
    known: Sequence[Job],
    cancelled: dict[str, Job],
    skipped: dict[str, str],
    fresh: dict[str, Job],
    get_job: GetJob,
) -> list[Job]:
    """Put every job of `known` in `cancelled` or `skipped`, reading those the answer (and
    the batch read in `fresh`) has no word on: a nested child has no row of its own.

    Returns the jobs still cancellable after all: the batch request did not reach them.
    """
    leftover: list[Job] = []
    for job in known:
        settled = job.id in cancelled or job.id in skipped or job.id in fresh
        if not settled and cancel_refusal_reason(KIND, job.raw_status) is None:
            try:
                fresh[job.id] = await get_job(job.id)
            except BackendError as exc:
                log.warning("job %s: reading it after the batch cancel failed: %s", job.id, exc)
    for job in known:
        if job.id in cancelled or job.id in skipped:
            continue
        now = fresh.get(job.id)
        # Jobs of the batch the caller does not know are left out: a job cancelled long ago
        # is no news of this cancel. One the caller knew as cancelled is skipped as such.
        cancelled_now = now is not None and now.status is JobStatus.CANCELLED
        if now is not None and cancelled_now and job.status is not JobStatus.CANCELLED:
            cancelled[job.id] = _merged_status(job, now)
            continue
        reason = cancel_refusal_reason(KIND, now.raw_status if now else job.raw_status)
        if reason is None and now is not None:
            leftover.append(job.with_changes(status=now.status, raw_status=now.raw_status))
            continue
        skipped[job.id] = reason or "Nexrender Cloud did not cancel it with its batch"
    return leftover


async def _read_batch(batch_id: str, get_batch: GetBatch) -> dict[str, Job]:
    """The batch's jobs as they are now, for an answer that said nothing per job."""
    try:
        jobs = (await get_batch(batch_id)).jobs
    except BackendError as exc:
        log.warning("batch %s: reading it after the cancel failed: %s", batch_id, exc)
        return {}
    return {job.id: job for job in jobs}


def _merged_status(old: Job, fresh: Job) -> Job:
    """The caller's copy with the fresh state (names and tags are this app's)."""
    return old.with_changes(
        status=fresh.status,
        raw_status=fresh.raw_status,
        finished_at=fresh.finished_at or old.finished_at,
        error=fresh.error or old.error,
    )


def _skip_reason(row: Mapping[str, Any]) -> str:
    reason = row.get("reason")
    if isinstance(reason, str) and reason:
        return reason
    status = row.get("status")
    refusal = cancel_refusal_reason(KIND, status) if isinstance(status, str) else None
    return refusal or "Nexrender Cloud did not cancel it"
