"""A fake Nexrender Cloud API v2: jobs, batches, templates in memory, as an httpx transport.

Built from Nexrender's own documentation (reference seeds 000-003 and render-apis.md §1):
Bearer-token auth; the job lifecycle queued → render:dorender → finished | error, with
`pending` parents of nested (`type: "job"`) assets until their children finish; cancel of
queued and pending jobs only, with the cascade rules of seed 002; `manually_cancelled`
served for jobs stored internally as `error`; batches of 1-1000 jobs with per-index errors
and `created | partial | error`; `GET /jobs` with every documented filter, `from`/`limit`
paging and `minimal=true` (no stats, no assets); ULID ids.

Where the documentation is silent the fake chooses, and says so:
- a nested job asset is `{"type": "job", "job": {<job body>}}`; a child that fails fails
  its pending parent;
- jobs carry `tags` (a list of strings: letters, digits, '-' and '_') given at creation, and
  serve them in every record, minimal ones included; `tags=a,b` matches jobs with all of them;
- records list their `children` ids; `outputUrl` is null until a job finishes;
- errors are `{"error": message, "errorCode": code}`; a job that is not cancellable answers
  409; `from_date`/`to_date` bounds are inclusive; the default `limit` is 100;
- `POST /batches/{id}/cancel` answers in full: a row per job of the batch (`jobs[{index, id,
  result, status, reason}]`) and `cancelledJobs`, the ids of every job the request
  cancelled, nested children included (plain strings, as the service sends them: the seed
  gives no record shape for them, and the rows already carry each job's state); tests can
  make it terser (`batch_cancel_detail`): rows only, showing each job's status from before
  the cancel (the seed does not say which), or counts only;
- 429 and 5xx never happen on their own: tests queue them (`fail_next`), as they queue a
  lost answer after the server acted (`timeout_after_next`).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx

BASE_URL = "https://api.nexrender.com/api/v2"
TOKEN = "nx_test_token"
STATUSES = ("queued", "pending", "render:dorender", "finished", "error", "manually_cancelled")
CANCELLABLE = frozenset({"queued", "pending"})
TERMINAL = frozenset({"finished", "error", "manually_cancelled"})
ASSET_TYPES = frozenset(
    {"text", "data", "image", "video", "audio", "static", "essential", "script", "job"}
)
SORTS = ("oldest_first", "newest_first", "random", "priority")
MAX_BATCH = 1000
_TAG = re.compile(r"^[A-Za-z0-9_-]+$")
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_EPOCH = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class _Refused(Exception):
    def __init__(self, status: int, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class FakeJob:
    """One job as the fake stores it."""

    id: str
    body: dict[str, Any]
    status: str
    created_at: datetime
    tags: list[str] = field(default_factory=list)
    progress: float = 0.0
    parent_id: str | None = None
    children: list[str] = field(default_factory=list)
    batch_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error_at: datetime | None = None
    error: str | None = None
    output_url: str | None = None


@dataclass
class Fault:
    """A failure the next matching request meets."""

    method: str | None
    path: str | None
    # "status": answer `status`; "timeout_after": handle the request, then lose the answer;
    # "connect": fail before the server sees the request.
    kind: str = "status"
    status: int = 503
    retry_after: str | None = None
    message: str = "Service Unavailable"
    # Matching requests let through untouched before the fault starts.
    after: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str
    path: str
    params: dict[str, str]


class FakeNexrenderCloud:
    """Nexrender Cloud's v2 API with state; pass `.transport()` to httpx."""

    def __init__(self, *, token: str = TOKEN, serve_tags: bool = True) -> None:
        self.token = token
        # Whether records list their tags (undocumented); False models a cloud that does not.
        self.serve_tags = serve_tags
        self.jobs: dict[str, FakeJob] = {}
        self.batches: dict[str, list[str]] = {}
        self.templates: dict[str, dict[str, Any]] = {}
        self.raw_records: list[Any] = []
        # How much a batch cancel answer tells: "full", "rows" or "counts" (see above).
        self.batch_cancel_detail = "full"
        self.calls: list[Call] = []
        self.now = _EPOCH
        self._faults: list[Fault] = []
        self._seq = 0
        self._random = random.Random(7)

    # -- driving the fake -------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this fake."""
        return httpx.MockTransport(self)

    def fail_next(
        self,
        status: int = 503,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        retry_after: str | None = None,
        message: str | None = None,
        after: int = 0,
    ) -> None:
        """The next `times` matching requests (after `after` others) get `status`."""
        text = message or httpx.codes.get_reason_phrase(status) or "error"
        for _ in range(times):
            self._faults.append(Fault(method, path, "status", status, retry_after, text, after))

    def timeout_after_next(self, method: str, path: str) -> None:
        """The next matching request is handled, then its answer is lost (a read timeout)."""
        self._faults.append(Fault(method, path, "timeout_after"))

    def disconnect_next(self, method: str | None = None, path: str | None = None) -> None:
        """The next matching request never reaches the server (a connection error)."""
        self._faults.append(Fault(method, path, "connect"))

    def add_raw(self, record: Any) -> None:
        """A record served verbatim at the end of every job listing (malformed data)."""
        self.raw_records.append(record)

    def add_job(
        self,
        body: dict[str, Any] | None = None,
        *,
        status: str = "queued",
        tags: Iterable[str] = (),
        batch_id: str | None = None,
    ) -> FakeJob:
        """A job already on the account, moved on to `status`."""
        job = self._create({**(body or _body()), "tags": list(tags)}, batch_id=batch_id)
        if status == "render:dorender":
            self.start(job.id)
        elif status == "finished":
            self.start(job.id)
            self.finish(job.id)
        elif status == "error":
            self.start(job.id)
            self.fail(job.id)
        elif status == "manually_cancelled":
            self._cancel(job)
        return job

    def start(self, job_id: str, progress: float = 0.0) -> None:
        """A worker picks a queued job up: render:dorender."""
        job = self.jobs[job_id]
        assert job.status == "queued", f"{job_id} is {job.status}, not queued"
        job.status, job.progress, job.started_at = "render:dorender", progress, self._tick()

    def set_progress(self, job_id: str, progress: float) -> None:
        """A rendering job's progress moves."""
        assert self.jobs[job_id].status == "render:dorender"
        self.jobs[job_id].progress = progress

    def finish(self, job_id: str) -> None:
        """A rendering job completes; a pending parent whose children all finished queues."""
        job = self.jobs[job_id]
        assert job.status == "render:dorender", f"{job_id} is {job.status}, not rendering"
        job.status, job.progress, job.finished_at = "finished", 100.0, self._tick()
        job.output_url = f"https://outputs.nexrender.example/{job.id}.mp4"
        parent = self.jobs.get(job.parent_id or "")
        children_done = parent and all(self.jobs[c].status == "finished" for c in parent.children)
        if parent and parent.status == "pending" and children_done:
            parent.status = "queued"

    def fail(self, job_id: str, error: str = "After Effects crashed while rendering") -> None:
        """A queued or rendering job fails; a pending parent fails with it."""
        job = self.jobs[job_id]
        assert job.status in ("queued", "render:dorender"), f"{job_id} is {job.status}"
        job.status, job.error, job.error_at = "error", error, self._tick()
        parent = self.jobs.get(job.parent_id or "")
        if parent and parent.status == "pending":
            parent.status, parent.error_at = "error", job.error_at
            parent.error = f"child job {job.id} failed: {error}"

    def add_template(
        self,
        display_name: str,
        *,
        compositions: Iterable[str] = ("Main",),
        layers: Iterable[dict[str, Any]] = (),
        status: str = "uploaded",
    ) -> str:
        """An uploaded template; returns its id."""
        template_id = self._ulid()
        self.templates[template_id] = {
            "id": template_id,
            "displayName": display_name,
            "type": "aep",
            "status": status,
            "compositions": list(compositions),
            "layers": list(layers),
            "createdAt": _iso(self._tick()),
        }
        return template_id

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests received that match (a path ending in '*' matches a prefix)."""
        probe = Fault(method, path)
        return sum(1 for c in self.calls if probe.matches(c.method, c.path))

    def statuses(self) -> dict[str, str]:
        """Every job's status, by id."""
        return {job.id: job.status for job in self.jobs.values()}

    # -- the API ------------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v2")
        params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        self.calls.append(Call(request.method, path, params))
        fault: Fault | None = None
        for candidate in self._faults:
            if not candidate.matches(request.method, path):
                continue
            if candidate.after:
                candidate.after -= 1
            elif fault is None:
                fault = candidate
        if fault is not None:
            self._faults.remove(fault)
            if fault.kind == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            if fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                body = {"error": fault.message, "errorCode": str(fault.status)}
                return _json(fault.status, body, headers=headers)
        response = self._answer(request, path, params)
        if fault is not None:  # timeout_after: the server acted, the client never hears
            raise httpx.ReadTimeout("timed out reading the answer", request=request)
        return response

    def _answer(self, request: httpx.Request, path: str, params: dict[str, str]) -> httpx.Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return _error(401, "Missing API token", "unauthorized")
        if auth.removeprefix("Bearer ") != self.token:
            return _error(401, "Invalid API token", "unauthorized")
        parts = path.strip("/").split("/")
        method = request.method
        try:
            body = json.loads(request.content) if request.content else None
        except json.JSONDecodeError:
            return _error(400, "Request body is not valid JSON")
        try:
            return self._route(method, parts, params, body)
        except _Refused as exc:
            return _error(exc.status, str(exc), exc.code)

    def _route(
        self, method: str, parts: list[str], params: dict[str, str], body: Any
    ) -> httpx.Response:
        match method, parts:
            case "GET", ["jobs"]:
                return _json(200, self._list(params))
            case "POST", ["jobs"]:
                return _json(201, self._create_answer(self._create(body)))
            case "POST", ["jobs", "cancel"]:
                return _json(200, self._cancel_many(body))
            case "GET", ["jobs", job_id]:
                return _json(200, self._record(self._job(job_id)))
            case "PATCH", ["jobs", job_id, "cancel"]:
                job = self._job(job_id)
                _check_cancellable(job)
                return _json(200, [self._record(j) for j in self._cancel(job)])
            case "POST", ["batches"]:
                return _json(201, self._create_batch(body))
            case "GET", ["batches", batch_id]:
                return _json(200, self._batch(batch_id))
            case "POST", ["batches", batch_id, "cancel"]:
                return _json(200, self._cancel_batch(batch_id))
            case "GET", ["templates"]:
                return _json(200, list(self.templates.values()))
            case "GET", ["templates", template_id]:
                if template_id not in self.templates:
                    raise _Refused(404, "Template not found", "not_found")
                return _json(200, self.templates[template_id])
        raise _Refused(404, f"No route for {method} /{'/'.join(parts)}", "not_found")

    # -- jobs ---------------------------------------------------------------------------------

    def _create(self, body: Any, *, batch_id: str | None = None) -> FakeJob:
        _validate(body)
        job = FakeJob(
            id=self._ulid(),
            body=body,
            status="queued",
            created_at=self._tick(),
            tags=list(body.get("tags") or []),
            batch_id=batch_id,
        )
        self.jobs[job.id] = job
        for asset in body.get("assets") or []:
            if asset.get("type") == "job":
                child = self._create(asset["job"], batch_id=batch_id)
                child.parent_id = job.id
                job.children.append(child.id)
        if job.children:
            job.status = "pending"
        return job

    def _create_answer(self, job: FakeJob) -> dict[str, Any]:
        return {
            "id": job.id,
            "status": job.status,
            "outputUrl": job.output_url,
            "children": [
                {"id": c, "outputUrl": None, "status": self.jobs[c].status, "missingFonts": []}
                for c in job.children
            ],
            "missingFonts": [],
        }

    def _job(self, job_id: str) -> FakeJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise _Refused(404, f"Job {job_id} not found", "not_found")
        return job

    def _list(self, params: dict[str, str]) -> list[Any]:
        start = _int(params.get("from", "0"), "from", 0, None)
        limit = _int(params.get("limit", "100"), "limit", 1, 1000)
        minimal = params.get("minimal", "false")
        if minimal not in ("true", "false"):
            raise _Refused(400, "minimal must be true or false")
        sort = params.get("sort", "oldest_first")
        if sort not in SORTS:
            raise _Refused(400, f"sort must be one of {', '.join(SORTS)}")
        states = _csv(params.get("states"))
        excluded = _csv(params.get("exclude_states"))
        tags = _csv(params.get("tags"))
        if any(not _TAG.match(t) for t in tags):
            raise _Refused(400, "tags may hold letters, digits, hyphens and underscores only")
        after = _date(params.get("from_date"), "from_date")
        before = _date(params.get("to_date"), "to_date")
        jobs = [
            j
            for j in self.jobs.values()
            if (not states or j.status in states)
            and j.status not in excluded
            and all(t in j.tags for t in tags)
            and (after is None or j.created_at >= after)
            and (before is None or j.created_at <= before)
        ]
        if sort == "newest_first":
            jobs.reverse()
        elif sort == "random":
            self._random.shuffle(jobs)
        elif sort == "priority":
            jobs.sort(key=lambda j: -_priority(j.body))
        page = [*jobs, *self.raw_records][start : start + limit]
        return [
            self._record(j, minimal=minimal == "true") if isinstance(j, FakeJob) else j
            for j in page
        ]

    def _record(self, job: FakeJob, *, minimal: bool = False) -> dict[str, Any]:
        template = job.body.get("template") or {}
        record: dict[str, Any] = {
            "id": job.id,
            "templateId": template.get("id"),
            "status": job.status,
            "progress": job.progress,
            "outputUrl": job.output_url,
        }
        if self.serve_tags:
            record["tags"] = list(job.tags)
        if job.children:
            record["children"] = list(job.children)
        if minimal:
            return record
        duration = (
            (job.finished_at - job.started_at).total_seconds()
            if job.finished_at and job.started_at
            else None
        )
        record["stats"] = {
            "createdAt": _iso(job.created_at),
            "updatedAt": _iso(job.finished_at or job.error_at or job.started_at or job.created_at),
            "startedAt": _iso(job.started_at),
            "finishedAt": _iso(job.finished_at),
            "errorAt": _iso(job.error_at),
            "totalAssets": len(job.body.get("assets") or []),
            "renderDuration": duration,
            "error": job.error,
        }
        record["assets"] = job.body.get("assets") or []
        return record

    # -- cancelling ---------------------------------------------------------------------------

    def _cancel(self, first: FakeJob) -> list[FakeJob]:
        """Cancel a job and cascade (seed 002): its children; for a child, its parent and the
        siblings waiting alongside it. Only queued and pending jobs are touched."""
        done: list[FakeJob] = []
        queue = [first]
        while queue:
            job = queue.pop(0)
            if job.status not in CANCELLABLE:
                continue
            # Stored as an error upstream; v2 answers normalize it to manually_cancelled.
            job.status, job.error, job.error_at = "manually_cancelled", "Cancelled", self._tick()
            done.append(job)
            related = [self.jobs[c] for c in job.children]
            parent = self.jobs.get(job.parent_id or "")
            if parent is not None:
                related += [parent, *(self.jobs[c] for c in parent.children)]
            queue.extend(related)
        return done

    def _cancel_many(self, body: Any) -> list[dict[str, Any]]:
        ids = body.get("jobs") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_BATCH:
            raise _Refused(400, "jobs must be an array of 1 to 1000 job ids")
        if not all(isinstance(i, str) and _ULID.match(i) for i in ids):
            raise _Refused(400, "every job id must be a ULID")
        unknown = [i for i in ids if i not in self.jobs]
        if unknown:
            raise _Refused(404, f"Jobs not found: {', '.join(unknown)}", "not_found")
        for job_id in ids:
            _check_cancellable(self.jobs[job_id])
        done: dict[str, FakeJob] = {}
        for job_id in ids:
            done.update((j.id, j) for j in self._cancel(self.jobs[job_id]))
        return [self._record(j) for j in done.values()]

    # -- batches ------------------------------------------------------------------------------

    def _create_batch(self, body: Any) -> dict[str, Any]:
        rows = body.get("jobs") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_BATCH:
            raise _Refused(400, "jobs must be an array of 1 to 1000 job configurations")
        batch_id = self._ulid()
        created: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        self.batches[batch_id] = []
        for index, row in enumerate(rows):
            try:
                job = self._create(row, batch_id=batch_id)
            except _Refused as exc:
                errors.append({"index": index, "error": str(exc), "errorCode": exc.code})
                continue
            self.batches[batch_id].append(job.id)
            created.append({"index": index, **self._create_answer(job)})
        status = "created" if not errors else "partial" if created else "error"
        answer: dict[str, Any] = {
            "batchId": batch_id,
            "status": status,
            "totalJobs": len(rows),
            "successCount": len(created),
            "jobs": created,
        }
        if errors:
            answer["errors"] = errors
        return answer

    def _batch(self, batch_id: str) -> dict[str, Any]:
        if batch_id not in self.batches:
            raise _Refused(404, "Batch not found", "not_found")
        jobs = [self.jobs[i] for i in self.batches[batch_id]]
        failed = sum(1 for j in jobs if j.status in ("error", "manually_cancelled"))
        finished = sum(1 for j in jobs if j.status == "finished")
        pending = len(jobs) - failed - finished
        status = "processing" if pending else "error" if failed == len(jobs) else "finished"
        return {
            "batchId": batch_id,
            "status": status,
            "stats": {
                "total": len(jobs),
                "finished": finished,
                "error": failed,
                "pending": pending,
            },
            "jobs": [self._record(j) for j in jobs],
        }

    def _cancel_batch(self, batch_id: str) -> dict[str, Any]:
        if batch_id not in self.batches:
            raise _Refused(404, "Batch not found", "not_found")
        rows: list[dict[str, Any]] = []
        done: dict[str, FakeJob] = {}
        for index, job_id in enumerate(self.batches[batch_id]):
            job = self.jobs[job_id]
            before = job.status
            if job.status in CANCELLABLE:
                done.update((j.id, j) for j in self._cancel(job))
            shown = before if self.batch_cancel_detail == "rows" else job.status
            row = {"index": index, "id": job_id, "status": shown, "reason": None}
            if job_id in done:
                rows.append({**row, "result": "cancelled"})
            else:
                rendering = job.status == "render:dorender"
                reason = "Job is actively rendering" if rendering else f"Job is {job.status}"
                rows.append({**row, "result": "skipped", "reason": reason})
        cancelled = sum(1 for r in rows if r["result"] == "cancelled")
        skipped = len(rows) - cancelled
        status = "unchanged" if not cancelled else "partial" if skipped else "cancelled"
        answer: dict[str, Any] = {
            "batchId": batch_id,
            "status": status,
            "totalJobs": len(rows),
            "cancelledCount": cancelled,
            "skippedCount": skipped,
        }
        if self.batch_cancel_detail in ("full", "rows"):
            answer["jobs"] = rows
        if self.batch_cancel_detail == "full":
            answer["cancelledJobs"] = list(done)
        return answer

    # -- ids and time -------------------------------------------------------------------------

    def _tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def _ulid(self) -> str:
        """Time-ordered like a real ULID: the fake clock's milliseconds, then a sequence."""
        self._seq += 1
        value = (int(self.now.timestamp() * 1000) << 80) | self._seq
        return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _validate(body: Any) -> None:
    """The documented shape of a job body; raises _Refused(400) naming the first fault."""
    if not isinstance(body, dict):
        raise _Refused(400, "a job must be an object", "validation_error")
    template = body.get("template")
    if not isinstance(template, dict) or not (
        isinstance(template.get("id"), str) or isinstance(template.get("src"), str)
    ):
        raise _Refused(400, "template.id is required", "validation_error")
    if "preview" in body and not isinstance(body["preview"], bool):
        raise _Refused(400, "preview must be a boolean", "validation_error")
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        raise _Refused(400, "tags must be letters, digits, '-' and '_'", "validation_error")
    settings = body.get("settings") or {}
    if not isinstance(settings, dict):
        raise _Refused(400, "settings must be an object", "validation_error")
    if settings.get("type", "video") not in ("video", "image", "aep"):
        raise _Refused(400, "settings.type must be video, image or aep", "validation_error")
    if settings.get("quality", "draft") not in ("draft", "full"):
        raise _Refused(400, "settings.quality must be draft or full", "validation_error")
    assets = body.get("assets", [])
    if not isinstance(assets, list):
        raise _Refused(400, "assets must be an array", "validation_error")
    for number, asset in enumerate(assets):
        if not isinstance(asset, dict) or asset.get("type") not in ASSET_TYPES:
            raise _Refused(400, f"assets[{number}].type is not valid", "validation_error")
        if asset["type"] == "job":
            _validate(asset.get("job"))


def _check_cancellable(job: FakeJob) -> None:
    if job.status not in CANCELLABLE:
        raise _Refused(
            409, f"Job {job.id} cannot be cancelled: it is {job.status}", "not_cancellable"
        )


def _error(status: int, message: str, code: str = "bad_request") -> httpx.Response:
    return _json(status, {"error": message, "errorCode": code})


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer; NaN and Infinity go out as the bare tokens some servers send."""
    content = json.dumps(data, allow_nan=True).encode()
    kind = {"Content-Type": "application/json"}
    return httpx.Response(status, content=content, headers={**kind, **(headers or {})})


def _int(value: str, name: str, low: int, high: int | None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _Refused(400, f"{name} must be an integer") from None
    if number < low or (high is not None and number > high):
        raise _Refused(400, f"{name} must be between {low} and {high or 'any'}")
    return number


def _csv(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Refused(400, f"{name} must be an ISO 8601 date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _priority(body: dict[str, Any]) -> float:
    value = body.get("priority", 0)
    return float(value) if isinstance(value, int | float) else 0.0


def _iso(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def _body(composition: str = "Main") -> dict[str, Any]:
    return {"template": {"id": "tpl-1", "composition": composition}, "assets": []}
