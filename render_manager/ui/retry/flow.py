"""Retry from the window: confirm exactly what will happen, act, show every outcome once.

The same plan → confirm → outcome flow as cancel: the plan dialog lists per job what a
retry does (back to the queue as its next attempt, a new job on its connection, or
skipped and why); the outcome panel shows what was done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtWidgets import QWidget

from render_manager.backends.errors import BackendError
from render_manager.domain.job import Job
from render_manager.domain.results import RetrySummary
from render_manager.domain.status import BackendKind, retry_refusal_reason
from render_manager.services.app_services import AppServices
from render_manager.services.retry_facts import load_facts
from render_manager.services.retry_plan import RetryPlan, batch_retry_targets, plan_retry
from render_manager.ui.jobs.outcome_panel import RETRY_WORDS, OutcomePanel
from render_manager.ui.jobs.plan_dialog import PlanDialog, PlanGroup, PlanView
from render_manager.ui.jobs.plan_flow import PlanFlow


class RetrySection(IntEnum):
    """The groups of the retry plan dialog, in the order they are shown."""

    REQUEUE = 0
    RESUBMIT = 1
    REFUSED = 2


RETRY_TITLES = {
    RetrySection.REQUEUE: "Back to the queue",
    RetrySection.RESUBMIT: "Sent again as new jobs",
    RetrySection.REFUSED: "Cannot be retried",
}


def retry_view(plan: RetryPlan) -> PlanView:
    """What the plan dialog shows of a retry plan."""
    count = plan.affected_count
    groups = [
        PlanGroup(int(s), RETRY_TITLES[s], rows)
        for s, rows in (
            (RetrySection.REQUEUE, plan.requeue),
            (RetrySection.RESUBMIT, plan.resubmit),
            (RetrySection.REFUSED, plan.refused),
        )
    ]
    if count:
        note = "Nothing is sent until you confirm. Each earlier attempt keeps its error and log."
    elif plan.refused:
        note = "There is nothing to send: each job below says why it cannot be retried."
    else:
        note = "Select failed or cancelled jobs in the job list first."

    def label(n: int) -> str:
        return f"Retry {n} job" + ("" if n == 1 else "s") if n else "Nothing to retry"

    held = len(plan.unsettled)
    option = (
        f"Resend the {held} job{'' if held == 1 else 's'} whose earlier retry is unknown "
        "(I checked the service: it was not created)"
    )
    return PlanView(
        title="Retry jobs?",
        summary=plan.summary(),
        note=note,
        groups=groups,
        confirm_text=label(count),
        keep_text="Close" if not count and not held else "Don't retry",
        ids_to_send=plan.ids_to_send,
        option_text=option if held else None,
        option_ids=list(plan.unsettled),
        confirm_label=label,
    )


def retry_disabled_reason(selected: Sequence[Job], kinds: dict[str, BackendKind]) -> str | None:
    """Why Retry is not offered for this selection, or None when some job can be retried."""
    if not selected:
        return "Select failed or cancelled jobs to retry them"
    for job in selected:
        kind = kinds.get(job.connection)
        if kind is not None and retry_refusal_reason(kind, job.raw_status) is None:
            return None
    return "Only failed or cancelled jobs can be retried; none is selected"


class RetryFlow(PlanFlow):
    """Plans a retry, asks once, runs it off the dialog, and reports to the outcome panel."""

    def __init__(
        self,
        parent: QWidget,
        services: AppServices,
        panel: OutcomePanel,
        *,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        on_done: Callable[[], None],
    ) -> None:
        super().__init__(parent, services, panel, spawn=spawn, on_done=on_done)
        self._names: dict[str, str] = {}

    def start(self, selected: Sequence[Job]) -> None:
        """Show the plan for these jobs (nothing happens before the user agrees)."""
        if selected:
            self._spawn(self._plan(list(selected), None))

    def start_batch(self, batch_id: str, all_jobs: Sequence[Job]) -> None:
        """Show the plan for the batch's failed and cancelled jobs not yet retried."""
        members = [job for job in all_jobs if job.batch_id == batch_id]
        self._spawn(self._plan(members, batch_id))

    async def _plan(self, jobs: list[Job], batch_id: str | None) -> None:
        services = self._services
        # The store is read off the loop: a plan of thousands of jobs must not freeze it.
        attempts = await asyncio.to_thread(services.local_jobs.attempts, [j.id for j in jobs])
        facts = await asyncio.to_thread(load_facts, services.ctx, jobs, attempts)
        if batch_id is not None:
            jobs = batch_retry_targets(batch_id, jobs, facts)
        plan = plan_retry(jobs, self.kinds, facts)
        self._names = {job.id: job.name for job in jobs}
        dialog = PlanDialog(retry_view(plan), self._parent)
        dialog.confirmed.connect(self._on_confirmed)
        self.dialog = dialog
        # open(), never exec(): a nested event loop would stall the asyncio work under it.
        dialog.open()

    def _on_confirmed(self, job_ids: list[str]) -> None:
        resend = self.dialog is not None and self.dialog.option_checked
        self._spawn(self._retry(job_ids, dict(self._names), resend))

    async def _retry(self, job_ids: list[str], names: dict[str, str], resend: bool) -> None:
        try:
            summary = await self._services.retry(job_ids, resend_unknown=resend)
        except BackendError as exc:
            summary = RetrySummary(skipped=[(job_id, str(exc)) for job_id in job_ids])
        done = [
            (old, "back in the queue" if old == new else f"new job {new}")
            for old, new in summary.retried
        ]
        self._panel.show_results(RETRY_WORDS, done, summary.skipped, names)
        self._on_done()
