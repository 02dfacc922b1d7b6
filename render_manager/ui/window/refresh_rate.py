"""The user's choice of how often remote connections are asked for news."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from render_manager.services.refresh import Cadence

_KEY = "refresh/every-s"
# 0 is the adaptive default: every 2 s while something renders, every 15 s when idle.
CHOICES = {
    0: "&Automatic (2 s while rendering, 15 s idle)",
    5: "Every &5 s",
    15: "Every 1&5 s",
    60: "Every &minute",
    300: "Every 5 m&inutes",
}


def cadence_for(every_s: int) -> Cadence:
    """The refresh cadence for a menu choice."""
    if every_s <= 0:
        return Cadence()
    return Cadence(active_s=float(every_s), idle_s=float(every_s))


class RefreshRate(QObject):
    """A "Refresh" submenu of exclusive choices, remembered in QSettings."""

    #: The chosen cadence changed.
    changed = Signal(object)

    def __init__(self, menu: QMenu) -> None:
        super().__init__(menu)
        value = str(QSettings().value(_KEY, 0))
        # A hand-edited or stale setting falls back to automatic.
        self.every_s = int(value) if value.isdigit() and int(value) in CHOICES else 0
        group = QActionGroup(self)
        self.actions: dict[int, QAction] = {}
        for seconds, text in CHOICES.items():
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(seconds == self.every_s)
            action.triggered.connect(lambda _checked, s=seconds: self.choose(s))
            group.addAction(action)
            self.actions[seconds] = action

    @property
    def cadence(self) -> Cadence:
        """The cadence chosen."""
        return cadence_for(self.every_s)

    def choose(self, every_s: int) -> None:
        """Refresh every `every_s` seconds (0: automatic)."""
        self.every_s = every_s
        self.actions[every_s].setChecked(True)
        QSettings().setValue(_KEY, every_s)
        self.changed.emit(self.cadence)
