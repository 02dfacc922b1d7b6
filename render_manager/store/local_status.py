"""How a local job's status change is written: the `jobs` row, its `local_jobs` detail, the event.

`LocalJobRepository` decides when a change is committed (now, or grouped with others);
this module knows only what one change writes, inside a transaction it is given.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from render_manager.domain.status import BackendKind, LocalStatus, normalize_status
from render_manager.store.events import append_event


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One change of a local job's raw status, and what goes with it.

    `error` and `output` None keep what the job had (unless `reset`). `started` stamps the
    start of a run, `attempt` counts it as one more run, and `reset` puts the job back to
    how it was queued (no error, start time, progress or frames).
    """

    job_id: str
    status: LocalStatus
    error: str | None = None
    output: str | None = None
    started: bool = False
    attempt: bool = False
    reset: bool = False


def write_status(sql: sqlite3.Connection, seq: int, change: StatusChange) -> None:
    """Write `change` to a job that exists, stamped with change number `seq`.

    A status the job did not have, or any end, is logged as a `job.status` event.
    """
    job_id, status, reset = change.job_id, change.status, change.reset
    normalized = normalize_status(BackendKind.LOCAL, status.value)
    now = datetime.now(UTC).isoformat()
    previous = sql.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
    sql.execute(
        "UPDATE jobs SET raw_status = ?, status = ?, updated_seq = ?, "
        "error = CASE WHEN ? THEN NULL ELSE COALESCE(?, error) END, "
        "output = COALESCE(?, output), "
        "started_at = CASE WHEN ? THEN ? WHEN ? THEN NULL ELSE started_at END, "
        "finished_at = CASE WHEN ? THEN ? ELSE NULL END, "
        "progress = CASE WHEN ? THEN 100.0 WHEN ? THEN 0.0 ELSE progress END "
        "WHERE id = ?",
        (
            status.value,
            normalized.value,
            seq,
            reset,
            change.error,
            change.output,
            change.started,
            now,
            reset,
            normalized.is_terminal,
            now,
            status is LocalStatus.FINISHED,
            reset,
            job_id,
        ),
    )
    if reset:
        # A requeued job starts over: the frames of the run before are not its progress.
        sql.execute(
            "UPDATE local_jobs SET frames_done = NULL, total_frames = NULL WHERE job_id = ?",
            (job_id,),
        )
    if normalized.is_terminal or reset:
        sql.execute(
            "UPDATE local_jobs SET cancel_requested = 0, stop_to = NULL, pid = NULL, "
            "pid_started_at = NULL, eta_seconds = NULL WHERE job_id = ?",
            (job_id,),
        )
    if previous != normalized.value or normalized.is_terminal:
        append_event(
            sql,
            "job.status",
            job_id=job_id,
            data={
                "status": normalized.value,
                "raw_status": status.value,
                "previous": previous,
                "error": change.error,
            },
        )
    if change.attempt:
        sql.execute("UPDATE local_jobs SET attempts = attempts + 1 WHERE job_id = ?", (job_id,))
