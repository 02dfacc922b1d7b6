"""Import render queue (File menu, Ctrl+I, or Shift-drop of an .aep): every item of the
project's render queue, the Queued ones ticked, a local connection, and Submit.

The project is read off the GUI thread; submitting makes one job per output module of each
ticked item (services/render_queue_import.py), as one batch named after the project.
The async methods are public so tests can await them; the slots only spawn them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.connection import Connection
from render_manager.projects import ProjectInfo, ProjectUnreadable, read_project
from render_manager.services.app_services import AppServices
from render_manager.services.render_queue_import import (
    import_refusal,
    jobs_for,
    status_counts,
    submit_imported,
)
from render_manager.ui.qt.background import BackgroundTasks
from render_manager.ui.qt.elided_label import ElidedLabel
from render_manager.ui.render_queue.model import QueueColumn, RenderQueueModel

NO_LOCAL_CONNECTION = "No local connection: add one in Connections (Ctrl+K) to render here."
KEYS_HINT = (
    "Space ticks or unticks the selected items · Ctrl+Return submits · "
    "one job per output module of each ticked item"
)


class RenderQueueView(QTableView):
    """The items; Space ticks or unticks every selected row at once."""

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if event.key() == Qt.Key.Key_Space and isinstance(model, RenderQueueModel):
            rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
            if not rows and self.currentIndex().isValid():
                rows = [self.currentIndex().row()]
            model.toggle(rows)
            event.accept()
            return
        super().keyPressEvent(event)


class RenderQueueDialog(QDialog):
    """The render queue of one project, to submit as one batch."""

    submitted = Signal(list)
    """Ids of the jobs just created: the window refreshes on it."""

    def __init__(
        self,
        services: AppServices,
        project: Path,
        *,
        connections: Sequence[Connection] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.project = project
        self.info: ProjectInfo | None = None
        self.sending = False
        self.created: list[str] = []
        self._connections: dict[str, Connection] = {}
        self._tasks = BackgroundTasks(
            "importing a render queue",
            on_error=lambda exc: self.say(f"Something went wrong: {exc}"),
        )
        self.setWindowTitle(f"Import render queue — {project.name}")
        self.resize(900, 460)
        self._build()
        self._wire()
        self._spawn = self._tasks.spawn
        self._spawn(self.load(connections))

    def _build(self) -> None:
        self.project_label = ElidedLabel(str(self.project), self, mode=Qt.TextElideMode.ElideMiddle)
        self.summary = QLabel("Reading the project…", self)
        self.model = RenderQueueModel(self)
        self.table = RenderQueueView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        hint = QLabel(KEYS_HINT, self)
        hint.setEnabled(False)  # drawn as secondary text
        self.connection = QComboBox(self)
        self.connection.setToolTip(
            "The local connection to render on: a render-queue job renders this "
            "computer's project file"
        )
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.submit_button = QPushButton("&Submit", self)
        self.submit_button.setToolTip("Queue the ticked items (Ctrl+Return)")
        self.submit_button.setEnabled(False)
        self.close_button = QPushButton("Cancel", self)
        for button in (self.submit_button, self.close_button):
            button.setAutoDefault(False)
        form = QFormLayout()
        form.addRow("Project:", self.project_label)
        form.addRow("Connection:", self.connection)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addLayout(buttons)

    def _wire(self) -> None:
        self.submit_button.clicked.connect(self._on_submit)
        self.close_button.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self._on_submit)
        self.model.dataChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.connection.currentIndexChanged.connect(self._update_buttons)

    # -- async work (awaited by tests; spawned by the slots) ----------------------------------

    async def load(self, connections: Sequence[Connection] | None = None) -> None:
        """Read the project (off the GUI thread) and the connections that can render it."""
        if connections is None:
            connections = await asyncio.to_thread(self._services.ctx.connections.list)
        self._connections = {c.name: c for c in connections if import_refusal(c) is None}
        self.connection.clear()
        for name in self._connections:
            self.connection.addItem(name, name)
        if not self._connections:
            self.say(NO_LOCAL_CONNECTION)
        try:
            info = await asyncio.to_thread(read_project, self.project)
        except ProjectUnreadable as exc:
            self.summary.setText("This project cannot be read.")
            self.say(str(exc), error=True)
            return
        # Where each render lands looks for the output folders: off the GUI thread too.
        jobs = await asyncio.to_thread(jobs_for, self.project, info.render_queue)
        self.info = info
        self.model.set_items(info.render_queue, jobs)
        count = len(info.render_queue)
        self.setWindowTitle(
            f"Import render queue — {self.project.name} ({count} item{'s' if count != 1 else ''})"
        )
        self._fit_columns()
        if not info.render_queue:
            self.summary.setText("The render queue of this project is empty.")
        else:
            count = len(info.render_queue)
            self.summary.setText(
                f"{count} render-queue item{'s' if count != 1 else ''}: "
                f"{status_counts(info.render_queue)}. The queued ones are ticked."
            )
        self.table.setFocus()
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, QueueColumn.INDEX))

    async def submit_ticked(self) -> None:
        """Queue one job per output module of every ticked item, as one batch."""
        connection = self._chosen_connection()
        items = self.model.ticked()
        if self.sending or connection is None or not items:
            return
        self.sending = True
        self._update_buttons()
        self.say("Submitting…")
        try:
            # Looking for the output folders touches the disk: off the GUI thread.
            jobs = await asyncio.to_thread(jobs_for, self.project, items)
            result = await submit_imported(self._services, connection, self.project, jobs)
        finally:
            self.sending = False
            self._update_buttons()
        if result.errors:
            lines = [f"{jobs[i].body['name']}: {e}" for i, e in result.errors]
            self.say("Nothing was queued:\n" + "\n".join(lines), error=True)
            return
        self.created = [job_id for _i, job_id in result.jobs]
        self.submitted.emit(self.created)
        self.accept()

    async def settled(self) -> None:
        """Wait until the reading or submitting under way has ended."""
        await self._tasks.wait_idle()

    # -- the rest -----------------------------------------------------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message under the table (red for a problem)."""
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)

    def _chosen_connection(self) -> Connection | None:
        name = self.connection.currentData()
        return self._connections.get(name) if isinstance(name, str) else None

    def _on_submit(self) -> None:
        if self.submit_button.isEnabled():
            self._spawn(self.submit_ticked())

    def _update_buttons(self, *_args: object) -> None:
        ticked = self.model.ticked()
        self.submit_button.setEnabled(bool(ticked) and bool(self._connections) and not self.sending)
        self.close_button.setEnabled(not self.sending)
        if self.info is None or self.sending or not self.model.rowCount():
            return
        jobs = sum(max(1, len(item.output_modules)) for item in ticked)
        self.submit_button.setText(f"&Submit {jobs} job{'s' if jobs != 1 else ''}")
        # What stands in the way, if anything; a change by the user clears an old error.
        if not self._connections:
            self.say(NO_LOCAL_CONNECTION)
        else:
            self.say("" if ticked else "Tick at least one item (Space) to submit.")

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in (QueueColumn.COMP, QueueColumn.MODULE):
            header.resizeSection(column, min(header.sectionSize(column), 240))

    @override
    def reject(self) -> None:
        # Escape or Cancel while the jobs are being queued: let the submission finish,
        # so that what was created is reported (the button is disabled meanwhile).
        if not self.sending:
            super().reject()

    @override
    def done(self, result: int) -> None:
        self._tasks.cancel_all()
        super().done(result)
