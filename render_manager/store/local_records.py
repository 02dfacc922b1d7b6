"""What the store keeps of a local job beyond its `jobs` row, and how it reads back.

`LOCAL_SELECT` joins a job's row with its `local_jobs` detail; `record_from_row` turns one
such row into a `LocalJobRecord`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from render_manager.domain.job import Job
from render_manager.domain.local_job_rules import LocalJobType, RenderRoute
from render_manager.store.rows import JOB_COLUMNS, job_from_row


@dataclass(frozen=True, slots=True)
class LocalJobRecord:
    """A local job with what the engine needs to run it."""

    job: Job
    job_type: LocalJobType
    spec: dict[str, Any]
    priority: int
    work_dir: str
    log_path: str | None
    pid: int | None
    pid_started_at: float | None
    attempts: int
    cancel_requested: bool
    frames_done: int | None
    total_frames: int | None
    eta_seconds: float | None
    warnings: tuple[str, ...]
    # How the render reached aerender (`RenderRoute`); None until the job was staged.
    route: RenderRoute | None = None
    # The earliest it may start (seconds since the epoch); None: as soon as its turn comes.
    not_before: float | None = None


@dataclass(frozen=True, slots=True)
class NewLocalJob:
    """A job to queue: its row, its type, spec and work folder."""

    job: Job
    job_type: LocalJobType
    spec: dict[str, Any]
    work_dir: str
    priority: int = 0
    not_before: float | None = None


N_JOB_COLUMNS = len(JOB_COLUMNS.split(","))
_LOCAL_COLUMNS = (
    "l.job_type, l.spec, l.priority, l.work_dir, l.log_path, l.pid, l.pid_started_at, "
    "l.attempts, l.cancel_requested, l.frames_done, l.total_frames, l.eta_seconds, l.warnings, "
    "l.route, l.not_before"
)
# Local jobs only (an inner join): the columns `record_from_row` reads, in its order.
LOCAL_SELECT = (
    f"SELECT {', '.join('j.' + c.strip() for c in JOB_COLUMNS.split(','))}, {_LOCAL_COLUMNS} "
    "FROM jobs j JOIN local_jobs l ON l.job_id = j.id"
)


def record_from_row(row: Sequence[Any]) -> LocalJobRecord:
    """The record of one row read with `LOCAL_SELECT`."""
    job = job_from_row(tuple(row[:N_JOB_COLUMNS]))
    (
        job_type,
        spec,
        priority,
        work_dir,
        log_path,
        pid,
        pid_started_at,
        attempts,
        cancel,
        frames_done,
        total_frames,
        eta,
        warnings,
        route,
        not_before,
    ) = row[N_JOB_COLUMNS:]
    return LocalJobRecord(
        job=job,
        job_type=LocalJobType(job_type),
        spec=json.loads(spec),
        priority=priority,
        work_dir=work_dir,
        log_path=log_path,
        pid=pid,
        pid_started_at=pid_started_at,
        attempts=attempts,
        cancel_requested=bool(cancel),
        frames_done=frames_done,
        total_frames=total_frames,
        eta_seconds=eta,
        warnings=tuple(json.loads(warnings)),
        route=None if route is None else RenderRoute(route),
        not_before=not_before,
    )
