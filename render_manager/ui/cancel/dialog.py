"""The cancel confirmation: exactly which jobs a cancel affects, before anything is sent.

Open it with `open()`, never `exec()`: a modal loop inside a qasync coroutine re-enters the
event loop. Keeping the jobs is the safe default (Escape, Enter, the focused button); the
destructive button has to be chosen on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QHelpEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolTip,
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

# Columns of the job list. The reason sits next to the name it explains: read together, and
# the last to be pushed off a narrow screen.
COLUMNS = ("Job", "Why", "Connection", "Status", "ID")
WHY_COLUMN = COLUMNS.index("Why")
# The Job column grows with the names up to this, so one long name cannot hide the reasons.
_MAX_NAME_WIDTH = 360
# Room a cell leaves around its text (the style's item margins), and the dialog's screen
# share it may take to show every column in full.
_CELL_PADDING = 16
_SCREEN_SHARE = 0.9


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
        # Every column keeps the width of its texts (see _fit_columns), the last one too.
        self.tree.header().setStretchLastSection(False)
        self._sections: dict[Section, QTreeWidgetItem] = {}
        self._fill()
        # A reason too long for the screen still reads in full, in its tooltip.
        self.tree.viewport().installEventFilter(self)

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
        self._fit_width()

    @property
    def plan(self) -> CancelPlan:
        """The plan this dialog asks about."""
        return self._plan

    def section(self, section: Section) -> QTreeWidgetItem | None:
        """The tree item heading a group, or None when the group is empty (and not shown)."""
        return self._sections.get(section)

    def cell_tooltip(self, index: QModelIndex) -> str | None:
        """The tooltip of a cell: a reason always, any other text cut short by its column."""
        text = index.data() if index.isValid() else None
        if not isinstance(text, str) or not text:
            return None
        if index.column() == WHY_COLUMN and index.parent().isValid():
            return text
        room = self.tree.visualRect(index).width() - _CELL_PADDING
        return text if self.tree.fontMetrics().horizontalAdvance(text) > room else None

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            index = self.tree.indexAt(event.pos())
            tip = self.cell_tooltip(index)
            if tip is None:
                QToolTip.hideText()
            else:
                viewport = self.tree.viewport()
                QToolTip.showText(event.globalPos(), tip, viewport, self.tree.visualRect(index))
            return True
        return super().eventFilter(watched, event)

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
            self._fit_columns([row for _, rows in groups for row in rows])
        finally:
            self.tree.setUpdatesEnabled(True)

    def _fit_columns(self, rows: Sequence[tuple[Job, str]]) -> None:
        """Every column as wide as its widest text over all rows, the Job column up to a cap.

        Measured from the texts, not the view: the view sizes a column to the rows on
        screen, and a longer reason further down was cut ("already been cancelle…").
        """
        metrics = self.tree.fontMetrics()

        def widest(texts: set[str], title: str) -> int:
            found = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            return max(found, metrics.horizontalAdvance(title)) + _CELL_PADDING

        names = widest({job.name for job, _ in rows}, COLUMNS[0])
        indent = 2 * self.tree.indentation()
        self.tree.setColumnWidth(0, min(names + indent, _MAX_NAME_WIDTH))
        columns = [
            {why for _, why in rows},
            {job.connection for job, _ in rows},
            {job.raw_status for job, _ in rows},
            {job.id for job, _ in rows},
        ]
        for column, texts in enumerate(columns, start=1):
            self.tree.setColumnWidth(column, widest(texts, COLUMNS[column]))

    def _fit_width(self) -> None:
        """Wide enough to show every column in full, within most of the screen."""
        header = self.tree.header()
        columns = sum(header.sectionSize(c) for c in range(len(COLUMNS)))
        frame = 2 * self.tree.frameWidth() + self.tree.verticalScrollBar().sizeHint().width()
        layout = self.layout()
        margins = (
            layout.contentsMargins().left() + layout.contentsMargins().right() if layout else 0
        )
        wanted = columns + frame + margins
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = int(screen.availableGeometry().width() * _SCREEN_SHARE) if screen else wanted
        width = max(self.minimumWidth(), min(wanted, room))
        self.resize(width, max(self.minimumHeight(), self.sizeHint().height()))

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
    return QTreeWidgetItem([job.name, why, job.connection, job.raw_status, job.id])
