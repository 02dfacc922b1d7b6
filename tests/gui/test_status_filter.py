"""The status filter: pick a status to see only it, Ctrl/Shift to add more, one click back."""

from __future__ import annotations

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QStyleOptionToolButton
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from render_manager.services.context import AppContext
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.filter_bar import FilterBar
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.status_chooser import describe
from render_manager.ui.jobs.table_model import JobTableModel
from render_manager.ui.window.main_window import MainWindow
from tests.gui.conftest import make_job, open_window

_CTRL = Qt.KeyboardModifier.ControlModifier
_SHIFT = Qt.KeyboardModifier.ShiftModifier


def _statuses_shown(proxy: JobFilterModel) -> set[JobStatus]:
    return {proxy.job_at(r).status for r in range(proxy.rowCount())}


@pytest.fixture
def bar(qtbot: QtBot) -> FilterBar:
    model = JobTableModel()
    model.set_jobs([
        make_job(1),
        make_job(2, raw_status="rendering", progress=10.0),
        make_job(3, raw_status="failed"),
        make_job(4, raw_status="finished", progress=100.0),
        make_job(5, raw_status="failed"),
    ])  # fmt: skip
    proxy = JobFilterModel()
    proxy.setSourceModel(model)
    widget = FilterBar(proxy)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _menu(bar: FilterBar) -> QMenu:
    return bar.status_button.menu_


def _click_status(qtbot: QtBot, bar: FilterBar, text: str, modifier: object = None) -> None:
    menu = _menu(bar)
    action = next(a for a in menu.actions() if a.text() == text)
    where = menu.actionGeometry(action).center()
    mods = Qt.KeyboardModifier.NoModifier if modifier is None else modifier
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, mods, where)  # type: ignore[arg-type]


def _open(qtbot: QtBot, bar: FilterBar) -> None:
    qtbot.mouseClick(bar.status_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(_menu(bar).isVisible)


def test_nothing_is_checked_at_first_and_every_status_shows(bar: FilterBar) -> None:
    proxy = bar._proxy
    assert proxy.rowCount() == 5
    assert not any(a.isChecked() for a in bar.status_actions.values())
    assert _menu(bar).all_action.isChecked()
    assert bar.status_button.text().startswith("All statuses")
    assert not bar.status_clear.isVisible()


def test_clicking_a_status_shows_only_it(qtbot: QtBot, bar: FilterBar) -> None:
    _open(qtbot, bar)
    _click_status(qtbot, bar, "Failed")
    qtbot.waitUntil(lambda: not _menu(bar).isVisible())
    assert _statuses_shown(bar._proxy) == {JobStatus.FAILED}
    assert bar._proxy.rowCount() == 2
    assert bar.status_button.text().startswith("Failed")
    assert bar.status_actions[JobStatus.FAILED].isChecked()
    assert not _menu(bar).all_action.isChecked()
    assert bar.status_clear.isVisible()


@pytest.mark.parametrize("modifier", [_CTRL, _SHIFT], ids=["ctrl", "shift"])
def test_ctrl_or_shift_click_adds_a_status_and_keeps_the_menu_open(
    qtbot: QtBot, bar: FilterBar, modifier: Qt.KeyboardModifier
) -> None:
    _open(qtbot, bar)
    _click_status(qtbot, bar, "Failed")
    _open(qtbot, bar)
    _click_status(qtbot, bar, "Rendering", modifier)
    assert _menu(bar).isVisible()
    assert _statuses_shown(bar._proxy) == {JobStatus.FAILED, JobStatus.RENDERING}
    assert bar.status_button.text().startswith("Rendering, Failed")
    # Ctrl/Shift again takes it away; taking the last one away shows all again.
    _click_status(qtbot, bar, "Rendering", modifier)
    assert _statuses_shown(bar._proxy) == {JobStatus.FAILED}
    _click_status(qtbot, bar, "Failed", modifier)
    assert bar._proxy.rowCount() == 5
    assert bar.status_button.text().startswith("All statuses")


def test_picking_what_is_already_shown_keeps_its_check(qtbot: QtBot, bar: FilterBar) -> None:
    _open(qtbot, bar)
    _click_status(qtbot, bar, "All statuses")
    assert _menu(bar).all_action.isChecked()
    _open(qtbot, bar)
    _click_status(qtbot, bar, "Failed")
    _open(qtbot, bar)
    _click_status(qtbot, bar, "Failed")
    assert bar.status_actions[JobStatus.FAILED].isChecked()
    assert _statuses_shown(bar._proxy) == {JobStatus.FAILED}


def test_one_click_returns_to_every_status(qtbot: QtBot, bar: FilterBar) -> None:
    bar.choose_statuses({JobStatus.FINISHED})
    assert bar._proxy.rowCount() == 1
    qtbot.mouseClick(bar.status_clear, Qt.MouseButton.LeftButton)
    assert bar._proxy.rowCount() == 5
    assert not bar.status_clear.isVisible()
    # And from the menu: "All statuses".
    bar.choose_statuses({JobStatus.FINISHED})
    _open(qtbot, bar)
    _click_status(qtbot, bar, "All statuses")
    assert bar._proxy.rowCount() == 5


def test_the_keyboard_picks_and_adds_statuses(qtbot: QtBot, bar: FilterBar) -> None:
    bar.status_button.setFocus()
    qtbot.keyClick(bar.status_button, Qt.Key.Key_Down)
    menu = _menu(bar)
    qtbot.waitUntil(menu.isVisible)
    assert menu.activeAction() is menu.all_action
    # Down from "All statuses" walks the statuses in the order the menu lists them.
    for _ in range(list(JobStatus).index(JobStatus.FAILED) + 1):
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction() is bar.status_actions[JobStatus.FAILED]
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    assert _statuses_shown(bar._proxy) == {JobStatus.FAILED}

    qtbot.keyClick(bar.status_button, Qt.Key.Key_Down)
    qtbot.waitUntil(menu.isVisible)
    assert menu.activeAction() is bar.status_actions[JobStatus.FAILED]
    qtbot.keyClick(menu, Qt.Key.Key_Up)
    qtbot.keyClick(menu, Qt.Key.Key_Return, _CTRL)
    assert menu.isVisible()
    assert _statuses_shown(bar._proxy) == {JobStatus.FAILED, JobStatus.FINISHED}


def test_the_button_names_what_is_shown() -> None:
    assert describe(frozenset()) == "All statuses"
    assert describe(frozenset({JobStatus.FAILED, JobStatus.RENDERING})) == "Rendering, Failed"
    many = frozenset(JobStatus) - {JobStatus.CANCELLED}
    assert describe(many) == "Queued, Pending, Paused +3"


def test_the_arrow_never_covers_the_text(qtbot: QtBot, bar: FilterBar) -> None:
    """The status button is as wide as its text needs, whatever it says, and carries no
    style-drawn menu indicator (Fusion paints that over the text of a tool button)."""
    button = bar.status_button
    for status in JobStatus:
        bar.choose_statuses(set(JobStatus) - {status})
        # Once the layout has run, as the user sees it.
        qtbot.waitUntil(lambda: button.width() >= button.sizeHint().width(), timeout=2000)
        option = QStyleOptionToolButton()
        button.initStyleOption(option)
        assert not option.features & QStyleOptionToolButton.ToolButtonFeature.HasMenu
        assert button.text().endswith("▾")


def test_an_empty_table_has_no_horizontal_scroll_bar(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    qtbot.waitUntil(lambda: window.table.viewport().width() > 0)
    assert not window.table.horizontalScrollBar().isVisible()


# -- the real window, driven by the mouse and keyboard ------------------------------------


def _shown_names(window: MainWindow) -> list[str]:
    proxy = window.proxy
    return sorted(proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount()))


@pytest.mark.gui
def test_a_user_picks_statuses_in_the_real_window(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    ctx.jobs.upsert_many([
        make_job(1),
        make_job(2, raw_status="rendering", progress=30.0),
        make_job(3, raw_status="failed"),
        make_job(4, raw_status="finished", progress=100.0),
    ])  # fmt: skip
    window = open_window(qtbot, qloop, ctx)
    qtbot.waitExposed(window)
    bar = window.filter_bar
    menu = bar.status_button.menu_

    qtbot.mouseClick(bar.status_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(menu.isVisible)
    failed = bar.status_actions[JobStatus.FAILED]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(failed).center())
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert _shown_names(window) == ["promo_00003"]
    assert bar.status_button.text().startswith("Failed")
    assert "Showing 1 of 4" in window.counts_label.text()

    qtbot.keyClick(bar.status_button, Qt.Key.Key_Down)
    qtbot.waitUntil(menu.isVisible)
    rendering = bar.status_actions[JobStatus.RENDERING]
    qtbot.mouseClick(
        menu, Qt.MouseButton.LeftButton, _CTRL, menu.actionGeometry(rendering).center()
    )
    assert _shown_names(window) == ["promo_00002", "promo_00003"]
    assert bar.status_button.text().startswith("Rendering, Failed")
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())

    qtbot.mouseClick(bar.status_clear, Qt.MouseButton.LeftButton)
    assert len(_shown_names(window)) == 4
    assert bar.status_button.text().startswith("All statuses")
    assert "Showing" not in window.counts_label.text()
