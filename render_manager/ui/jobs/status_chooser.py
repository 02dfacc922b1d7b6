"""The status filter's button and menu: pick a status to see only it, Ctrl/Shift to add.

Nothing is picked at first, and nothing picked means every status is shown: a click on
"Failed" shows the failed jobs, never hides them.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QMenu, QToolButton, QWidget
from typing_extensions import override

from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.status_icons import status_icon

ALL_STATUSES_TEXT = "All statuses"
# More names than this and the button says "+N" for the rest (its tooltip lists them).
_NAMES_ON_BUTTON = 3
_ADDING = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
_CHOOSE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


def status_title(status: JobStatus) -> str:
    """How a status reads in the filter: "Failed"."""
    return status.value.capitalize()


def describe(chosen: frozenset[JobStatus]) -> str:
    """What the button says is shown: "All statuses", "Failed, Rendering", "A, B, C +2"."""
    if not chosen:
        return ALL_STATUSES_TEXT
    names = [status_title(s) for s in JobStatus if s in chosen]
    if len(names) <= _NAMES_ON_BUTTON + 1:
        return ", ".join(names)
    return ", ".join(names[:_NAMES_ON_BUTTON]) + f" +{len(names) - _NAMES_ON_BUTTON}"


class StatusMenu(QMenu):
    """The statuses, checked when shown. A plain click or Enter picks one status and
    closes; Ctrl or Shift with a click, Enter or Space adds it to (or takes it from) the
    statuses shown and keeps the menu open for more."""

    #: A status picked alone (plain click or Enter).
    picked = Signal(object)
    #: A status added or removed (Ctrl/Shift with a click, Enter or Space).
    toggled_status = Signal(object)
    #: "All statuses" chosen.
    picked_all = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.all_action = self.addAction(ALL_STATUSES_TEXT)
        self.all_action.setCheckable(True)
        self.all_action.setToolTip("Show every status again")
        self.addSeparator()
        # Checkable actions without icons: the style then draws a real check mark (with an
        # icon it only frames the icon, which reads as "nothing chosen").
        self.actions_by_status: dict[JobStatus, QAction] = {}
        for status in JobStatus:
            action = self.addAction(status_title(status))
            action.setCheckable(True)
            action.setData(status.value)
            self.actions_by_status[status] = action
        self.setToolTipsVisible(True)
        self.triggered.connect(self._on_triggered)

    def show_chosen(self, chosen: frozenset[JobStatus]) -> None:
        """Check the statuses shown ("All statuses" when none is picked)."""
        self.all_action.setChecked(not chosen)
        for status, action in self.actions_by_status.items():
            action.setChecked(status in chosen)

    def _status_of(self, action: QAction | None) -> JobStatus | None:
        if action is None or action is self.all_action or not action.data():
            return None
        return JobStatus(str(action.data()))

    def _on_triggered(self, action: QAction) -> None:
        if action is self.all_action:
            self.picked_all.emit()
            return
        status = self._status_of(action)
        if status is not None:
            self.picked.emit(status)

    @override
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        status = self._status_of(self.actionAt(event.position().toPoint()))
        if status is not None and event.modifiers() & _ADDING:
            self.toggled_status.emit(status)  # the menu stays open for the next one
            event.accept()
            return
        super().mouseReleaseEvent(event)

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        status = self._status_of(self.activeAction())
        adding = event.modifiers() & _ADDING or event.key() == Qt.Key.Key_Space
        if status is not None and event.key() in _CHOOSE_KEYS and adding:
            self.toggled_status.emit(status)
            event.accept()
            return
        super().keyPressEvent(event)


class StatusChooser(QToolButton):
    """The button above the table that says which statuses are shown and opens the menu.

    The menu opens without a nested event loop (`popup`, not `exec`), so the window keeps
    refreshing while it is open.
    """

    #: The statuses shown changed: the set (empty means all).
    changed = Signal(frozenset)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chosen: frozenset[JobStatus] = frozenset()
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.menu_ = StatusMenu(self)
        self.menu_.picked.connect(lambda s: self.choose({s}))
        self.menu_.toggled_status.connect(self.toggle_status)
        self.menu_.picked_all.connect(self.show_all)
        self.clicked.connect(self.open_menu)
        self._show()

    @property
    def chosen(self) -> frozenset[JobStatus]:
        """The statuses picked; empty while every status is shown."""
        return self._chosen

    def choose(self, statuses: Iterable[JobStatus] | None) -> None:
        """Show exactly these statuses (None, none or every one: all)."""
        chosen = frozenset(statuses or ())
        if chosen == frozenset(JobStatus):
            chosen = frozenset()
        if chosen != self._chosen:
            self._chosen = chosen
            self._show()
            self.changed.emit(chosen)
        else:
            # Picking what is already shown: the menu toggled that action's check on its
            # own; put the checks back to what is shown.
            self.menu_.show_chosen(chosen)

    def toggle_status(self, status: JobStatus) -> None:
        """Add a status to those shown, or take it away (the last one taken: all again)."""
        self.choose(self._chosen ^ {status})

    def show_all(self) -> None:
        """Show every status."""
        self.choose(None)

    def open_menu(self) -> None:
        """Open the menu under the button, the first picked status (or "All") current."""
        self.menu_.popup(self.mapToGlobal(QPoint(0, self.height())))
        first = next((s for s in JobStatus if s in self._chosen), None)
        active = self.menu_.all_action if first is None else self.menu_.actions_by_status[first]
        self.menu_.setActiveAction(active)

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.open_menu()  # as a combo box opens on Down
            event.accept()
            return
        super().keyPressEvent(event)

    def _show(self) -> None:
        self.menu_.show_chosen(self._chosen)
        self.setText(f"{describe(self._chosen)}  ▾")
        # The status's glyph when one is shown, as its rows show it.
        only = next(iter(self._chosen)) if len(self._chosen) == 1 else None
        self.setIcon(QIcon() if only is None else status_icon(only))
        shown = ", ".join(status_title(s) for s in JobStatus if s in self._chosen)
        self.setToolTip(
            f"Showing: {shown or 'every status'}\n"
            "Click a status to show only it; Ctrl+click or Shift+click to add more."
        )
        self.setAccessibleName(f"Statuses shown: {describe(self._chosen)}")
