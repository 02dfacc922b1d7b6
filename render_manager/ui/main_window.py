"""The main window: the job table bound to the store, kept current on a timer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import QSettings, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QToolBar,
)
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.services.context import AppContext
from render_manager.services.engine_host import EngineState
from render_manager.ui.cancel_flow import CancelFlow
from render_manager.ui.job_table_model import JOB_ROLE, SORT_ROLE, Column, JobTableModel
from render_manager.ui.outcome_panel import OutcomePanel

log = logging.getLogger(__name__)

# How often the window looks for jobs that other processes (renderctl, a headless engine)
# changed in the shared store: one indexed query, so it costs nothing when idle.
STORE_POLL_MS = 2000


# Wide enough for typical content, so a first start shows whole dates and names; a
# user's own layout (restored from QSettings) replaces these.
_DEFAULT_WIDTHS = {
    Column.NAME: 220,
    Column.CONNECTION: 90,
    Column.STATUS: 85,
    Column.PROGRESS: 70,
    Column.CREATED: 140,
    Column.STARTED: 140,
    Column.FINISHED: 140,
    Column.OUTPUT: 210,
}


class MainWindow(QMainWindow):
    """The job table, a filter box and per-status counts."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._seq = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._loaded = asyncio.Event()
        self._refresh_pending = False
        # Set by the app when remote connections are refreshed on a timer.
        self.force_remote_refresh: Callable[[], None] | None = None
        self.setWindowTitle("Render Manager")
        self.resize(1200, 700)
        self._build_table()
        self._build_outcome_dock()
        self._build_toolbar()
        self._build_status_bar()
        self._poll = QTimer(self)
        self._poll.setInterval(STORE_POLL_MS)
        self._poll.timeout.connect(self._on_refresh_triggered)
        self._restore_state()

    def _build_table(self) -> None:
        self.model = JobTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        # One line per job: long errors and paths are elided; the tooltip has them whole.
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in _DEFAULT_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.setCentralWidget(self.table)

    def _build_outcome_dock(self) -> None:
        self.outcome_panel = OutcomePanel(self)
        self.outcome_dock = QDockWidget("Outcome", self)
        self.outcome_dock.setObjectName("outcome-dock")
        self.outcome_dock.setWidget(self.outcome_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.outcome_dock)
        self.outcome_dock.hide()
        self.outcome_panel.cleared.connect(self.outcome_dock.hide)
        self.cancel_flow = CancelFlow(
            self, self._ctx, self.outcome_panel, spawn=self._spawn, on_done=self._on_cancel_done
        )

    def _build_toolbar(self) -> None:
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter jobs (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(320)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.setToolTip("Reload jobs changed since the last look (F5)")
        self.refresh_action.triggered.connect(self._on_refresh_action)
        toolbar.addAction(self.refresh_action)
        self.cancel_action = QAction("Cancel jobs…", self)
        self.cancel_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.cancel_action.setToolTip("Cancel the selected jobs (Delete); you confirm first")
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self._on_cancel_triggered)
        toolbar.addAction(self.cancel_action)
        self.table.addAction(self.cancel_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        toolbar.addSeparator()
        toolbar.addWidget(self.filter_edit)
        self.addToolBar(toolbar)

        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._on_find_triggered)
        self.addAction(find)

    def _build_status_bar(self) -> None:
        self.engine_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.engine_label)
        self.counts_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.model.rowsInserted.connect(self._update_counts)
        self.model.rowsRemoved.connect(self._update_counts)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)
        self._update_counts()

    async def load(self) -> None:
        """First load of every job in the store, read off the GUI thread."""
        self.statusBar().showMessage("Loading jobs…")
        connections = await asyncio.to_thread(self._ctx.connections.list)
        self.cancel_flow.kinds = {c.name: c.kind for c in connections}
        changes = await asyncio.to_thread(self._ctx.jobs.changed_since, 0)
        self._seq = changes.seq
        self.model.set_jobs(changes.jobs)
        self.statusBar().showMessage(f"Loaded {len(changes.jobs)} jobs", 5000)
        self.statusBar().setToolTip(f"Render Manager home: {self._ctx.home}")
        self._loaded.set()
        self._poll.start()

    async def refresh(self) -> None:
        """Apply the jobs changed in the store since the last look."""
        if not self._loaded.is_set():
            return
        changes = await asyncio.to_thread(self._ctx.jobs.changed_since, self._seq)
        self._seq = changes.seq
        if changes.jobs:
            self.model.upsert(changes.jobs)

    def _on_refresh_triggered(self) -> None:
        self._spawn(self.refresh())

    def _on_refresh_action(self) -> None:
        # F5: ask the remote back-ends now too, not only the store.
        if self.force_remote_refresh is not None:
            self.force_remote_refresh()
        self._on_refresh_triggered()

    def request_refresh(self) -> None:
        """Refresh soon (the engine changed a job); requests arriving meanwhile are merged."""
        if not self._refresh_pending:
            self._refresh_pending = True
            self._spawn(self._merged_refresh())

    async def _merged_refresh(self) -> None:
        self._refresh_pending = False
        await self.refresh()

    def show_engine_states(self, states: Sequence[EngineState]) -> None:
        """Say in the status bar where local renders run."""
        self.engine_label.setText("   ".join(f"{s.connection}: {s.message}" for s in states))

    def selected_jobs(self) -> list[Job]:
        """The jobs of the selected rows."""
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.mapToSource(index).data(JOB_ROLE) for index in rows]

    def _on_selection_changed(self, *_args: object) -> None:
        self.cancel_action.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _on_cancel_triggered(self) -> None:
        all_jobs = [self.model.job_at(row) for row in range(self.model.rowCount())]
        self.cancel_flow.start(self.selected_jobs(), all_jobs)

    def _on_cancel_done(self) -> None:
        self.outcome_dock.show()
        self.request_refresh()

    def _on_find_triggered(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("background task failed", exc_info=exc)
            self.statusBar().showMessage(f"Refresh failed: {exc}", 10000)

    def _update_counts(self, *_args: object) -> None:
        counts = self.model.counts()
        parts = [f"{status.value.capitalize()}: {counts[status]}" for status in JobStatus]
        self.counts_label.setText("   ".join(parts) + f"   Total: {self.model.rowCount()}")

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        header = settings.value("main/table-header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self._poll.stop()
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/table-header", self.table.horizontalHeader().saveState())
        for task in self._tasks:
            task.cancel()
        super().closeEvent(event)
