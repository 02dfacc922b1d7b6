"""The dialogs the main window opens: one instance of each at a time, never modal loops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from render_manager.services.app_services import AppServices
from render_manager.ui.window.about import AboutDialog, ShortcutsDialog

if TYPE_CHECKING:
    # A type only: the dialog loads on first use, after the window is on screen.
    from render_manager.services.resubmit_source import ResubmitSource
    from render_manager.ui.connections.dialog import ConnectionsDialog

_RENDER_QUEUE = "render-queue"


class WindowDialogs(QObject):
    """Opens the window's dialogs; a second request raises the one already open."""

    #: Connections were added, edited or removed in the Connections dialog.
    connections_changed = Signal()
    #: Test connection found this for stored connections ({name: Health}).
    health_checked = Signal(dict)
    #: Jobs were submitted from the batch dialog (their ids).
    submitted = Signal(list)

    def __init__(
        self,
        window: QWidget,
        services: AppServices,
        actions: Callable[[], list[QAction]],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._ctx = services.ctx
        self._actions = actions
        self._open: dict[str, QDialog] = {}

    def new_batch(self) -> None:
        """The batch dialog: one job per row of a data file (Ctrl+N)."""
        self._batch(single=False)

    def new_render(self) -> None:
        """The same dialog for one job, typed in (Ctrl+Shift+N)."""
        self._batch(single=True)

    def _batch(self, *, single: bool) -> None:
        key = "render" if single else "batch"
        dialog = self._open.get(key)
        if dialog is not None:
            self._raise(dialog)
            return
        from render_manager.ui.submit.dialog import BatchDialog  # noqa: PLC0415 (loaded on first use)

        dialog = BatchDialog(self._services, single=single, parent=self._window)
        dialog.submitted.connect(self.submitted)
        self._keep(key, dialog)
        dialog.open()

    def resubmit(self, source: ResubmitSource) -> None:
        """New render filled with a failed or cancelled job's body, to fix it and send it
        again as its retry (Ctrl+E); one dialog per job."""
        key = f"resubmit:{source.job.id}"
        dialog = self._open.get(key)
        if dialog is not None:
            self._raise(dialog)
            return
        from render_manager.ui.submit.dialog import BatchDialog  # noqa: PLC0415 (loaded on first use)

        dialog = BatchDialog(
            self._services,
            connections=[source.connection],
            single=True,
            resubmit=source,
            parent=self._window,
        )
        dialog.submitted.connect(self.submitted)
        self._keep(key, dialog)
        dialog.open()

    def choose_render_queue(self) -> None:
        """Import render queue (Ctrl+I): choose an .aep, then its items."""
        folder = str(QSettings().value(f"{_RENDER_QUEUE}/folder", "") or "")
        chooser = QFileDialog(
            self._window, "Import render queue", folder, "After Effects projects (*.aep)"
        )
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(lambda path: self.import_render_queue(Path(path)))
        chooser.open()  # never exec(): a nested event loop would stall the asyncio work

    def import_render_queue(self, project: Path) -> None:
        """The render queue of `project` (chosen, or Shift-dropped on the window)."""
        from render_manager.ui.render_queue.dialog import (  # noqa: PLC0415 (on first use)
            RenderQueueDialog,
        )

        QSettings().setValue(f"{_RENDER_QUEUE}/folder", str(project.parent))
        old = self._open.get(_RENDER_QUEUE)
        if isinstance(old, RenderQueueDialog) and old.project == project:
            self._raise(old)
            return
        if old is not None:
            old.reject()  # one project at a time: the newer choice wins
        dialog = RenderQueueDialog(self._services, project, parent=self._window)
        dialog.submitted.connect(self.submitted)
        self._keep(_RENDER_QUEUE, dialog)
        dialog.open()

    def connections(self, name: str | None = None) -> ConnectionsDialog:
        """The Connections dialog, on one connection (None: the first)."""
        from render_manager.ui.connections.dialog import (  # noqa: PLC0415 (loaded on first use)
            ConnectionsDialog,
        )

        dialog = self._open.get("connections")
        if isinstance(dialog, ConnectionsDialog):
            self._raise(dialog)
            return dialog
        dialog = ConnectionsDialog(self._services, self._window)
        dialog.connections_changed.connect(self.connections_changed)
        dialog.health_checked.connect(self.health_checked)
        self._keep("connections", dialog)
        dialog.open_on(name)
        return dialog

    def manage_connections(self) -> None:
        """The Connections dialog on its first connection (for actions and menus)."""
        self.connections(None)

    def about(self) -> QDialog:
        """Versions of the app and its libraries."""
        return self._show("about", lambda: AboutDialog(self._window))

    def shortcuts(self) -> QDialog:
        """Every keyboard shortcut."""
        return self._show("shortcuts", lambda: ShortcutsDialog(self._actions(), self._window))

    def current(self, key: str) -> QDialog | None:
        """The open dialog of that kind, if any."""
        return self._open.get(key)

    def _show(self, key: str, make: Callable[[], QDialog]) -> QDialog:
        dialog = self._open.get(key)
        if dialog is not None:
            self._raise(dialog)
            return dialog
        dialog = make()
        self._keep(key, dialog)
        # open(), never exec(): a nested event loop would stall the asyncio work under it.
        dialog.open()
        return dialog

    def _keep(self, key: str, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._open[key] = dialog
        dialog.finished.connect(lambda _result: self._open.pop(key, None))

    @staticmethod
    def _raise(dialog: QDialog) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
