"""Picking a composition by keyboard or mouse: a filter box over the project's comp list.

Type in the filter to narrow the list (every word must be in the name), Down to move into
the list, Up on its first row to go back; Enter in the list (or in the filter, for the row
shown first) picks. Enter never reaches the dialog's default button from here, so
picking a composition does not also press Next.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget
from typing_extensions import override

from render_manager.projects import Composition
from render_manager.ui.submit.composition_list import (
    COMPOSITION_ROLE,
    CompositionColumn,
    CompositionFilter,
    CompositionModel,
)

# Rows of the list shown without scrolling: a screenful of a real project.
_LIST_ROWS = 5
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CompositionPicker(QObject):
    """The filter box and the list of compositions (placed by the form that owns them)."""

    picked = Signal(object, bool)
    """A composition was picked, and whether by keyboard (Enter) rather than a click."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.filter = QLineEdit(parent)
        self.filter.setPlaceholderText("Type to filter the compositions; ↓ to pick one")
        self.filter.setAccessibleName("Filter compositions")
        self.filter.setClearButtonEnabled(True)
        self.model = CompositionModel(self)
        self.proxy = CompositionFilter(self)
        self.proxy.setSourceModel(self.model)
        self.list = _comp_table(parent, self.proxy)
        self.filter.textChanged.connect(self.proxy.set_words)
        self.filter.installEventFilter(self)
        self.list.installEventFilter(self)
        self.list.clicked.connect(self._on_clicked)
        self.list.doubleClicked.connect(self._on_clicked)

    def show(self, comps: Sequence[Composition]) -> None:
        """List these compositions (none: the list is emptied)."""
        self.model.set_compositions(comps)
        header = self.list.horizontalHeader()
        self.list.resizeColumnsToContents()
        header.setSectionResizeMode(CompositionColumn.NAME, QHeaderView.ResizeMode.Stretch)

    def select(self, comp: Composition | None) -> None:
        """Show this composition as the current one (None: none is)."""
        if comp is None:
            self.list.clearSelection()
            return
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(COMPOSITION_ROLE) is comp:
                self.list.setCurrentIndex(index)
                self.list.scrollTo(index)
                return

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.filter and self.proxy.rowCount():
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self._enter_list()
                return True
            if key in _ENTER:
                self._enter_list()
                self._pick_current()
                return True
        elif watched is self.list:
            if key in _ENTER:
                self._pick_current()
                return True
            if key == Qt.Key.Key_Up and self.list.currentIndex().row() <= 0:
                self.filter.setFocus()
                return True
        return False

    def _enter_list(self) -> None:
        self.list.setFocus()
        if not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _pick_current(self) -> None:
        comp = self.list.currentIndex().data(COMPOSITION_ROLE)
        if isinstance(comp, Composition):
            self.picked.emit(comp, True)

    def _on_clicked(self, index: QModelIndex) -> None:
        comp = index.data(COMPOSITION_ROLE)
        if isinstance(comp, Composition):
            self.picked.emit(comp, False)


def _comp_table(parent: QWidget, model: CompositionFilter) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName("Compositions")
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the project's own order
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(CompositionColumn.NAME, QHeaderView.ResizeMode.Stretch)
    for column in (CompositionColumn.SIZE, CompositionColumn.FPS, CompositionColumn.DURATION):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    rows = table.verticalHeader().defaultSectionSize() * _LIST_ROWS
    table.setFixedHeight(rows + header.sizeHint().height() + 4)
    return table
