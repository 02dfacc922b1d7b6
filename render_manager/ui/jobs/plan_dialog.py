"""The plan dialog: per job, exactly what an action on the queue will do, before it is done.

Cancel and Retry (and any later queue action) show their plan here: a summary sentence, a
note, then groups of jobs, each row with the reason or detail that explains it. Open it with
`open()`, never `exec()`: a modal loop inside a qasync coroutine re-enters the event loop.
Keeping the jobs as they are is the safe default (Escape, Enter, the focused button); the
acting button has to be chosen on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QHelpEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
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


@dataclass(frozen=True, slots=True)
class PlanGroup:
    """One group of the dialog: its key (the caller's), title and (job, why) rows."""

    key: int
    title: str
    rows: Sequence[tuple[Job, str]]


@dataclass(frozen=True, slots=True)
class PlanView:
    """What the dialog shows of a plan, and what confirming sends."""

    title: str
    summary: str
    note: str
    groups: Sequence[PlanGroup]
    confirm_text: str
    keep_text: str
    ids_to_send: list[str] = field(default_factory=list)
    # The confirm button undoes work (cancel); styles may colour it.
    destructive: bool = False
    # A box the user ticks to send `option_ids` too (jobs held back until they say so),
    # and the confirm button's text for a number of jobs once it is ticked.
    option_text: str | None = None
    option_ids: list[str] = field(default_factory=list)
    confirm_label: Callable[[int], str] | None = None


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


class PlanDialog(QDialog):
    """Asks to confirm a plan; `confirmed` carries the job ids to act on."""

    confirmed = Signal(list)

    def __init__(self, view: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        count = len(view.ids_to_send)
        self.setWindowTitle(view.title)
        self.setMinimumSize(560, 360)

        self.summary_label = QLabel(view.summary)
        self.summary_label.setWordWrap(True)
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.note_label = QLabel(view.note)
        self.note_label.setWordWrap(True)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Every column keeps the width of its texts (see _fit_columns), the last one too.
        self.tree.header().setStretchLastSection(False)
        self._sections: dict[int, QTreeWidgetItem] = {}
        self._fill()
        # A reason too long for the screen still reads in full, in its tooltip.
        self.tree.viewport().installEventFilter(self)

        self.keep_button = QPushButton(view.keep_text)
        self.keep_button.setDefault(True)
        self.keep_button.setAutoDefault(True)
        self.keep_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(view.confirm_text)
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.setDefault(False)
        # Styles can key on it to colour the button as destructive.
        self.confirm_button.setProperty("destructive", view.destructive)
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
        self.option_box = QCheckBox(view.option_text or "")
        self.option_box.setVisible(bool(view.option_text and view.option_ids))
        self.option_box.toggled.connect(self._on_option_toggled)
        layout.addWidget(self.option_box)
        layout.addLayout(buttons)
        self.keep_button.setFocus()
        self._fit_width()

    @property
    def view(self) -> PlanView:
        """What this dialog shows."""
        return self._view

    def section(self, section: int) -> QTreeWidgetItem | None:
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

    def _fill(self) -> None:
        groups = [(group.key, group.title, group.rows) for group in self._view.groups]
        # Built in one go with painting off: ten thousand rows must not freeze the window.
        self.tree.setUpdatesEnabled(False)
        try:
            for section, title, rows in groups:
                if not rows:
                    continue
                head = QTreeWidgetItem([group_heading(title, len(rows))])
                head.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = QFont(head.font(0))
                font.setBold(True)
                head.setFont(0, font)
                self.tree.addTopLevelItem(head)
                head.setFirstColumnSpanned(True)
                head.addChildren([_row(job, why) for job, why in rows])
                head.setExpanded(True)
                self._sections[section] = head
            self._fit_columns([row for _, _, rows in groups for row in rows])
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

    @property
    def option_checked(self) -> bool:
        """True if the user ticked the box that sends the held-back jobs too."""
        return not self.option_box.isHidden() and self.option_box.isChecked()

    def _ids(self) -> list[str]:
        view = self._view
        return [*view.ids_to_send, *(view.option_ids if self.option_box.isChecked() else ())]

    def _on_option_toggled(self, _checked: bool) -> None:
        count = len(self._ids())
        label = self._view.confirm_label
        if label is not None:
            self.confirm_button.setText(label(count))
        self.confirm_button.setEnabled(count > 0)

    def _on_confirm(self) -> None:
        ids = self._ids()
        if not ids:
            return
        self.confirmed.emit(ids)
        self.accept()


def group_heading(title: str, count: int) -> str:
    """The text heading a group, with how many jobs it holds."""
    return f"{title} \N{EM DASH} {count} job{'' if count == 1 else 's'}"


def _row(job: Job, why: str) -> QTreeWidgetItem:
    # Texts go in through the constructor only: on Python 3.11, PySide6 6.12 drops a
    # reference to None on many calls to methods returning void (item.setData and the
    # setters built on it); ten thousand rows of those crash the interpreter.
    return QTreeWidgetItem([job.name, why, job.connection, job.raw_status, job.id])
