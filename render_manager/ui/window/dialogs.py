"""The dialogs the main window opens: one instance of each at a time, never modal loops."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from render_manager.services.context import AppContext
from render_manager.ui.window.about import AboutDialog, ShortcutsDialog

if TYPE_CHECKING:
    # Types only: these modules load on first use, after the window is on screen.
    from render_manager.services.remote import RemoteService, TransportFactory
    from render_manager.ui.connections.dialog import ConnectionsDialog


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
        ctx: AppContext,
        actions: Callable[[], list[QAction]],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._ctx = ctx
        self._actions = actions
        self._open: dict[str, QDialog] = {}
        # Tests point the connection check at loopback fakes.
        self.transport_for: TransportFactory | None = None
        # Set by the session: the shared remote back-ends and the engine's wake-up call.
        self.remote: RemoteService | None = None
        self.wake_engine: Callable[[], None] | None = None

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
        from render_manager.ui.submit import BatchDialog  # noqa: PLC0415 (loaded on first use)

        dialog = BatchDialog(
            self._ctx, self.remote, wake_engine=self.wake_engine, single=single, parent=self._window
        )
        dialog.submitted.connect(self.submitted)
        self._keep(key, dialog)
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
        dialog = ConnectionsDialog(self._ctx, self._window, transport_for=self.transport_for)
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
