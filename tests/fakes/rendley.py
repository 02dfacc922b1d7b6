"""A fake Rendley API: exports, cost and jobs in memory, served as an httpx.MockTransport.

Built from Rendley's own documentation (seed 004): the `{"data": ...}` envelope, jobs whose
`input_data` and `result_data` are JSON strings, `GET /v1/jobs` that lists Studio jobs unless
asked for `source_type=api`, its filters (project_id, job_type, acknowledged), cancel by
DELETE, and the documented status codes (400, 401, 402, 403, 404, 429).

Where the documentation is silent the fake chooses, and says so: the cost object's shape,
the codecs it accepts, the 400 for cancelling a finished job, the newest-first list order,
and the storage link's `?expires=` version (bumped by `expire_links()`).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

STATUSES = ("queued", "processing", "completed", "failed", "canceled")
ACTIVE = frozenset({"queued", "processing"})
# The fake's own choice: Rendley documents h264 only by example.
CODECS = ("h264", "h265", "vp9", "prores")
TOKEN = "rk_test_token"
_NEXT = {"queued": "processing", "processing": "completed"}


@dataclass
class FakeJob:
    """One job on the fake, as Rendley stores it before encoding."""

    id: str
    type: str
    status: str
    input: dict[str, Any]
    source_type: str
    source_id: str
    result: dict[str, Any] | None = None
    error: str | None = None
    acknowledged: bool = False
    # Fields served verbatim instead of the encoded ones, to send malformed records.
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fault:
    """A failure the next matching requests meet."""

    method: str
    path: str
    times: int
    status: int | None = None
    retry_after: str | None = None
    message: str | None = None
    # Matching requests let through untouched before the fault starts.
    after: int = 0
    # "status": answer `status`; "connect": fail before the server sees the request;
    # "timeout_after": handle the request, then lose the answer.
    kind: str = "status"


class FakeRendley:
    """Rendley's export and job API with state; call it (or use `.transport()`) from httpx."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        credits: int | None = None,
        export_price: int = 10,
        list_limit: int | None = None,
    ) -> None:
        self.token = token
        # None: credits never run out; otherwise each export spends `export_price`.
        self.credits = credits
        self.export_price = export_price
        # Rendley documents no paging; a limit models a list that stops short anyway.
        self.list_limit = list_limit
        self.jobs: dict[str, FakeJob] = {}
        self.raw_records: list[Any] = []
        self.requests: list[httpx.Request] = []
        self.link_version = 1
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    # -- driving the fake -------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this fake."""
        return httpx.MockTransport(self)

    def add_job(
        self,
        *,
        project_id: str = "prj_1",
        status: str = "queued",
        source_type: str = "api",
        job_type: str = "export_video",
        settings: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> FakeJob:
        """A job already on the account (Studio jobs have source_type='studio')."""
        body = {"project_id": project_id, "settings": settings or _settings()}
        job = self._create(body, source_type=source_type, job_type=job_type)
        job.overrides.update(overrides)
        while job.status != status and job.status in ACTIVE and status != "canceled":
            self.advance(job.id, to="failed" if status == "failed" else None)
        if status == "canceled":
            job.status = "canceled"
        return job

    def add_raw(self, record: Any) -> None:
        """A record served verbatim in every API listing (and by id, if it has a string id)."""
        self.raw_records.append(record)

    def advance(self, job_id: str, to: str | None = None, *, error: str = "render_failed") -> None:
        """Move a job on: queued → processing → completed, or to `to` ('failed', ...)."""
        job = self.jobs[job_id]
        target = to or _NEXT[job.status]
        job.status = target
        if target == "completed":
            job.result = {
                "storage_url": f"https://storage.rendley.com/exports/{job.id}.mp4",
                "media_id": f"med_{job.id}",
            }
        elif target == "failed":
            job.error = error

    def expire_links(self) -> None:
        """Storage links are time limited: the next read of a job signs a new one."""
        self.link_version += 1

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        message: str | None = None,
        after: int = 0,
    ) -> None:
        """Answer `times` requests matching method and path prefix with `status`, once
        `after` matching requests have gone through.
        """
        self._faults.append(Fault(method, path, times, status, retry_after, message, after))

    def drop_connection(self, method: str, path: str, *, times: int = 1, after: int = 0) -> None:
        """Matching requests never reach the server (a connect error), after `after` of them."""
        self._faults.append(Fault(method, path, times, after=after, kind="connect"))

    def timeout_after_create(self, *, times: int = 1, after: int = 0) -> None:
        """POST /v1/export creates its job, then the answer is lost (a timeout); the first
        `after` exports go through untouched.
        """
        self._faults.append(Fault("POST", "/v1/export", times, after=after, kind="timeout_after"))

    def count(self, method: str, path: str | None = None) -> int:
        """Requests seen with this method (and exactly this path, if given)."""
        return sum(
            1 for r in self.requests if r.method == method and (path is None or r.url.path == path)
        )

    def record(self, job: FakeJob) -> dict[str, Any]:
        """A job as Rendley sends it: input and result as JSON strings."""
        result = None
        if job.result is not None:
            signed = dict(job.result)
            if "storage_url" in signed:
                signed["storage_url"] = f"{signed['storage_url']}?expires={self.link_version}"
            result = json.dumps(signed)
        data: dict[str, Any] = {
            "id": job.id,
            "type": job.type,
            "status": job.status,
            "input_data": json.dumps(job.input),
            "result_data": result,
            "error": job.error,
            "acknowledged": job.acknowledged,
            "source_type": job.source_type,
            "source_id": job.source_id,
        }
        data.update(job.overrides)
        return data

    # -- the HTTP side ----------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = self._fault_for(request)
        if fault is not None and fault.kind == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if fault is not None and fault.kind == "status":
            assert fault.status is not None
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            text = fault.message or f"injected {fault.status}"
            return httpx.Response(fault.status, json={"message": text}, headers=headers)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "Invalid API key")
        response = self._route(request)
        if fault is not None and fault.kind == "timeout_after":
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        return response

    def _fault_for(self, request: httpx.Request) -> Fault | None:
        for fault in self._faults:
            if fault.method == request.method and request.url.path.startswith(fault.path):
                if fault.kind == "timeout_after" and request.url.path != fault.path:
                    continue  # /v1/export/cost is not the export
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        parts = path.strip("/").split("/")
        if request.method == "POST" and path == "/v1/export":
            return self._export(request)
        if request.method == "POST" and path == "/v1/export/cost":
            return self._cost(request)
        if request.method == "GET" and path == "/v1/jobs":
            return self._list(request)
        if len(parts) == 3 and parts[:2] == ["v1", "jobs"]:
            if request.method == "GET":
                return self._get(parts[2])
            if request.method == "DELETE":
                return self._cancel(parts[2])
        return _error(404, "Not found")

    def _export(self, request: httpx.Request) -> httpx.Response:
        body, problem = _export_body(request)
        if problem:
            return _error(400, problem)
        if self.credits is not None:
            if self.credits < self.export_price:
                return _error(402, "Not enough credits for this export")
            self.credits -= self.export_price
        job = self._create(body, source_type="api", job_type="export_video")
        return httpx.Response(200, json={"data": {"job_id": job.id}})

    def _cost(self, request: httpx.Request) -> httpx.Response:
        _, problem = _export_body(request)
        if problem:
            return _error(400, problem)
        return httpx.Response(200, json={"data": {"credits": self.export_price}})

    def _list(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params
        source_type = query.get("source_type", "studio")
        found = [
            self.record(job)
            for job in reversed(self.jobs.values())  # newest first
            if job.source_type == source_type
            and query.get("project_id", job.source_id) == job.source_id
            and query.get("job_type", job.type) == job.type
            and query.get("acknowledged", _flag(job.acknowledged)) == _flag(job.acknowledged)
        ]
        if self.list_limit is not None:
            found = found[: self.list_limit]
        if source_type == "api":
            found.extend(self.raw_records)
        return httpx.Response(200, json={"data": found})

    def _get(self, job_id: str) -> httpx.Response:
        job = self.jobs.get(job_id)
        if job is not None:
            return httpx.Response(200, json={"data": self.record(job)})
        for raw in self.raw_records:
            if isinstance(raw, dict) and raw.get("id") == job_id:
                return httpx.Response(200, json={"data": raw})
        return _error(404, "Job not found")

    def _cancel(self, job_id: str) -> httpx.Response:
        job = self.jobs.get(job_id)
        if job is None:
            return _error(404, "Job not found")
        if job.status not in ACTIVE:
            return _error(400, f"Job is already {job.status} and cannot be canceled")
        job.status = "canceled"
        return httpx.Response(200, json={"data": self.record(job)})

    def _create(self, body: dict[str, Any], *, source_type: str, job_type: str) -> FakeJob:
        job_id = f"job_{next(self._ids):04d}"
        job = FakeJob(
            id=job_id,
            type=job_type,
            status="queued",
            input=body,
            source_type=source_type,
            source_id=str(body["project_id"]),
        )
        self.jobs[job_id] = job
        return job


def export_body(
    project_id: str = "prj_1", resolution: str = "1080p", codec: str = "h264"
) -> dict[str, Any]:
    """An export request as the documentation shows it."""
    return {"project_id": project_id, "settings": _settings(resolution, codec)}


def _settings(resolution: str = "1080p", codec: str = "h264") -> dict[str, Any]:
    return {"target_resolution": resolution, "codec": codec}


def _export_body(request: httpx.Request) -> tuple[dict[str, Any], str | None]:
    try:
        body = json.loads(request.content)
    except ValueError:
        return {}, "The request body is not valid JSON"
    if not isinstance(body, dict):
        return {}, "The request body must be an object"
    if not isinstance(body.get("project_id"), str) or not body["project_id"]:
        return body, "project_id is required"
    settings = body.get("settings")
    if not isinstance(settings, dict):
        return body, "settings is required"
    if settings.get("codec", "h264") not in CODECS:
        return body, f"settings.codec must be one of {', '.join(CODECS)}"
    return body, None


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"message": message})
