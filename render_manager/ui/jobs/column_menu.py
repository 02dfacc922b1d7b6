"""Showing and hiding the job table's columns from its header's context menu."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from render_manager.ui.jobs.columns import Column

# The name identifies a row: hiding it would leave rows nobody can tell apart.
_ALWAYS_SHOWN = {Column.NAME}


def column_menu(view: QTableView) -> QMenu:
    """A menu of checkable columns for `view` (rebuilt each time, so it shows the truth)."""
    menu = QMenu("Columns", view)
    header = view.horizontalHeader()
    model = view.model()
    for column in range(model.columnCount()):
        title = model.headerData(column, Qt.Orientation.Horizontal)
        action = menu.addAction(str(title))
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(column))
        action.setEnabled(column not in _ALWAYS_SHOWN)
        action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
    menu.addSeparator()
    menu.addAction("Show all columns", lambda: _show_all(header))
    return menu


def install_column_menu(view: QTableView) -> None:
    """Right-clicking the header offers the column menu."""
    header = view.horizontalHeader()
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def popup(point: QPoint) -> None:
        menu = column_menu(view)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(header.mapToGlobal(point))

    header.customContextMenuRequested.connect(popup)


def _show_all(header: QHeaderView) -> None:
    for column in range(header.count()):
        header.setSectionHidden(column, False)
