"""Nexrender Cloud submission: jobs sent in chunks of up to 1000, never created twice.

Every body is sent with two tags added: one for the whole submission (`rm-<hex>`) and one
for its row (`rm-<hex>-<row>`). POSTs are never retried by the HTTP layer. When a POST's
outcome is unknown (a timeout, a reset, a 5xx or 429 answer, or an answer that cannot be
read), the submission's jobs are listed by their tag (`GET /jobs?tags=rm-<hex>&minimal=true`)
and every row found there is reported as created. A row not found is reported as an error
and is *not* re-sent: a request that timed out may still be running at the server, so no
re-send is provably safe; the user decides. Rows are matched by their row tag when list
records carry `tags`; if they do not, each missing row is looked up by its own row tag. The
app's `rm-` tags are left off `Job.tags`.

Several chunks of a large submission get several batch ids: the outcome carries the
first, and every job carries its own chunk's id in `Job.batch_id`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

from render_manager.backends.errors import (
    BackendError,
    BadRequest,
    BadResponse,
    JobGone,
    NoCredits,
    NotAllowed,
    TokenRejected,
    Unavailable,
)
from render_manager.backends.http import Http
from render_manager.backends.nexrender_cloud_records import (
    CLIENT_TAG_PREFIX,
    MAX_PER_REQUEST,
    body_name,
    client_tags,
    created_jobs,
    job_from_raw,
)
from render_manager.backends.protocol import SubmitOutcome
from render_manager.backends.records import UnreadableRecord
from render_manager.domain.job import Job

# Every job record `GET /jobs` lists under the given filters, all pages followed.
ListRecords = Callable[[Mapping[str, str]], Awaitable[list[object]]]

# Errors about the connection itself: sending more would fail the same way.
_CONNECTION_ERRORS = (TokenRejected, NoCredits, NotAllowed)


@dataclass(frozen=True, slots=True)
class _Row:
    row: int
    body: dict[str, Any]
    name: str
    tag: str


@dataclass(slots=True)
class _Chunk:
    """What one create request settled, and the rows whose fate it left unknown."""

    batch_id: str | None = None
    jobs: list[tuple[int, Job]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unresolved: list[_Row] = field(default_factory=list)
    reason: str = ""
    # Rows among `errors` that could not be looked up: they may exist.
    unknown: list[int] = field(default_factory=list)


async def submit_many(
    http: Http,
    bodies: Sequence[Mapping[str, Any]],
    *,
    batch_name: str | None,
    list_records: ListRecords,
) -> SubmitOutcome:
    """Create jobs over `http`: one body with `POST /jobs`, more with `POST /batches` per
    1000; `list_records` finds the jobs of a request whose outcome is unknown."""
    submission = f"{CLIENT_TAG_PREFIX}{uuid.uuid4().hex[:16]}"
    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    for row, body in enumerate(bodies):
        if isinstance(cast(object, body), Mapping):
            rows.append(_prepare(body, row, submission, batch_name, len(bodies)))
        else:
            errors.append((row, "a job body must be a JSON object"))
    jobs: list[tuple[int, Job]] = []
    batch_ids: list[str] = []
    unknown: set[int] = set()
    stop: str | None = None
    single = len(bodies) == 1
    for start in range(0, len(rows), MAX_PER_REQUEST):
        chunk_rows = rows[start : start + MAX_PER_REQUEST]
        if stop is not None:
            errors.extend((r.row, f"not sent: {stop}") for r in chunk_rows)
            continue
        try:
            chunk = await _create(http, chunk_rows, single=single)
        except _CONNECTION_ERRORS as exc:
            if not jobs:
                raise
            stop = str(exc)
            errors.extend((r.row, f"not created: {exc}") for r in chunk_rows)
            continue
        except (BadRequest, JobGone) as exc:
            errors.extend((r.row, str(exc)) for r in chunk_rows)
            continue
        except (Unavailable, BadResponse) as exc:
            chunk = _Chunk(unresolved=chunk_rows, reason=str(exc))
        if chunk.unresolved:
            stop = await _reconcile(http.connection, list_records, submission, chunk)
        if chunk.batch_id:
            batch_ids.append(chunk.batch_id)
        jobs.extend(chunk.jobs)
        errors.extend(chunk.errors)
        unknown.update(chunk.unknown)
    jobs.sort(key=lambda pair: pair[0])
    errors.sort(key=lambda pair: pair[0])
    status: Literal["created", "partial", "error"] = (
        "created" if not errors else "error" if not jobs else "partial"
    )
    return SubmitOutcome(
        status, batch_ids[0] if batch_ids else None, jobs, errors, frozenset(unknown)
    )


async def _create(http: Http, rows: list[_Row], *, single: bool) -> _Chunk:
    """One create request; rows its answer does not settle are left unresolved."""
    name = http.connection
    now = datetime.now(UTC)
    chunk = _Chunk(reason="the server's answer did not mention this job")
    if single:
        entry = await http.json("POST", "jobs", safe=False, json_body=rows[0].body)
        entries: list[tuple[_Row, object]] = [(rows[0], entry)]
    else:
        bodies = {"jobs": [r.body for r in rows]}
        data = await http.json("POST", "batches", safe=False, json_body=bodies)
        if not isinstance(data, Mapping):
            raise BadResponse(f"{name}: the batch answer is not an object")
        batch_id = data.get("batchId")
        chunk.batch_id = batch_id if isinstance(batch_id, str) and batch_id else None
        entries = [(rows[i], e) for i, e in _indexed(data.get("jobs"), len(rows))]
        for i, entry in _indexed(data.get("errors"), len(rows)):
            chunk.errors.append((rows[i].row, _error_text(entry)))
    settled = {r.row for r, _ in entries} | {row for row, _ in chunk.errors}
    for row, entry in entries:
        try:
            made = created_jobs(
                entry,
                connection=name,
                name=row.name,
                now=now,
                batch_id=chunk.batch_id,
                tags=_user_tags(row.body),
            )
        except UnreadableRecord as exc:
            chunk.unresolved.append(row)
            chunk.reason = f"the server's answer could not be read ({exc})"
            continue
        chunk.jobs.extend((row.row, job) for job in made)
    chunk.unresolved.extend(r for r in rows if r.row not in settled)
    return chunk


async def _reconcile(
    connection: str, list_records: ListRecords, submission: str, chunk: _Chunk
) -> str | None:
    """Settle rows whose create outcome is unknown by listing the submission's tag.

    Returns why sending should stop, if the server could not be asked.
    """
    rows = {r.tag: r for r in chunk.unresolved}
    found: dict[int, object] = {}
    try:
        records = await list_records({"tags": submission})
        untagged = False
        for raw in records:
            tags = client_tags(raw)
            untagged = untagged or tags is None
            row = next((rows[t] for t in tags or () if t in rows), None)
            if row is not None:
                found.setdefault(row.row, raw)
        if untagged:
            for tag, row in rows.items():
                if row.row not in found:
                    hits = await list_records({"tags": tag})
                    if hits:
                        found[row.row] = hits[0]
    except BackendError as exc:
        chunk.errors.extend(
            (
                r.row,
                f"{chunk.reason}; whether it was created is unknown (checking failed: "
                f"{exc}); look for tag {r.tag} before submitting it again",
            )
            for r in chunk.unresolved
        )
        chunk.unknown.extend(r.row for r in chunk.unresolved)
        return f"the server stopped answering ({exc})"
    now = datetime.now(UTC)
    for row in chunk.unresolved:
        raw = found.get(row.row)
        try:
            if raw is None:
                raise UnreadableRecord("not found")
            job = job_from_raw(raw, connection=connection, now=now)
        except UnreadableRecord:
            chunk.errors.append(
                (row.row, f"not created ({chunk.reason}); checked with the server, not re-sent")
            )
            continue
        fixed = job.with_changes(name=row.name, tags=job.tags or _user_tags(row.body))
        chunk.jobs.append((row.row, fixed))
    return None


def _prepare(
    body: Mapping[str, Any], row: int, submission: str, batch_name: str | None, count: int
) -> _Row:
    data = dict(body)
    hint = data.pop("name", None)  # this app's display name; the API has no such field
    if isinstance(hint, str) and hint.strip():
        name = hint.strip()
    elif batch_name:
        name = batch_name if count == 1 else f"{batch_name} #{row + 1}"
    else:
        name = body_name(data) or "Nexrender job"
    tag = f"{submission}-{row}"
    tags = data.get("tags")
    user = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    data["tags"] = [*user, submission, tag]
    return _Row(row, data, name, tag)


def _user_tags(body: Mapping[str, Any]) -> tuple[str, ...]:
    tags = body.get("tags")
    if not isinstance(tags, list):
        return ()
    return tuple(t for t in tags if isinstance(t, str) and not t.startswith(CLIENT_TAG_PREFIX))


def _indexed(items: object, size: int) -> list[tuple[int, Mapping[str, Any]]]:
    """Entries of a batch answer with a valid `index` into the request's jobs."""
    if not isinstance(items, list):
        return []
    found: list[tuple[int, Mapping[str, Any]]] = []
    for entry in items:
        if isinstance(entry, Mapping):
            index = entry.get("index")
            if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < size:
                found.append((index, entry))
    return found


def _error_text(entry: Mapping[str, Any]) -> str:
    message = entry.get("error")
    code = entry.get("errorCode")
    text = message if isinstance(message, str) and message else "the server refused this job"
    return f"{text} ({code})" if isinstance(code, str) and code else text
