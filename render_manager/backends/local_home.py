"""What a local connection's back-end works on, given by whoever makes back-ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_pauses import LocalPauseRepository


@dataclass(frozen=True, slots=True)
class LocalHome:
    """Where local jobs live: the home's store and folder, and its engine's wake-up call."""

    jobs: JobRepository
    local_jobs: LocalJobRepository
    folder: Path
    # Tells an engine running in this process to look at its queue and cancel flags now,
    # rather than at its next poll; None when no engine runs here.
    wake_engine: Callable[[], None] | None = None
    # Pauses of jobs and queues; None: this home's back-end offers none.
    pauses: LocalPauseRepository | None = None
