"""Cancelling from the window: Delete asks once, then every outcome shows in one panel."""

from __future__ import annotations

import asyncio

import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.ui.cancel.dialog import WHY_COLUMN, Section
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window.main_window import MainWindow
from tests.gui.conftest import make_job


def _select(window: MainWindow, names: set[str]) -> None:
    selection = window.table.selectionModel()
    selection.clear()
    for row in range(window.proxy.rowCount()):
        if window.proxy.index(row, Column.NAME).data() in names:
            selection.select(
                window.proxy.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )


def test_delete_confirms_then_cancels_and_reports_each_job(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.jobs.upsert_many([
        make_job(1),
        make_job(2, raw_status="finished", progress=100.0),
        make_job(3),
    ])  # fmt: skip
    window = MainWindow(AppServices(ctx))
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(window.load())
    assert not window.cancel_action.isEnabled(), "nothing selected, nothing to cancel"

    _select(window, {"promo_00001", "promo_00002"})
    assert window.cancel_action.isEnabled()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)

    dialog = window.cancel_flow.dialog
    assert dialog is not None
    assert dialog.isVisible()
    cancel_group = dialog.section(Section.CANCEL)
    refused_group = dialog.section(Section.REFUSED)
    assert cancel_group is not None
    assert refused_group is not None
    assert [cancel_group.child(i).text(0) for i in range(cancel_group.childCount())] == [
        "promo_00001"
    ]
    assert refused_group.child(0).text(0) == "promo_00002"
    assert "finished" in refused_group.child(0).text(WHY_COLUMN)
    assert ctx.jobs.get("job-00001").status is JobStatus.QUEUED  # type: ignore[union-attr]

    async def confirm() -> None:
        dialog.confirm_button.click()
        while not window.outcome_dock.isVisible():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(confirm(), 30))
    cancelled = ctx.jobs.get("job-00001")
    untouched = ctx.jobs.get("job-00003")
    assert cancelled is not None
    assert cancelled.status is JobStatus.CANCELLED
    assert untouched is not None
    assert untouched.status is JobStatus.QUEUED, "only the selected job was cancelled"
    assert "1 cancelled" in window.outcome_panel.header_label.text()


def test_escape_keeps_the_jobs(qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext) -> None:
    ctx.jobs.upsert_many([make_job(1)])
    window = MainWindow(AppServices(ctx))
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(window.load())
    _select(window, {"promo_00001"})
    window.cancel_action.trigger()
    dialog = window.cancel_flow.dialog
    assert dialog is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    job = ctx.jobs.get("job-00001")
    assert job is not None
    assert job.status is JobStatus.QUEUED
