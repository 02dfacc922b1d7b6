"""Nexrender Cloud API v2: jobs, batches of up to 1000, listing filters, cancel cascades.

Submitting (nexrender_cloud_submit.py) never creates a job twice: every job is tagged, and
a request whose outcome is unknown is settled by listing the tag, never by re-sending.
Cancelling lives in nexrender_cloud_cancel.py, reading records in nexrender_cloud_records.py.

Refreshing costs ceil(active / 1000) list requests (`states=queued,pending,
render:dorender`, `minimal=true`, sorted oldest first, paged with `from` until a short
page) plus one `GET /jobs/{id}` for each known job that left the active set, to read its
final status and output. Finished jobs cost nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import httpx

from render_manager.backends import (
    nexrender_cloud_batches,
    nexrender_cloud_cancel,
    nexrender_cloud_submit,
)
from render_manager.backends.base import HttpBackend
from render_manager.backends.errors import BadResponse
from render_manager.backends.http import Http, RetryPolicy, TokenAuth, make_client, parse_json
from render_manager.backends.nexrender_cloud_batches import CloudBatch, read_batch
from render_manager.backends.nexrender_cloud_records import (
    KIND,
    MAX_PER_REQUEST,
    describe,
    job_from_raw,
    jobs_from_list,
    merged,
    read_record,
    read_template,
    record_id,
    with_parents,
)
from render_manager.backends.nexrender_cloud_rules import RULES
from render_manager.backends.protocol import (
    CancelOutcome,
    JobList,
    RefreshOutcome,
    SubmitOutcome,
    Template,
)
from render_manager.backends.records import UnreadableRecord
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus

log = logging.getLogger(__name__)

ACTIVE_STATES = ("queued", "pending", "render:dorender")
Sort = Literal["oldest_first", "newest_first", "random", "priority"]
_SORTS = frozenset({"oldest_first", "newest_first", "random", "priority"})
_DEFAULT_RETRY = RetryPolicy()


class NexrenderCloudBackend(HttpBackend):
    """Nexrender Cloud behind one connection, over one long-lived HTTP client."""

    KIND = KIND
    RULES = RULES

    def __init__(
        self,
        connection: Connection,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = _DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if connection.kind is not KIND or connection.effective_url is None:
            raise ValueError(f"{connection.name} is not a Nexrender Cloud connection")
        self._name = connection.name
        self._client = make_client(connection.effective_url, TokenAuth(token), transport=transport)
        self._http = Http(self._client, connection.name, retry=retry, sleep=sleep)

    async def submit_many(
        self,
        bodies: Sequence[Mapping[str, Any]],
        *,
        batch_name: str | None = None,
        base_dir: Path | None = None,
    ) -> SubmitOutcome:
        """Create jobs: one body with `POST /jobs`, more with `POST /batches` per 1000.

        A body may carry a `name` (this app's display name; removed before sending). Jobs
        are otherwise named `<batch_name> #<row>` or after the template's composition.
        Nested children of a row are listed before the row's own job, with its parent_id.
        """
        del base_dir  # the service reads no file of this computer
        return await nexrender_cloud_submit.submit_many(
            self._http, bodies, batch_name=batch_name, list_records=self._all_records
        )

    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """Changed jobs among `known`: one listing of the active jobs, plus one GET per
        known job that left the active set."""
        before = self._http.requests
        watched = {j.id: j for j in known if not j.is_terminal}
        if not watched:
            return RefreshOutcome()
        changed: dict[str, Job] = {}
        problems: list[str] = []
        seen: set[str] = set()
        parents: dict[str, str] = {}
        params = {"states": ",".join(ACTIVE_STATES), "sort": "oldest_first", "minimal": "true"}
        index = 0
        async for page in self._pages(params, problems):
            for raw in page:
                index += 1
                job_id = record_id(raw)
                if job_id is not None:
                    seen.add(job_id)
                try:
                    record = read_record(raw)
                    job = watched.get(record.id)
                    if job is not None:
                        changed[job.id] = merged(job, record)
                except UnreadableRecord as exc:
                    problems.append(f"{describe(raw, index - 1)}: {exc}")
                    continue
                parents.update((child, record.id) for child in record.children)
        for job_id, job in watched.items():
            if job_id not in seen:
                updated = await self._final_state(job, problems)
                if updated is not None:
                    changed[job_id] = updated
        latest = [changed.get(job_id, job) for job_id, job in watched.items()]
        result = [
            new
            for new, old in zip(with_parents(latest, parents), watched.values(), strict=True)
            if new != old
        ]
        return RefreshOutcome(result, self._http.requests - before, problems)

    async def get(self, job_id: str) -> Job:
        """One job, fresh from `GET /jobs/{id}`; JobGone if the cloud does not know it."""
        data = await self._http.json("GET", _job_path(job_id), safe=True)
        try:
            return job_from_raw(data, connection=self._name, now=_now())
        except UnreadableRecord as exc:
            raise BadResponse(f"{self._name}: job {job_id}: {exc}") from None

    async def cancel_many(self, jobs: Sequence[Job]) -> CancelOutcome:
        """Cancel queued and pending jobs (others are skipped without a request).

        One job: `PATCH /jobs/{id}/cancel`; more: `POST /jobs/cancel` per 1000 ids, falling
        back to one request per job if the cloud refuses the set (an unknown id, or a job
        that started rendering meanwhile). Cascaded cancellations are reported too.
        """
        return await nexrender_cloud_cancel.cancel_many(self._http, jobs, get=self.get)

    async def cancel_batch(self, batch_id: str, known: Sequence[Job] = ()) -> CancelOutcome:
        """Cancel every remaining job of a batch in one request (`POST /batches/{id}/cancel`).

        `cancelled` holds every job the cloud cancelled (children included), merged into
        the caller's copies in `known` where given (so names survive); `skipped` the batch's
        jobs it did not cancel and every job of `known` it did not, each with the reason.
        An answer without per-job detail is settled by reading the batch again. JobGone if
        the cloud does not know the batch (a grouping made by this app, not by the cloud).
        """
        return await nexrender_cloud_batches.cancel_batch(
            self._http,
            batch_id,
            known,
            get_batch=self.batch,
            get_job=self.get,
            cancel_jobs=self.cancel_many,
        )

    async def batch(self, batch_id: str) -> CloudBatch:
        """A batch's aggregate status and counts (`GET /batches/{id}`)."""
        data = await self._http.json("GET", f"batches/{quote(batch_id, safe='')}", safe=True)
        try:
            return read_batch(data, connection=self._name, now=_now())
        except UnreadableRecord as exc:
            raise BadResponse(f"{self._name}: batch {batch_id}: {exc}") from None

    async def list_jobs(
        self,
        *,
        states: Sequence[str] | None = None,
        exclude_states: Sequence[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        from_date: datetime | str | None = None,
        to_date: datetime | str | None = None,
        sort: Sort = "oldest_first",
        tags: Sequence[str] | None = None,
        minimal: bool = False,
    ) -> JobList:
        """Jobs matching the filters of `GET /jobs`, every page followed.

        `offset` is the API's `from`; `limit` caps the total returned (None: all). A
        `random` sort is one page, as paging a shuffled list would repeat and skip jobs.
        """
        if sort not in _SORTS:
            raise ValueError(f"sort must be one of {sorted(_SORTS)}, got {sort!r}")
        if offset < 0 or (limit is not None and limit < 1):
            raise ValueError("offset must be >= 0 and limit >= 1")
        params: dict[str, str] = {"sort": sort, "minimal": "true" if minimal else "false"}
        for key, values in (("states", states), ("exclude_states", exclude_states), ("tags", tags)):
            if values:
                params[key] = ",".join(values)
        for key, when in (("from_date", from_date), ("to_date", to_date)):
            if when is not None:
                params[key] = when.isoformat() if isinstance(when, datetime) else when
        before = self._http.requests
        problems: list[str] = []
        raws: list[object] = []
        pages = self._pages(params, problems, offset=offset, total=limit, once=sort == "random")
        async for page in pages:
            raws.extend(page)
        jobs, bad = jobs_from_list(raws, connection=self._name, now=_now())
        return JobList(jobs, problems + bad, self._http.requests - before)

    async def templates(self) -> list[Template]:
        """The team's templates (`GET /templates`); unreadable entries are logged and left out."""
        data = await self._http.json("GET", "templates", safe=True)
        items = data.get("templates", data.get("data")) if isinstance(data, Mapping) else data
        if not isinstance(items, list):
            raise BadResponse(f"{self._name}: expected a list of templates from /templates")
        found: list[Template] = []
        for index, raw in enumerate(items):
            try:
                found.append(read_template(raw))
            except UnreadableRecord as exc:
                log.warning("%s: template #%d: %s", self._name, index, exc)
        return found

    async def template(self, template_id: str) -> Template:
        """One template with its compositions and layers (`GET /templates/{id}`)."""
        data = await self._http.json("GET", f"templates/{quote(template_id, safe='')}", safe=True)
        try:
            return read_template(data)
        except UnreadableRecord as exc:
            raise BadResponse(f"{self._name}: template {template_id}: {exc}") from None

    async def find_by_key(self, key: str) -> Job | None:
        """The row's own job whose submission carried the row tag `key` (nested children
        are left out), or None."""
        listed = await self.list_jobs(tags=[key], minimal=True)
        return next((j for j in listed.jobs if j.parent_id is None), None)

    async def team_jobs(self, since: datetime) -> JobList:
        """Every job created on the account since `since` (minimal records, oldest first)."""
        return await self.list_jobs(from_date=since, minimal=True)

    async def check_access(self) -> None:
        """`GET /jobs?limit=1`: one short page."""
        await self.list_jobs(limit=1, minimal=True)

    async def _all_records(self, filters: Mapping[str, str]) -> list[object]:
        params = {**filters, "minimal": "true", "sort": "oldest_first"}
        problems: list[str] = []
        return [raw async for page in self._pages(params, problems) for raw in page]

    async def _pages(
        self,
        params: Mapping[str, str],
        problems: list[str],
        *,
        offset: int = 0,
        total: int | None = None,
        once: bool = False,
    ) -> AsyncIterator[list[object]]:
        """Pages of `GET /jobs` until a short page (or `total` records)."""
        ids: set[str] = set()
        got = 0
        while total is None or got < total:
            size = MAX_PER_REQUEST if total is None else min(MAX_PER_REQUEST, total - got)
            query = {**params, "from": str(offset + got), "limit": str(size)}
            data = await self._http.json("GET", "jobs", safe=True, params=query)
            if not isinstance(data, list):
                raise BadResponse(f"{self._name}: expected a list of jobs, got {_kind_of(data)}")
            yield data
            got += len(data)
            page_ids = {i for raw in data if (i := record_id(raw))}
            if len(data) < size or once:
                return
            if page_ids and page_ids <= ids:
                problems.append("the server sent the same page twice; listing stopped there")
                return
            ids |= page_ids

    async def _final_state(self, job: Job, problems: list[str]) -> Job | None:
        """A known job that left the active set, read on its own."""
        response = await self._http.request("GET", _job_path(job.id), safe=True, not_found_ok=True)
        if response.status_code == 404:
            return job.with_changes(
                status=JobStatus.FAILED,
                raw_status="error",
                error="Nexrender Cloud no longer knows this job (deleted?)",
            )
        try:
            return merged(job, read_record(parse_json(response, self._name)))
        except (UnreadableRecord, BadResponse) as exc:
            problems.append(f"job {job.id}: {exc}")
            return None


def _job_path(job_id: str) -> str:
    return f"jobs/{quote(job_id, safe='')}"


def _kind_of(data: object) -> str:
    return "an object" if isinstance(data, Mapping) else type(data).__name__


def _now() -> datetime:
    return datetime.now(UTC)
