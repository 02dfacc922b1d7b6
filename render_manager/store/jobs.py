"""Jobs and batches in the store: bulk upserts, queries and change tracking across processes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from render_manager.domain.job import Batch, BatchCounts, Job
from render_manager.domain.status import JobStatus
from render_manager.store.database import Database
from render_manager.store.errors import UnknownConnection
from render_manager.store.events import append_event
from render_manager.store.rows import (
    JOB_COLUMNS,
    JOB_SELECT,
    from_iso,
    job_from_row,
    job_params,
    to_iso,
)

# SQLite's default limit on host parameters is 32766 (3.32+); stay far below it.
_CHUNK = 500

_UPSERT = (
    f"INSERT INTO jobs ({JOB_COLUMNS}, updated_seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET "
    "connection = excluded.connection, batch_id = excluded.batch_id, "
    "parent_id = excluded.parent_id, name = excluded.name, status = excluded.status, "
    "raw_status = excluded.raw_status, progress = excluded.progress, "
    "created_at = excluded.created_at, started_at = excluded.started_at, "
    "finished_at = excluded.finished_at, output = excluded.output, error = excluded.error, "
    "tags = excluded.tags, updated_seq = excluded.updated_seq"
)


@dataclass(frozen=True, slots=True)
class JobChanges:
    """Jobs changed after a sequence number, and the number to ask from next time."""

    jobs: list[Job]
    seq: int


class JobRepository:
    """Jobs of every connection, local and remote."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def upsert_many(self, jobs: Sequence[Job]) -> int:
        """Insert or update jobs in one transaction; returns the new change sequence number.

        A status change (or a new job) is recorded in the event log.
        """
        with self._db.write() as sql:
            seq = bump_change_seq(sql)
            previous = _statuses(sql, [j.id for j in jobs])
            try:
                sql.executemany(_UPSERT, [(*job_params(j), seq) for j in jobs])
            except sqlite3.IntegrityError as exc:
                known = {r[0] for r in sql.execute("SELECT name FROM connections")}
                unknown = sorted({j.connection for j in jobs} - known)
                if unknown:
                    raise UnknownConnection(unknown[0]) from exc
                raise
            for job in jobs:
                before = previous.get(job.id)
                if before != job.status.value:
                    append_event(
                        sql,
                        "job.created" if before is None else "job.status",
                        connection=job.connection,
                        job_id=job.id,
                        data={
                            "status": job.status.value,
                            "raw_status": job.raw_status,
                            "previous": before,
                            "error": job.error,
                        },
                    )
        return seq

    def add_batch(self, batch: Batch, jobs: Sequence[Job] = ()) -> None:
        """Store a batch, with its first jobs, in one transaction."""
        with self._db.write() as sql:
            sql.execute(
                "INSERT INTO batches (id, connection, name, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                (batch.id, batch.connection, batch.name, to_iso(batch.created_at)),
            )
            append_event(
                sql,
                "batch.submitted",
                connection=batch.connection,
                data={"batch_id": batch.id, "jobs": len(jobs)},
            )
        if jobs:
            self.upsert_many(jobs)

    def get(self, job_id: str) -> Job | None:
        """One job, or None. Reads (get, list, changed_since) fill in the engine's frames/ETA."""
        with self._db.read() as sql:
            row = sql.execute(f"{JOB_SELECT} WHERE j.id = ?", (job_id,)).fetchone()
        return None if row is None else job_from_row(row)

    def get_many(self, job_ids: Iterable[str]) -> dict[str, Job]:
        """The stored jobs among these ids, by id (unknown ids are left out)."""
        ids = list(dict.fromkeys(job_ids))
        found: dict[str, Job] = {}
        with self._db.read() as sql:
            # Chunks stay under SQLite's limit on bound parameters.
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for row in sql.execute(f"{JOB_SELECT} WHERE j.id IN ({marks})", chunk):
                    job = job_from_row(row)
                    found[job.id] = job
        return found

    def list(
        self,
        *,
        connection: str | None = None,
        statuses: Iterable[JobStatus] | None = None,
        batch_id: str | None = None,
    ) -> list[Job]:
        """Jobs matching every given filter, oldest first."""
        where: list[str] = []
        params: list[object] = []
        if connection is not None:
            where.append("j.connection = ?")
            params.append(connection)
        if statuses is not None:
            values = [s.value for s in statuses]
            where.append(f"j.status IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if batch_id is not None:
            where.append("j.batch_id = ?")
            params.append(batch_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._db.read() as sql:
            rows = sql.execute(
                f"{JOB_SELECT} {clause} ORDER BY j.created_at, j.id",
                params,
            ).fetchall()
        return [job_from_row(r) for r in rows]

    def recent(self, limit: int) -> Sequence[Job]:
        """The `limit` jobs added last, last first: what a window shows while it reads the
        rest (insertion order, read backwards on the table's own key: no scan, no sort)."""
        with self._db.read() as sql:
            rows = sql.execute(f"{JOB_SELECT} ORDER BY j.rowid DESC LIMIT ?", (limit,)).fetchall()
        return [job_from_row(r) for r in rows]

    def changed_since(self, seq: int) -> JobChanges:
        """Jobs written after change number `seq` by any process sharing the home; those
        of one write in the order they were added (a batch: its rows' order)."""
        with self._db.read() as sql:
            current = _current_seq(sql)
            rows = sql.execute(
                f"{JOB_SELECT} WHERE j.updated_seq > ? ORDER BY j.updated_seq, j.rowid",
                (seq,),
            ).fetchall()
        return JobChanges([job_from_row(r) for r in rows], current)

    def everything(self) -> JobChanges:
        """Every job, in the order they were added (a batch's jobs in its rows' order),
        and the change number to ask `changed_since` from next."""
        with self._db.read() as sql:
            current = _current_seq(sql)
            rows = sql.execute(f"{JOB_SELECT} ORDER BY j.rowid").fetchall()
        return JobChanges([job_from_row(r) for r in rows], current)

    def count_by_status(self) -> dict[JobStatus, int]:
        """How many jobs are in each status (every status present, zero included)."""
        with self._db.read() as sql:
            rows = sql.execute("SELECT status, count(*) FROM jobs GROUP BY status").fetchall()
        counts = dict.fromkeys(JobStatus, 0)
        for status, n in rows:
            counts[JobStatus(status)] = int(n)
        return counts

    def batch(self, batch_id: str) -> Batch | None:
        """A batch with its aggregate counts, or None."""
        with self._db.read() as sql:
            row = sql.execute(
                "SELECT id, connection, name, created_at FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
            if row is None:
                return None
            statuses = sql.execute(
                "SELECT status FROM jobs WHERE batch_id = ?", (batch_id,)
            ).fetchall()
        created = from_iso(row[3])
        assert created is not None
        counts = BatchCounts.of(JobStatus(s[0]) for s in statuses)
        return Batch(id=row[0], connection=row[1], name=row[2], created_at=created, counts=counts)

    # Sequence, not list: inside this class `list` names the method above.
    def batches(self, *, connection: str | None = None) -> Sequence[Batch]:
        """Every batch (of `connection` if given), newest first; counts are left empty."""
        clause, params = ("WHERE connection = ?", (connection,)) if connection else ("", ())
        with self._db.read() as sql:
            rows = sql.execute(
                f"SELECT id, connection, name, created_at FROM batches {clause} "
                "ORDER BY created_at DESC, id DESC",
                params,
            ).fetchall()
        return [_batch_from_row(row) for row in rows]


def _batch_from_row(row: tuple[str, str, str, str]) -> Batch:
    created = from_iso(row[3])
    assert created is not None
    return Batch(id=row[0], connection=row[1], name=row[2], created_at=created)


def bump_change_seq(sql: sqlite3.Connection) -> int:
    """Advance the change sequence inside a write transaction; returns the new value."""
    row = sql.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value"
    ).fetchone()
    return int(row[0])


def _current_seq(sql: sqlite3.Connection) -> int:
    return int(sql.execute("SELECT value FROM meta WHERE key = 'change_seq'").fetchone()[0])


def _statuses(sql: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        found.update(
            sql.execute(
                f"SELECT id, status FROM jobs WHERE id IN ({marks})",
                chunk,
            ).fetchall()
        )
    return found
