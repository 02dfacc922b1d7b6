"""Rendley: exports started with POST /v1/export and followed through its job API.

Rendley has no batches: every export is its own job, polled by id. Two quirks shape this
module. A job's `input_data` and `result_data` are JSON *strings*, decoded defensively in
rendley_records.py (a bad one is a problem noted, never a crash). And `GET /v1/jobs` lists
Studio jobs unless asked for `source_type=api`, where the jobs this app starts live.

Polling: Rendley asks for no more than one poll a second. This back-end does not sleep; the
caller's refresh scheduler enforces the pace, reading `RendleyBackend.min_poll_interval_s`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from render_manager.backends.base import HttpBackend
from render_manager.backends.errors import (
    BackendError,
    BadResponse,
    JobGone,
    LostCreateAnswer,
    OutcomeUnknown,
    TokenRejected,
    Unavailable,
    UnconfirmedCreate,
)
from render_manager.backends.http import Http, RetryPolicy, TokenAuth, make_client
from render_manager.backends.protocol import (
    CancelOutcome,
    RefreshOutcome,
    SubmitOutcome,
    SubmitStatus,
)
from render_manager.backends.records import UnreadableRecord
from render_manager.backends.rendley_records import (
    KIND,
    Record,
    contains,
    job_name,
    project_id,
)
from render_manager.backends.rendley_rules import RULES
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus, cancel_refusal_reason

_EXPORT = "v1/export"
_EXPORT_COST = "v1/export/cost"
_JOBS = "v1/jobs"
_DEFAULT_RETRY = RetryPolicy()
# Listing defaults to source_type=studio, which hides every job started over the API.
_API_JOBS = {"source_type": "api"}


class RendleyBackend(HttpBackend):
    """The Rendley API behind one connection."""

    KIND = KIND
    RULES = RULES
    # Rendley lists only when it follows more than one job.
    PROBE_JOBS = 2

    # Rendley: "there is no benefit to polling faster than once per second".
    min_poll_interval_s: ClassVar[float] = 1.0

    def __init__(
        self,
        connection: Connection,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = _DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if connection.kind is not KIND:
            raise ValueError(f"{connection.name} is not a Rendley connection")
        base_url = connection.effective_url or ""
        # Paths carry their /v1 prefix; tolerate a URL override that already ends in it.
        base_url = base_url.rstrip("/").removesuffix("/v1")
        self._connection = connection
        self._name = connection.name
        self._client = make_client(base_url, TokenAuth(token), transport=transport)
        self._http = Http(self._client, connection.name, retry=retry, sleep=sleep)

    async def submit_many(
        self,
        bodies: Sequence[Mapping[str, Any]],
        *,
        batch_name: str | None = None,
        base_dir: Path | None = None,
    ) -> SubmitOutcome:
        """Start one export per body (`{project_id, settings{...}}`), row by row.

        Rendley has no batches, so `batch_name` is unused and the outcome's batch id is None.

        A POST is never repeated blindly. Before the first POST for a project, the ids of that
        project's API jobs are noted (one list request per project). If a POST's outcome is
        unknown (a timeout, a dropped connection, a 5xx or 429 answer), the project's jobs are
        listed again, and a job that was not there before and whose decoded `input_data`
        carries this request is taken as the one the POST created. Without such a job, the
        row is reported as an error that says it was not re-sent, so nothing renders twice.
        """
        del base_dir  # the service reads no file of this computer
        del batch_name
        jobs: list[tuple[int, Job]] = []
        errors: list[tuple[int, str]] = []
        unknown: set[int] = set()
        seen: dict[str, set[str]] = {}
        stop: str | None = None
        for row, body in enumerate(bodies):
            if stop is not None:
                errors.append((row, f"not sent: {stop}"))
                continue
            project = project_id(body)
            if project is None:
                errors.append((row, "not sent: the export needs a project_id (a string)"))
                continue
            try:
                if project not in seen:
                    seen[project] = await self._job_ids(project)
            except TokenRejected as exc:
                stop = str(exc)
                errors.append((row, stop))
                continue
            except BackendError as exc:
                errors.append((row, f"not sent: the job list, read first, failed: {exc}"))
                continue
            try:
                job = await self._create(body, project, seen[project])
            except TokenRejected as exc:
                stop = str(exc)
                errors.append((row, stop))
            except BackendError as exc:
                errors.append((row, str(exc)))
                if isinstance(exc, OutcomeUnknown):
                    unknown.add(row)
            else:
                seen[project].add(job.id)
                jobs.append((row, job))
        status: SubmitStatus = "error" if not jobs else "partial" if errors else "created"
        return SubmitOutcome(
            status=status, batch_id=None, jobs=jobs, errors=errors, unknown=frozenset(unknown)
        )

    async def cost(self, bodies: Sequence[Mapping[str, Any]]) -> list[tuple[int, object | str]]:
        """The credit price of each export, without starting any: per row the server's price
        object (the `data` of POST /v1/export/cost), or a text saying why it has none.
        """
        prices: list[tuple[int, object | str]] = []
        stop: str | None = None
        for row, body in enumerate(bodies):
            if stop is not None:
                prices.append((row, f"not priced: {stop}"))
                continue
            try:
                # Pricing starts nothing, so it is safe to repeat.
                payload = await self._http.json("POST", _EXPORT_COST, safe=True, json_body=body)
                prices.append((row, self._data(payload, "the export cost")))
            except TokenRejected as exc:
                stop = str(exc)
                prices.append((row, stop))
            except BackendError as exc:
                prices.append((row, str(exc)))
        return prices

    async def get(self, job_id: str) -> Job:
        """One job, fresh from Rendley. A result that cannot be read is said in `error`."""
        payload = await self._http.json("GET", _job_path(job_id), safe=True)
        try:
            record = Record.parse(self._data(payload, f"job {job_id}"))
        except UnreadableRecord as exc:
            raise BadResponse(f"{self._connection.name}: job {job_id}: {exc}") from None
        return record.to_job(self._connection.name, known=None, now=_now())

    async def fresh_output_url(self, job_id: str) -> str | None:
        """The finished file's link, re-read now: Rendley's storage links expire.

        None while the job is not completed (or its result carries no link).
        """
        job = await self.get(job_id)
        return job.output if job.status is JobStatus.FINISHED else None

    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """The known jobs whose state changed, read the cheapest documented way.

        Listing cannot filter by status, so:
        - no active job: no request at all;
        - one active job: GET /v1/jobs/{id} (one request, the smallest answer);
        - several: one GET /v1/jobs?source_type=api for all of them (one request, whatever
          their number), then GET /v1/jobs/{id} only for an active job the list left out.
          Rendley documents no paging, so a list that stops short costs extra requests but
          never loses a job.
        UnreadableRecord records land in `problems`; every other record is still read.
        """
        start = self._http.requests
        active = {job.id: job for job in known if not job.is_terminal}
        problems: list[str] = []
        fresh: dict[str, Job] = {}
        unreadable: set[str] = set()
        now = _now()
        if len(active) > 1:
            payload = await self._http.json("GET", _JOBS, safe=True, params=_API_JOBS)
            for raw in self._list(payload):
                raw_id = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(raw_id, str) and raw_id not in active:
                    continue  # not one of ours to follow; not read at all
                try:
                    record = Record.parse(raw)
                except UnreadableRecord as exc:
                    where = f"job {raw_id}" if isinstance(raw_id, str) else "a job record"
                    problems.append(f"{where}: {exc}")
                    if isinstance(raw_id, str):
                        unreadable.add(raw_id)
                    continue
                fresh[record.id] = record.to_job(
                    self._connection.name, known=active[record.id], now=now
                )
                problems.extend(f"job {record.id}: {note}" for note in record.notes)
        for job_id, job in active.items():
            if job_id in fresh or job_id in unreadable:
                continue
            try:
                payload = await self._http.json("GET", _job_path(job_id), safe=True)
                record = Record.parse(self._data(payload, f"job {job_id}"))
            except JobGone:
                problems.append(f"job {job_id}: Rendley no longer has it (not found)")
                continue
            except (UnreadableRecord, BadResponse) as exc:
                problems.append(f"job {job_id}: {exc}")
                continue
            fresh[job_id] = record.to_job(self._connection.name, known=job, now=now)
            problems.extend(f"job {job_id}: {note}" for note in record.notes)
        changed = [
            fresh[job.id]
            for job in active.values()
            if job.id in fresh and _differs(job, fresh[job.id])
        ]
        return RefreshOutcome(
            changed=changed, requests=self._http.requests - start, problems=problems
        )

    async def cancel_many(self, jobs: Sequence[Job]) -> CancelOutcome:
        """DELETE each queued or processing job; others are skipped without a request."""
        cancelled: list[Job] = []
        skipped: list[tuple[str, str]] = []
        stop: str | None = None
        for job in jobs:
            reason = cancel_refusal_reason(KIND, job.raw_status)
            if reason is not None:
                skipped.append((job.id, f"not cancelled: {reason}"))
                continue
            if stop is not None:
                skipped.append((job.id, stop))
                continue
            try:
                response = await self._http.request(
                    "DELETE", _job_path(job.id), safe=True, not_found_ok=True
                )
            except TokenRejected as exc:
                stop = str(exc)
                skipped.append((job.id, stop))
                continue
            except BackendError as exc:
                skipped.append((job.id, str(exc)))
                continue
            if response.status_code == 404:
                skipped.append((job.id, "job gone: Rendley no longer has it"))
                continue
            # Rendley: "The job moves to canceled."
            cancelled.append(
                job.with_changes(
                    status=JobStatus.CANCELLED,
                    raw_status="canceled",
                    finished_at=job.finished_at or _now(),
                )
            )
        return CancelOutcome(cancelled=cancelled, skipped=skipped)

    async def _create(self, body: Mapping[str, Any], project: str, before: set[str]) -> Job:
        try:
            payload = await self._http.json("POST", _EXPORT, safe=False, json_body=body)
        except Unavailable as exc:
            return await self._reconcile(body, project, before, exc)
        data = self._data(payload, "the new export")
        job_id = data.get("job_id") if isinstance(data, dict) else None
        if not isinstance(job_id, str) or not job_id:
            raise UnconfirmedCreate(
                f"{self._connection.name}: Rendley accepted the export but sent no job id; "
                "check its job list before sending it again"
            )
        return Job.from_raw(
            kind=KIND,
            id=job_id,
            connection=self._connection.name,
            name=job_name(body, job_id),
            raw_status="queued",
            created_at=_now(),
            tags=("export_video",),
        )

    async def _reconcile(
        self, body: Mapping[str, Any], project: str, before: set[str], cause: Unavailable
    ) -> Job:
        """The job a POST with an unknown outcome created, found in the list; never a resend."""
        try:
            payload = await self._http.json(
                "GET", _JOBS, safe=True, params={**_API_JOBS, "project_id": project}
            )
            records = self._list(payload)
        except BackendError as exc:
            raise LostCreateAnswer(
                f"{cause}; whether the job was created is unknown, and Rendley's job list "
                f"could not be read to find out ({exc}). It was not re-sent, so it cannot "
                "render twice: check Rendley's job list before sending it again"
            ) from None
        for raw in records:
            try:
                record = Record.parse(raw)
            except UnreadableRecord:
                continue
            if record.id in before or record.input is None or not contains(record.input, body):
                continue
            return record.to_job(self._connection.name, known=None, now=_now())
        raise Unavailable(
            f"{cause}; no new job for it appears in Rendley's job list, so it was most likely "
            "not created. It was not re-sent: check Rendley's job list before sending it again"
        )

    async def _job_ids(self, project: str) -> set[str]:
        payload = await self._http.json(
            "GET", _JOBS, safe=True, params={**_API_JOBS, "project_id": project}
        )
        ids: set[str] = set()
        for raw in self._list(payload):
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                ids.add(raw["id"])
        return ids

    def _data(self, payload: Any, what: str) -> Any:
        """The `data` of Rendley's envelope."""
        if not isinstance(payload, dict) or "data" not in payload:
            raise BadResponse(
                f"{self._connection.name}: {what} came without Rendley's data envelope"
            )
        return payload["data"]

    def _list(self, payload: Any) -> list[Any]:
        data = self._data(payload, "the job list")
        if isinstance(data, dict):
            # Tolerate a list wrapped in an object, should the envelope ever grow one.
            data = data.get("jobs", data.get("items"))
        if not isinstance(data, list):
            raise BadResponse(f"{self._connection.name}: the job list is not a list")
        return data


def _differs(old: Job, new: Job) -> bool:
    return (old.raw_status, old.output, old.error, old.progress) != (
        new.raw_status,
        new.output,
        new.error,
        new.progress,
    )


def _job_path(job_id: str) -> str:
    return f"{_JOBS}/{quote(job_id, safe='')}"


def _now() -> datetime:
    return datetime.now(UTC)
