"""Connections in the store: non-secret settings only (tokens live in the keyring)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from render_manager.domain.connection import Connection
from render_manager.domain.status import TERMINAL_STATUSES
from render_manager.store.database import Database
from render_manager.store.errors import ConnectionExists, ConnectionInUse, UnknownConnection
from render_manager.store.events import append_event
from render_manager.store.rows import (
    CONNECTION_COLUMNS,
    connection_from_row,
    connection_params,
    now_iso,
)

_TERMINAL = tuple(s.value for s in TERMINAL_STATUSES)


class ConnectionRepository:
    """Add, list and remove connections."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, connection: Connection) -> None:
        """Store a new connection; raises ConnectionExists if the name is taken."""
        with self._db.write() as sql:
            values = (*connection_params(connection), now_iso())
            marks = ", ".join("?" * len(values))
            try:
                sql.execute(
                    f"INSERT INTO connections ({CONNECTION_COLUMNS}, created_at) VALUES ({marks})",
                    values,
                )
            except sqlite3.IntegrityError as exc:
                raise ConnectionExists(connection.name) from exc
            append_event(
                sql,
                "connection.added",
                connection=connection.name,
                data={"kind": connection.kind.value},
            )

    def update(self, connection: Connection) -> None:
        """Replace the settings of an existing connection (its kind cannot change)."""
        with self._db.write() as sql:
            row = sql.execute(
                "SELECT kind FROM connections WHERE name = ?", (connection.name,)
            ).fetchone()
            if row is None:
                raise UnknownConnection(connection.name)
            sql.execute(
                "UPDATE connections SET url = ?, aerender = ?, concurrency = ?, extra_args = ?, "
                "engine_settings = ? WHERE name = ?",
                (*connection_params(connection)[2:], connection.name),
            )
            append_event(sql, "connection.updated", connection=connection.name)

    def get(self, name: str) -> Connection:
        """The connection of that name; raises UnknownConnection."""
        with self._db.read() as sql:
            row = sql.execute(
                f"SELECT {CONNECTION_COLUMNS} FROM connections WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None:
            raise UnknownConnection(name)
        return connection_from_row(row)

    def list(self) -> list[Connection]:
        """All connections, by name."""
        with self._db.read() as sql:
            rows = sql.execute(
                f"SELECT {CONNECTION_COLUMNS} FROM connections ORDER BY name"
            ).fetchall()
        return [connection_from_row(r) for r in rows]

    def paused(self) -> dict[str, datetime]:
        """The paused connections, each with when it was paused."""
        with self._db.read() as sql:
            rows = sql.execute(
                "SELECT name, paused_at FROM connections WHERE paused_at IS NOT NULL"
            ).fetchall()
        return {name: datetime.fromisoformat(at) for name, at in rows}

    def set_paused(self, name: str, paused: bool) -> bool:
        """Pause a connection's queue (its engine starts no new render) or resume it;
        False if it was so already. Raises UnknownConnection."""
        with self._db.write() as sql:
            query = "SELECT paused_at FROM connections WHERE name = ?"
            row = sql.execute(query, (name,)).fetchone()
            if row is None:
                raise UnknownConnection(name)
            if (row[0] is not None) == paused:
                return False
            sql.execute(
                "UPDATE connections SET paused_at = ? WHERE name = ?",
                (now_iso() if paused else None, name),
            )
            kind = "connection.paused" if paused else "connection.resumed"
            append_event(sql, kind, connection=name)
        return True

    def active_job_count(self, name: str) -> int:
        """How many of the connection's jobs have not ended yet."""
        with self._db.read() as sql:
            return _active(sql, name)

    def remove(self, name: str, *, force: bool = False) -> int:
        """Remove a connection and its job history; returns how many jobs went with it.

        Refuses (ConnectionInUse) while the connection has unfinished jobs, unless forced.
        """
        with self._db.write() as sql:
            if sql.execute("SELECT 1 FROM connections WHERE name = ?", (name,)).fetchone() is None:
                raise UnknownConnection(name)
            active = _active(sql, name)
            if active and not force:
                raise ConnectionInUse(name, active)
            jobs = sql.execute(
                "SELECT count(*) FROM jobs WHERE connection = ?", (name,)
            ).fetchone()[0]
            sql.execute("DELETE FROM connections WHERE name = ?", (name,))
            append_event(sql, "connection.removed", connection=name, data={"jobs_removed": jobs})
        return int(jobs)


def _active(sql: sqlite3.Connection, name: str) -> int:
    marks = ", ".join("?" * len(_TERMINAL))
    row = sql.execute(
        f"SELECT count(*) FROM jobs WHERE connection = ? AND status NOT IN ({marks})",
        (name, *_TERMINAL),
    ).fetchone()
    return int(row[0])
