"""Jobs and batches as every back-end reports them, after normalization."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from render_manager.domain.status import BackendKind, JobStatus, normalize_status


class DomainError(ValueError):
    """A value that breaks a rule of the domain; the message says which."""


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise DomainError(f"{name} must carry a time zone, got naive {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class Job:
    """One render job on one connection.

    `status` is normalized; `raw_status` is the back-end's own word, kept verbatim so an
    unknown status is never lost. Times are timezone-aware.

    `frames_done`, `total_frames` and `eta_seconds` are the live detail of a render, when the
    back-end reports them (the local engine does); None means unknown.

    `progress` is 0-100, or None while the share done cannot be told: a local render whose
    log and job give no frame range, an encode of an input of unknown duration (both still
    count `frames_done`). Never a made-up 0.
    """

    id: str
    connection: str
    name: str
    status: JobStatus
    raw_status: str
    created_at: datetime
    batch_id: str | None = None
    parent_id: str | None = None
    progress: float | None = 0.0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    output: str | None = None
    error: str | None = None
    tags: tuple[str, ...] = field(default=())
    frames_done: int | None = None
    total_frames: int | None = None
    eta_seconds: float | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise DomainError("a job needs an id")
        if not self.connection:
            raise DomainError(f"job {self.id} has no connection")
        if self.progress is not None and not 0.0 <= self.progress <= 100.0:
            raise DomainError(f"job {self.id}: progress {self.progress} is outside 0-100")
        _require_aware("created_at", self.created_at)
        _require_aware("started_at", self.started_at)
        _require_aware("finished_at", self.finished_at)
        for name, value in (
            ("frames_done", self.frames_done),
            ("total_frames", self.total_frames),
            ("eta_seconds", self.eta_seconds),
        ):
            # `not value >= 0` also refuses NaN.
            if value is not None and not value >= 0:
                raise DomainError(f"job {self.id}: {name} must be 0 or more, got {value}")

    @classmethod
    def from_raw(
        cls,
        *,
        kind: BackendKind,
        id: str,
        connection: str,
        name: str,
        raw_status: str,
        created_at: datetime,
        **fields: object,
    ) -> Job:
        """Build a job from a back-end's raw status, normalizing it."""
        return cls(
            id=id,
            connection=connection,
            name=name,
            status=normalize_status(kind, raw_status),
            raw_status=raw_status,
            created_at=created_at,
            **fields,  # type: ignore[arg-type]
        )

    @property
    def is_terminal(self) -> bool:
        """True once the job can change no more."""
        return self.status.is_terminal

    def with_changes(self, **changes: object) -> Job:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """How many of a batch's jobs are where. `pending` counts every job not yet terminal."""

    total: int = 0
    finished: int = 0
    failed: int = 0
    cancelled: int = 0
    pending: int = 0

    @classmethod
    def of(cls, statuses: Iterable[JobStatus]) -> BatchCounts:
        """Count a batch's job statuses."""
        total = finished = failed = cancelled = pending = 0
        for status in statuses:
            total += 1
            if status is JobStatus.FINISHED:
                finished += 1
            elif status is JobStatus.FAILED:
                failed += 1
            elif status is JobStatus.CANCELLED:
                cancelled += 1
            else:
                pending += 1
        return cls(total, finished, failed, cancelled, pending)

    @property
    def done(self) -> bool:
        """True when no job of the batch can change any more."""
        return self.pending == 0

    @property
    def fraction_done(self) -> float:
        """Share of the batch that has reached a terminal status, 0.0-1.0."""
        return 1.0 if self.total == 0 else (self.total - self.pending) / self.total


@dataclass(frozen=True, slots=True)
class Batch:
    """Jobs submitted together, on one connection, with their aggregate counts."""

    id: str
    connection: str
    name: str
    created_at: datetime
    counts: BatchCounts = field(default_factory=BatchCounts)

    def __post_init__(self) -> None:
        if not self.id:
            raise DomainError("a batch needs an id")
        _require_aware("created_at", self.created_at)


def progress_text(job: Job) -> str:
    """The share of a job done, as a user reads it: ``37 %``, or ``120 frames`` when the
    share cannot be told (a render whose length is unknown), ``starting`` before its first.

    Whole percents are rounded down, so ``100 %`` means complete.
    """
    if job.progress is not None:
        return f"{math.floor(job.progress)} %"
    done = job.frames_done or 0
    if done == 0:
        return "starting"
    return f"{done} frame{'' if done == 1 else 's'}"


def progress_detail(job: Job) -> str:
    """`progress_text`, saying so when the share is unknown: ``120 frames rendered (length
    unknown)``, ``starting (length unknown)``."""
    if job.progress is not None:
        return progress_text(job)
    if not job.frames_done:
        return "starting (length unknown)"
    return f"{progress_text(job)} rendered (length unknown)"
