"""The main window's layout kept between runs: geometry, docks, columns and splitters."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView

# Bumped whenever the columns change, so a layout saved for other columns is not restored
# onto these ones.
_GROUP = "main-v2"


def restore_layout(window: QMainWindow, table: QTableView) -> bool:
    """Restore what `save_layout` kept; False on a first start (nothing saved yet)."""
    settings = QSettings()
    geometry = settings.value(f"{_GROUP}/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = settings.value(f"{_GROUP}/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    header = settings.value(f"{_GROUP}/table-header")
    if isinstance(header, QByteArray):
        table.horizontalHeader().restoreState(header)
    # Splitters are found by object name: only named ones are kept.
    for splitter in window.findChildren(QSplitter):
        sizes = settings.value(f"{_GROUP}/splitter/{splitter.objectName()}")
        if splitter.objectName() and isinstance(sizes, QByteArray):
            splitter.restoreState(sizes)
    return isinstance(state, QByteArray)


def save_layout(window: QMainWindow, table: QTableView) -> None:
    """Remember geometry, docks, the table's columns and named splitters."""
    settings = QSettings()
    settings.setValue(f"{_GROUP}/geometry", window.saveGeometry())
    settings.setValue(f"{_GROUP}/state", window.saveState())
    settings.setValue(f"{_GROUP}/table-header", table.horizontalHeader().saveState())
    for splitter in window.findChildren(QSplitter):
        if splitter.objectName():
            settings.setValue(f"{_GROUP}/splitter/{splitter.objectName()}", splitter.saveState())
