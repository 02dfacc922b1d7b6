"""The main window's side panel: connections with their health, batches with their progress.

The panel reads nothing on the GUI thread: connections (and their tokens' state, which asks
the keyring) and batch names are loaded with `asyncio.to_thread`; jobs come from the job
table model's own change signals, a few at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from render_manager.backends.rules import rules_for
from render_manager.services.app_services import AppServices
from render_manager.services.connections import ConnectionInfo
from render_manager.ui.connections.model import NAME_ROLE, ConnectionRow, ConnectionsModel
from render_manager.ui.jobs.table_model import JobTableModel
from render_manager.ui.qt.background import BackgroundTasks
from render_manager.ui.side.batch_card import BatchCardDelegate
from render_manager.ui.side.batches_model import BATCH_ID_ROLE, BatchColumn, BatchesModel

if TYPE_CHECKING:
    # Types only: these modules load on first use, after the window is on screen.
    from render_manager.services.health import Health

log = logging.getLogger(__name__)

# The ETA follows the clock between refreshes; batches are few, so this costs nothing.
ETA_TICK_MS = 5000
# How often paused queues are read from the store (one indexed query).
PAUSE_POLL_MS = 2000


class SidePanel(QWidget):
    """Connections and batches. Selecting a batch asks the window to show only its jobs."""

    batch_selected = Signal(object)
    """The batch to filter the job table to (str), or None for every job."""
    cancel_batch_requested = Signal(str)
    """The user asked to cancel a batch (its id); the window runs its cancel flow."""
    edit_connection_requested = Signal(str)
    """Open the connections dialog on this connection."""
    manage_connections_requested = Signal()
    #: Names of batches read from the store: {batch id: name}.
    batch_names_loaded = Signal(dict)
    """Open the connections dialog."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._ctx = services.ctx
        self._tasks = BackgroundTasks("side panel: loading batch names")
        self._spawn = self._tasks.spawn
        self._job_model: JobTableModel | None = None
        self._named: set[str] = set()
        self.connections = ConnectionsModel()
        self.batches = BatchesModel()
        self._build()
        self._eta_timer = QTimer(self)
        self._eta_timer.setInterval(ETA_TICK_MS)
        self._eta_timer.timeout.connect(self.batches.tick)
        self._eta_timer.start()
        # Pauses made elsewhere (renderctl, another window) show within a poll.
        self._pause_poll = QTimer(self)
        self._pause_poll.setInterval(PAUSE_POLL_MS)
        self._pause_poll.timeout.connect(lambda: self._spawn(self.load_pauses()))
        self._pause_poll.start()

    def close_tasks(self) -> None:
        """Stop the timers and background reads (the window is closing)."""
        self._eta_timer.stop()
        self._pause_poll.stop()
        self._tasks.cancel_all()

    def _build(self) -> None:
        self.connection_view = QListView(self)
        self.connection_view.setModel(self.connections)
        self.connection_view.setWordWrap(False)
        self.connection_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.connection_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.connection_view.customContextMenuRequested.connect(self._on_connection_menu)
        self.connection_view.activated.connect(self._on_connection_activated)
        # The selected local connection's queue: checked while paused.
        self.pause_button = QPushButton("Pause &queue", self)
        self.pause_button.setCheckable(True)
        self.pause_button.setEnabled(False)
        self.pause_button.setToolTip("Select a local connection to pause its queue")
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.connection_view.selectionModel().currentChanged.connect(self._show_pause_state)
        self.connections.dataChanged.connect(self._show_pause_state)
        manage = QPushButton("&Connections…", self)
        manage.setToolTip("Add, edit, test and remove connections")
        manage.clicked.connect(self.manage_connections_requested)

        self._build_batches()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(_title("Connections"))
        layout.addWidget(self.connection_view, 1)
        layout.addWidget(self.pause_button)
        layout.addWidget(manage)
        batches_title = QHBoxLayout()
        batches_title.addWidget(_title("Batches"), 1)
        batches_title.addWidget(self.show_all_button)
        layout.addLayout(batches_title)
        layout.addWidget(self.batch_view, 2)

    def _build_batches(self) -> None:
        self.batch_view = QTreeView(self)
        self.batch_view.setModel(self.batches)
        self.batch_view.setRootIsDecorated(False)
        self.batch_view.setUniformRowHeights(True)
        self.batch_view.setAllColumnsShowFocus(True)
        self.batch_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.batch_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # One card per batch, the panel's full width: name and ETA, the bar, the counts.
        self.batch_view.setItemDelegateForColumn(BatchColumn.NAME, BatchCardDelegate(self))
        self.batch_view.setColumnHidden(BatchColumn.PROGRESS, True)
        self.batch_view.setColumnHidden(BatchColumn.ETA, True)
        self.batch_view.setHeaderHidden(True)
        header = self.batch_view.header()
        header.setSectionResizeMode(BatchColumn.NAME, QHeaderView.ResizeMode.Stretch)
        self.batch_view.selectionModel().selectionChanged.connect(self._on_batch_selection)

        # No shortcut of its own: Delete and Shift+Del belong to the window's job actions,
        # and a second binding of the same key would make both ambiguous.
        self.cancel_batch_action = QAction("Cancel batch…", self.batch_view)
        self.cancel_batch_action.setToolTip("Cancel the batch's unfinished jobs; you confirm first")
        self.cancel_batch_action.setEnabled(False)
        self.cancel_batch_action.triggered.connect(self._on_cancel_batch)
        self.show_all_action = QAction("Show all jobs", self.batch_view)
        self.show_all_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.show_all_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.show_all_action.triggered.connect(self.clear_batch_selection)
        self.batch_view.addAction(self.cancel_batch_action)
        self.batch_view.addAction(self.show_all_action)
        self.batch_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.show_all_button = QPushButton("Show &all jobs", self)
        self.show_all_button.setEnabled(False)
        self.show_all_button.clicked.connect(self.clear_batch_selection)

    # -- feeding the panel --------------------------------------------------------------

    async def load_connections(self) -> None:
        """(Re)read the connections and their token states, off the GUI thread."""
        infos = await asyncio.to_thread(self._services.connections.list)
        self.set_connections(infos)

    def set_connections(self, infos: Sequence[ConnectionInfo]) -> None:
        """Show these connections (the order does not matter)."""
        self.connections.set_connections(infos)

    async def load_pauses(self) -> None:
        """Read which queues are paused, off the GUI thread."""
        paused = await asyncio.to_thread(self._ctx.connections.paused)
        self.connections.set_paused(set(paused))

    def _current_connection(self) -> ConnectionRow | None:
        index = self.connection_view.currentIndex()
        return self.connections.row(index.data(NAME_ROLE)) if index.isValid() else None

    def _show_pause_state(self, *_: object) -> None:
        row = self._current_connection()
        button = self.pause_button
        if row is None:
            button.setEnabled(False)
            button.setChecked(False)
            button.setText("Pause &queue")
            button.setToolTip("Select a local connection to pause its queue")
            return
        rules = rules_for(row.info.connection.kind)
        paused = row.info.paused
        button.setEnabled(rules.pauses)
        button.setChecked(paused)
        button.setText(f"Resume &queue of {row.name}" if paused else f"Pause &queue of {row.name}")
        if not rules.pauses:
            button.setToolTip(f"{row.name}: {rules.no_pause}")
        elif paused:
            button.setToolTip("Paused: no new render starts. Click to start renders again")
        else:
            button.setToolTip("Start no new render (running renders carry on)")

    def _on_pause_clicked(self, checked: bool) -> None:
        row = self._current_connection()
        if row is not None:
            self._spawn(self._set_paused(row.name, checked))

    async def _set_paused(self, name: str, paused: bool) -> None:
        services = self._services
        if paused:
            await services.pause_connection(name)
        else:
            await services.resume_connection(name)
        await self.load_pauses()

    def set_health(self, health: Mapping[str, Health]) -> None:
        """The last exchange with each remote connection (e.g. `JobService.health`)."""
        self.connections.set_health(health)

    def watch(self, model: JobTableModel) -> None:
        """Follow the job table's model: its inserts, changes and removals feed the batches."""
        self._job_model = model
        model.modelReset.connect(self._on_jobs_reset)
        model.jobs_replaced.connect(self._on_jobs_reset)
        model.rowsInserted.connect(self._on_rows_inserted)
        model.jobs_changed.connect(self.batches.update)
        model.rowsAboutToBeRemoved.connect(self._on_rows_removing)
        self._on_jobs_reset()

    def selected_batch(self) -> str | None:
        """The batch the table is filtered to, or None."""
        rows = self.batch_view.selectionModel().selectedRows()
        return rows[0].data(BATCH_ID_ROLE) if rows else None

    def batch_name(self, batch_id: str | None) -> str | None:
        """A batch's name as the panel shows it (its id until the name is read)."""
        return None if batch_id is None else self.batches.name_of(batch_id)

    def select_batch(self, batch_id: str | None) -> None:
        """Select a batch (filtering the table to it); None shows every job."""
        if batch_id is None:
            self.clear_batch_selection()
            return
        ids = self.batches.batch_ids()
        if batch_id in ids:
            self.batch_view.setCurrentIndex(self.batches.index(ids.index(batch_id), 0))

    def clear_batch_selection(self) -> None:
        """Show every job again."""
        self.batch_view.clearSelection()
        self.batch_view.setCurrentIndex(QModelIndex())

    # -- job table signals --------------------------------------------------------------

    def _on_jobs_reset(self) -> None:
        model = self._job_model
        if model is not None:
            self.batches.set_jobs(model.jobs())
            self._name_batches()

    def _on_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        model = self._job_model
        if model is not None:
            self.batches.update(model.job_at(r) for r in range(first, last + 1))
            self._name_batches()

    def _on_rows_removing(self, _parent: QModelIndex, first: int, last: int) -> None:
        model = self._job_model
        if model is not None:
            self.batches.remove(model.job_at(r).id for r in range(first, last + 1))

    # -- batch names from the store -----------------------------------------------------

    def _name_batches(self) -> None:
        unnamed = [b for b in self.batches.batch_ids() if b not in self._named]
        if not unnamed:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop yet: the rows keep their ids until the next change
        self._named.update(unnamed)
        self._spawn(self._load_names(unnamed))

    async def _load_names(self, batch_ids: list[str]) -> None:
        def read() -> dict[str, str]:
            names = {}
            for batch_id in batch_ids:
                batch = self._ctx.jobs.batch(batch_id)
                if batch is not None:
                    names[batch_id] = batch.name
            return names

        names = await asyncio.to_thread(read)
        self.batches.set_names(names)
        self.batch_names_loaded.emit(names)

    # -- user actions -------------------------------------------------------------------

    def _on_batch_selection(self, *_: QItemSelection) -> None:
        batch_id = self.selected_batch()
        progress = None if batch_id is None else self.batches.progress_of(batch_id)
        self.cancel_batch_action.setEnabled(progress is not None and not progress.counts.done)
        self.show_all_button.setEnabled(batch_id is not None)
        self.batch_selected.emit(batch_id)

    def _on_cancel_batch(self) -> None:
        batch_id = self.selected_batch()
        if batch_id is not None:
            self.cancel_batch_requested.emit(batch_id)

    def _on_connection_activated(self, index: QModelIndex) -> None:
        self.edit_connection_requested.emit(index.data(NAME_ROLE))

    def _on_connection_menu(self, point: QPoint) -> None:
        index = self.connection_view.indexAt(point)
        menu = QMenu(self)
        if index.isValid():
            name = index.data(NAME_ROLE)
            edit = menu.addAction(f"Edit {name}…")
            edit.triggered.connect(lambda: self.edit_connection_requested.emit(name))
        manage = menu.addAction("Connections…")
        manage.triggered.connect(self.manage_connections_requested)
        menu.popup(self.connection_view.viewport().mapToGlobal(point))


def _title(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label
