"""Item delegates of the job table: the Progress column as a bar with its percentage, and the
same bar as a widget for one job."""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPolygon
from PySide6.QtWidgets import (
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.job import Job, progress_text
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.cell_roles import JOB_ROLE, PROGRESS_ROLE
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.status_icons import status_colour

_Index = QModelIndex | QPersistentModelIndex
_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup
_State = QStyle.StateFlag

# Room between the bar and the cell's edges, so rows stay visibly separate.
_MARGIN = 2
_NOT_STARTED = frozenset(
    {JobStatus.QUEUED, JobStatus.PENDING, JobStatus.PAUSED, JobStatus.CANCELLED}
)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
# How far the bar's outline goes from the field colour towards the text colour: visible on
# light and dark rows alike (the palette's Mid is nearly the field colour in dark mode).
_OUTLINE_MIX = 0.35
# How far the fill goes from the field colour towards the bar's colour: the label stays
# legible over it in the text colour, on light and dark palettes.
_FILL_MIX = 0.5
# The full-colour strip along the bottom of the fill, in pixels.
_STRIP = 3
# Width of a busy bar's diagonal bands (and of the gaps between them), in pixels.
_STRIPE = 6
# Statuses whose bars take the status's colour instead of Highlight.
_STATUS_BARS = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})


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


def _bar_colour(status: JobStatus, palette: QPalette, group: QPalette.ColorGroup) -> QColor:
    """The fill's colour: the status's own for a failed or cancelled job, else Highlight.

    A failed job's bar must not read as a finished one's.
    """
    if status in _STATUS_BARS:
        return status_colour(status)
    return palette.color(group, _Role.Highlight)


def _paint_stripes(painter: QPainter, bar: QRect, ground: QColor, stripe: QColor) -> None:
    """Diagonal bands over the whole groove: "under way, share unknown" (a busy bar)."""
    painter.fillRect(bar, ground)
    painter.save()
    painter.setClipRect(bar)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(stripe)
    height = bar.height()
    for x in range(bar.left() - height, bar.right() + 1, 2 * _STRIPE):
        painter.drawPolygon(
            QPolygon([
                QPoint(x, bar.bottom() + 1),
                QPoint(x + _STRIPE, bar.bottom() + 1),
                QPoint(x + _STRIPE + height, bar.top()),
                QPoint(x + height, bar.top()),
            ])
        )  # fmt: skip
    painter.restore()


class ProgressDelegate(QStyledItemDelegate):
    """Paints a cell's PROGRESS_ROLE (0-100) as a bar in the palette's colours, labelled
    with the cell's display text (`42 %`).

    A running job whose share is unknown (PROGRESS_ROLE None, a render of unknown length)
    gets a striped busy bar labelled with its frames so far (`120 frames`), never a false
    `0 %`. Any other cell without a number paints as an ordinary cell.

    The fill is a tint of the bar's colour, light enough for the label to read in the text
    colour over the fill and the groove alike: one colour, never split at the fill's edge.
    A strip along the fill's bottom carries the full colour. Failed and cancelled jobs'
    bars take their status colours.

    The bar is drawn with a few plain rectangles and one label rather than the style's
    progress bar: the style's four controls per cell cost ~0.5 ms each, and a refresh
    repaints every visible bar.
    """

    @override
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        value = index.data(PROGRESS_ROLE)
        job = index.data(JOB_ROLE)
        busy = value is None and isinstance(job, Job) and job.status is JobStatus.RENDERING
        if not isinstance(value, int | float) and not busy:
            super().paint(painter, option, index)
            return
        percent = min(100.0, max(0.0, float(value))) if isinstance(value, int | float) else 0.0
        palette, state, rect = option.palette, option.state, option.rect
        group = _group(state)
        # The view has painted the row's (alternating) background; selection is ours.
        if state & _State.State_Selected:
            painter.fillRect(rect, palette.brush(group, _Role.Highlight))
        status = job.status if isinstance(job, Job) else JobStatus.RENDERING
        if not busy and percent == 0 and status in _NOT_STARTED:
            # A column of empty "0 %" bars would hide the few bars that matter.
            return

        text = index.data(Qt.ItemDataRole.DisplayRole)
        label = text if isinstance(text, str) else f"{math.floor(percent)} %"
        bar = rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        painter.save()
        painter.setFont(option.font)
        paint_progress_bar(
            painter,
            bar,
            palette,
            group,
            percent=None if busy else percent,
            status=status,
            label=label,
        )
        painter.restore()


def paint_progress_bar(
    painter: QPainter,
    bar: QRect,
    palette: QPalette,
    group: QPalette.ColorGroup,
    *,
    percent: float | None,
    status: JobStatus,
    label: str,
) -> None:
    """Paint one progress bar over `bar`, as the job table shows it: a tinted fill with a
    full-colour strip, or stripes over the whole groove when `percent` is None (busy); the
    label centred in the text colour; failed and cancelled bars in their status colours."""
    percent = None if percent is None else min(100.0, max(0.0, percent))
    # Whole pixels: an empty bar gets no sliver, a started one at least a pixel.
    filled = math.ceil(bar.width() * percent / 100.0) if percent else 0
    fill = QRect(bar.left(), bar.top(), filled, bar.height())
    base = palette.color(group, _Role.Base)
    text_colour = palette.color(group, _Role.Text)
    colour = _bar_colour(status, palette, group)

    painter.save()
    painter.fillRect(bar, base)
    if percent is None:
        _paint_stripes(
            painter, bar, _mix(base, colour, _FILL_MIX / 2), _mix(base, colour, _FILL_MIX)
        )
    elif filled:
        painter.fillRect(fill, _mix(base, colour, _FILL_MIX))
        strip = min(_STRIP, bar.height())
        painter.fillRect(QRect(fill.left(), fill.bottom() - strip + 1, filled, strip), colour)
    painter.setPen(_mix(base, text_colour, _OUTLINE_MIX))
    painter.drawRect(bar.adjusted(0, 0, -1, -1))  # an outline is a pixel wider
    painter.setPen(text_colour)
    painter.drawText(bar, _CENTRE, label)
    painter.restore()


class JobProgressBar(QWidget):
    """One job's progress bar as a widget, drawn as the table's (for the details pane).

    `busy` (no share known) and `percent` follow the job given to `set_job`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobProgressBar")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._percent: float | None = 0.0
        self._status = JobStatus.RENDERING
        self._label = ""

    @property
    def busy(self) -> bool:
        """True while the job's share done is unknown: the bar is striped."""
        return self._percent is None

    @property
    def percent(self) -> float | None:
        """The share shown, 0-100, or None while busy."""
        return self._percent

    def set_job(self, job: Job) -> None:
        """Show this job's progress."""
        self._percent = job.progress
        self._status = job.status
        self._label = progress_text(job)
        self.update()

    @override
    def sizeHint(self) -> QSize:
        return QSize(120, self.fontMetrics().height() + 2 * _MARGIN + 2)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        group = _Group.Active if self.isActiveWindow() else _Group.Inactive
        paint_progress_bar(
            painter,
            self.rect(),
            self.palette(),
            group,
            percent=self._percent,
            status=self._status,
            label=self._label,
        )
        painter.end()


def install_delegates(view: QTableView) -> None:
    """Give a job table view its delegates: the progress bar in Column.PROGRESS."""
    view.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(view))
