"""The append-only event log: what happened to which job, and when."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from render_manager.store.database import Database
from render_manager.store.rows import from_iso, now_iso


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One row of the event log."""

    seq: int
    at: datetime
    kind: str
    connection: str | None
    job_id: str | None
    data: dict[str, object]


def append_event(
    sql: sqlite3.Connection,
    kind: str,
    *,
    connection: str | None = None,
    job_id: str | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """Append an event inside the caller's write transaction."""
    sql.execute(
        "INSERT INTO events (at, kind, connection, job_id, data) VALUES (?, ?, ?, ?, ?)",
        (now_iso(), kind, connection, job_id, json.dumps(data or {})),
    )


class EventLog:
    """Read access to the event log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def for_job(self, job_id: str) -> list[LoggedEvent]:
        """The history of one job, oldest first."""
        return self._select("WHERE job_id = ? ORDER BY seq", (job_id,))

    def since(self, seq: int, limit: int = 1000) -> list[LoggedEvent]:
        """Events after `seq`, oldest first."""
        return self._select("WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))

    def _select(self, tail: str, params: tuple[object, ...]) -> list[LoggedEvent]:
        with self._db.read() as sql:
            rows = sql.execute(
                f"SELECT seq, at, kind, connection, job_id, data FROM events {tail}",
                params,
            ).fetchall()
        out = []
        for seq, at, kind, connection, job_id, data in rows:
            when = from_iso(at)
            assert when is not None
            out.append(LoggedEvent(seq, when, kind, connection, job_id, json.loads(data)))
        return out
