"""The cancel confirmation: exactly which jobs a cancel affects, before anything is sent.

Open it with `open()`, never `exec()`: a modal loop inside a qasync coroutine re-enters the
event loop. Keeping the jobs is the safe default (Escape, Enter, the focused button); the
destructive button has to be chosen on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.services.cancel_plan import CancelPlan, running_detail


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

# Columns of the job list.
COLUMNS = ("Job", "Connection", "Status", "Why", "ID")


class CancelDialog(QDialog):
    """Asks to confirm a CancelPlan; `confirmed` carries the job ids to cancel.

    The ids are the selected cancellable jobs and running local renders; jobs cancelled by
    cascade are not in it, their back-end cancels them itself.
    """

    confirmed = Signal(list)

    def __init__(self, plan: CancelPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plan = plan
        count = plan.affected_count
        self.setWindowTitle("Cancel jobs?")
        self.setMinimumSize(560, 360)

        self.summary_label = QLabel(plan.summary())
        self.summary_label.setWordWrap(True)
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.note_label = QLabel(self._note())
        self.note_label.setWordWrap(True)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self._sections: dict[Section, QTreeWidgetItem] = {}
        self._fill()

        self.keep_button = QPushButton("Keep jobs")
        self.keep_button.setDefault(True)
        self.keep_button.setAutoDefault(True)
        self.keep_button.clicked.connect(self.reject)
        label = f"Cancel {count} job" if count == 1 else f"Cancel {count} jobs"
        self.confirm_button = QPushButton(label if count else "Nothing to cancel")
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.setDefault(False)
        # Styles can key on it to colour the button as destructive.
        self.confirm_button.setProperty("destructive", True)
        self.confirm_button.setEnabled(count > 0)
        self.confirm_button.clicked.connect(self._on_confirm)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.keep_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.keep_button.setFocus()

    @property
    def plan(self) -> CancelPlan:
        """The plan this dialog asks about."""
        return self._plan

    def section(self, section: Section) -> QTreeWidgetItem | None:
        """The tree item heading a group, or None when the group is empty (and not shown)."""
        return self._sections.get(section)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The tree comes first in the tab order; the safe button still starts focused.
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _note(self) -> str:
        plan = self._plan
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

    def _fill(self) -> None:
        plan = self._plan
        groups: list[tuple[Section, Sequence[tuple[Job, str]]]] = [
            (Section.CANCEL, [(j, "") for j in plan.cancel]),
            (Section.STOP, [(j, running_detail(j)) for j in plan.stop]),
            (Section.CASCADE, [(j, plan.cascade_via.get(j.id, "")) for j in plan.cascade]),
            (Section.REFUSED, plan.refused),
        ]
        # Built in one go with painting off: ten thousand rows must not freeze the window.
        self.tree.setUpdatesEnabled(False)
        try:
            for section, rows in groups:
                if not rows:
                    continue
                head = QTreeWidgetItem([section_heading(section, len(rows))])
                head.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = QFont(head.font(0))
                font.setBold(True)
                head.setFont(0, font)
                self.tree.addTopLevelItem(head)
                head.setFirstColumnSpanned(True)
                head.addChildren([_row(job, why) for job, why in rows])
                head.setExpanded(True)
                self._sections[section] = head
            self.tree.setColumnWidth(0, 220)
            for column in (1, 2, 3):
                self.tree.resizeColumnToContents(column)
        finally:
            self.tree.setUpdatesEnabled(True)

    def _on_confirm(self) -> None:
        ids = self._plan.ids_to_send
        if not ids:
            return
        self.confirmed.emit(ids)
        self.accept()


def section_heading(section: Section, count: int) -> str:
    """The text heading a group, with how many jobs it holds."""
    return f"{SECTION_TITLES[section]} \N{EM DASH} {count} job{'' if count == 1 else 's'}"


def _row(job: Job, why: str) -> QTreeWidgetItem:
    # Texts go in through the constructor only: on Python 3.11, PySide6 6.12 drops a
    # reference to None on many calls to methods returning void (item.setData and the
    # setters built on it); ten thousand rows of those crash the interpreter.
    return QTreeWidgetItem([job.name, job.connection, job.raw_status, why, job.id])
