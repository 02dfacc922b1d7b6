"""The one protocol every back-end implements; services and the CLI speak only this."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind

SubmitStatus = Literal["created", "partial", "error"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a back-end can do, so the window offers only what works."""

    batches: bool = False
    cancel_running: bool = False
    templates: bool = False
    cost_estimate: bool = False


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """Per-row result of a submission; row numbers are the caller's (0-based)."""

    status: SubmitStatus
    batch_id: str | None = None
    jobs: list[tuple[int, Job]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Rows among `errors` that may have been created all the same (see OutcomeUnknown).
    unknown: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """Every job a cancel changed (cascades included), and those it could not cancel."""

    cancelled: list[Job] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """Jobs whose state changed since the caller's last look, and what it cost."""

    changed: list[Job] = field(default_factory=list)
    requests: int = 0
    # Records the back-end sent that could not be read; the rest still parsed.
    problems: list[str] = field(default_factory=list)


class Backend(Protocol):
    """A render API behind one connection."""

    @property
    def kind(self) -> BackendKind:
        """Which API this is."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """What it supports."""
        ...

    async def submit_many(
        self, bodies: Sequence[Mapping[str, Any]], *, batch_name: str | None = None
    ) -> SubmitOutcome:
        """Create jobs from bodies in the back-end's own format; never creates one twice."""
        ...

    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """What changed, given the jobs of this connection not yet terminal in the store."""
        ...

    async def get(self, job_id: str) -> Job:
        """One job, fresh from the back-end."""
        ...

    async def cancel_many(self, jobs: Sequence[Job]) -> CancelOutcome:
        """Cancel jobs; cascaded cancellations are reported too."""
        ...

    async def aclose(self) -> None:
        """Close the HTTP client."""
        ...
