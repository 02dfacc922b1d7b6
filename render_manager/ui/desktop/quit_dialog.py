"""Quitting while this window renders locally: stop the renders, or leave them running.

Renders left running carry on without the window; the engine re-adopts them at the next
start and records how they ended. Open the dialog with `open()`, never `exec()`: a modal
loop inside a qasync coroutine re-enters the event loop. The answer comes as `decided`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override


class QuitChoice(Enum):
    """What to do with running renders when the window closes."""

    STOP = "stop"
    LEAVE = "leave"
    CANCEL = "cancel"


def running_text(count: int) -> str:
    """The dialog's headline for this many running renders."""
    return "1 render is running" if count == 1 else f"{count} renders are running"


class QuitDialog(QDialog):
    """Asks what happens to the running renders; `decided` carries a QuitChoice, once.

    Cancel is the default button (Enter) and Escape's answer too. It is the only choice
    that can be taken back: stopping kills renders part-way (they restart from the first
    frame later), and leaving them detaches processes that keep the machine busy with no
    window to show them. A reflexive Enter after Ctrl+Q must not do either; after Cancel
    the user still has both, one click away.
    """

    decided = Signal(object)

    def __init__(self, running: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choice = QuitChoice.CANCEL
        self.setWindowTitle("Quit Render Manager?")
        self.setWindowModality(Qt.WindowModality.WindowModal)

        self.headline = QLabel(running_text(running))
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        self.note = QLabel(
            "Stopped renders go back to the queue and start again from the first frame. "
            "Renders left running carry on after Render Manager quits; it takes them back "
            "and records how they ended the next time it starts."
        )
        self.note.setWordWrap(True)

        self.stop_button = QPushButton("&Stop renders and quit")
        self.stop_button.setProperty("destructive", True)
        self.stop_button.clicked.connect(lambda: self._choose(QuitChoice.STOP))
        self.leave_button = QPushButton("&Leave them rendering")
        self.leave_button.clicked.connect(lambda: self._choose(QuitChoice.LEAVE))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        for button in (self.stop_button, self.leave_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.leave_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.finished.connect(self._on_finished)

    @property
    def choice(self) -> QuitChoice:
        """The answer so far (Cancel until a quitting button is chosen)."""
        return self._choice

    def set_running(self, count: int) -> None:
        """Update the headline while the dialog is open (renders end meanwhile)."""
        self.headline.setText(running_text(count))

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _choose(self, choice: QuitChoice) -> None:
        self._choice = choice
        self.accept()

    def _on_finished(self, _result: int) -> None:
        # Every way out (a button, Escape, the title bar's close) answers exactly once.
        self.decided.emit(self._choice)
        self._choice = QuitChoice.CANCEL


class QuitGuard(QObject):
    """Holds a window's close while local renders run, until the user has chosen.

    Call `allow_close(event)` first thing in the window's closeEvent and return when it
    says False. After Stop or Leave the guard closes the window again and lets it through;
    `leave_running` then tells the session how to stop the engine.
    """

    decided = Signal(object)

    def __init__(self, window: QWidget, running: Callable[[], int]) -> None:
        super().__init__(window)
        self._window = window
        self._running = running
        self._approved = False
        self.leave_running = False
        self.dialog: QuitDialog | None = None

    def allow_close(self, event: QCloseEvent) -> bool:
        """True when the window may close now; otherwise ignores the event and asks."""
        if self._approved:
            return True
        count = self._running()
        if count <= 0:
            return True
        event.ignore()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.set_running(count)
            self.dialog.raise_()
            self.dialog.activateWindow()
            return False
        dialog = QuitDialog(count, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.decided.connect(self._on_decided)
        self.dialog = dialog
        dialog.open()
        return False

    def quit_now(self, *, leave_running: bool) -> None:
        """Close the window without asking: the system asked the app to quit (a signal).

        An open quit question is withdrawn; `leave_running` says what becomes of the renders.
        """
        self._approved = True
        self.leave_running = leave_running
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.decided.disconnect(self._on_decided)
            dialog.close()
        self._window.close()

    def _on_decided(self, choice: QuitChoice) -> None:
        self.dialog = None
        self.decided.emit(choice)
        if choice is QuitChoice.CANCEL:
            return
        self._approved = True
        self.leave_running = choice is QuitChoice.LEAVE
        self._window.close()
