"""Nexrender server job records read into domain values, and its plain-text errors.

A record that breaks the shape the server gives it (no uid, a state that is not a string,
a progress that is not a number) raises UnreadableRecord, which callers turn into a problem or a
BadResponse. Times that cannot be read are left out rather than refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from render_manager.backends.records import UnreadableRecord, iso_time
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus, normalize_status

# The raw status given to a job this back-end removed. The server has no word for it (it
# simply forgets the job), and normalize_status would map an unknown word to the non-terminal
# fallback, so such jobs are built with JobStatus.CANCELLED set explicitly.
REMOVED = "removed"

# Lines of a JavaScript stack trace below the message: "    at validate (/…/job.js:56:5)".
_STACK_FRAME = re.compile(r"^\s*at\s")
# Node's prefix for a failed assert(); the message after it is what the user needs.
_ASSERTION_PREFIX = re.compile(r"^AssertionError(?: \[ERR_ASSERTION\])?:\s*")


def first_meaningful_line(text: str) -> str:
    """The message of a plain-text error or stack trace, without frames or assert boilerplate."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not _STACK_FRAME.match(stripped):
            message = _ASSERTION_PREFIX.sub("", stripped)
            return (message or stripped)[:300]
    return ""


def job_from_record(record: Mapping[str, Any], connection: str) -> Job:
    """A Job from the server's full job record."""
    uid = _text(record, "uid")
    if not uid:
        raise UnreadableRecord("the job has no uid")
    state = _state(record)
    status = normalize_status(BackendKind.NEXRENDER_SERVER, state)
    # The server stamps createdAt on insert; a record without one is still shown.
    created = _time(record, "createdAt") or datetime.now(UTC)
    return Job(
        id=uid,
        connection=connection,
        name=_name(record, uid),
        status=status,
        raw_status=state,
        created_at=created,
        progress=_progress(record, status),
        started_at=_time(record, "startedAt"),
        finished_at=_time(record, "finishedAt") or _time(record, "errorAt"),
        output=_text(record, "output") or None,
        error=_error(record.get("error")),
        tags=_tags(record.get("tags")),
    )


def expect_record(data: Any, uid: str) -> Mapping[str, Any]:
    """`data` as the record of job `uid`; UnreadableRecord if it is anything else."""
    if not isinstance(data, Mapping):
        raise UnreadableRecord(f"expected a job object, got {type(data).__name__}")
    if data.get("uid") != uid:
        raise UnreadableRecord(f"expected job {uid}, got {data.get('uid')!r}")
    return data


def removed(job: Job, error: str | None) -> Job:
    """The job as this back-end reports it once it is gone from the server."""
    # Built with the status set explicitly (not Job.from_raw): see REMOVED.
    return job.with_changes(status=JobStatus.CANCELLED, raw_status=REMOVED, error=error)


def apply_status(job: Job, entry: Mapping[str, Any]) -> Job:
    """The known job updated from its compact status entry (`GET /jobs/status`)."""
    state = _state(entry)
    status = normalize_status(BackendKind.NEXRENDER_SERVER, state)
    return job.with_changes(
        status=status,
        raw_status=state,
        progress=_progress(entry, status),
        error=_error(entry.get("error")),
        started_at=_time(entry, "startedAt") or job.started_at,
        finished_at=_time(entry, "finishedAt") or _time(entry, "errorAt") or job.finished_at,
    )


def _state(record: Mapping[str, Any]) -> str:
    state = record.get("state")
    if not isinstance(state, str) or not state:
        raise UnreadableRecord(f"state {state!r} is not a status")
    return state


def _progress(record: Mapping[str, Any], status: JobStatus) -> float:
    if status is JobStatus.FINISHED:
        # Workers send progress at most once a second; the last one may predate the end.
        return 100.0
    value = record.get("renderProgress")
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnreadableRecord(f"renderProgress {value!r} is not a number")
    return min(100.0, max(0.0, float(value)))


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _time(record: Mapping[str, Any], key: str) -> datetime | None:
    return iso_time(record.get(key))


def _name(record: Mapping[str, Any], uid: str) -> str:
    # Render Manager's job files may carry a "name"; the server keeps unknown fields.
    name = _text(record, "name").strip()
    if name:
        return name
    template = record.get("template")
    if isinstance(template, Mapping):
        composition = template.get("composition")
        if isinstance(composition, str) and composition.strip():
            return composition.strip()
    return uid


def _error(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n\n".join(str(part) for part in value) or None
    if value == {}:
        # A worker sends its JavaScript Error object, which JSON turns into {}.
        return "the worker reported an error without a message"
    return json.dumps(value)[:500]


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(part) for part in value if isinstance(part, str) and part)
    return ()
