"""Where the outcome of a queue action (cancel, retry) shows, job by job, without a pop-up
per job.

Made to sit in a dock at the bottom of the main window: a header with the counts, one row
per job (done, or not done with the reason) and a Clear button.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.results import CancelSummary

COLUMNS = ("Job", "Outcome", "Reason", "ID")


@dataclass(frozen=True, slots=True)
class OutcomeWords:
    """How an action's outcome reads: "Cancel finished: 2 cancelled, 1 not cancelled."."""

    action: str
    done: str
    not_done: str


CANCEL_WORDS = OutcomeWords("Cancel", "cancelled", "not cancelled")
RETRY_WORDS = OutcomeWords("Retry", "retried", "not retried")
PAUSE_WORDS = OutcomeWords("Pause", "paused", "not paused")
RESUME_WORDS = OutcomeWords("Resume", "resumed", "not resumed")
EMPTY_HEADER = "No cancel or retry yet."
# The panel's first height in rows of its list: a cancel's outcome at a glance, the job
# table still in charge of the window. The user's own height is kept after that.
PREFERRED_ROWS = 6


class OutcomePanel(QWidget):
    """The latest action's outcome per job; `cleared` fires when the user clears it."""

    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomePanel")
        self.header_label = QLabel(EMPTY_HEADER)
        self.header_label.setWordWrap(True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        top = QHBoxLayout()
        top.addWidget(self.header_label, 1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

    @override
    def sizeHint(self) -> QSize:
        # QTreeWidget asks for a fixed 192 px whatever it holds; a dock takes its first
        # height from here, so ask for a few rows instead of a third of the window.
        hint = super().sizeHint()
        rows = self.tree.fontMetrics().height() + 4
        tree = self.tree.header().sizeHint().height() + rows * PREFERRED_ROWS
        chrome = hint.height() - self.tree.sizeHint().height()
        return QSize(hint.width(), chrome + tree + 2 * self.tree.frameWidth())

    def show_outcome(self, summary: CancelSummary, names: Mapping[str, str]) -> None:
        """Show a cancel's outcome in place of the previous one; `names` maps ids to names."""
        done = [(job_id, "") for job_id in summary.cancelled]
        self.show_results(CANCEL_WORDS, done, summary.skipped, names)

    def show_results(
        self,
        words: OutcomeWords,
        done: Sequence[tuple[str, str]],
        skipped: Sequence[tuple[str, str]],
        names: Mapping[str, str],
    ) -> None:
        """Show an action's outcome in place of the previous one: (job id, detail) of the
        jobs it was done to, (job id, why) of the others; `names` maps ids to names."""
        done_ids = dict(done)
        not_done = list({i: why for i, why in skipped if i not in done_ids}.items())
        self.header_label.setText(_header(words, len(done_ids), len(not_done)))
        # Jobs the action missed come first: they are the ones that need a look.
        rows = [_row(job_id, names, words.not_done.capitalize(), why) for job_id, why in not_done]
        rows += [
            _row(job_id, names, words.done.capitalize(), detail)
            for job_id, detail in done_ids.items()
        ]
        self.tree.setUpdatesEnabled(False)
        try:
            self.tree.clear()
            self.tree.addTopLevelItems(rows)
            for column in range(len(COLUMNS) - 1):
                self.tree.resizeColumnToContents(column)
        finally:
            self.tree.setUpdatesEnabled(True)
        self.clear_button.setEnabled(True)

    def clear(self) -> None:
        """Forget the outcome shown."""
        self.tree.clear()
        self.header_label.setText(EMPTY_HEADER)
        self.clear_button.setEnabled(False)
        self.cleared.emit()


def _row(job_id: str, names: Mapping[str, str], outcome: str, why: str) -> QTreeWidgetItem:
    # Constructor only, no per-row setters: see plan_dialog._row (PySide6 6.12 on 3.11).
    return QTreeWidgetItem([names.get(job_id, job_id), outcome, why, job_id])


def _header(words: OutcomeWords, done: int, not_done: int) -> str:
    if not done and not not_done:
        return f"{words.action} finished: no jobs were affected."
    parts = []
    if done:
        parts.append(f"{done} {words.done}")
    if not_done:
        parts.append(f"{not_done} {words.not_done}")
    return f"{words.action} finished: " + ", ".join(parts) + "."
