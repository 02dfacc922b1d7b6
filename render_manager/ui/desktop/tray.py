"""The system tray icon: what renders now, a short menu, and the desktop notifications.

On a desktop without a system tray (or a headless session) the tray is simply absent:
`Tray.available` is False and every method does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from render_manager.domain.status import JobStatus
from render_manager.ui.desktop.notifier import NoticeKind
from render_manager.ui.qt.icons import app_icon

APP_NAME = "Render Manager"

# How long a notification stays up where the platform lets us choose (milliseconds).
MESSAGE_MS = 8000

_Reason = QSystemTrayIcon.ActivationReason


def tray_tooltip(counts: Mapping[JobStatus, int]) -> str:
    """The tray icon's tooltip for these per-status counts, e.g. "3 rendering, 12 queued"."""
    rendering = counts.get(JobStatus.RENDERING, 0)
    # Pending jobs wait on something else: to the user they are queued too.
    queued = counts.get(JobStatus.QUEUED, 0) + counts.get(JobStatus.PENDING, 0)
    parts = []
    if rendering:
        parts.append(f"{rendering} rendering")
    if queued:
        parts.append(f"{queued} queued")
    if paused := counts.get(JobStatus.PAUSED, 0):
        parts.append(f"{paused} paused")
    return f"{APP_NAME}\n{', '.join(parts) if parts else 'Nothing rendering'}"


class Tray(QObject):
    """The tray icon of a window.

    Its menu offers Show window, New batch… (the `new_batch_requested` signal) and Quit,
    which closes the window so that quitting goes through the same questions as closing
    it. Clicking the icon or a notification brings the window to the front.

    `available` defaults to asking Qt whether the desktop has a system tray.
    """

    new_batch_requested = Signal()

    def __init__(self, window: QWidget, *, available: bool | None = None) -> None:
        super().__init__(window)
        self._window = window
        if available is None:
            available = QSystemTrayIcon.isSystemTrayAvailable()
        self.menu = QMenu(window)
        self.show_action = QAction("&Show window", self)
        self.show_action.triggered.connect(self.show_window)
        self.new_batch_action = QAction("&New batch…", self)
        self.new_batch_action.triggered.connect(self.new_batch_requested)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.triggered.connect(self._on_quit)
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.new_batch_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

        self.icon: QSystemTrayIcon | None = None
        if available:
            icon = QSystemTrayIcon(app_icon(), self)
            icon.setToolTip(tray_tooltip({}))
            icon.setContextMenu(self.menu)
            icon.activated.connect(self._on_activated)
            icon.messageClicked.connect(self.show_window)
            self.icon = icon

    @property
    def available(self) -> bool:
        """True when the desktop shows a tray icon (and notifications through it)."""
        return self.icon is not None

    def show(self) -> None:
        """Put the icon in the tray."""
        if self.icon is not None:
            self.icon.show()

    def hide(self) -> None:
        """Take the icon out of the tray (on quit, so no ghost icon stays behind)."""
        if self.icon is not None:
            self.icon.hide()

    def set_counts(self, counts: Mapping[JobStatus, int]) -> None:
        """Show how many jobs render and wait, as the icon's tooltip."""
        if self.icon is not None:
            self.icon.setToolTip(tray_tooltip(counts))

    def show_notification(self, title: str, message: str, kind: str) -> None:
        """Show a desktop notification (a Notifier's `notify` signal connects here)."""
        if self.icon is None or not self.icon.isVisible():
            return
        icon = (
            QSystemTrayIcon.MessageIcon.Warning
            if kind == NoticeKind.FAILED
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.icon.showMessage(title, message, icon, MESSAGE_MS)

    def show_window(self) -> None:
        """Bring the window back: shown, unminimized, raised and focused."""
        window = self._window
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A right click opens the menu by itself; a plain or double click means "show me".
        if reason in (_Reason.Trigger, _Reason.DoubleClick):
            self.show_window()

    def _on_quit(self) -> None:
        # Through the window's close, so running renders are asked about first; if the
        # window stays open, it is asking, and must be in front to be answered.
        if not self._window.close():
            self.show_window()
