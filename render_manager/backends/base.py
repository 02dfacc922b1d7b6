"""What the HTTP back-ends have in common: their kind, their rules, the request counter,
closing the client, and the access check most of them make."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar

from render_manager.backends.http import Http
from render_manager.backends.protocol import RefreshOutcome, ServiceRules
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus

# Ids no service has: asking after them makes the status listing a refresh makes without
# touching (or creating) any real job.
_PROBE_IDS = ("render-manager-connection-check-1", "render-manager-connection-check-2")


class HttpBackend(ABC):
    """A back-end over one long-lived HTTP client; subclasses set `KIND`, `RULES`, `_http`
    and `_name` (the connection's name)."""

    KIND: ClassVar[BackendKind]
    RULES: ClassVar[ServiceRules]
    # How many unknown jobs the access check refreshes: enough that the refresh makes the
    # listing request every refresh makes (a wrong address fails it, a lookup by id not).
    PROBE_JOBS: ClassVar[int] = 1

    _http: Http
    _name: str

    @property
    def kind(self) -> BackendKind:
        """Which service this is."""
        return self.KIND

    @property
    def rules(self) -> ServiceRules:
        """What is known of this service before connecting."""
        return self.RULES

    @property
    def requests(self) -> int:
        """HTTP requests sent so far over this connection (retries included)."""
        return self._http.requests

    async def check_access(self) -> None:
        """Refresh jobs no service has: the status request of every refresh, nothing more."""
        await self.refresh([_probe_job(self._name, i) for i in _PROBE_IDS[: self.PROBE_JOBS]])

    @abstractmethod
    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """What changed, given the jobs of this connection not yet terminal in the store."""

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.client.aclose()


def _probe_job(connection: str, job_id: str) -> Job:
    return Job(
        id=job_id,
        connection=connection,
        name="connection check",
        status=JobStatus.QUEUED,
        raw_status="queued",
        created_at=datetime.now(UTC),
    )
