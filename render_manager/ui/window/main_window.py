"""The main window: the job table bound to the store, its filters, docks and actions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.services.app_services import AppServices
from render_manager.services.priority_plan import PriorityChange, PriorityMove
from render_manager.ui.cancel.flow import CancelFlow
from render_manager.ui.cancel.outcome_panel import OutcomePanel
from render_manager.ui.desktop.integration import integrate
from render_manager.ui.details.panel import JobDetails
from render_manager.ui.jobs.cell_roles import JOB_ROLE
from render_manager.ui.jobs.column_menu import column_menu
from render_manager.ui.jobs.filter_bar import FilterBar
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.table_model import JobTableModel
from render_manager.ui.jobs.table_view import EmptyHint, PaintWatch, job_table_view
from render_manager.ui.pause.flow import PauseFlow, pause_disabled_reason, resume_disabled_reason
from render_manager.ui.priority.flow import PriorityFlow, priority_disabled_reason
from render_manager.ui.qt.background import BackgroundTasks
from render_manager.ui.qt.main_thread_gc import freeze_long_lived
from render_manager.ui.render_queue.drop import ProjectDrops
from render_manager.ui.retry.flow import RetryFlow, retry_disabled_reason
from render_manager.ui.side.panel import SidePanel
from render_manager.ui.submit.resubmit_action import ResubmitAction
from render_manager.ui.window.actions import WindowActions
from render_manager.ui.window.dialogs import WindowDialogs
from render_manager.ui.window.refresh_rate import RefreshRate
from render_manager.ui.window.state import restore_layout, save_layout
from render_manager.ui.window.status import WindowStatus

if TYPE_CHECKING:
    # A type only: the engine's modules load after the window is on screen.
    from render_manager.services.engine_host import EngineState
    from render_manager.store.jobs import JobChanges
    from render_manager.ui.jobs.upsert_plan import UpsertPlan

log = logging.getLogger(__name__)

# How often the window looks for jobs that other processes (renderctl, a headless engine)
# changed in the shared store: one indexed query, so it costs nothing when idle.
STORE_POLL_MS = 2000
# Rows read and shown first at start, before the whole store: more than a screen holds.
FIRST_PAGE = 200
# How long the full read waits for those rows to be painted (a window not yet exposed).
FIRST_PAINT_WAIT_S = 0.5
# Running jobs' Duration and ETA, and "updated N s ago", move on once a second.
TICK_MS = 1000
# The docks' widths on a first start: the side panel's title and usual batch names whole,
# the details' buttons two to a row, and the table the rest (ETA and Frames in view at the
# default 1280 px). Afterwards the docks keep the widths the user gives them.
SIDE_DOCK_WIDTH = 280
DETAILS_DOCK_WIDTH = 290


class MainWindow(QMainWindow):
    """The job table with its filters, the docks around it and every action."""

    #: The user added, edited or removed connections (the session restarts refreshing).
    connections_changed = Signal()
    #: The window closed for good (after the quit question, when renders run): the session
    #: shuts its services down and ends the app.
    closed = Signal()

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self._services = services
        self._ctx = services.ctx
        self._seq = 0
        self._tasks = BackgroundTasks(
            "a background task",
            on_error=lambda exc: self.statusBar().showMessage(f"Refresh failed: {exc}", 10000),
        )
        self._loaded = asyncio.Event()
        self._refresh_pending = False
        # The last refresh's plan: what its rows replaced, freed by the next refresh's read.
        self._spent_plan: UpsertPlan | None = None
        self.setWindowTitle("Render Manager")
        self.resize(1280, 760)
        self.commands = WindowActions(self)
        self._build_table()
        self._build_docks()
        self._build_toolbar()
        self.menus = self.commands.build_menus(self, self.dock_toggles())
        self._connect_actions()
        self._build_desktop_integration()
        self._build_status_bar()
        self._poll = QTimer(self)
        self._poll.setInterval(STORE_POLL_MS)
        self._poll.timeout.connect(self._on_refresh_triggered)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        # Jobs this process's engine changes show at once, not at the next store poll.
        services.watch_engine(self.request_refresh)
        self._restore_state()

    # -- construction ---------------------------------------------------------------------

    def _build_table(self) -> None:
        self.model = JobTableModel()
        self.proxy = JobFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.table = job_table_view(self.proxy, self)
        self.empty_hint = EmptyHint(self.table, self.proxy)

        self.filter_bar = FilterBar(self.proxy, self)
        self.filter_edit = self.filter_bar.text
        self.filter_bar.changed.connect(self._update_counts)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        self.side_panel = SidePanel(self._services, self)
        self.side_panel.watch(self.model)
        self.side_dock = self.add_dock(
            "Connections and batches",
            self.side_panel,
            "side-dock",
            Qt.DockWidgetArea.LeftDockWidgetArea,
        )
        self.details = JobDetails(
            self._services,
            self,
            eta=self.model.eta_seconds,
            batch_name=lambda batch_id: self.model.batch_names().get(batch_id),
        )
        self.details_dock = self.add_dock(
            "Details", self.details, "details-dock", Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.details.output_actions.message.connect(
            lambda text: self.statusBar().showMessage(text, 8000)
        )
        self.outcome_panel = OutcomePanel(self)
        self.outcome_dock = self.add_dock(
            "Outcome", self.outcome_panel, "outcome-dock", Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.outcome_dock.hide()
        self.outcome_panel.cleared.connect(self.outcome_dock.hide)
        self.cancel_flow = CancelFlow(
            self, self._services, self.outcome_panel, spawn=self.spawn, on_done=self._on_cancel_done
        )
        self.retry_flow = RetryFlow(
            self, self._services, self.outcome_panel, spawn=self.spawn, on_done=self._on_cancel_done
        )
        self.pause_flow = PauseFlow(
            self, self._services, self.outcome_panel, spawn=self.spawn, on_done=self._on_cancel_done
        )
        self.priority_flow = PriorityFlow(
            self, self._services, self.outcome_panel, spawn=self.spawn, on_done=self._on_cancel_done
        )

    def add_dock(
        self, title: str, widget: QWidget, name: str, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        """Put a panel in a dock the user can move, close and bring back from View."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() finds docks by object name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def dock_toggles(self) -> list[QAction]:
        """One checkable action per dock, numbered Ctrl+1, Ctrl+2… in order of creation."""
        toggles = []
        for n, dock in enumerate(self.findChildren(QDockWidget), start=1):
            action = dock.toggleViewAction()
            if n <= 9:
                action.setShortcut(f"Ctrl+{n}")
            toggles.append(action)
        return toggles

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        a = self.commands
        toolbar.addActions([a.new_batch, a.new_render])
        toolbar.addSeparator()
        toolbar.addActions([a.cancel, a.refresh])
        self.addToolBar(toolbar)
        # Aliases kept for callers that know the actions by these names.
        self.cancel_action = a.cancel
        self.refresh_action = a.refresh
        # The table's context menu: what applies to the rows under the cursor.
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions([a.cancel, a.cancel_batch, a.retry, a.retry_batch, a.show_batch])
        self.table.addActions([a.pause, a.resume])
        self.table.addAction(a.resubmit)
        self.table.addActions(self.details.output_actions.actions())
        # Double-click a finished job: its output opens, as in a file manager.
        self.table.doubleClicked.connect(self.details.output_actions.open_output.trigger)

    def _connect_actions(self) -> None:
        a = self.commands
        a.refresh.triggered.connect(self._on_refresh_action)
        a.cancel.triggered.connect(self._on_cancel_triggered)
        a.cancel_batch.triggered.connect(self._on_cancel_batch_triggered)
        a.show_batch.triggered.connect(self._on_show_batch)
        a.retry.triggered.connect(lambda: self.retry_flow.start(self.selected_jobs()))
        a.retry_batch.triggered.connect(self._on_retry_batch_triggered)
        a.pause.triggered.connect(lambda: self.pause_flow.start(self.selected_jobs(), resume=False))
        a.resume.triggered.connect(lambda: self.pause_flow.start(self.selected_jobs(), resume=True))
        a.raise_priority.triggered.connect(lambda: self._change_priority(PriorityMove.RAISE))
        a.lower_priority.triggered.connect(lambda: self._change_priority(PriorityMove.LOWER))
        a.set_priority.triggered.connect(lambda: self.priority_flow.ask_value(self.selected_jobs()))
        a.find.triggered.connect(self._on_find_triggered)
        a.clear_filters.triggered.connect(self.filter_bar.clear)
        a.hide_cancelled.toggled.connect(self.filter_bar.hide_cancelled.setChecked)
        self.filter_bar.hide_cancelled.toggled.connect(a.hide_cancelled.setChecked)
        a.columns.setMenu(column_menu(self.table))
        a.quit.triggered.connect(self.close)
        self.menus["jobs"].addSeparator()
        self.menus["jobs"].addActions(self.details.output_actions.actions())
        self.dialogs = WindowDialogs(self, self._services, lambda: [*a.all(), *self.dock_toggles()])
        a.about.triggered.connect(self.dialogs.about)
        a.shortcuts.triggered.connect(self.dialogs.shortcuts)
        self.resubmit_action = ResubmitAction(
            a.resubmit,
            self._services,
            spawn=self.spawn,
            open_dialog=self.dialogs.resubmit,
            say=lambda text: self.statusBar().showMessage(text, 8000),
        )
        a.connections.triggered.connect(self.dialogs.manage_connections)
        a.new_batch.triggered.connect(self.dialogs.new_batch)
        a.new_render.triggered.connect(self.dialogs.new_render)
        a.import_render_queue.triggered.connect(self.dialogs.choose_render_queue)
        self.project_drops = ProjectDrops(self)
        self.project_drops.project_dropped.connect(self.dialogs.import_render_queue)
        self.project_drops.hint.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.dialogs.submitted.connect(lambda _ids: self.request_refresh())
        self.dialogs.connections_changed.connect(self._on_connections_changed)
        self.dialogs.health_checked.connect(self.side_panel.set_health)
        side = self.side_panel
        side.batch_selected.connect(self._on_batch_selected)
        side.cancel_batch_requested.connect(self.cancel_batch)
        side.edit_connection_requested.connect(self.dialogs.connections)
        side.manage_connections_requested.connect(self.dialogs.manage_connections)
        self.filter_bar.batch_cleared.connect(side.clear_batch_selection)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_selection_changed)

    def _build_desktop_integration(self) -> None:
        desktop = integrate(
            self,
            running_renders=self._services.running_renders,
            new_batch=self.commands.new_batch,
            settings_menu=self.menus["view"],
        )
        self.tray, self.notifier, self.quit_guard = (
            desktop.tray,
            desktop.notifier,
            desktop.quit_guard,
        )
        self.side_panel.batch_names_loaded.connect(self.notifier.set_batch_names)
        self.side_panel.batch_names_loaded.connect(self.model.set_batch_names)
        self.refresh_rate = RefreshRate(self.menus["view"].addMenu("Refresh &rate"))

    def _build_status_bar(self) -> None:
        self.status = WindowStatus(self.statusBar())
        # Aliases kept for callers that know the labels by these names.
        self.counts_label = self.status.counts_label
        self.engine_label = self.status.engine_label
        self._update_counts()

    # -- loading and refreshing -------------------------------------------------------------

    async def load(self) -> None:
        """First load of every job in the store, read off the GUI thread."""
        self.statusBar().showMessage("Loading jobs…")
        self.empty_hint.set_loading(True)
        self._update_counts()
        # The jobs added last first, painted while the rest are read: a screenful at once.
        first = await asyncio.to_thread(self._ctx.jobs.recent, FIRST_PAGE)
        if first:
            shown = PaintWatch(self.table.viewport())
            self.model.set_jobs(first)
            await shown.wait(FIRST_PAINT_WAIT_S)
        await self._load_connections()
        changes = await asyncio.to_thread(self._ctx.jobs.everything)
        self._seq = changes.seq
        self.model.replace_jobs(changes.jobs)  # keeps what the user selected meanwhile
        self.empty_hint.set_loading(False)
        self.notifier.prime(changes.jobs)
        # The loaded jobs live as long as the window: the collector stops re-scanning them.
        freeze_long_lived()
        self._update_counts()
        self.statusBar().showMessage(f"Loaded {len(changes.jobs):,} jobs", 5000)
        self.statusBar().setToolTip(f"Render Manager home: {self._ctx.home}")
        self._loaded.set()
        self._poll.start()
        self._tick.start()

    async def _load_connections(self) -> None:
        connections = await asyncio.to_thread(self._ctx.connections.list)
        self.filter_bar.set_connections([c.name for c in connections])
        self.cancel_flow.set_connections(connections)
        self.retry_flow.set_connections(connections)
        self.pause_flow.set_connections(connections)
        self.priority_flow.set_connections(connections)
        self._update_retry_enabled()
        await self.side_panel.load_connections()
        self.empty_hint.set_local_readiness(self.side_panel.connections.local_readiness())

    def _on_connections_changed(self) -> None:
        self.spawn(self._load_connections())
        self.connections_changed.emit()

    def _on_batch_selected(self, batch_id: str | None) -> None:
        self.filter_bar.set_batch(batch_id, self.side_panel.batch_name(batch_id))

    async def refresh(self) -> None:
        """Apply the jobs changed in the store since the last look."""
        if not self._loaded.is_set():
            return
        seq, model, spent = self._seq, self.model, self._spent_plan
        self._spent_plan = None

        def read() -> tuple[JobChanges, UpsertPlan]:
            # The rows the last refresh replaced are freed here, off the GUI thread and
            # while it idles; the per-job diffing against the rows is planned here too.
            if spent is not None:
                spent.release()
            changes = self._ctx.jobs.changed_since(seq)
            return changes, model.plan_upsert(changes.jobs)

        changes, plan = await asyncio.to_thread(read)
        self._seq = changes.seq
        if changes.jobs:
            self.model.apply_upsert(plan)
            self._spent_plan = plan
            self.notifier.observe(changes.jobs)
            self._update_counts()
            self._on_selection_changed()

    def _on_refresh_triggered(self) -> None:
        self.spawn(self.refresh())

    def _on_refresh_action(self) -> None:
        # F5: ask the remote back-ends now too, not only the store.
        self._services.refresh_now()
        self._on_refresh_triggered()

    def request_refresh(self) -> None:
        """Refresh soon (the engine changed a job); requests arriving meanwhile are merged."""
        if not self._refresh_pending:
            self._refresh_pending = True
            self.spawn(self._merged_refresh())

    async def _merged_refresh(self) -> None:
        self._refresh_pending = False
        await self.refresh()

    def note_remote_refresh(self, connection: str, *, ok: bool) -> None:
        """A remote connection was asked for news (the status bar says how long ago)."""
        self.status.note_remote_refresh(connection, ok=ok)

    def show_engine_states(self, states: Sequence[EngineState]) -> None:
        """Say in the status bar where local renders run."""
        self.status.show_engines(states)

    # -- selection and actions ------------------------------------------------------------

    def selected_jobs(self) -> list[Job]:
        """The jobs of the selected rows."""
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.mapToSource(index).data(JOB_ROLE) for index in rows]

    def current_job(self) -> Job | None:
        """The job of the row with the keyboard focus, if one is selected."""
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        job = self.proxy.mapToSource(index).data(JOB_ROLE)
        return job if isinstance(job, Job) else None

    def _on_selection_changed(self, *_args: object) -> None:
        has_rows = self.table.selectionModel().hasSelection()
        self.commands.cancel.setEnabled(has_rows)
        current = self.current_job()
        in_batch = current is not None and current.batch_id is not None
        self.commands.cancel_batch.setEnabled(in_batch)
        self.commands.show_batch.setEnabled(in_batch)
        self._update_retry_enabled()
        self.resubmit_action.update(self.selected_jobs())
        self.details.show_job(current)

    def _update_retry_enabled(self) -> None:
        """Retry only where the selection holds a failed or cancelled job; the tooltip says
        why not otherwise."""
        why_not = retry_disabled_reason(self.selected_jobs(), self.retry_flow.kinds)
        retry = self.commands.retry
        retry.setEnabled(why_not is None)
        tip = why_not or "Send the selected failed or cancelled jobs again"
        retry.setToolTip(f"{tip} (Ctrl+R)")
        retry.setStatusTip(tip)
        current = self.current_job()
        self.commands.retry_batch.setEnabled(current is not None and current.batch_id is not None)
        self._update_pause_enabled()
        self._update_priority_enabled()

    def _update_pause_enabled(self) -> None:
        """Pause and Resume only where the selection holds a job they change; the tooltip
        says why not otherwise."""
        selected, kinds = self.selected_jobs(), self.pause_flow.kinds
        for action, why_not, keys in (
            (self.commands.pause, pause_disabled_reason(selected, kinds), "Ctrl+P"),
            (self.commands.resume, resume_disabled_reason(selected, kinds), "Ctrl+Shift+P"),
        ):
            action.setEnabled(why_not is None)
            tip = why_not or action.statusTip()
            action.setToolTip(f"{tip} ({keys})")

    def _update_priority_enabled(self) -> None:
        """Raise, Lower and Set priority only where the selection holds a job they move."""
        why_not = priority_disabled_reason(self.selected_jobs(), self.priority_flow.kinds)
        a = self.commands
        for action in (a.raise_priority, a.lower_priority, a.set_priority):
            action.setEnabled(why_not is None)
            action.setStatusTip(why_not or "Change where the selected queued jobs stand")

    def _change_priority(self, move: PriorityMove) -> None:
        self.priority_flow.start(self.selected_jobs(), PriorityChange(move))

    def _on_retry_batch_triggered(self) -> None:
        current = self.current_job()
        if current is not None and current.batch_id is not None:
            self.retry_flow.start_batch(current.batch_id, self.model.jobs())

    def _on_cancel_triggered(self) -> None:
        self.cancel_flow.start(self.selected_jobs(), self.model.jobs())

    def _on_cancel_batch_triggered(self) -> None:
        current = self.current_job()
        if current is not None and current.batch_id is not None:
            self.cancel_batch(current.batch_id)

    def cancel_batch(self, batch_id: str) -> None:
        """Ask to cancel every job of a batch."""
        self.cancel_flow.start_batch(batch_id, self.model.jobs())

    def _on_show_batch(self) -> None:
        current = self.current_job()
        if current is not None and current.batch_id is not None:
            self.filter_bar.set_batch(current.batch_id)

    def _on_cancel_done(self) -> None:
        self.outcome_dock.show()
        self.outcome_dock.raise_()
        self.request_refresh()

    def _on_find_triggered(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # -- background work ------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a coroutine on the loop, keeping it referenced and its failure visible."""
        self._tasks.spawn(coro)

    def _on_tick(self) -> None:
        self.model.tick()
        self.status.show_freshness()

    # -- status bar -----------------------------------------------------------------------

    def _update_counts(self, *_args: object) -> None:
        if not self._loaded.is_set() and self.empty_hint.loading:
            self.counts_label.setText("Loading jobs…")
            return
        counts = self.model.counts()
        self.tray.set_counts(counts)
        shown = self.proxy.rowCount() if self.proxy.is_filtering else None
        self.status.show_counts(counts, self.model.rowCount(), shown)

    # -- window state ---------------------------------------------------------------------

    def _restore_state(self) -> None:
        self._first_start = not restore_layout(self, self.table)
        # A new run has no cancel outcome to show: the panel comes back with the next one
        # (at the height the user last gave it, which the restored state keeps).
        self.outcome_dock.hide()

    def save_state(self) -> None:
        """Remember geometry, docks and the table's columns for the next start."""
        save_layout(self, self.table)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_start:
            self._first_start = False
            # The table keeps most of the width on a first start (docks only take sizes
            # once shown); afterwards the user's own sizes are restored.
            QTimer.singleShot(
                0,
                lambda: self.resizeDocks(
                    [self.side_dock, self.details_dock],
                    [SIDE_DOCK_WIDTH, DETAILS_DOCK_WIDTH],
                    Qt.Orientation.Horizontal,
                ),
            )

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        # Local renders running: the user chooses first (stop them, leave them, stay).
        if not self.quit_guard.allow_close(event):
            return
        self._poll.stop()
        self._tick.stop()
        self.save_state()
        self._tasks.cancel_all()
        self.details.close_tasks()
        self.side_panel.close_tasks()
        super().closeEvent(event)
        self.closed.emit()
