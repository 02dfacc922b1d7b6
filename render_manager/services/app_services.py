"""Every service a front end uses, built once per process over one opened home.

The window and `renderctl` each make one `AppServices` before anything else and hand it to
whatever needs a service: nothing builds its own, and nothing is wired in afterwards. The
parts whose modules take long to load (the HTTP stack behind the remote back-ends, the
render engine) are made on first use, so the window is on screen before they load.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from render_manager.backends.rules import rules_for
from render_manager.services.connections import ConnectionService
from render_manager.services.context import AppContext
from render_manager.store.local_jobs import LocalJobRepository

if TYPE_CHECKING:
    # Types only: these modules load on first use (httpx and the engine take a while).
    from render_manager.backends.errors import BackendError
    from render_manager.domain.connection import Connection
    from render_manager.domain.results import CancelSummary, PauseSummary, RetrySummary
    from render_manager.services.batch_data import PreparedRow
    from render_manager.services.batch_submit import BatchSubmission
    from render_manager.services.engine_host import EngineHost, EngineState
    from render_manager.services.job_output import JobOutputs
    from render_manager.services.job_service import JobService, RefreshReport, TransportFactory
    from render_manager.services.project_catalog import ProjectCatalog
    from render_manager.services.refresh import Cadence, RefreshScheduler


class AppServices:
    """The connections, the local job repository, the job service over every connection's
    back-end, submission, cancel, outputs, projects read for the window, the engine and the
    refresh loops.

    `transport_for` gives the HTTP transport of a connection (None: the network): the one
    seam tests use to put loopback fakes behind every remote connection. `engine_command`
    names this process in the engine lock ("render-manager", "renderctl engine").
    """

    def __init__(
        self,
        ctx: AppContext,
        *,
        transport_for: TransportFactory | None = None,
        engine_command: str = "render-manager",
    ) -> None:
        self.ctx = ctx
        self.transport_for = transport_for
        self.local_jobs = LocalJobRepository(ctx.db)
        # Connections with their tokens in the keyring: what the Connections dialog edits.
        self.connections = ConnectionService(ctx.connections, ctx.keychain)
        self._engine_command = engine_command
        self._job_service: JobService | None = None
        self._outputs: JobOutputs | None = None
        self._projects: ProjectCatalog | None = None
        self._engines: EngineHost | None = None
        self._refresher: RefreshScheduler | None = None
        self._engine_listeners: list[Callable[[], None]] = []

    # -- services made on first use ----------------------------------------------------------

    @property
    def job_service(self) -> JobService:
        """The one service that submits, refreshes and cancels on every connection, local
        or remote, through its back-end (a remote one holds one long-lived client)."""
        if self._job_service is None:
            from render_manager.backends.local_home import LocalHome  # noqa: PLC0415
            from render_manager.services.job_service import JobService  # noqa: PLC0415
            from render_manager.store.local_pauses import LocalPauseRepository  # noqa: PLC0415

            ctx = self.ctx
            local = LocalHome(
                ctx.jobs,
                self.local_jobs,
                ctx.home,
                wake_engine=self.wake_engine,
                pauses=LocalPauseRepository(ctx.db),
            )
            self._job_service = JobService(
                ctx.connections,
                ctx.jobs,
                ctx.keychain,
                local=local,
                transport_for=self.transport_for,
                requests=ctx.requests,
            )
        return self._job_service

    @property
    def outputs(self) -> JobOutputs:
        """Outputs, links and logs of the home's jobs."""
        if self._outputs is None:
            from render_manager.services.job_output import JobOutputs  # noqa: PLC0415

            self._outputs = JobOutputs(self)
        return self._outputs

    @property
    def projects(self) -> ProjectCatalog:
        """After Effects projects read off the event loop, once per version of a file."""
        if self._projects is None:
            from render_manager.services.project_catalog import ProjectCatalog  # noqa: PLC0415

            self._projects = ProjectCatalog()
        return self._projects

    def submission(
        self,
        connection: Connection,
        prepared: Sequence[PreparedRow],
        *,
        base_dir: Path,
        batch_name: str,
        stamp: bool = True,
        chunk_size: int | None = None,
        batch_id: str | None = None,
        retry_of: Mapping[int, str] | None = None,
    ) -> BatchSubmission:
        """A submission of prepared rows to one connection (see batch_submit.py); rows in
        `retry_of` (position → job id) are sent as retries of those jobs."""
        from render_manager.services.batch_submit import BatchSubmission  # noqa: PLC0415

        return BatchSubmission(
            self,
            connection,
            prepared,
            base_dir=base_dir,
            batch_name=batch_name,
            stamp=stamp,
            chunk_size=chunk_size,
            batch_id=batch_id,
            retry_of=retry_of,
        )

    async def cancel(self, job_ids: Sequence[str], *, batch_id: str | None = None) -> CancelSummary:
        """Cancel jobs wherever they run (see cancel.py); this process's engine hears at once."""
        from render_manager.services.cancel import cancel_jobs  # noqa: PLC0415

        return await cancel_jobs(self, job_ids, batch_id=batch_id)

    async def pause(self, job_ids: Sequence[str], *, stop_running: bool = False) -> PauseSummary:
        """Hold jobs until resumed (see pause.py); others are skipped, saying why."""
        from render_manager.services.pause import pause_jobs  # noqa: PLC0415

        return await pause_jobs(self, job_ids, stop_running=stop_running)

    async def resume(self, job_ids: Sequence[str]) -> PauseSummary:
        """Put paused jobs back in their queues (see pause.py)."""
        from render_manager.services.pause import resume_jobs  # noqa: PLC0415

        return await resume_jobs(self, job_ids)

    async def pause_connection(self, name: str, *, stop_running: bool = False) -> PauseSummary:
        """Pause a connection's queue: its engine starts no new render (see pause.py)."""
        from render_manager.services.pause import pause_connection  # noqa: PLC0415

        return await pause_connection(self, name, stop_running=stop_running)

    async def resume_connection(self, name: str) -> PauseSummary:
        """Let a paused connection's engine start renders again (see pause.py)."""
        from render_manager.services.pause import resume_connection  # noqa: PLC0415

        return await resume_connection(self, name)

    async def retry(self, job_ids: Sequence[str], *, resend_unknown: bool = False) -> RetrySummary:
        """Send failed and cancelled jobs again (see retry.py); others are skipped, saying why."""
        from render_manager.services.retry import retry_jobs  # noqa: PLC0415

        return await retry_jobs(self, job_ids, resend_unknown=resend_unknown)

    # -- the local engine --------------------------------------------------------------------

    def watch_engine(self, on_change: Callable[[], None]) -> None:
        """Call `on_change` whenever this process's engine changes a job."""
        self._engine_listeners.append(on_change)

    async def start_engines(self) -> list[EngineState]:
        """Render the local connections' queues here, unless another process does."""
        if self._engines is None:
            from render_manager.services.engine_host import EngineHost  # noqa: PLC0415

            self._engines = EngineHost(
                self.ctx, command=self._engine_command, on_change=self._engine_changed
            )
        return await self._engines.start()

    def running_renders(self) -> int:
        """How many local renders this process runs right now."""
        return self._engines.running_count() if self._engines is not None else 0

    def wake_engine(self) -> None:
        """Make this process's engine look at its queue and cancel requests now."""
        if self._engines is not None:
            self._engines.wake()

    async def stop_engines(self, *, leave_running: bool) -> None:
        """Stop this process's engine: renders end (and are requeued) or are left running."""
        if self._engines is not None:
            await self._engines.stop(leave_running=leave_running)

    def _engine_changed(self) -> None:
        for listener in self._engine_listeners:
            listener()

    # -- refreshing remote connections on a timer --------------------------------------------

    def start_refreshing(
        self,
        cadence: Cadence,
        *,
        on_report: Callable[[RefreshReport], None],
        on_error: Callable[[str, BackendError], None],
    ) -> None:
        """Refresh remote connections on a timer from now on (see `follow_connections`)."""
        from render_manager.services.refresh import RefreshScheduler  # noqa: PLC0415

        if self._refresher is None:
            self._refresher = RefreshScheduler(
                self.job_service, cadence=cadence, on_report=on_report, on_error=on_error
            )

    async def follow_connections(self) -> None:
        """Refresh exactly the stored remote connections (after they were edited)."""
        if self._refresher is None:
            return
        connections = await asyncio.to_thread(self.ctx.connections.list)
        # A back-end that keeps its jobs in this store (the local engine) has nothing to
        # fetch: the window reads the store's changes itself.
        self._refresher.sync([c.name for c in connections if not rules_for(c.kind).stores_jobs])

    def refresh_now(self) -> None:
        """Refresh every remote connection now (F5); nothing before refreshing started."""
        if self._refresher is not None:
            self._refresher.force()

    def set_refresh_cadence(self, cadence: Cadence) -> None:
        """Refresh at a new pace, starting now."""
        if self._refresher is not None:
            self._refresher.set_cadence(cadence)

    async def forget_connections(self) -> None:
        """Drop the back-ends: the next call reads the connections' addresses and tokens."""
        if self._job_service is not None:
            await self._job_service.forget_all()

    # -- closing -----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop the refresh loops and close the back-ends' clients (on the running loop).

        The services stay usable: a later call opens new clients, on whatever loop runs then.
        """
        if self._refresher is not None:
            await self._refresher.stop()
            self._refresher = None
        if self._job_service is not None:
            await self._job_service.aclose()
