"""Rendley job records read into domain values, defensively.

A job's `input_data` and `result_data` are JSON *strings*; a bad one is a note on the
record, never a crash. A record without an id or a status raises UnreadableRecord, which callers
turn into a problem while the rest of a list is still read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from render_manager.backends.records import UnreadableRecord, iso_time
from render_manager.domain.job import DomainError, Job
from render_manager.domain.status import BackendKind, JobStatus, normalize_status

KIND = BackendKind.RENDLEY


@dataclass(frozen=True, slots=True)
class Record:
    """One job as Rendley sent it, with its JSON strings decoded."""

    id: str
    raw_status: str
    type: str | None
    input: dict[str, Any] | None
    output: str | None
    error: str | None
    created_at: datetime | None
    notes: tuple[str, ...]

    @classmethod
    def parse(cls, raw: object) -> Record:
        if not isinstance(raw, dict):
            raise UnreadableRecord(f"expected a job object, got {type(raw).__name__}")
        job_id = raw.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise UnreadableRecord("the job has no id")
        raw_status = raw.get("status")
        if not isinstance(raw_status, str):
            raise UnreadableRecord(f"job {job_id} has no status")
        notes: list[str] = []
        job_type = raw.get("type")
        job_input, _ = _decode(raw.get("input_data"), "input_data")
        result, why = _decode(raw.get("result_data"), "result_data")
        output = result.get("storage_url") if result else None
        if not isinstance(output, str) or not output:
            output = None
        error = raw.get("error")
        if error is not None and not isinstance(error, str):
            error = json.dumps(error)[:300]
        if raw_status == "completed" and output is None:
            note = f"Rendley finished the job but {why or 'its result has no storage_url'}"
            notes.append(note)
            error = error or note
        return cls(
            id=job_id,
            raw_status=raw_status,
            type=job_type if isinstance(job_type, str) else None,
            input=job_input,
            output=output,
            error=error or None,
            created_at=iso_time(raw.get("created_at", raw.get("createdAt"))),
            notes=tuple(notes),
        )

    def to_job(self, connection: str, *, known: Job | None, now: datetime) -> Job:
        """A Job from this record; for a job already known, only what Rendley reports changes.

        Rendley documents no timestamps: start and finish are the times they were first seen.
        """
        finished = self.raw_status == "completed"
        fields: dict[str, Any] = {
            "raw_status": self.raw_status,
            "output": self.output,
            "error": self.error,
            "progress": 100.0 if finished else 0.0,
        }
        try:
            if known is not None:
                job = known.with_changes(status=normalize_status(KIND, self.raw_status), **fields)
            else:
                job = Job.from_raw(
                    kind=KIND,
                    id=self.id,
                    connection=connection,
                    name=job_name(self.input, self.id, self.type),
                    created_at=self.created_at or now,
                    tags=(self.type,) if self.type else (),
                    **fields,
                )
        except DomainError as exc:  # pragma: no cover - every field is checked above
            raise UnreadableRecord(str(exc)) from None
        if job.status is JobStatus.RENDERING and job.started_at is None:
            job = job.with_changes(started_at=now)
        if job.is_terminal and job.finished_at is None:
            job = job.with_changes(finished_at=now)
        return job


def _decode(value: object, field: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON-string field (`input_data`, `result_data`) as an object, or None and why not."""
    if value is None:
        return None, f"it sent no {field}"
    if isinstance(value, dict):
        return value, None  # already an object: accept it
    if not isinstance(value, str):
        return None, f"its {field} is a {type(value).__name__}, not a JSON string"
    try:
        decoded = json.loads(value)
    except ValueError:
        return None, f"its {field} is not valid JSON"
    if not isinstance(decoded, dict):
        return None, f"its {field} is not a JSON object"
    return decoded, None


def contains(found: object, wanted: object) -> bool:
    """True if `found` carries everything in `wanted` (the server may add defaults)."""
    if isinstance(wanted, Mapping):
        return isinstance(found, Mapping) and all(
            key in found and contains(found[key], value) for key, value in wanted.items()
        )
    return found == wanted


def project_id(body: object) -> str | None:
    """The export's `project_id`, if it is a non-empty string."""
    project = body.get("project_id") if isinstance(body, Mapping) else None
    return project if isinstance(project, str) and project else None


def job_name(body: Mapping[str, Any] | None, job_id: str, job_type: str | None = None) -> str:
    """A readable name: the project and its export settings, e.g. `prj_123 (1080p, h264)`."""
    project = project_id(body)
    if project is None or body is None:
        return job_type or job_id
    settings = body.get("settings")
    details = []
    if isinstance(settings, Mapping):
        details = [str(settings[key]) for key in ("target_resolution", "codec") if key in settings]
    return f"{project} ({', '.join(details)})" if details else project
