"""What each remote job was created from, and which job it retries.

A retry of a remote job is a new job made from the body the first one was sent with; the
two are linked both ways (`retry_of` on the new one, `retried_as` read back for the old).
Kept apart from `jobs`, whose rows every refresh rewrites from what the service reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from render_manager.store.database import Database

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class RetryLinks:
    """The job a job retries, and the job that retried it (None: no such link)."""

    retry_of: str | None = None
    retried_as: str | None = None


class JobRequestRepository:
    """The bodies remote jobs were created from, and the retry links between jobs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save_bodies(self, bodies: Sequence[tuple[str, Any]]) -> None:
        """Keep, per job id, the body it was created from (jobs stored already)."""
        if not bodies:
            return
        with self._db.write() as sql:
            sql.executemany(
                "INSERT INTO job_requests (job_id, body) VALUES (?, ?) "
                "ON CONFLICT(job_id) DO UPDATE SET body = excluded.body",
                [(job_id, json.dumps(body)) for job_id, body in bodies],
            )

    def link_retries(self, links: Sequence[tuple[str, str, Any]]) -> None:
        """Record (new job id, the job it retries, the body it was sent with)."""
        if not links:
            return
        with self._db.write() as sql:
            sql.executemany(
                "INSERT INTO job_requests (job_id, body, retry_of) VALUES (?, ?, ?) "
                "ON CONFLICT(job_id) DO UPDATE SET retry_of = excluded.retry_of, "
                "body = COALESCE(job_requests.body, excluded.body)",
                [(new_id, json.dumps(body), old_id) for new_id, old_id, body in links],
            )
            # A retry made settles any earlier one of unknown outcome.
            sql.executemany(
                "UPDATE job_requests SET retry_unknown = 0 WHERE job_id = ?",
                [(old_id,) for _new_id, old_id, _body in links],
            )

    def mark_retry_unknown(self, job_ids: Sequence[str]) -> None:
        """A retry of each of these jobs was sent and its answer lost, beyond looking up."""
        if not job_ids:
            return
        with self._db.write() as sql:
            sql.executemany(
                "UPDATE job_requests SET retry_unknown = 1 WHERE job_id = ?",
                [(job_id,) for job_id in job_ids],
            )

    def unsettled(self, job_ids: Iterable[str]) -> set[str]:
        """The jobs among these whose last retry's outcome is unknown."""
        found: set[str] = set()
        for chunk in _chunks(job_ids):
            marks = ", ".join("?" * len(chunk))
            with self._db.read() as sql:
                rows = sql.execute(
                    f"SELECT job_id FROM job_requests WHERE retry_unknown = 1 "
                    f"AND job_id IN ({marks})",
                    chunk,
                ).fetchall()
            found.update(row[0] for row in rows)
        return found

    def bodies(self, job_ids: Iterable[str]) -> dict[str, Any]:
        """The stored body of each job that has one, by id."""
        found: dict[str, Any] = {}
        for chunk in _chunks(job_ids):
            marks = ", ".join("?" * len(chunk))
            with self._db.read() as sql:
                rows = sql.execute(
                    f"SELECT job_id, body FROM job_requests WHERE body IS NOT NULL "
                    f"AND job_id IN ({marks})",
                    chunk,
                ).fetchall()
            found.update((job_id, json.loads(body)) for job_id, body in rows)
        return found

    def links(self, job_ids: Iterable[str]) -> dict[str, RetryLinks]:
        """The retry links of each job that has any, by id."""
        found: dict[str, RetryLinks] = {}
        for chunk in _chunks(job_ids):
            marks = ", ".join("?" * len(chunk))
            with self._db.read() as sql:
                of = sql.execute(
                    f"SELECT job_id, retry_of FROM job_requests WHERE retry_of IS NOT NULL "
                    f"AND job_id IN ({marks})",
                    chunk,
                ).fetchall()
                # The newest retry, when a job was retried more than once.
                as_ = sql.execute(
                    f"SELECT retry_of, job_id FROM job_requests WHERE retry_of IN ({marks}) "
                    "ORDER BY rowid",
                    chunk,
                ).fetchall()
            for job_id, retry_of in of:
                found[job_id] = RetryLinks(retry_of=retry_of)
            for old_id, new_id in as_:
                found[old_id] = RetryLinks(found.get(old_id, RetryLinks()).retry_of, new_id)
        return found


def _chunks(ids: Iterable[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + _CHUNK] for i in range(0, len(unique), _CHUNK)]
