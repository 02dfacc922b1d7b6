"""Every connection, local or remote: submit, refresh and cancel through its back-end.

One back-end per connection (a remote one holds a long-lived HTTP client; tokens come from
the keyring). What a back-end reports is kept in the store, unless its rules say it keeps
its jobs there itself (the local engine). A transport error never changes a job's status:
it marks the connection unhealthy, with the reason, until a later request succeeds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from render_manager.backends.errors import BackendError, JobGone
from render_manager.backends.factory import make_backend
from render_manager.backends.local_home import LocalHome
from render_manager.backends.protocol import (
    Backend,
    CancelsBatches,
    FindsByKey,
    HasTemplates,
    ListsTeamJobs,
    Prices,
    Template,
)
from render_manager.backends.rules import rules_for
from render_manager.domain.connection import Connection
from render_manager.domain.ids import new_ulid
from render_manager.domain.job import Batch, Job
from render_manager.domain.results import CancelSummary, SubmitResult
from render_manager.domain.status import TERMINAL_STATUSES, JobStatus
from render_manager.keychain import Keychain, KeychainError, KeyringUnavailable
from render_manager.services.health import Health
from render_manager.services.team_view import TeamView
from render_manager.store.connections import ConnectionRepository
from render_manager.store.job_requests import JobRequestRepository
from render_manager.store.jobs import JobRepository

log = logging.getLogger(__name__)

T = TypeVar("T")

_ACTIVE = [s for s in JobStatus if s not in TERMINAL_STATUSES]

TransportFactory = Callable[[Connection], httpx.AsyncBaseTransport | None]


class CannotCheck(BackendError):
    """The back-end offers no way to find the job a request may have created."""


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What one refresh of one connection did."""

    connection: str
    changed: int
    active: int
    requests: int
    problems: tuple[str, ...] = ()


class JobService:
    """Jobs of every connection for every front end; the window and `renderctl` share it.

    `local` is the home the local engine's connections queue their jobs in.
    """

    def __init__(
        self,
        connections: ConnectionRepository,
        jobs: JobRepository,
        keychain: Keychain,
        *,
        local: LocalHome,
        transport_for: TransportFactory | None = None,
        requests: JobRequestRepository | None = None,
    ) -> None:
        self._connections = connections
        self._jobs = jobs
        # Where a remote job's body is kept, to send it again as a retry (None: not kept).
        self._requests = requests
        self._keychain = keychain
        self._local = local
        self._transport_for = transport_for
        self._backends: dict[str, Backend] = {}
        # Connections whose refresh also brings in jobs created elsewhere (team view).
        self._team_views: set[str] = set()
        self._team = TeamView(jobs)
        self.health: dict[str, Health] = {}

    async def backend(self, name: str) -> Backend:
        """The back-end of a connection, created on first use."""
        backend = self._backends.get(name)
        if backend is None:
            connection = await asyncio.to_thread(self._connections.get, name)
            token = await self._token(connection)
            transport = self._transport_for(connection) if self._transport_for else None
            backend = make_backend(connection, token, transport, local=self._local)
            racing = self._backends.get(name)
            if racing is not None:
                # Another caller made it while this one awaited the store or keyring.
                await backend.aclose()
                return racing
            self._backends[name] = backend
            if connection.team_view:
                self._team_views.add(name)
        return backend

    async def _token(self, connection: Connection) -> str | None:
        if not connection.kind.needs_token:
            return None
        try:
            return await self._keychain.aget(connection.name)
        except KeychainError as exc:
            if isinstance(exc, KeyringUnavailable) and connection.kind.token_optional:
                return None  # no keyring, so no secret was ever stored: the server needs none
            # Shown as the connection's health, like any other reason it cannot be reached.
            self.health[connection.name] = Health(False, str(exc), datetime.now(UTC))
            raise BackendError(f"{connection.name}: {exc}") from None

    async def submit(
        self,
        name: str,
        bodies: Sequence[Mapping[str, Any]],
        *,
        batch_name: str | None = None,
        batch_id: str | None = None,
        base_dir: Path | None = None,
    ) -> SubmitResult:
        """Send jobs to a connection and record the ones it created.

        A back-end with batches of its own (Nexrender Cloud) keeps its batch ids, which its
        batch cancel needs. Otherwise the jobs are filed under `batch_id`, the caller's batch
        (a submission sent in chunks, or retried, stays one batch in the job table); without
        one, several jobs get a local grouping, so they can be watched and cancelled. The
        local engine files its jobs itself, under a batch of its own. Relative paths in
        the bodies are read from `base_dir` by back-ends that read this computer's files.
        """
        backend = await self.backend(name)
        outcome = await self._call(
            name, backend.submit_many(bodies, batch_name=batch_name, base_dir=base_dir)
        )
        created = [job for _, job in outcome.jobs]
        # A row's own job, not the nested children Nexrender Cloud creates with it.
        row_jobs = {i: j for i, j in outcome.jobs if j.parent_id is None}
        if rules_for(backend.kind).stores_jobs:
            group = outcome.batch_id  # stored already, under the back-end's own batch
        else:
            group = outcome.batch_id or batch_id
            if created and group is None and len(bodies) > 1:
                group = new_ulid()
            await self._store_created(name, created, group, batch_name or f"{len(bodies)} jobs")
            if self._requests is not None and row_jobs:
                sent = [(job.id, bodies[i]) for i, job in row_jobs.items() if i < len(bodies)]
                await asyncio.to_thread(self._requests.save_bodies, sent)
        return SubmitResult(
            batch_id=group if created else None,
            status=outcome.status,
            jobs=sorted((i, j.id) for i, j in row_jobs.items()),
            errors=list(outcome.errors),
            unknown=sorted(outcome.unknown),
            warnings=list(outcome.warnings),
        )

    async def refresh(self, name: str) -> RefreshReport:
        """Bring the store up to date with one connection; only changed jobs are written.

        With the connection's team view on (Nexrender Cloud), jobs created elsewhere since
        the last look are stored too (see team_view.py).
        """
        backend = await self.backend(name)
        # Store reads and writes run off the loop: the window's thread never waits on disk.
        known = await asyncio.to_thread(self._jobs.list, connection=name, statuses=_ACTIVE)
        outcome = await self._call(name, backend.refresh(known))
        if outcome.changed and not rules_for(backend.kind).stores_jobs:
            await asyncio.to_thread(self._store_merged, outcome.changed)
        changed_ids = {c.id for c in outcome.changed}
        active = sum(1 for j in outcome.changed if not j.is_terminal) + sum(
            1 for j in known if j.id not in changed_ids
        )
        changed, requests, problems = len(outcome.changed), outcome.requests, outcome.problems
        if name in self._team_views and isinstance(backend, ListsTeamJobs):
            team = await self._call(name, self._team.pull(name, backend))
            changed += len(team.new)
            active += sum(1 for j in team.new if not j.is_terminal)
            requests += team.requests
            problems = [*problems, *team.problems]
        for problem in problems:
            log.warning("%s: %s", name, problem)
        return RefreshReport(name, changed, active, requests, tuple(problems))

    async def cancel(self, jobs: Sequence[Job]) -> CancelSummary:
        """Cancel jobs, grouped by connection; cascaded cancellations are stored too."""
        summary = CancelSummary()
        by_connection: dict[str, list[Job]] = {}
        for job in jobs:
            by_connection.setdefault(job.connection, []).append(job)
        for name, group in by_connection.items():
            backend = await self.backend(name)
            try:
                outcome = await self._call(name, backend.cancel_many(group))
            except BackendError as exc:
                summary.skipped.extend((j.id, str(exc)) for j in group)
                continue
            if outcome.cancelled and not rules_for(backend.kind).stores_jobs:
                await asyncio.to_thread(self._store_merged, outcome.cancelled)
            summary.cancelled.extend(j.id for j in outcome.cancelled)
            summary.skipped.extend(outcome.skipped)
        return summary

    async def cancels_batches(self, name: str) -> bool:
        """True if the connection's back-end cancels a whole batch in one request."""
        return isinstance(await self.backend(name), CancelsBatches)

    async def cancel_batch(self, name: str, batch_id: str, jobs: Sequence[Job]) -> CancelSummary:
        """Cancel a whole batch of one connection, in one request where the back-end can.

        Nexrender Cloud gets one `POST /batches/{id}/cancel`; every job it cancelled, nested
        children included, is stored. A batch the cloud does not know (a grouping made by
        this app) and every other back-end fall back to cancelling `jobs` one by one.
        """
        backend = await self.backend(name)
        if not isinstance(backend, CancelsBatches):
            return await self.cancel(jobs)
        try:
            outcome = await backend.cancel_batch(batch_id, jobs)
        except JobGone:
            # An unknown batch says nothing about the connection's health.
            return await self.cancel(jobs)
        except BackendError as exc:
            self.health[name] = Health(False, str(exc), datetime.now(UTC))
            return CancelSummary(skipped=[(j.id, str(exc)) for j in jobs])
        self.health[name] = Health(True, None, datetime.now(UTC))
        if outcome.cancelled:
            await asyncio.to_thread(self._store_merged, outcome.cancelled)
        return CancelSummary([j.id for j in outcome.cancelled], list(outcome.skipped))

    def _store_merged(self, fresh: Sequence[Job]) -> None:
        """Store fresh state from a back-end over what the store knows of the same jobs.

        Status records (minimal lists, cancel answers) do not carry everything: the name
        the user gave, the batch and the tags stay as stored.
        """
        known = self._jobs.get_many(job.id for job in fresh)
        merged = []
        for job in fresh:
            stored = known.get(job.id)
            if stored is None:
                merged.append(job)
                continue
            merged.append(
                job.with_changes(
                    name=stored.name,
                    batch_id=job.batch_id or stored.batch_id,
                    parent_id=job.parent_id or stored.parent_id,
                    tags=stored.tags or job.tags,
                    created_at=stored.created_at,
                    output=job.output or stored.output,
                )
            )
        self._jobs.upsert_many(merged)

    async def _store_created(
        self, name: str, created: Sequence[Job], batch_id: str | None, batch_name: str
    ) -> None:
        """Store created jobs, each under its batch: `batch_id` for those the back-end put
        in none, and a batch row for every distinct batch id (a submission of more than
        1000 jobs gets one Nexrender Cloud batch per request)."""
        if not created:
            return
        if batch_id is not None:
            created = [j if j.batch_id else j.with_changes(batch_id=batch_id) for j in created]
        now = datetime.now(UTC)

        def write() -> None:
            by_batch: dict[str | None, list[Job]] = {}
            for job in created:
                by_batch.setdefault(job.batch_id, []).append(job)
            for group, jobs in by_batch.items():
                if group is None:
                    self._jobs.upsert_many(jobs)
                else:
                    batch = Batch(id=group, connection=name, name=batch_name, created_at=now)
                    self._jobs.add_batch(batch, jobs)

        await asyncio.to_thread(write)

    async def find_created(self, name: str, key: str, *, job_name: str | None = None) -> Job | None:
        """The job an earlier request with this row key created, if the back-end has it.

        The key is a row tag on Nexrender Cloud and the job's uid on a nexrender server; a
        job found is stored (under `job_name`, when given). CannotCheck for back-ends that
        cannot be asked.
        """
        backend = await self.backend(name)
        if not isinstance(backend, FindsByKey):
            raise CannotCheck(f"{name}: {backend.kind.value} cannot look a job up by its request")
        found = await self._call(name, backend.find_by_key(key))
        if found is not None:
            if job_name:
                found = found.with_changes(name=job_name)
            await asyncio.to_thread(self._jobs.upsert_many, [found])
        return found

    async def templates(self, name: str) -> list[Template]:
        """The templates of a connection (empty for back-ends that keep none)."""
        backend = await self.backend(name)
        if not isinstance(backend, HasTemplates):
            return []
        return await self._call(name, backend.templates())

    async def template(self, name: str, template_id: str) -> Template:
        """One template with its compositions and layers."""
        backend = await self.backend(name)
        if not isinstance(backend, HasTemplates):
            raise CannotCheck(f"{name} has no templates")
        return await self._call(name, backend.template(template_id))

    async def cost(
        self, name: str, bodies: Sequence[Mapping[str, Any]]
    ) -> list[tuple[int, object | str]] | None:
        """Each row's price before anything starts, or None if the back-end has no prices."""
        backend = await self.backend(name)
        if not isinstance(backend, Prices):
            return None
        return await self._call(name, backend.cost(bodies))

    async def aclose(self) -> None:
        """Close every back-end's HTTP client."""
        for backend in self._backends.values():
            await backend.aclose()
        self._backends.clear()
        self._team_views.clear()

    async def forget_all(self) -> None:
        """Drop every back-end and health record: the next call reads the connection's
        address and token afresh (after the user edited or removed connections)."""
        await self.aclose()
        self.health.clear()
        # The team view may have just been turned on: look back the full week again.
        self._team.forget()

    async def _call(self, name: str, call: Awaitable[T]) -> T:
        try:
            result = await call
        except BackendError as exc:
            self.health[name] = Health(False, str(exc), datetime.now(UTC))
            raise
        self.health[name] = Health(True, None, datetime.now(UTC))
        return result
