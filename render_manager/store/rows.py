"""Conversions between domain objects and SQLite rows."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import EngineSettings
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus

JOB_COLUMNS = (
    "id, connection, batch_id, parent_id, name, status, raw_status, progress, "
    "created_at, started_at, finished_at, output, error, tags"
)

# Jobs as read back: the columns of `jobs` (alias j) and the live render detail the local
# engine keeps in `local_jobs` (alias l; NULL for remote jobs, thanks to the LEFT JOIN).
# The detail is never written through `jobs`: only the engine's set_progress writes it.
JOB_SELECT = (
    f"SELECT {', '.join('j.' + c.strip() for c in JOB_COLUMNS.split(','))}, "
    "l.frames_done, l.total_frames, l.eta_seconds "
    "FROM jobs j LEFT JOIN local_jobs l ON l.job_id = j.id"
)
_N_JOB_COLUMNS = len(JOB_COLUMNS.split(","))


def now_iso() -> str:
    """The current time as a timezone-aware ISO 8601 string."""
    return datetime.now(UTC).isoformat()


def to_iso(value: datetime | None) -> str | None:
    """A datetime as UTC ISO 8601 text (None stays None).

    Always UTC, so the text sorts in time order whatever offset the back-end reported.
    """
    return None if value is None else value.astimezone(UTC).isoformat()


def from_iso(value: str | None) -> datetime | None:
    """ISO 8601 text back to an aware datetime (None stays None)."""
    return None if value is None else datetime.fromisoformat(value)


def job_params(job: Job) -> tuple[object, ...]:
    """The values of a job, in JOB_COLUMNS order."""
    return (
        job.id,
        job.connection,
        job.batch_id,
        job.parent_id,
        job.name,
        job.status.value,
        job.raw_status,
        0.0 if job.progress is None else job.progress,
        to_iso(job.created_at),
        to_iso(job.started_at),
        to_iso(job.finished_at),
        job.output,
        job.error,
        json.dumps(list(job.tags)),
    )


def job_from_row(row: sqlite3.Row | tuple[object, ...]) -> Job:
    """A job from a row selected with JOB_SELECT, or with JOB_COLUMNS alone.

    A JOB_COLUMNS row carries no render detail: frames and ETA are then None.
    """
    values = tuple(row)
    frames_done, total_frames, eta_seconds = values[_N_JOB_COLUMNS:] or (None, None, None)
    (
        id_,
        connection,
        batch_id,
        parent_id,
        name,
        status,
        raw_status,
        progress,
        created_at,
        started_at,
        finished_at,
        output,
        error,
        tags,
    ) = values[:_N_JOB_COLUMNS]
    created = from_iso(str(created_at))
    assert created is not None
    return Job(
        id=str(id_),
        connection=str(connection),
        batch_id=_opt(batch_id),
        parent_id=_opt(parent_id),
        name=str(name),
        status=JobStatus(str(status)),
        raw_status=str(raw_status),
        progress=_progress(status, progress, frames_done, total_frames),
        created_at=created,
        started_at=from_iso(_opt(started_at)),
        finished_at=from_iso(_opt(finished_at)),
        output=_opt(output),
        error=_opt(error),
        tags=tuple(json.loads(str(tags))),
        frames_done=_opt_int(frames_done),
        total_frames=_opt_int(total_frames),
        eta_seconds=_opt_float(eta_seconds),
    )


CONNECTION_COLUMNS = "name, kind, url, aerender, concurrency, extra_args, engine_settings"
# A remote option kept in the engine_settings column (see _settings_json).
_TEAM_VIEW = "team_view"


def connection_params(conn: Connection) -> tuple[object, ...]:
    """The values of a connection, in CONNECTION_COLUMNS order."""
    return (
        conn.name,
        conn.kind.value,
        conn.url,
        conn.aerender,
        conn.concurrency,
        json.dumps(list(conn.extra_args)),
        json.dumps(_settings_json(conn)),
    )


def _settings_json(conn: Connection) -> dict[str, object]:
    """The settings column: the engine's settings, plus remote options where set.

    Remote options share the column (no migration); EngineSettings ignores keys it does not
    know, so older versions read it unharmed.
    """
    data: dict[str, object] = conn.engine.to_json()
    if conn.team_view:
        data[_TEAM_VIEW] = True
    return data


def connection_from_row(row: tuple[object, ...]) -> Connection:
    """A connection from a row selected with CONNECTION_COLUMNS."""
    name, kind, url, aerender, concurrency, extra_args, engine_settings = row
    settings = json.loads(str(engine_settings))
    team_view = settings.pop(_TEAM_VIEW, False) is True
    return Connection(
        name=str(name),
        kind=BackendKind(str(kind)),
        url=_opt(url),
        aerender=_opt(aerender),
        concurrency=None if concurrency is None else int(concurrency),  # type: ignore[call-overload]
        extra_args=tuple(json.loads(str(extra_args))),
        engine=EngineSettings.from_json(settings),
        team_view=team_view,
    )


def _progress(
    status: object, progress: object, frames_done: object, total_frames: object
) -> float | None:
    # The local engine keeps an unknown share as frames counted without a total (see
    # LocalJobRepository.set_progress); a finished job is complete whatever it counted.
    if frames_done is not None and total_frames is None and status != JobStatus.FINISHED:
        return None
    return float(progress)  # type: ignore[arg-type]


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _opt_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
