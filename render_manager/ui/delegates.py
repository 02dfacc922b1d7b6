"""Item delegates of the job table: the Progress column as a bar with its percentage."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
)
from typing_extensions import override

from render_manager.ui.job_table_model import PROGRESS_ROLE, Column

_Index = QModelIndex | QPersistentModelIndex

# Room between the bar and the cell's edges, so rows stay visibly separate.
_MARGIN = 2
_GROOVE = QStyle.ControlElement.CE_ProgressBarGroove
_CONTENTS = QStyle.ControlElement.CE_ProgressBarContents
_LABEL = QStyle.ControlElement.CE_ProgressBarLabel


class ProgressDelegate(QStyledItemDelegate):
    """Paints a cell's PROGRESS_ROLE (0-100) as the style's progress bar, labelled with the
    cell's display text (`42 %`).

    A cell without a number paints as an ordinary cell.
    """

    @override
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        value = index.data(PROGRESS_ROLE)
        if not isinstance(value, int | float):
            super().paint(painter, option, index)
            return
        percent = min(100.0, max(0.0, float(value)))
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()

        # The cell's own background first: selection and alternate row colours stay.
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        cell.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, widget)

        bar = QStyleOptionProgressBar()
        if widget is not None:
            bar.initFrom(widget)
        bar.rect = option.rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.palette = option.palette
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        # Tenths of a percent: a long render's bar still moves between whole percents.
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = round(percent * 10)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        bar.text = text if isinstance(text, str) else f"{int(percent)} %"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        # QCommonStyle's CE_ProgressBar, part by part: an empty bar gets no contents,
        # where Fusion would draw a one-pixel chunk just left of the bar.
        parts = [(_GROOVE, QStyle.SubElement.SE_ProgressBarGroove)]
        if bar.progress > bar.minimum:
            parts.append((_CONTENTS, QStyle.SubElement.SE_ProgressBarContents))
        parts.append((_LABEL, QStyle.SubElement.SE_ProgressBarLabel))
        for element, sub_element in parts:
            part = QStyleOptionProgressBar(bar)
            part.rect = style.subElementRect(sub_element, bar, widget)
            style.drawControl(element, part, painter, widget)


def install_delegates(view: QTableView) -> None:
    """Give a job table view its delegates: the progress bar in Column.PROGRESS."""
    view.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(view))
