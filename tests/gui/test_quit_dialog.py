"""Quitting while local renders run: the user chooses, and nothing happens by accident."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot
from typing_extensions import override

from render_manager.ui.desktop.quit_dialog import QuitChoice, QuitDialog, QuitGuard
from render_manager.ui.desktop.tray import Tray


class GuardedWindow(QMainWindow):
    """A window whose closeEvent asks its guard first, as the main window's does."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.guard = QuitGuard(self, lambda: self.running)
        self.choices: list[QuitChoice] = []
        self.guard.decided.connect(self.choices.append)

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.guard.allow_close(event):
            return
        super().closeEvent(event)


@pytest.fixture
def window(qtbot: QtBot) -> GuardedWindow:
    """A shown guarded window with two renders running."""
    win = GuardedWindow()
    win.running = 2
    qtbot.addWidget(win)
    win.show()
    return win


def asking(window: GuardedWindow) -> QuitDialog:
    """The quit question the window shows now."""
    dialog = window.guard.dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def test_closing_with_nothing_running_quits_without_asking(window: GuardedWindow) -> None:
    window.running = 0
    assert window.close()
    assert not window.isVisible()
    assert window.guard.dialog is None


def test_closing_while_rendering_asks_first_and_keeps_the_window(
    window: GuardedWindow,
) -> None:
    assert not window.close()
    assert window.isVisible()
    dialog = asking(window)
    assert dialog.headline.text() == "2 renders are running"
    assert [b.text() for b in (dialog.stop_button, dialog.leave_button, dialog.cancel_button)] == [
        "&Stop renders and quit",
        "&Leave them rendering",
        "Cancel",
    ]


def test_enter_and_escape_keep_everything_as_it_was(window: GuardedWindow, qtbot: QtBot) -> None:
    window.close()
    dialog = asking(window)
    assert dialog.cancel_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    window.close()
    qtbot.keyClick(asking(window), Qt.Key.Key_Escape)
    assert window.isVisible()
    assert window.choices == [QuitChoice.CANCEL, QuitChoice.CANCEL]


def test_leave_them_rendering_quits_and_leaves_the_renders(
    window: GuardedWindow, qtbot: QtBot
) -> None:
    window.close()
    qtbot.mouseClick(asking(window).leave_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert window.guard.leave_running
    assert window.choices == [QuitChoice.LEAVE]


def test_stop_renders_quits_and_stops_them(window: GuardedWindow, qtbot: QtBot) -> None:
    window.close()
    qtbot.mouseClick(asking(window).stop_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert not window.guard.leave_running
    assert window.choices == [QuitChoice.STOP]


def test_closing_again_while_asked_updates_the_question_not_a_second_one(
    window: GuardedWindow,
) -> None:
    window.close()
    first = asking(window)
    window.running = 1
    window.close()
    assert asking(window) is first
    assert first.headline.text() == "1 render is running"


def test_quit_from_the_tray_asks_with_the_window_in_front(window: GuardedWindow) -> None:
    tray = Tray(window, available=True)
    window.showMinimized()
    tray.quit_action.trigger()
    assert window.isVisible()
    assert not window.isMinimized()
    assert asking(window).headline.text() == "2 renders are running"
