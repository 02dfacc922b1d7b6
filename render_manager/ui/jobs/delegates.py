"""Item delegates of the job table: the Progress column as a bar with its percentage."""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.table_model import JOB_ROLE, PROGRESS_ROLE, Column

_Index = QModelIndex | QPersistentModelIndex
_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup
_State = QStyle.StateFlag

# Room between the bar and the cell's edges, so rows stay visibly separate.
_MARGIN = 2
_NOT_STARTED = frozenset({JobStatus.QUEUED, JobStatus.PENDING, JobStatus.CANCELLED})
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
# How far the bar's outline goes from the field colour towards the text colour: visible on
# light and dark rows alike (the palette's Mid is nearly the field colour in dark mode).
_OUTLINE_MIX = 0.35


def _group(state: QStyle.StateFlag) -> QPalette.ColorGroup:
    if not state & _State.State_Enabled:
        return _Group.Disabled
    return _Group.Active if state & _State.State_Active else _Group.Inactive


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0-1) of the way to `b`."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


class ProgressDelegate(QStyledItemDelegate):
    """Paints a cell's PROGRESS_ROLE (0-100) as a bar in the palette's colours, labelled
    with the cell's display text (`42 %`).

    A cell without a number paints as an ordinary cell. The bar is drawn with a few plain
    rectangles and one label rather than the style's progress bar: the style's four
    controls per cell cost ~0.5 ms each, and a refresh repaints every visible bar.
    """

    @override
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        value = index.data(PROGRESS_ROLE)
        if not isinstance(value, int | float):
            super().paint(painter, option, index)
            return
        percent = min(100.0, max(0.0, float(value)))
        palette, state, rect = option.palette, option.state, option.rect
        group = _group(state)
        # The view has painted the row's (alternating) background; selection is ours.
        if state & _State.State_Selected:
            painter.fillRect(rect, palette.brush(group, _Role.Highlight))
        job = index.data(JOB_ROLE)
        if isinstance(job, Job) and percent == 0 and job.status in _NOT_STARTED:
            # A column of empty "0 %" bars would hide the few bars that matter.
            return

        bar = rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        # Whole pixels: an empty bar gets no sliver, a started one at least a pixel.
        filled = math.ceil(bar.width() * percent / 100.0) if percent > 0 else 0
        fill = QRect(bar.left(), bar.top(), filled, bar.height())
        rest = QRect(bar.left() + filled, bar.top(), bar.width() - filled, bar.height())
        base = palette.color(group, _Role.Base)
        text_colour = palette.color(group, _Role.Text)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        label = text if isinstance(text, str) else f"{math.floor(percent)} %"

        painter.save()
        painter.fillRect(rest, base)
        if filled:
            painter.fillRect(fill, palette.brush(group, _Role.Highlight))
        painter.setPen(_mix(base, text_colour, _OUTLINE_MIX))
        painter.drawRect(bar.adjusted(0, 0, -1, -1))  # an outline is a pixel wider
        painter.setFont(option.font)
        # The label reads in the fill's text colour over the fill, in the text colour
        # over the groove: each part clipped to its own side.
        if filled:
            painter.setClipRect(fill)
            painter.setPen(palette.color(group, _Role.HighlightedText))
            painter.drawText(bar, _CENTRE, label)
            painter.setClipRect(rest)
        painter.setPen(text_colour)
        painter.drawText(bar, _CENTRE, label)
        painter.restore()


def install_delegates(view: QTableView) -> None:
    """Give a job table view its delegates: the progress bar in Column.PROGRESS."""
    view.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(view))
