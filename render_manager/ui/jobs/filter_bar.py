"""The filter row above the job table: text, statuses, connection, batch, hide cancelled."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.status_chooser import StatusChooser
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
        self.text.setMinimumWidth(140)
        self.text.setToolTip(
            "Every word must appear in a job's name, status, error, output or batch"
        )
        self.text.textChanged.connect(self._on_text)
        self.text.installEventFilter(self)
        layout.addWidget(self.text, 2)

        self.status_button = StatusChooser(self)
        self.status_button.changed.connect(self._on_statuses)
        #: The menu's action per status (checked while that status is shown).
        self.status_actions = self.status_button.menu_.actions_by_status
        # Never narrower than what it says: the filter text gives up its room first.
        self.status_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.status_button)
        # One click back to every status, beside the button while some are picked.
        self.status_clear = QToolButton(self)
        self.status_clear.setText("✕")
        self.status_clear.setAutoRaise(True)
        self.status_clear.setToolTip("Show all statuses")
        self.status_clear.setAccessibleName("Show all statuses")
        self.status_clear.clicked.connect(self.show_all_statuses)
        policy = self.status_clear.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the controls after it never jump sideways
        self.status_clear.setSizePolicy(policy)
        self.status_clear.hide()
        layout.addWidget(self.status_clear)

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
        """Show every status again."""
        self.status_button.show_all()

    def choose_statuses(self, statuses: Iterable[JobStatus] | None) -> None:
        """Show only these statuses (None: all), as picking them in the menu does."""
        self.status_button.choose(statuses)

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

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text and event.type() == QEvent.Type.FocusIn:
            # Searching is about to start: the search texts are built now, not on a key.
            self._proxy.prepare_text_search()
        return False

    def _on_text(self, text: str) -> None:
        self._proxy.set_text_filter(text)
        self.changed.emit()

    def _on_statuses(self, chosen: frozenset[JobStatus]) -> None:
        self._proxy.set_status_filter(chosen or None)
        self.status_clear.setVisible(bool(chosen))
        self.changed.emit()

    def _on_connection(self, *_args: object) -> None:
        self._proxy.set_connection_filter(self.connection.currentData())
        self.changed.emit()

    def _on_hide_cancelled(self, hide: bool) -> None:
        self._proxy.set_hide_cancelled(hide)
        self.changed.emit()
