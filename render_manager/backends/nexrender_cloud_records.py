"""Nexrender Cloud records read into domain values, defensively.

A record that breaks its documented shape (a missing id, a progress that is not a number,
a time that is not ISO 8601) raises UnreadableRecord, which callers turn into a `problem` while
the rest of a list still parses. An unknown status string is not an error: it is kept
verbatim as `raw_status` and normalized to a safe non-terminal status by the domain.

Minimal records (`minimal=true`) carry no `stats`; reading one changes only the fields it
has, so a known job keeps its times and error message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from render_manager.backends.protocol import Template, TemplateLayer
from render_manager.backends.records import UnreadableRecord, iso_time
from render_manager.domain.job import DomainError, Job
from render_manager.domain.status import BackendKind, normalize_status

KIND = BackendKind.NEXRENDER_CLOUD
# Tags this app adds to every job it creates, to find them again (see nexrender_cloud_submit.py).
CLIENT_TAG_PREFIX = "rm-"
# The most jobs one create, cancel or list request carries.
MAX_PER_REQUEST = 1000


@dataclass(frozen=True, slots=True)
class CloudRecord:
    """The readable fields of one job record: only those it carries are in `changes`."""

    id: str
    changes: dict[str, Any]
    children: tuple[str, ...] = ()


def record_id(raw: object) -> str | None:
    """The record's id if it has a readable one (to name it in a problem)."""
    if isinstance(raw, Mapping):
        value = raw.get("id")
        if isinstance(value, str) and value:
            return value
    return None


def describe(raw: object, index: int) -> str:
    """How a problem names a record: by id when it has one, else by position."""
    job_id = record_id(raw)
    return f"job {job_id}" if job_id else f"record #{index}"


def read_record(raw: object) -> CloudRecord:
    """The fields a job record carries, checked; UnreadableRecord if it is malformed."""
    if not isinstance(raw, Mapping):
        raise UnreadableRecord(f"expected an object, got {type(raw).__name__}")
    job_id = record_id(raw)
    if job_id is None:
        raise UnreadableRecord("it has no id")
    changes: dict[str, Any] = {}
    status = raw.get("status")
    if not isinstance(status, str) or not status:
        raise UnreadableRecord(f"status {status!r} is not a string")
    changes["raw_status"] = status
    changes["status"] = normalize_status(KIND, status)
    if raw.get("progress") is not None:
        changes["progress"] = _progress(raw["progress"])
    if "outputUrl" in raw:
        changes["output"] = _optional_str(raw["outputUrl"], "outputUrl")
    stats = raw.get("stats")
    if stats is not None:
        if not isinstance(stats, Mapping):
            raise UnreadableRecord(f"stats is a {type(stats).__name__}, not an object")
        _read_stats(stats, changes)
    tags = raw.get("tags")
    if tags is not None:
        changes["tags"] = tuple(
            t for t in _str_list(tags, "tags") if not t.startswith(CLIENT_TAG_PREFIX)
        )
    for key in ("batchId", "parentId"):
        if raw.get(key) is not None:
            name = "batch_id" if key == "batchId" else "parent_id"
            changes[name] = _optional_str(raw[key], key)
    return CloudRecord(job_id, changes, _children(raw.get("children")))


def client_tags(raw: object) -> tuple[str, ...] | None:
    """This app's own tags on a record, or None when the record carries no tag list."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("tags"), list):
        return None
    return tuple(t for t in raw["tags"] if isinstance(t, str) and t.startswith(CLIENT_TAG_PREFIX))


def record_name(raw: object) -> str | None:
    """A display name a record suggests: its name, composition or template id."""
    if not isinstance(raw, Mapping):
        return None
    template = raw.get("template")
    candidates = [
        raw.get("name"),
        template.get("composition") if isinstance(template, Mapping) else None,
        raw.get("templateId"),
    ]
    return next((c for c in candidates if isinstance(c, str) and c), None)


def body_name(body: Mapping[str, Any]) -> str | None:
    """A display name from a job body: its template's composition or template id."""
    template = body.get("template")
    if isinstance(template, Mapping):
        for key in ("composition", "id", "src"):
            value = template.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def new_job(
    record: CloudRecord,
    *,
    connection: str,
    name: str,
    now: datetime,
    **defaults: Any,
) -> Job:
    """A job first seen in `record`; `defaults` fill fields the record does not carry."""
    fields = {**defaults, **record.changes}
    fields.setdefault("created_at", now)
    try:
        return Job(id=record.id, connection=connection, name=name, **fields)
    except (DomainError, TypeError) as exc:
        raise UnreadableRecord(str(exc)) from None


def merged(job: Job, record: CloudRecord) -> Job:
    """A known job updated with what the record says (fields it lacks stay as they were)."""
    changes = dict(record.changes)
    if changes.get("created_at") is None:
        changes.pop("created_at", None)
    try:
        return job.with_changes(**changes)
    except (DomainError, TypeError) as exc:
        raise UnreadableRecord(str(exc)) from None


def job_from_raw(
    raw: object, *, connection: str, now: datetime, known: Mapping[str, Job] | None = None
) -> Job:
    """One record as a Job: merged into the caller's copy if known, else a new job."""
    return _job_of(read_record(raw), raw, connection=connection, now=now, known=known)


def _job_of(
    record: CloudRecord,
    raw: object,
    *,
    connection: str,
    now: datetime,
    known: Mapping[str, Job] | None,
) -> Job:
    if known is not None and record.id in known:
        return merged(known[record.id], record)
    name = record_name(raw) or f"Nexrender job {record.id}"
    return new_job(record, connection=connection, name=name, now=now)


def jobs_from_list(
    items: Iterable[object],
    *,
    connection: str,
    now: datetime,
    known: Mapping[str, Job] | None = None,
) -> tuple[list[Job], list[str]]:
    """Every readable record of a list as a Job (children get their parent), and problems."""
    jobs: list[Job] = []
    problems: list[str] = []
    parents: dict[str, str] = {}
    for index, raw in enumerate(items):
        try:
            record = read_record(raw)
            jobs.append(_job_of(record, raw, connection=connection, now=now, known=known))
        except UnreadableRecord as exc:
            problems.append(f"{describe(raw, index)}: {exc}")
        else:
            parents.update((child, record.id) for child in record.children)
    return with_parents(jobs, parents), problems


def with_parents(jobs: list[Job], parents: Mapping[str, str]) -> list[Job]:
    """Jobs whose parent a `children` list revealed get their parent_id set."""
    return [
        j.with_changes(parent_id=parents[j.id]) if j.parent_id is None and j.id in parents else j
        for j in jobs
    ]


def created_jobs(
    entry: object,
    *,
    connection: str,
    name: str,
    now: datetime,
    batch_id: str | None,
    tags: tuple[str, ...],
) -> list[Job]:
    """The jobs a create answer (`POST /jobs`, or a row of `POST /batches`) reports.

    Nested children come first and the row's own job last, each child with its parent_id.
    """
    record = read_record(entry)
    defaults: dict[str, Any] = {"batch_id": batch_id, "tags": tags}
    parent = new_job(record, connection=connection, name=name, now=now, **defaults)
    raw_children = entry.get("children") if isinstance(entry, Mapping) else None
    children: list[Job] = []
    for number, raw_child in enumerate(raw_children or [], start=1):
        child = read_record(raw_child) if isinstance(raw_child, Mapping) else None
        if child is None:
            continue  # a bare id: the child appears with its record on the next refresh
        children.append(
            new_job(
                child,
                connection=connection,
                name=f"{name} / child {number}",
                now=now,
                parent_id=parent.id,
                **defaults,
            )
        )
    return [*children, parent]


def read_template(raw: object) -> Template:
    """One template record; UnreadableRecord if it has no id."""
    template_id = record_id(raw)
    if template_id is None or not isinstance(raw, Mapping):
        raise UnreadableRecord("a template without an id")
    name = next(
        (v for k in ("displayName", "name") if isinstance(v := raw.get(k), str) and v),
        template_id,
    )
    compositions: list[str] = []
    for item in raw.get("compositions") or []:
        value = item.get("name") if isinstance(item, Mapping) else item
        if isinstance(value, str) and value:
            compositions.append(value)
    layers: list[TemplateLayer] = []
    for item in raw.get("layers") or []:
        if not isinstance(item, Mapping):
            continue
        layer = next(
            (v for k in ("layerName", "name") if isinstance(v := item.get(k), str) and v), None
        )
        if layer is None:
            continue
        comp = item.get("composition", item.get("comp"))
        kind = item.get("type")
        layers.append(
            TemplateLayer(
                layer,
                comp if isinstance(comp, str) else None,
                kind if isinstance(kind, str) else None,
            )
        )
    status = raw.get("status")
    kind = raw.get("type")
    return Template(
        id=template_id,
        name=name,
        raw_status=status if isinstance(status, str) else None,
        type=kind if isinstance(kind, str) else None,
        compositions=tuple(compositions),
        layers=tuple(layers),
    )


def _read_stats(stats: Mapping[str, Any], changes: dict[str, Any]) -> None:
    created = _time(stats.get("createdAt"), "createdAt")
    if created is not None:
        changes["created_at"] = created
    if "startedAt" in stats:
        changes["started_at"] = _time(stats["startedAt"], "startedAt")
    finished = _time(stats.get("finishedAt"), "finishedAt")
    failed = _time(stats.get("errorAt"), "errorAt")
    if "finishedAt" in stats or "errorAt" in stats:
        changes["finished_at"] = finished or failed
    if "error" in stats:
        changes["error"] = _optional_str(stats["error"], "stats.error")


def _progress(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnreadableRecord(f"progress {value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise UnreadableRecord(f"progress {value!r} is not a finite number")
    # The documented range is 0.0-100.0; rounding noise just outside it is clamped.
    return min(100.0, max(0.0, number))


def _time(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    parsed = iso_time(value)
    if parsed is None:
        raise UnreadableRecord(f"{name} {value!r} is not an ISO 8601 time")
    return parsed


def _optional_str(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise UnreadableRecord(f"{name} {value!r} is not a string")


def _str_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UnreadableRecord(f"{name} is not a list of strings")
    return value


def _children(value: object) -> tuple[str, ...]:
    """Child job ids: a list of ids or of child objects with an id."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise UnreadableRecord("children is not a list")
    ids: list[str] = []
    for item in value:
        child = item if isinstance(item, str) else record_id(item)
        if not child:
            raise UnreadableRecord("a child has no id")
        ids.append(child)
    return tuple(ids)
