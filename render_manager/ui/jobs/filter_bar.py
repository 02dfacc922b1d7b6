"""The filter row above the job table: text, statuses, connection, batch, hide cancelled."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
)

from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.status_icons import status_icon
from render_manager.ui.qt.elided_label import ElidingToolButton

_ALL_CONNECTIONS = "All connections"


class FilterBar(QWidget):
    """Widgets bound to a JobFilterModel; every change applies at once."""

    #: Emitted after any filter changed (the window updates its counts).
    changed = Signal()
    #: The user removed the batch filter from the bar.
    batch_cleared = Signal()

    def __init__(self, proxy: JobFilterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.text = QLineEdit(self)
        self.text.setPlaceholderText("Filter jobs (Ctrl+F)")
        self.text.setClearButtonEnabled(True)
        # Room for the placeholder; no more, so the docks beside the table can be widened.
        self.text.setMinimumWidth(160)
        self.text.setToolTip("Every word must appear in a job's name, status, error, output…")
        self.text.textChanged.connect(self._on_text)
        layout.addWidget(self.text, 2)

        self.status_button = QToolButton(self)
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.status_button.setToolTip("Show only some statuses")
        menu = QMenu(self.status_button)
        self.status_actions: dict[JobStatus, QAction] = {}
        for status in JobStatus:
            action = menu.addAction(status_icon(status), status.value.capitalize())
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(self._on_statuses)
            self.status_actions[status] = action
        menu.addSeparator()
        menu.addAction("Show all statuses", self.show_all_statuses)
        self.status_button.setMenu(menu)
        layout.addWidget(self.status_button)

        self.connection = QComboBox(self)
        self.connection.setToolTip("Show only one connection's jobs")
        self.connection.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.connection.addItem(_ALL_CONNECTIONS, None)
        # No wider than "All connections": a long farm name is shortened in the box (whole
        # in its list) rather than take the row's room and squeeze the docks beside it.
        self.connection.setMaximumWidth(self.connection.sizeHint().width())
        self.connection.currentIndexChanged.connect(self._on_connection)
        layout.addWidget(self.connection)

        self.hide_cancelled = QCheckBox("Hide cancelled", self)
        self.hide_cancelled.setToolTip("Cancelled jobs stay in the list unless hidden (Ctrl+H)")
        self.hide_cancelled.toggled.connect(self._on_hide_cancelled)
        layout.addWidget(self.hide_cancelled)

        # Last in the row, its room kept while hidden and a long name shortened: choosing a
        # batch then never widens the table's side of the window and squeezes the docks.
        self.batch_button = ElidingToolButton(self)
        self.batch_button.set_own_tooltip("The table shows one batch: click to show every batch")
        self.batch_button.set_parts("Batch: ", "", "  ✕")
        policy = self.batch_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.batch_button.setSizePolicy(policy)
        self.batch_button.clicked.connect(self._on_batch_button)
        self.batch_button.hide()
        layout.addWidget(self.batch_button)
        layout.addStretch(1)
        self._update_status_button()

    def set_connections(self, names: Iterable[str]) -> None:
        """The connections offered; the current choice stays if it still exists."""
        current = self.connection.currentData()
        self.connection.blockSignals(True)
        self.connection.clear()
        self.connection.addItem(_ALL_CONNECTIONS, None)
        for name in sorted(names):
            self.connection.addItem(name, name)
        # The list opens wide enough for the longest name (the box itself may shorten it).
        metrics = self.connection.fontMetrics()
        count = self.connection.count()
        widest = max(metrics.horizontalAdvance(self.connection.itemText(i)) for i in range(count))
        self.connection.view().setMinimumWidth(widest + 4 * metrics.averageCharWidth())
        index = self.connection.findData(current) if current is not None else 0
        self.connection.setCurrentIndex(max(index, 0))
        self.connection.blockSignals(False)
        if index < 0:
            self._on_connection()

    def set_batch(self, batch_id: str | None, label: str | None = None) -> None:
        """Show only one batch's jobs (None shows all)."""
        self._proxy.set_batch_filter(batch_id)
        if batch_id is None:
            self.batch_button.hide()
        else:
            self.batch_button.set_parts("Batch: ", label or batch_id, "  ✕")
            self.batch_button.show()
        self.changed.emit()

    def show_all_statuses(self) -> None:
        """Tick every status again."""
        for action in self.status_actions.values():
            action.blockSignals(True)
            action.setChecked(True)
            action.blockSignals(False)
        self._on_statuses()

    def clear(self) -> None:
        """Remove every filter."""
        self.text.clear()
        self.show_all_statuses()
        self.connection.setCurrentIndex(0)
        self.hide_cancelled.setChecked(False)
        self.set_batch(None)
        self.batch_cleared.emit()

    def _on_batch_button(self) -> None:
        self.set_batch(None)
        self.batch_cleared.emit()

    def _on_text(self, text: str) -> None:
        self._proxy.set_text_filter(text)
        self.changed.emit()

    def _on_statuses(self, *_args: object) -> None:
        chosen = [s for s, action in self.status_actions.items() if action.isChecked()]
        self._proxy.set_status_filter(None if len(chosen) == len(JobStatus) else chosen)
        self._update_status_button()
        self.changed.emit()

    def _on_connection(self, *_args: object) -> None:
        self._proxy.set_connection_filter(self.connection.currentData())
        self.changed.emit()

    def _on_hide_cancelled(self, hide: bool) -> None:
        self._proxy.set_hide_cancelled(hide)
        self.changed.emit()

    def _update_status_button(self) -> None:
        chosen = [s for s, action in self.status_actions.items() if action.isChecked()]
        if len(chosen) == len(JobStatus):
            self.status_button.setText("All statuses")
        elif len(chosen) == 1:
            self.status_button.setText(chosen[0].value.capitalize())
        else:
            self.status_button.setText(f"{len(chosen)} statuses")
