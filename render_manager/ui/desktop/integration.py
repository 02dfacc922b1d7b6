"""The window's place on the desktop: tray icon, notifications and the quit question."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from render_manager.ui.desktop.notifier import Notifier, notification_actions
from render_manager.ui.desktop.quit_dialog import QuitGuard
from render_manager.ui.desktop.tray import Tray


@dataclass(frozen=True, slots=True)
class DesktopIntegration:
    """The tray icon, what it announces, and the guard that asks before quitting."""

    tray: Tray
    notifier: Notifier
    quit_guard: QuitGuard


def integrate(
    window: QMainWindow,
    *,
    running_renders: Callable[[], int],
    new_batch: QAction,
    settings_menu: QMenu,
) -> DesktopIntegration:
    """Build the tray, notifications (with their settings in `settings_menu`) and guard."""
    quit_guard = QuitGuard(window, running_renders)
    tray = Tray(window)
    tray.new_batch_requested.connect(new_batch.trigger)
    notifier = Notifier(window)
    notifier.notify.connect(tray.show_notification)
    if not tray.available:
        # No tray on this desktop: the status bar carries the news instead.
        def to_status_bar(title: str, message: str, _kind: str) -> None:
            first_line = message.splitlines()[0] if message else ""
            window.statusBar().showMessage(f"{title}: {first_line}", 15000)

        notifier.notify.connect(to_status_bar)
    notifications = settings_menu.addMenu("&Notifications")
    notifications.addActions(notification_actions(notifier, window))
    return DesktopIntegration(tray, notifier, quit_guard)
