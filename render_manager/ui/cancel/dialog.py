"""The cancel confirmation: exactly which jobs a cancel affects, before anything is sent.

A `PlanDialog` (ui/jobs/plan_dialog.py) showing a `CancelPlan`: the jobs cancelled, the
running renders stopped, those cancelled with them by cascade, and those refused with why.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from render_manager.services.cancel_plan import CancelPlan, running_detail
from render_manager.ui.jobs.plan_dialog import (
    COLUMNS,
    WHY_COLUMN,
    PlanDialog,
    PlanGroup,
    PlanView,
    group_heading,
)

__all__ = ["COLUMNS", "SECTION_TITLES", "WHY_COLUMN", "CancelDialog", "Section", "section_heading"]


class Section(IntEnum):
    """The groups of the dialog, in the order they are shown."""

    CANCEL = 0
    STOP = 1
    CASCADE = 2
    REFUSED = 3


SECTION_TITLES: dict[Section, str] = {
    Section.CANCEL: "Will be cancelled",
    Section.STOP: "Running renders that will be stopped",
    Section.CASCADE: "Cancelled with them (nested jobs)",
    Section.REFUSED: "Cannot be cancelled",
}


class CancelDialog(PlanDialog):
    """Asks to confirm a CancelPlan; `confirmed` carries the job ids to cancel.

    The ids are the selected cancellable jobs and running local renders; jobs cancelled by
    cascade are not in it, their back-end cancels them itself.
    """

    def __init__(self, plan: CancelPlan, parent: QWidget | None = None) -> None:
        self._plan = plan
        super().__init__(cancel_view(plan), parent)

    @property
    def plan(self) -> CancelPlan:
        """The plan this dialog asks about."""
        return self._plan

    def section(self, section: int) -> QTreeWidgetItem | None:
        """The tree item heading a group, or None when the group is empty (and not shown)."""
        return super().section(int(section))


def cancel_view(plan: CancelPlan) -> PlanView:
    """What the plan dialog shows of a cancel plan."""
    count = plan.affected_count
    label = f"Cancel {count} job" if count == 1 else f"Cancel {count} jobs"
    groups = [
        PlanGroup(Section.CANCEL, SECTION_TITLES[Section.CANCEL], [(j, "") for j in plan.cancel]),
        PlanGroup(
            Section.STOP, SECTION_TITLES[Section.STOP], [(j, running_detail(j)) for j in plan.stop]
        ),
        PlanGroup(
            Section.CASCADE,
            SECTION_TITLES[Section.CASCADE],
            [(j, plan.cascade_via.get(j.id, "")) for j in plan.cascade],
        ),
        PlanGroup(Section.REFUSED, SECTION_TITLES[Section.REFUSED], plan.refused),
    ]
    return PlanView(
        title="Cancel jobs?",
        summary=plan.summary(),
        note=_note(plan),
        groups=groups,
        confirm_text=label if count else "Nothing to cancel",
        keep_text="Keep jobs",
        ids_to_send=plan.ids_to_send,
        destructive=True,
    )


def section_heading(section: Section, count: int) -> str:
    """The text heading a group, with how many jobs it holds."""
    return group_heading(SECTION_TITLES[section], count)


def _note(plan: CancelPlan) -> str:
    if plan.affected_count == 0:
        if plan.refused:
            return "There is nothing to send: each job below says why it cannot be cancelled."
        return "Select the jobs to cancel in the job list first."
    if plan.stop:
        return (
            "Running renders are killed at once, part-way through. "
            "Nothing is sent until you confirm."
        )
    return "Nothing is sent until you confirm."
