"""Results of submitting and cancelling, in the shapes `renderctl --json` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """What happened to each row of a submission."""

    batch_id: str | None
    status: str  # created | partial | error
    jobs: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Rows among `errors` whose job may exist all the same: check before sending again.
    unknown: list[int] = field(default_factory=list)
    # (row, warning): what could not be checked in a row sent all the same.
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `renderctl submit --json` shape."""
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "jobs": [{"index": i, "id": job_id} for i, job_id in self.jobs],
            "errors": [{"index": i, "error": e} for i, e in self.errors],
            "warnings": [{"index": i, "warning": w} for i, w in self.warnings],
        }


@dataclass
class CancelSummary:
    """Which jobs were cancelled and which were not, with the reason."""

    cancelled: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `renderctl cancel --json` shape."""
        return {
            "cancelled": self.cancelled,
            "skipped": [{"id": job_id, "reason": reason} for job_id, reason in self.skipped],
        }


@dataclass
class RetrySummary:
    """Which jobs were sent again (and the job each became), and which not, with why.

    A job retried in place (the local engine) has `new_id` equal to its own id.
    """

    retried: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `renderctl retry --json` shape."""
        return {
            "retried": [{"id": old, "new_id": new} for old, new in self.retried],
            "skipped": [{"id": job_id, "reason": reason} for job_id, reason in self.skipped],
        }


@dataclass(slots=True)
class PauseSummary:
    """What a pause or a resume did: jobs held (or put back in the queue), running renders
    stopped, and jobs left alone with why; for a connection, whether its queue changed.

    `stopped` are running renders stopped on request: held as paused jobs (a job pause),
    or put back in the queue of a paused connection; either way the run is not counted.
    """

    action: str  # "pause" | "resume"
    done: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    connection: str | None = None
    # For a connection: False when it was paused (or running) already.
    changed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `renderctl pause --json` (and `resume --json`) shape."""
        key = "paused" if self.action == "pause" else "resumed"
        if self.connection is not None:
            return {
                "connection": self.connection,
                "paused": self.action == "pause",
                "changed": self.changed,
                "stopped": list(self.stopped),
                "skipped": [{"id": job_id, "reason": why} for job_id, why in self.skipped],
            }
        return {
            key: list(self.done),
            "stopped": list(self.stopped),
            "skipped": [{"id": job_id, "reason": why} for job_id, why in self.skipped],
        }
