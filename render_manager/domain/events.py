"""What happened, as frozen events: the store logs them and the window turns them into rows."""

from __future__ import annotations

from dataclasses import dataclass

from render_manager.domain.job import Batch, Job


@dataclass(frozen=True, slots=True)
class JobsUpdated:
    """Jobs were created or changed; each carries its full new state."""

    jobs: tuple[Job, ...]


@dataclass(frozen=True, slots=True)
class JobsRemoved:
    """Jobs left the store (their connection was removed, or the user cleared them)."""

    job_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BatchSubmitted:
    """A batch reached a back-end."""

    batch: Batch


@dataclass(frozen=True, slots=True)
class ConnectionHealthChanged:
    """A connection became healthy or unhealthy; `error` says why when it is not."""

    connection: str
    healthy: bool
    error: str | None = None


Event = JobsUpdated | JobsRemoved | BatchSubmitted | ConnectionHealthChanged
