"""Pausing and resuming local jobs in the store, from any process sharing the home.

A queued job is paused at once (raw status `paused`: the engine's claim takes only queued
jobs, so it is never started); resuming puts it back to `queued` under its old priority and
submission number, so it keeps its place. A running job is only flagged (`stop_to`): the
engine running it stops the render and puts the job back itself (`LocalJobRepository.hold`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from enum import StrEnum

from render_manager.domain.status import LocalStatus, is_local_running
from render_manager.store.connections import ConnectionRepository
from render_manager.store.database import Database
from render_manager.store.events import append_event
from render_manager.store.jobs import bump_change_seq
from render_manager.store.local_status import StatusChange, write_status


class PauseRequest(StrEnum):
    """What asking to pause (or resume) one local job did."""

    DONE = "done"
    """It was queued (paused) and is paused (queued) now."""
    STOP_REQUESTED = "stop-requested"
    """It runs: the engine running it was asked to stop it and hold it."""
    REFUSED = "refused"
    """Its status changed meanwhile: nothing was done."""
    UNKNOWN = "unknown"
    """There is no such job."""


class LocalPauseRepository:
    """Pause and resume local jobs; every change is one short transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connections = ConnectionRepository(db)

    def set_queue_paused(self, connection: str, paused: bool) -> bool:
        """Pause or resume a connection's queue; False if it was so already.
        Raises UnknownConnection."""
        return self._connections.set_paused(connection, paused)

    def pause(self, job_id: str, *, stop_running: bool) -> PauseRequest:
        """Hold a queued job; with `stop_running`, flag a running one for its engine."""
        with self._db.write() as sql:
            row = sql.execute("SELECT raw_status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return PauseRequest.UNKNOWN
            if row[0] == LocalStatus.QUEUED:
                write_status(sql, bump_change_seq(sql), StatusChange(job_id, LocalStatus.PAUSED))
                return PauseRequest.DONE
            if stop_running and is_local_running(row[0]):
                self._flag(sql, job_id, LocalStatus.PAUSED)
                return PauseRequest.STOP_REQUESTED
            return PauseRequest.REFUSED

    def resume(self, job_id: str) -> PauseRequest:
        """Put a paused job back in the queue, in its old place."""
        with self._db.write() as sql:
            row = sql.execute("SELECT raw_status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return PauseRequest.UNKNOWN
            if row[0] != LocalStatus.PAUSED:
                return PauseRequest.REFUSED
            write_status(sql, bump_change_seq(sql), StatusChange(job_id, LocalStatus.QUEUED))
            return PauseRequest.DONE

    def requeue_running(self, connection: str) -> list[str]:
        """Flag every running job of the connection to be stopped and put back in the
        queue (a paused connection's `--stop-running`); returns their ids."""
        marks = ", ".join("?" * 3)
        with self._db.write() as sql:
            rows = sql.execute(
                f"SELECT id FROM jobs WHERE connection = ? AND raw_status IN ({marks})",
                (connection, LocalStatus.STAGING, LocalStatus.RENDERING, LocalStatus.ENCODING),
            ).fetchall()
            ids = [r[0] for r in rows]
            for job_id in ids:
                self._flag(sql, job_id, LocalStatus.QUEUED)
        return ids

    def running(self, job_ids: Sequence[str]) -> list[str]:
        """Those of these jobs still running (staged, rendering or encoding)."""
        found: list[str] = []
        ids = list(dict.fromkeys(job_ids))
        with self._db.read() as sql:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                rows = sql.execute(
                    f"SELECT id, raw_status FROM jobs WHERE id IN ({marks})", chunk
                ).fetchall()
                found += [job_id for job_id, raw in rows if is_local_running(raw)]
        return found

    @staticmethod
    def _flag(sql: sqlite3.Connection, job_id: str, to: LocalStatus) -> None:
        sql.execute("UPDATE local_jobs SET stop_to = ? WHERE job_id = ?", (to.value, job_id))
        append_event(sql, "job.stop_requested", job_id=job_id, data={"to": to.value})
