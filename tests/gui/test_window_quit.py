"""Quitting while local renders run asks first; the answer reaches the session."""

from __future__ import annotations

import qasync
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from tests.gui.conftest import open_window


class _Rendering(AppServices):
    """Services whose engine runs `count` renders in this process."""

    def __init__(self, ctx: AppContext, count: int) -> None:
        super().__init__(ctx)
        self._count = count

    def running_renders(self) -> int:
        return self._count


def test_quit_with_running_renders_asks_and_can_leave_them_rendering(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx, _Rendering(ctx, 2))
    window.commands.quit.trigger()
    assert window.isVisible(), "the window waits for the answer"
    dialog = window.quit_guard.dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.leave_button.click()
    assert not window.isVisible()
    assert window.quit_guard.leave_running


def test_cancel_in_the_quit_question_keeps_the_window(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx, _Rendering(ctx, 1))
    window.close()
    dialog = window.quit_guard.dialog
    assert dialog is not None
    dialog.cancel_button.click()
    assert window.isVisible()
    assert not window.quit_guard.leave_running


def test_quit_without_running_renders_closes_at_once(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    window.commands.quit.trigger()
    assert not window.isVisible()
    assert window.quit_guard.dialog is None


def test_a_quit_from_the_system_withdraws_the_question_and_leaves_renders_running(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx, _Rendering(ctx, 2))
    window.commands.quit.trigger()
    dialog = window.quit_guard.dialog
    assert dialog is not None
    with qtbot.waitSignal(window.closed):
        window.quit_guard.quit_now(leave_running=True)
    assert not window.isVisible()
    assert not dialog.isVisible()
    assert window.quit_guard.dialog is None
    assert window.quit_guard.leave_running
