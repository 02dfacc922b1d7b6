"""The job table's custom item roles, and what each role of a cell answers.

Shared by the table model, the filter model over it and the delegates and panels that
read jobs and progress from either.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from render_manager.domain.job import Job
from render_manager.ui.jobs.columns import Column, JobColumns
from render_manager.ui.jobs.status_icons import status_icon, status_text_colour

__all__ = ["JOB_ROLE", "PROGRESS_ROLE", "SERVED_ROLES", "SORT_ROLE", "cell_data"]

# Custom roles: what sorting, filtering and delegates read instead of display text.
JOB_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's `Job` (any column)."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""The cell's sort key: a float or a casefolded str, one type per column."""
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3
"""The job's progress as a float 0-100 (any column), for the progress bar delegate."""


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_RIGHT_ALIGNED = frozenset({Column.PROGRESS, Column.ETA, Column.FRAMES, Column.DURATION})
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
SERVED_ROLES = frozenset(
    int(role)
    for role in (
        JOB_ROLE,
        SORT_ROLE,
        PROGRESS_ROLE,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
    )
)
"""The roles data() answers. A view asks each painted cell for more (font, background,
check state, size hint): those are refused before any work."""


def cell_data(columns: JobColumns, job: Job, column: Column, role: int) -> Any:
    """What a cell of `job` in `column` shows for `role` (a role in SERVED_ROLES other
    than JOB_ROLE), or None."""
    if role == _DISPLAY:
        return columns.display(job, column)
    if role == SORT_ROLE:
        return columns.sort_key(job, column)
    if role == PROGRESS_ROLE:
        return job.progress
    if role == Qt.ItemDataRole.DecorationRole and column is Column.STATUS:
        return status_icon(job.status)
    if role == Qt.ItemDataRole.ForegroundRole and column is Column.STATUS:
        return status_text_colour(job.status, QGuiApplication.palette())
    if role == Qt.ItemDataRole.ToolTipRole:
        return columns.tooltip(job, column)
    if role == Qt.ItemDataRole.TextAlignmentRole and column in _RIGHT_ALIGNED:
        return _RIGHT
    return None
