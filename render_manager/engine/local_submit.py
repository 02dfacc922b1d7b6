"""Validating and queueing local jobs: all of a submission is queued, or none of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from render_manager.domain.connection import Connection
from render_manager.domain.ids import new_ulid
from render_manager.domain.job import Batch, Job
from render_manager.domain.results import SubmitResult
from render_manager.domain.status import BackendKind, LocalStatus
from render_manager.engine.local_validator import LocalValidator
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_records import NewLocalJob


class LocalSubmitter:
    """Turns job bodies into queued local jobs."""

    def __init__(
        self, jobs: JobRepository, local: LocalJobRepository, home: Path, connection: Connection
    ) -> None:
        if connection.kind is not BackendKind.LOCAL:
            raise ValueError(f"{connection.name} is not a local connection")
        self._jobs = jobs
        self._local = local
        self._home = home
        self._connection = connection

    def submit(
        self, bodies: Sequence[Any], *, base_dir: Path, batch_name: str | None = None
    ) -> SubmitResult:
        """Validate every body, then queue them all in one transaction (or none on error).

        Relative paths in a body are taken relative to `base_dir` (the job file's folder).
        A refused body's error lists every problem found in it.
        """
        validator = LocalValidator(self._connection, base_dir)
        prepared: list[NewLocalJob] = []
        errors: list[tuple[int, str]] = []
        warnings: list[tuple[int, str]] = []
        now = datetime.now(UTC)
        batch_id = new_ulid() if len(bodies) > 1 else None
        for index, body in enumerate(bodies):
            job_id = new_ulid()
            work_dir = self._home / "jobs" / job_id
            ready = validator.validate(body, work_dir=work_dir)
            if isinstance(ready, list):
                errors.append((index, "; ".join(ready)))
                continue
            warnings.extend((index, warning) for warning in ready.warnings)
            job = Job.from_raw(
                kind=BackendKind.LOCAL,
                id=job_id,
                connection=self._connection.name,
                name=ready.name,
                raw_status=LocalStatus.QUEUED.value,
                created_at=now,
                batch_id=batch_id,
            )
            prepared.append(
                NewLocalJob(
                    job=job,
                    job_type=ready.type,
                    spec=ready.stored(),
                    work_dir=str(work_dir),
                    priority=ready.priority,
                    not_before=ready.not_before,
                )
            )
        if errors:
            return SubmitResult(batch_id=None, status="error", errors=errors, warnings=warnings)
        if batch_id is not None:
            self._jobs.add_batch(
                Batch(
                    id=batch_id,
                    connection=self._connection.name,
                    name=batch_name or f"{len(prepared)} jobs",
                    created_at=now,
                )
            )
        self._local.submit(prepared)
        return SubmitResult(
            batch_id=batch_id,
            status="created",
            jobs=[(i, new.job.id) for i, new in enumerate(prepared)],
            warnings=warnings,
        )
