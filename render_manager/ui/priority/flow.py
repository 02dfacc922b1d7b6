"""Priority from the window: Jobs → Priority (raise Ctrl+Up, lower Ctrl+Down, set…).

A selection whose every job can move moves at once (a key press per step, as in a render
queue); a mixed one gets the plan dialog first, listing per job its new priority or why it
keeps the one it has, as cancel and retry do. The outcome panel shows what was done.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtWidgets import QInputDialog, QWidget

from render_manager.backends.errors import BackendError
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.services.priority import PrioritySummary, apply_plan, plan_for
from render_manager.services.priority_plan import (
    PriorityChange,
    PriorityMove,
    PriorityPlan,
    priority_refusal,
)
from render_manager.ui.jobs.outcome_panel import OutcomePanel, OutcomeWords
from render_manager.ui.jobs.plan_dialog import PlanDialog, PlanGroup, PlanView
from render_manager.ui.jobs.plan_flow import PlanFlow

PRIORITY_WORDS = OutcomeWords("Priority", "changed", "not changed")


class PrioritySection(IntEnum):
    """The groups of the priority plan dialog, in the order they are shown."""

    CHANGE = 0
    REFUSED = 1


def priority_view(plan: PriorityPlan, change: PriorityChange) -> PlanView:
    """What the plan dialog shows of a priority plan."""
    count = plan.affected_count
    groups = [
        PlanGroup(int(PrioritySection.CHANGE), "New priority", [(j, w) for j, _, w in plan.change]),
        PlanGroup(int(PrioritySection.REFUSED), "Keep their priority", plan.refused),
    ]
    note = (
        "Nothing changes until you confirm. Higher priorities render first."
        if count
        else "There is nothing to change: each job below says why."
    )
    label = f"Change {count} job" + ("" if count == 1 else "s") if count else "Nothing to change"
    return PlanView(
        title=f"{change.describe()}?",
        summary=plan.summary(),
        note=note,
        groups=groups,
        confirm_text=label,
        keep_text="Don't change" if count else "Close",
        ids_to_send=[job.id for job, _, _ in plan.change],
    )


def priority_disabled_reason(selected: Sequence[Job], kinds: dict[str, BackendKind]) -> str | None:
    """Why Priority is not offered for this selection, or None when some job can move."""
    if not selected:
        return "Select queued jobs to change their priority"
    reasons = [priority_refusal(kinds.get(job.connection), job) for job in selected]
    if any(reason is None for reason in reasons):
        return None
    first = next(reason for reason in reasons if reason is not None)
    return f"No selected job's priority can change: {first}"


class PriorityFlow(PlanFlow):
    """Plans a priority change, asks only for mixed selections, and reports the outcome."""

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
        self.ask: QInputDialog | None = None
        self._plan: PriorityPlan | None = None

    def start(self, selected: Sequence[Job], change: PriorityChange) -> None:
        """Change the selection's priority (asking first if some jobs cannot move)."""
        if selected:
            self._spawn(self._run(list(selected), change))

    def ask_value(self, selected: Sequence[Job]) -> None:
        """Ask for the number, then set every selected job to it."""
        jobs = list(selected)
        if not jobs:
            return
        ask = QInputDialog(self._parent)
        ask.setWindowTitle("Set priority")
        ask.setLabelText("Priority (higher renders first):")
        ask.setInputMode(QInputDialog.InputMode.IntInput)
        ask.setIntRange(-1_000_000, 1_000_000)
        ask.setIntValue(0)
        ask.intValueSelected.connect(
            lambda value: self.start(jobs, PriorityChange(PriorityMove.SET, value))
        )
        self.ask = ask
        # open(), never exec(): a nested event loop would stall the asyncio work under it.
        ask.open()

    async def _run(self, jobs: list[Job], change: PriorityChange) -> None:
        plan, _unknown = await plan_for(self._services, [job.id for job in jobs], change)
        self._plan = plan
        if plan.refused or not plan.change:
            dialog = PlanDialog(priority_view(plan, change), self._parent)
            dialog.confirmed.connect(lambda _ids: self._spawn(self._apply(plan)))
            self.dialog = dialog
            dialog.open()
            return
        await self._apply(plan)

    async def _apply(self, plan: PriorityPlan) -> None:
        names = {job.id: job.name for job, _, _ in plan.change}
        names.update((job.id, job.name) for job, _ in plan.refused)
        try:
            summary = await apply_plan(self._services, plan)
        except BackendError as exc:
            summary = PrioritySummary(skipped=[(job.id, str(exc)) for job, _, _ in plan.change])
        done = [(i, f"priority {was} → {new}") for i, was, new in summary.changed]
        self._panel.show_results(PRIORITY_WORDS, done, summary.skipped, names)
        self._on_done()
