"""Cancel from the window: confirm exactly what will happen, act, show every outcome once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from render_manager.backends.errors import BackendError
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind
from render_manager.services.cancel_plan import CancelPlan, plan_cancel, plan_cancel_batch
from render_manager.services.context import AppContext
from render_manager.services.results import CancelSummary
from render_manager.ui.cancel.dialog import CancelDialog
from render_manager.ui.cancel.outcome_panel import OutcomePanel

if TYPE_CHECKING:
    # Types only: these modules load on first use, after the window is on screen.
    from render_manager.services.remote import RemoteService

log = logging.getLogger(__name__)


class CancelFlow:
    """Plans a cancel, asks once, runs it off the dialog, and reports to the outcome panel."""

    def __init__(
        self,
        parent: QWidget,
        ctx: AppContext,
        panel: OutcomePanel,
        *,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        on_done: Callable[[], None],
    ) -> None:
        self._parent = parent
        self._ctx = ctx
        self._panel = panel
        self._spawn = spawn
        self._on_done = on_done
        self.kinds: dict[str, BackendKind] = {}
        # Set by the session: the remote back-ends, and a way to wake this process's engine.
        self.remote: RemoteService | None = None
        self.wake_engine: Callable[[], None] | None = None
        self.dialog: CancelDialog | None = None
        # The batch the open dialog is about, if it was opened to cancel a batch.
        self._batch_id: str | None = None

    def start(self, selected: Sequence[Job], all_jobs: Sequence[Job]) -> None:
        """Show the confirmation for these jobs (nothing happens before the user agrees)."""
        if selected:
            self._batch_id = None
            self._confirm(plan_cancel(selected, self.kinds, all_jobs))

    def start_batch(self, batch_id: str, all_jobs: Sequence[Job]) -> None:
        """Show the confirmation for every job of a batch."""
        self._batch_id = batch_id
        self._confirm(plan_cancel_batch(batch_id, self.kinds, all_jobs))

    def _confirm(self, plan: CancelPlan) -> None:
        dialog = CancelDialog(plan, self._parent)
        dialog.confirmed.connect(self._on_confirmed)
        self.dialog = dialog
        # open(), never exec(): a nested event loop would stall the asyncio work under it.
        dialog.open()

    def _on_confirmed(self, job_ids: list[str]) -> None:
        names = {}
        if self.dialog is not None:
            plan = self.dialog.plan
            jobs = [*plan.cancel, *plan.stop, *plan.cascade, *(j for j, _ in plan.refused)]
            names = {j.id: j.name for j in jobs}
        self._spawn(self._cancel(job_ids, names, self._batch_id))

    async def _cancel(
        self, job_ids: list[str], names: dict[str, str], batch_id: str | None = None
    ) -> None:
        # Loaded on first cancel: the HTTP stack need not delay the window's first paint.
        from render_manager.services.cancel import cancel_jobs  # noqa: PLC0415
        from render_manager.services.remote import RemoteService  # noqa: PLC0415

        remote = self.remote or RemoteService(
            self._ctx.connections, self._ctx.jobs, self._ctx.keychain
        )
        try:
            summary = await cancel_jobs(
                self._ctx, job_ids, remote=remote, wake_engine=self.wake_engine, batch_id=batch_id
            )
        except BackendError as exc:
            summary = CancelSummary(skipped=[(job_id, str(exc)) for job_id in job_ids])
        finally:
            if self.remote is None:
                await remote.aclose()
        # A batch cancel reports jobs the dialog did not list (the batch's jobs it refused,
        # nested children the table had not seen yet): the store has their names.
        reported = [*summary.cancelled, *(job_id for job_id, _ in summary.skipped)]
        unnamed = [job_id for job_id in reported if not names.get(job_id)]
        if unnamed:
            stored = await asyncio.to_thread(self._ctx.jobs.get_many, unnamed)
            names.update((job_id, job.name) for job_id, job in stored.items() if job.name)
        self._panel.show_outcome(summary, names)
        self._on_done()
