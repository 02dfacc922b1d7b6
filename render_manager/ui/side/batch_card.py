"""One batch of the side panel drawn as a card the panel's full width:

    spring_promo.csv                      12:27
    [██████████         40 %                 ]
    2 of 5 finished · 1 failed · 1 cancelled

A narrow panel has no room for three columns side by side (the name, a bar and its counts
were cut to "spring_pro…" and "2/4"); stacked, each line gets the whole width. The text
comes from the batches model (its Name, Progress and ETA columns and BATCH_COUNTS_ROLE), so
what the card says is what the model says.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem
from typing_extensions import override

from render_manager.ui.jobs.cell_roles import PROGRESS_ROLE
from render_manager.ui.side.batches_model import BATCH_COUNTS_ROLE, BatchColumn

_Index = QModelIndex | QPersistentModelIndex
_Role = QPalette.ColorRole
_State = QStyle.StateFlag

_PAD_X = 6
_PAD_Y = 4
_GAP = 3
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)


class BatchCardDelegate(QStyledItemDelegate):
    """Paints a batch row (any column of it) as name and ETA, a bar, and the counts."""

    @override
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(120, 2 * _PAD_Y + 3 * line + 4 + 2 * _GAP)

    @override
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        # Background, selection and focus as the style draws them; the text is ours.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & _State.State_Selected)
        text = palette.color(_Role.HighlightedText if selected else _Role.Text)
        metrics = QFontMetrics(opt.font)
        line = metrics.height()
        inner = rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)

        model = index.model()
        row = index.row()
        name = str(model.index(row, BatchColumn.NAME).data() or "")
        eta = str(model.index(row, BatchColumn.ETA).data() or "")
        progress = model.index(row, BatchColumn.PROGRESS)
        label = str(progress.data() or "")
        percent = progress.data(PROGRESS_ROLE)
        counts = str(index.data(BATCH_COUNTS_ROLE) or "")

        painter.save()
        painter.setFont(opt.font)
        painter.setPen(text)
        top = QRect(inner.left(), inner.top(), inner.width(), line)
        eta_width = metrics.horizontalAdvance(eta) + (_PAD_X if eta else 0)
        painter.drawText(top, _RIGHT, eta)
        name_rect = top.adjusted(0, 0, -eta_width, 0)
        elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, _LEFT, elided)

        bar = bar_rect(rect, metrics)
        value = float(percent) if isinstance(percent, int | float) else None
        _paint_bar(painter, bar, value, label, palette, selected=selected)

        painter.setPen(text if selected else _mix(palette.color(_Role.Base), text, 0.75))
        bottom = QRect(inner.left(), bar.bottom() + 1 + _GAP, inner.width(), line)
        elided = metrics.elidedText(counts, Qt.TextElideMode.ElideRight, bottom.width())
        painter.drawText(bottom, _LEFT, elided)
        painter.restore()


def bar_rect(card: QRect, metrics: QFontMetrics) -> QRect:
    """Where a card's bar goes: the second line, the card's width less its padding."""
    inner = card.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)
    line = metrics.height()
    return QRect(inner.left(), inner.top() + line + _GAP, inner.width(), line + 4)


def _paint_bar(
    painter: QPainter,
    bar: QRect,
    percent: float | None,
    label: str,
    palette: QPalette,
    *,
    selected: bool,
) -> None:
    """A groove filled to `percent` (none when None), `label` centred over it."""
    base = palette.color(_Role.Base)
    text = palette.color(_Role.Text)
    highlight = palette.color(_Role.Highlight)
    # On a selected row the fill would melt into the selection of the same colour.
    fill_colour = _mix(highlight, text, 0.4) if selected else highlight
    fraction = 0.0 if percent is None else min(100.0, max(0.0, percent)) / 100.0
    filled = math.ceil(bar.width() * fraction) if fraction > 0 else 0
    fill = QRect(bar.left(), bar.top(), filled, bar.height())
    rest = QRect(bar.left() + filled, bar.top(), bar.width() - filled, bar.height())
    painter.fillRect(rest, base)
    if filled:
        painter.fillRect(fill, fill_colour)
    painter.setPen(_mix(base, text, 0.35))
    painter.drawRect(bar.adjusted(0, 0, -1, -1))
    # The label reads in the fill's text colour over the fill, in the text colour over the
    # groove: each part clipped to its own side.
    if filled:
        painter.setClipRect(fill)
        painter.setPen(palette.color(_Role.HighlightedText))
        painter.drawText(bar, _CENTRE, label)
        painter.setClipRect(rest)
    painter.setPen(text)
    painter.drawText(bar, _CENTRE, label)
    painter.setClipping(False)


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0-1) of the way to `b`."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )
