"""The local engine's queue in the store: submit, claim, track, cancel and recover renders.

Every state change is one short transaction, so the window, `renderctl` and a headless
engine can act on the same queue at once without losing or duplicating a job. The engine's
own repository groups its changes (see `store.write_group`): what may wait (progress, a
job's outcome, a requeue) is committed together within `GROUP_INTERVAL_S`; what may not (a
claim, a render's PID, a cancel request) is committed at once, with everything before it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import NamedTuple, TypeVar

from render_manager.domain.local_job_rules import RenderRoute
from render_manager.domain.status import CancelRequest, JobStatus, LocalStatus
from render_manager.store.database import Database
from render_manager.store.events import append_event
from render_manager.store.jobs import bump_change_seq
from render_manager.store.local_records import (
    LOCAL_SELECT,
    N_JOB_COLUMNS,
    LocalJobRecord,
    NewLocalJob,
    record_from_row,
)
from render_manager.store.local_status import StatusChange, write_status
from render_manager.store.rows import JOB_COLUMNS, job_params
from render_manager.store.write_group import WriteGroup

_ACTIVE = (LocalStatus.STAGING, LocalStatus.RENDERING, LocalStatus.ENCODING)
# The raw statuses a retry puts back in the queue.
RETRYABLE = (LocalStatus.FAILED, LocalStatus.INTERRUPTED, LocalStatus.CANCELLED)
# The raw statuses whose priority may still change: jobs not yet claimed.
REORDERABLE = (LocalStatus.QUEUED,)


# `j.status` lets the (connection, status) index skip the finished jobs a home keeps: without
# it every claim walked the connection's whole history (2 ms a claim beside 4,500 ended jobs).
_QUEUE_ORDER = (
    f" WHERE j.connection = ? AND j.status = '{JobStatus.QUEUED.value}' AND j.raw_status = ?"
    " ORDER BY l.priority DESC, l.submitted_seq LIMIT ?"
)
# A claim takes only the jobs whose start time (if any) has come.
_DUE = " AND (l.not_before IS NULL OR l.not_before <= ?) ORDER BY "

T = TypeVar("T")


def connection_paused(sql: sqlite3.Connection, connection: str) -> bool:
    """True if the connection's queue is paused, read inside the caller's transaction."""
    row = sql.execute("SELECT paused_at FROM connections WHERE name = ?", (connection,)).fetchone()
    return row is not None and row[0] is not None


class QueuePlace(NamedTuple):
    """Where a local job stands in its queue: higher priority first, then lower `order`."""

    priority: int
    order: int
    # The earliest it may start (seconds since the epoch); None: at its turn.
    not_before: float | None


class LocalJobRepository:
    """The local engine's queue.

    With a `WriteGroup` (the engine's own repository), `set_progress`, `requeue` and
    `set_status` without `only_from` are deferred: committed within the group's interval,
    or with the next immediate change; reads through this repository see them at once
    (they commit what is deferred first). Without one, every change commits at once.
    """

    def __init__(self, db: Database, writes: WriteGroup | None = None) -> None:
        self._db = db
        self._writes = writes
        self._seq = (-1, 0)  # (write transaction, its change number), see _change_seq

    def flush(self) -> None:
        """Commit every deferred change now (before the engine lets go of its lock)."""
        if self._writes is not None:
            self._writes.flush()

    def submit(self, jobs: Sequence[NewLocalJob]) -> None:
        """Queue jobs, all or none, in submission order."""
        with self._db.write() as sql:
            seq = bump_change_seq(sql)
            for new in jobs:
                order = sql.execute(
                    "UPDATE meta SET value = value + 1 WHERE key = 'local_submit_seq' "
                    "RETURNING value"
                ).fetchone()[0]
                sql.execute(
                    f"INSERT INTO jobs ({JOB_COLUMNS}, updated_seq) "
                    f"VALUES ({', '.join('?' * (N_JOB_COLUMNS + 1))})",
                    (*job_params(new.job), seq),
                )
                sql.execute(
                    "INSERT INTO local_jobs (job_id, job_type, spec, priority, submitted_seq, "
                    "work_dir, not_before) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        new.job.id,
                        new.job_type,
                        json.dumps(new.spec),
                        new.priority,
                        order,
                        new.work_dir,
                        new.not_before,
                    ),
                )
                append_event(
                    sql,
                    "job.created",
                    connection=new.job.connection,
                    job_id=new.job.id,
                    data={"status": new.job.status.value},
                )

    def get(self, job_id: str) -> LocalJobRecord | None:
        """One local job, or None."""
        self.flush()
        with self._db.read() as sql:
            row = sql.execute(f"{LOCAL_SELECT} WHERE j.id = ?", (job_id,)).fetchone()
        return None if row is None else record_from_row(row)

    def queued(self, connection: str, limit: int) -> list[LocalJobRecord]:
        """The next queued jobs: highest priority first, then in submission order."""
        self.flush()
        with self._db.read() as sql:
            rows = sql.execute(
                LOCAL_SELECT + _QUEUE_ORDER, (connection, LocalStatus.QUEUED.value, limit)
            ).fetchall()
        return [record_from_row(r) for r in rows]

    def active(self, connection: str) -> list[LocalJobRecord]:
        """Jobs the engine had started (staging, rendering or encoding)."""
        marks = ", ".join("?" * len(_ACTIVE))
        self.flush()
        with self._db.read() as sql:
            rows = sql.execute(
                f"{LOCAL_SELECT} WHERE j.connection = ? AND j.raw_status IN ({marks})",
                (connection, *(s.value for s in _ACTIVE)),
            ).fetchall()
        return [record_from_row(r) for r in rows]

    def attempts(self, job_ids: Sequence[str]) -> dict[str, int]:
        """How many times each local job among these ids has been run, by id."""
        self.flush()
        ids = list(dict.fromkeys(job_ids))
        found: dict[str, int] = {}
        with self._db.read() as sql:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                found.update(
                    sql.execute(
                        f"SELECT job_id, attempts FROM local_jobs WHERE job_id IN ({marks})",
                        chunk,
                    ).fetchall()
                )
        return found

    def cancel_requests(self, connection: str) -> list[str]:
        """Running jobs somebody asked to cancel."""
        self.flush()
        with self._db.read() as sql:
            rows = sql.execute(
                "SELECT l.job_id FROM local_jobs l JOIN jobs j ON j.id = l.job_id "
                "WHERE l.cancel_requested = 1 AND j.connection = ?",
                (connection,),
            ).fetchall()
        return [r[0] for r in rows]

    def is_paused(self, connection: str) -> bool:
        """True while the connection's queue is paused (its engine starts no new render)."""
        with self._db.read() as sql:
            return connection_paused(sql, connection)

    def stop_requests(self, connection: str) -> list[tuple[str, LocalStatus]]:
        """Running jobs somebody asked to stop and hold, each with the status to put it
        back in (queued or paused)."""
        self.flush()
        with self._db.read() as sql:
            rows = sql.execute(
                "SELECT l.job_id, l.stop_to FROM local_jobs l JOIN jobs j ON j.id = l.job_id "
                "WHERE l.stop_to IS NOT NULL AND j.connection = ?",
                (connection,),
            ).fetchall()
        return [(job_id, LocalStatus(to)) for job_id, to in rows]

    def hold(self, job_id: str, to: LocalStatus, reason: str) -> bool:
        """Put a job whose render was stopped on request back as `to` (queued or paused),
        as it was before it was claimed: the run is not counted as an attempt. Never
        deferred: the user waits for it. False if the job is gone."""

        def change(sql: sqlite3.Connection) -> bool:
            if sql.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone() is None:
                return False
            self._write_status(sql, StatusChange(job_id, to, reset=True))
            sql.execute(
                "UPDATE local_jobs SET attempts = max(0, attempts - 1), stop_to = NULL "
                "WHERE job_id = ?",
                (job_id,),
            )
            append_event(sql, "job.held", job_id=job_id, data={"to": to.value, "reason": reason})
            return True

        return self._now(change)

    def claim(self, job_id: str) -> bool:
        """Move a queued job to staging; False if it is no longer queued (e.g. cancelled)."""
        run = StatusChange(job_id, LocalStatus.STAGING, started=True, attempt=True)
        return self._now(self._status_change(run, only_from=(LocalStatus.QUEUED,)))

    def claim_queued(
        self,
        connection: str,
        limit: int,
        *,
        skip: Collection[str] = (),
        now: float | None = None,
    ) -> list[LocalJobRecord]:
        """Move the next `limit` queued jobs (in `queued` order) to staging, in one transaction.

        Returns the records as they were read before the claim (`attempts` counts the runs
        before this one). Jobs whose id is in `skip` stay queued, and so do those whose
        start time is after `now` (default: the clock's time).
        """
        skipped = tuple(skip)
        due = _QUEUE_ORDER.replace(" ORDER BY ", _DUE, 1)
        query = LOCAL_SELECT + due
        if skipped:
            where = f" WHERE j.id NOT IN ({', '.join('?' * len(skipped))}) AND "
            query = LOCAL_SELECT + due.replace(" WHERE ", where, 1)
        at = time.time() if now is None else now

        def change(sql: sqlite3.Connection) -> list[LocalJobRecord]:
            # Read in the claim's own transaction: a pause committed before it is always
            # seen, so once `renderctl pause` returns no new render starts.
            if connection_paused(sql, connection):
                return []
            rows = sql.execute(
                query, (*skipped, connection, LocalStatus.QUEUED.value, at, limit)
            ).fetchall()
            records = [record_from_row(row) for row in rows]
            for record in records:
                run = StatusChange(record.job.id, LocalStatus.STAGING, started=True, attempt=True)
                self._write_status(sql, run)
            return records

        return self._now(change) if limit > 0 else []

    def set_status(
        self,
        job_id: str,
        status: LocalStatus,
        *,
        error: str | None = None,
        output: str | None = None,
        only_from: Sequence[LocalStatus] | None = None,
    ) -> bool:
        """Change a job's raw status (and error/output); False if `only_from` did not match.

        Deferred (and True) in a grouped repository when `only_from` is None.
        """
        change = self._status_change(
            StatusChange(job_id, status, error=error, output=output), only_from=only_from
        )
        if only_from is None and self._writes is not None:
            self._later(change)
            return True
        return self._now(change)

    def request_cancel(self, job_id: str) -> CancelRequest:
        """Cancel a job: at once if queued, else flag it for the engine that runs it."""
        with self._db.write() as sql:
            row = sql.execute("SELECT raw_status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return CancelRequest.UNKNOWN
            raw = LocalStatus(row[0])
            if raw in (LocalStatus.QUEUED, LocalStatus.PAUSED):
                cancelled = StatusChange(job_id, LocalStatus.CANCELLED, error="cancelled by user")
                self._write_status(sql, cancelled)
                return CancelRequest.CANCELLED
            if raw in _ACTIVE:
                sql.execute(
                    "UPDATE local_jobs SET cancel_requested = 1 WHERE job_id = ?", (job_id,)
                )
                append_event(sql, "job.cancel_requested", job_id=job_id)
                return CancelRequest.REQUESTED
            return CancelRequest.ENDED

    def start_render(self, job_id: str, pid: int, started_at: float, log_path: str) -> None:
        """The render process started: record it and mark the job rendering, in one go.

        Never deferred: a killed engine's successor finds the render by this PID.
        """

        def change(sql: sqlite3.Connection) -> None:
            self._write_status(sql, StatusChange(job_id, LocalStatus.RENDERING))
            sql.execute(
                "UPDATE local_jobs SET pid = ?, pid_started_at = ?, log_path = ? WHERE job_id = ?",
                (pid, started_at, log_path, job_id),
            )

        self._now(change)

    def set_route(self, job_id: str, route: RenderRoute) -> None:
        """Record how the staged render reaches aerender; never deferred (shown at once)."""
        self._now(
            lambda sql: sql.execute(
                "UPDATE local_jobs SET route = ? WHERE job_id = ?", (route.value, job_id)
            )
        )

    def set_process(
        self, job_id: str, pid: int | None, started_at: float | None, log_path: str | None = None
    ) -> None:
        """Record (or clear) the process rendering a job; never deferred."""
        self._now(
            lambda sql: sql.execute(
                "UPDATE local_jobs SET pid = ?, pid_started_at = ?, "
                "log_path = COALESCE(?, log_path) WHERE job_id = ?",
                (pid, started_at, log_path, job_id),
            )
        )

    def set_progress(
        self,
        job_id: str,
        *,
        percent: float | None,
        frames_done: int | None,
        total_frames: int | None,
        eta_seconds: float | None,
        warnings: Sequence[str] = (),
    ) -> None:
        """Record live progress; ``percent`` None: the share done is unknown.

        An unknown share is kept as frames counted without a total (``jobs.progress`` stays
        0 for older readers), which reads back as a job whose ``progress`` is None.
        """
        if percent is None:
            frames_done, total_frames = frames_done or 0, None
        shown = 0.0 if percent is None else max(0.0, min(100.0, percent))
        warnings_json = json.dumps(list(warnings))

        def change(sql: sqlite3.Connection) -> None:
            seq = self._change_seq(sql)
            sql.execute(
                "UPDATE jobs SET progress = ?, updated_seq = ? WHERE id = ?", (shown, seq, job_id)
            )
            sql.execute(
                "UPDATE local_jobs SET frames_done = ?, total_frames = ?, eta_seconds = ?, "
                "warnings = ? WHERE job_id = ?",
                (frames_done, total_frames, eta_seconds, warnings_json, job_id),
            )

        self._later(change, replaces=("progress", job_id))

    def requeue(self, job_id: str, reason: str) -> None:
        """Put a job back in the queue (a retry, or an interrupted render)."""

        def change(sql: sqlite3.Connection) -> None:
            self._write_status(sql, StatusChange(job_id, LocalStatus.QUEUED, reset=True))
            append_event(sql, "job.requeued", job_id=job_id, data={"reason": reason})

        self._later(change)

    def retry(self, job_id: str, kept_log: str | None) -> int | None:
        """Put a failed, interrupted or cancelled job back in the queue, as a new attempt.

        What the attempt before ended with (status, error, when, the log it was moved to)
        is kept in a `job.retried` event. Returns the number the next attempt will have,
        or None if the job is gone or no longer ended that way (nothing changed then).
        """

        def change(sql: sqlite3.Connection) -> int | None:
            row = sql.execute(
                "SELECT j.raw_status, j.error, j.finished_at, l.attempts FROM jobs j "
                "JOIN local_jobs l ON l.job_id = j.id WHERE j.id = ?",
                (job_id,),
            ).fetchone()
            if row is None or LocalStatus(row[0]) not in RETRYABLE:
                return None
            raw, error, ended, attempts = row
            self._write_status(sql, StatusChange(job_id, LocalStatus.QUEUED, reset=True))
            # The next run writes a log of its own: a crash before it starts must not
            # re-adopt the earlier attempt's log as if it were the new render's.
            sql.execute("UPDATE local_jobs SET log_path = NULL WHERE job_id = ?", (job_id,))
            append_event(
                sql,
                "job.retried",
                job_id=job_id,
                data={
                    "attempt": attempts,
                    "raw_status": raw,
                    "error": error,
                    "ended_at": ended,
                    "log": kept_log,
                },
            )
            return int(attempts) + 1

        return self._now(change)

    def queue_places(self, job_ids: Sequence[str]) -> dict[str, QueuePlace]:
        """Each local job's priority, submission order and start time, by id."""
        self.flush()
        ids = list(dict.fromkeys(job_ids))
        found: dict[str, QueuePlace] = {}
        with self._db.read() as sql:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                rows = sql.execute(
                    "SELECT job_id, priority, submitted_seq, not_before FROM local_jobs "
                    f"WHERE job_id IN ({marks})",
                    chunk,
                ).fetchall()
                found.update((r[0], QueuePlace(r[1], r[2], r[3])) for r in rows)
        return found

    def set_priorities(self, priorities: Mapping[str, int]) -> list[str]:
        """Give queued jobs new priorities, all in one transaction; returns the ids changed
        (a job claimed, ended or gone meanwhile keeps what it had and is left out)."""
        statuses = ", ".join("?" * len(REORDERABLE))

        def change(sql: sqlite3.Connection) -> list[str]:
            changed: list[str] = []
            for job_id, priority in priorities.items():
                row = sql.execute(
                    "SELECT l.priority FROM local_jobs l JOIN jobs j ON j.id = l.job_id "
                    f"WHERE l.job_id = ? AND j.raw_status IN ({statuses})",
                    (job_id, *(s.value for s in REORDERABLE)),
                ).fetchone()
                if row is None:
                    continue
                changed.append(job_id)
                if row[0] == priority:
                    continue
                sql.execute(
                    "UPDATE local_jobs SET priority = ? WHERE job_id = ?", (priority, job_id)
                )
                # Readers that follow `changed_since` see the job's new place in the queue.
                sql.execute(
                    "UPDATE jobs SET updated_seq = ? WHERE id = ?",
                    (self._change_seq(sql), job_id),
                )
                append_event(
                    sql, "job.priority", job_id=job_id, data={"from": row[0], "to": priority}
                )
            return changed

        return self._now(change)

    # -- internals -------------------------------------------------------------------------

    def _now(self, change: Callable[[sqlite3.Connection], T]) -> T:
        """Commit `change` now (after whatever is deferred, in the same transaction)."""
        if self._writes is not None:
            return self._writes.commit(change)
        with self._db.write() as sql:
            return change(sql)

    def _later(
        self,
        change: Callable[[sqlite3.Connection], object],
        *,
        replaces: tuple[str, str] | None = None,
    ) -> None:
        """Commit `change` soon: within the group's interval, or now without a group."""
        if self._writes is not None:
            self._writes.defer(change, replaces=replaces)
            return
        with self._db.write() as sql:
            change(sql)

    def _status_change(
        self, change: StatusChange, *, only_from: Sequence[LocalStatus] | None = None
    ) -> Callable[[sqlite3.Connection], bool]:
        """`change`, to commit now or later; it changes nothing for a job gone meanwhile
        (or not in `only_from`) and then returns False."""

        def apply(sql: sqlite3.Connection) -> bool:
            row = sql.execute(
                "SELECT raw_status FROM jobs WHERE id = ?", (change.job_id,)
            ).fetchone()
            if row is None or (only_from is not None and LocalStatus(row[0]) not in only_from):
                return False
            self._write_status(sql, change)
            return True

        return apply

    def _change_seq(self, sql: sqlite3.Connection) -> int:
        """The change number of the write transaction under way: bumped once per transaction.

        A group commits several jobs' changes at once; readers (`changed_since`) see them
        all or none, so one number serves them all and saves a statement per change.
        """
        transaction = self._db.writes_begun
        if self._seq[0] != transaction:
            self._seq = (transaction, bump_change_seq(sql))
        return self._seq[1]

    def _write_status(self, sql: sqlite3.Connection, change: StatusChange) -> None:
        write_status(sql, self._change_seq(sql), change)
