"""The tray icon: its tooltip, its menu, its notifications, and bringing the window back."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from render_manager.ui.desktop.notifier import Notifier
from render_manager.ui.desktop.tray import Tray, tray_tooltip
from tests.gui.conftest import make_job

Shown = list[tuple[str, str, QSystemTrayIcon.MessageIcon]]


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    """A shown top-level window for the tray to serve."""
    win = QMainWindow()
    win.setWindowTitle("Render Manager")
    qtbot.addWidget(win)
    win.show()
    return win


def record_messages(tray: Tray, monkeypatch: pytest.MonkeyPatch) -> Shown:
    """The (title, message, icon) of each notification the tray asks the desktop to show."""
    shown: Shown = []

    def show_message(title: str, message: str, icon: QSystemTrayIcon.MessageIcon, _ms: int) -> None:
        shown.append((title, message, icon))

    monkeypatch.setattr(tray.icon, "showMessage", show_message)
    return shown


def test_tooltip_says_what_renders_and_waits() -> None:
    counts = {JobStatus.RENDERING: 3, JobStatus.QUEUED: 10, JobStatus.PENDING: 2}
    assert tray_tooltip(counts) == "Render Manager\n3 rendering, 12 queued"
    assert tray_tooltip({JobStatus.FINISHED: 40}) == "Render Manager\nNothing rendering"


def test_tray_shows_the_app_icon_and_live_counts(window: QMainWindow) -> None:
    tray = Tray(window, available=True)
    tray.show()
    assert tray.icon is not None
    assert tray.icon.isVisible()
    assert not tray.icon.icon().isNull()
    tray.set_counts({JobStatus.RENDERING: 1})
    assert tray.icon.toolTip() == "Render Manager\n1 rendering"


def test_menu_offers_show_new_batch_and_quit(window: QMainWindow, qtbot: QtBot) -> None:
    tray = Tray(window, available=True)
    assert tray.icon is not None
    assert tray.icon.contextMenu() is tray.menu
    texts = [a.text() for a in tray.menu.actions()]
    assert texts == ["&Show window", "&New batch…", "", "&Quit"]
    with qtbot.waitSignal(tray.new_batch_requested, timeout=1000):
        tray.new_batch_action.trigger()


def test_quit_from_the_tray_closes_the_window(window: QMainWindow) -> None:
    tray = Tray(window, available=True)
    tray.quit_action.trigger()
    assert not window.isVisible()


def test_clicking_a_notification_brings_the_window_back(window: QMainWindow) -> None:
    tray = Tray(window, available=True)
    window.showMinimized()
    assert tray.icon is not None
    tray.icon.messageClicked.emit()
    assert window.isVisible()
    assert not window.isMinimized()


def test_clicking_the_icon_brings_the_window_back(window: QMainWindow) -> None:
    tray = Tray(window, available=True)
    window.hide()
    assert tray.icon is not None
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert window.isVisible()


def test_notices_reach_the_desktop_with_failures_as_warnings(
    window: QMainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    tray = Tray(window, available=True)
    tray.show()
    shown = record_messages(tray, monkeypatch)
    notifier = Notifier(window)
    notifier.notify.connect(tray.show_notification)
    jobs = [make_job(1, raw_status="rendering"), make_job(2, raw_status="rendering")]
    notifier.prime(jobs)
    notifier.observe([make_job(1, raw_status="finished")])
    notifier.flush()
    notifier.observe([make_job(2, raw_status="failed")])
    notifier.flush()
    info, warning = QSystemTrayIcon.MessageIcon.Information, QSystemTrayIcon.MessageIcon.Warning
    assert shown == [
        ("Render finished", "promo_00001", info),
        ("Render failed", "promo_00002", warning),
    ]


def test_without_a_system_tray_there_is_no_icon_and_nothing_breaks(
    window: QMainWindow,
) -> None:
    tray = Tray(window, available=False)
    assert not tray.available
    assert tray.icon is None
    tray.show()
    tray.set_counts({JobStatus.RENDERING: 2})
    tray.show_notification("Render finished", "promo_00001", "finished")
    tray.hide()
    # The menu's actions still work, for a window that puts them elsewhere.
    window.hide()
    tray.show_action.trigger()
    assert window.isVisible()
