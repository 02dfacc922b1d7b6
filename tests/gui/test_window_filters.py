"""The window's filters: statuses, connection, batch, hidden cancelled jobs, columns."""

from __future__ import annotations

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.context import AppContext
from render_manager.ui.jobs.column_menu import column_menu
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window.about import AboutDialog, ShortcutsDialog
from render_manager.ui.window.main_window import MainWindow
from tests.gui.conftest import make_job, open_window


def _names(window: MainWindow) -> list[str]:
    return sorted(window.proxy.index(r, Column.NAME).data() for r in range(window.proxy.rowCount()))


def test_status_and_connection_filters_narrow_the_table_and_the_counts_say_so(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(
        Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://127.0.0.1:3050")
    )
    ctx.jobs.upsert_many([
        make_job(1),
        make_job(2, raw_status="failed"),
        make_job(3, raw_status="finished", progress=100.0),
        make_job(4, raw_status="failed", connection="farm"),
    ])  # fmt: skip
    window = open_window(qtbot, qloop, ctx)
    bar = window.filter_bar

    bar.choose_statuses({JobStatus.FAILED})
    assert _names(window) == ["promo_00002", "promo_00004"]
    assert bar.status_button.text().startswith("Failed")
    assert "Showing 2 of 4" in window.counts_label.text()

    bar.connection.setCurrentIndex(bar.connection.findData("farm"))
    assert _names(window) == ["promo_00004"]

    window.commands.clear_filters.trigger()
    assert len(_names(window)) == 4
    assert "Showing" not in window.counts_label.text()
    assert bar.status_button.text().startswith("All statuses")


def test_show_only_the_batch_of_the_selected_job_and_back(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    first = [make_job(1, batch_id="b1"), make_job(2, batch_id="b1")]
    ctx.jobs.add_batch(Batch("b1", "local", "promo.csv", first[0].created_at), first)
    ctx.jobs.upsert_many([make_job(3)])
    window = open_window(qtbot, qloop, ctx)
    assert not window.commands.show_batch.isEnabled()

    row = next(r for r in range(3) if window.proxy.index(r, Column.NAME).data() == "promo_00002")
    window.table.selectRow(row)
    assert window.commands.show_batch.isEnabled()
    assert window.commands.cancel_batch.isEnabled()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert _names(window) == ["promo_00001", "promo_00002"]
    assert window.filter_bar.batch_button.isVisible()

    window.filter_bar.batch_button.click()
    assert len(_names(window)) == 3
    assert not window.filter_bar.batch_button.isVisible()


def test_ctrl_h_hides_cancelled_jobs_and_the_checkbox_follows(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.jobs.upsert_many([make_job(1), make_job(2, raw_status="cancelled")])
    window = open_window(qtbot, qloop, ctx)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert _names(window) == ["promo_00001"]
    assert window.filter_bar.hide_cancelled.isChecked()
    window.filter_bar.hide_cancelled.setChecked(False)
    assert _names(window) == ["promo_00001", "promo_00002"]
    assert not window.commands.hide_cancelled.isChecked()


def test_columns_can_be_hidden_from_the_column_menu_but_not_the_name(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    menu = column_menu(window.table)
    by_title = {a.text(): a for a in menu.actions() if a.isCheckable()}
    assert not by_title["Name"].isEnabled()
    by_title["Error"].setChecked(False)
    assert window.table.isColumnHidden(Column.ERROR)
    by_title["Error"].setChecked(True)
    assert not window.table.isColumnHidden(Column.ERROR)


def test_shortcuts_are_unique_and_menus_have_mnemonics(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    shortcuts = [
        a.shortcut().toString() for a in window.commands.all() if not a.shortcut().isEmpty()
    ]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"
    for menu in window.menus.values():
        assert "&" in menu.title(), f"{menu.title()} has no Alt mnemonic"


def test_help_lists_every_shortcut_and_the_versions(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    window.commands.shortcuts.trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    assert dialog.isVisible()
    listed = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert {"Cancel jobs", "New batch", "Refresh now", "Find jobs"} <= listed
    window.commands.about.trigger()
    about = window.findChild(AboutDialog)
    assert about is not None
    assert "PySide6" in about.text.text()
    assert "Python" in about.text.text()


def test_an_empty_table_says_how_to_start_or_how_to_clear_the_filters(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    assert window.empty_hint.label.isVisible()
    assert "Ctrl+N" in window.empty_hint.label.text()

    ctx.jobs.upsert_many([make_job(1)])
    qloop.run_until_complete(window.refresh())
    assert not window.empty_hint.label.isVisible()

    qtbot.keyClicks(window.filter_edit, "no such job")
    assert window.empty_hint.label.isVisible()
    assert "Ctrl+Shift+F" in window.empty_hint.label.text()
