"""Pause and resume from the window: confirm exactly what will happen, act, show the outcome.

The same plan → confirm → outcome flow as cancel and retry: the plan dialog lists per job
what a pause does (held now; a running render stopped and held only if the box is ticked,
its run not counted; or left alone and why), or what a resume does.
"""

from __future__ import annotations

from collections.abc import Sequence

from render_manager.backends.errors import BackendError
from render_manager.domain.job import Job
from render_manager.domain.results import PauseSummary
from render_manager.domain.status import BackendKind
from render_manager.services.pause_plan import (
    PausePlan,
    pause_refusal,
    plan_pause,
    plan_resume,
    resume_refusal,
)
from render_manager.ui.jobs.outcome_panel import PAUSE_WORDS, RESUME_WORDS
from render_manager.ui.jobs.plan_dialog import PlanDialog, PlanGroup, PlanView
from render_manager.ui.jobs.plan_flow import PlanFlow


def pause_view(plan: PausePlan) -> PlanView:
    """What the plan dialog shows of a pause or resume plan."""
    verb = "Resume" if plan.resume else "Pause"
    groups = [
        PlanGroup(0, "Back to the queue" if plan.resume else "Held now", plan.change),
        PlanGroup(1, "Running: stopped and held if you tick the box below", plan.stop),
        PlanGroup(2, f"Cannot be {verb.lower()}d", plan.refused),
    ]

    def label(n: int) -> str:
        return f"{verb} {n} job" + ("" if n == 1 else "s") if n else f"Nothing to {verb.lower()}"

    running = len(plan.stop)
    if plan.change or plan.stop:
        note = "Nothing changes until you confirm. A held job can be resumed or cancelled."
    else:
        note = f"There is nothing to {verb.lower()}: each job below says why."
    option = (
        f"Also stop the {running} running render{'' if running == 1 else 's'} and hold "
        f"{'it' if running == 1 else 'them'} (the run is not counted)"
    )
    return PlanView(
        title=f"{verb} jobs?",
        summary=plan.summary(),
        note=note,
        groups=[g for g in groups if g.rows],
        confirm_text=label(len(plan.change)),
        keep_text="Close" if not plan.change and not running else f"Don't {verb.lower()}",
        ids_to_send=plan.ids_to_send,
        option_text=option if running else None,
        option_ids=plan.ids_to_stop,
        confirm_label=label,
    )


def pause_disabled_reason(selected: Sequence[Job], kinds: dict[str, BackendKind]) -> str | None:
    """Why Pause is not offered for this selection, or None when some job can be paused."""
    if not selected:
        return "Select queued local jobs to pause them"
    reasons = [pause_refusal(job, kinds, stop_running=True) for job in selected]
    if any(why is None for why in reasons):
        return None
    return reasons[0] if len(set(reasons)) == 1 else "None of the selected jobs can be paused"


def resume_disabled_reason(selected: Sequence[Job], kinds: dict[str, BackendKind]) -> str | None:
    """Why Resume is not offered for this selection, or None when some job is paused."""
    if not selected:
        return "Select paused jobs to resume them"
    if any(resume_refusal(job, kinds) is None for job in selected):
        return None
    return "None of the selected jobs is paused"


class PauseFlow(PlanFlow):
    """Plans a pause or resume, asks once, runs it, and reports to the outcome panel."""

    def start(self, selected: Sequence[Job], *, resume: bool) -> None:
        """Show the plan for these jobs (nothing happens before the user agrees)."""
        if not selected:
            return
        jobs = list(selected)
        plan = plan_resume(jobs, self.kinds) if resume else plan_pause(jobs, self.kinds)
        names = {job.id: job.name for job in jobs}
        dialog = PlanDialog(pause_view(plan), self._parent)
        stop_ids = set(plan.ids_to_stop)
        dialog.confirmed.connect(
            lambda ids: self._spawn(self._act(ids, names, resume, bool(stop_ids & set(ids))))
        )
        self.dialog = dialog
        # open(), never exec(): a nested event loop would stall the asyncio work under it.
        dialog.open()

    async def _act(self, ids: list[str], names: dict[str, str], resume: bool, stop: bool) -> None:
        try:
            if resume:
                summary = await self._services.resume(ids)
            else:
                summary = await self._services.pause(ids, stop_running=stop)
        except BackendError as exc:
            summary = PauseSummary("resume" if resume else "pause")
            summary.skipped = [(job_id, str(exc)) for job_id in ids]
        what = "back in the queue" if resume else "held until resumed"
        done = [(i, "render stopped, held" if i in summary.stopped else what) for i in summary.done]
        words = RESUME_WORDS if resume else PAUSE_WORDS
        self._panel.show_results(words, done, summary.skipped, names)
        self._on_done()
