"""Retrying from the window: Ctrl+R is offered only for failed or cancelled jobs, the plan
says per job what will happen, and a failed local job retried renders to the end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.engine_host import EngineHost
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.plan_dialog import WHY_COLUMN, PlanDialog
from render_manager.ui.retry.flow import RETRY_TITLES, RetrySection
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine
from tests.gui.conftest import make_job, open_window


def _press_ctrl_r(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+R as the user types it, in the active window (shortcuts need one under X11)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)


def _select(window: MainWindow, names: set[str]) -> None:
    selection = window.table.selectionModel()
    selection.clear()
    for row in range(window.proxy.rowCount()):
        if window.proxy.index(row, Column.NAME).data() in names:
            selection.select(
                window.proxy.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
            selection.setCurrentIndex(
                window.proxy.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )


def _cloud_job(n: int, raw_status: str) -> Job:
    return Job.from_raw(
        kind=BackendKind.NEXRENDER_CLOUD,
        id=f"cloud-{n}",
        connection="cloud",
        name=f"cloud_{n}",
        raw_status=raw_status,
        created_at=datetime(2026, 11, 2, 10, n, tzinfo=UTC),
    )


def _rows(dialog: PlanDialog, section: RetrySection) -> list[tuple[str, str]]:
    head = dialog.section(section)
    assert head is not None, f"no {RETRY_TITLES[section]!r} group"
    items: list[QTreeWidgetItem] = [head.child(i) for i in range(head.childCount())]
    return [(item.text(0), item.text(WHY_COLUMN)) for item in items]


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_retry_is_offered_only_for_failed_or_cancelled_jobs(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.jobs.upsert_many([
        make_job(1, raw_status="failed"),
        make_job(2),
        make_job(3, raw_status="cancelled"),
    ])  # fmt: skip
    window = open_window(qtbot, qloop, ctx)
    retry = window.commands.retry
    assert retry.shortcut().toString() == "Ctrl+R"
    assert not retry.isEnabled()
    assert retry.toolTip().startswith("Select failed or cancelled jobs")

    _select(window, {"promo_00002"})
    assert not retry.isEnabled()
    assert "Only failed or cancelled jobs can be retried" in retry.toolTip()

    _select(window, {"promo_00002", "promo_00003"})
    assert retry.isEnabled()
    assert window.commands.refresh.shortcut().toString() == "F5", "Refresh keeps F5 alone"


def test_the_plan_says_what_each_job_of_a_mixed_selection_will_do(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.upsert_many([
        make_job(1, raw_status="failed"),
        make_job(2, raw_status="rendering"),
        make_job(3, raw_status="finished", progress=100.0),
        _cloud_job(1, "error"),
        _cloud_job(2, "error"),
        _cloud_job(3, "queued"),
    ])  # fmt: skip
    ctx.requests.save_bodies([("cloud-1", {"template": {"id": "tpl"}})])
    window = open_window(qtbot, qloop, ctx)
    _select(window, {"promo_00001", "promo_00002", "promo_00003", "cloud_1", "cloud_2", "cloud_3"})

    _press_ctrl_r(qtbot, window)
    qloop.run_until_complete(_until(lambda: window.retry_flow.dialog is not None))

    dialog = window.retry_flow.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.summary_label.text() == (
        "1 job will go back to the queue, 1 new job will be created; 4 cannot be retried."
    )
    assert _rows(dialog, RetrySection.REQUEUE) == [("promo_00001", "back to the queue (attempt 1)")]
    assert _rows(dialog, RetrySection.RESUBMIT) == [("cloud_1", "new job on cloud")]
    refused = dict(_rows(dialog, RetrySection.REFUSED))
    assert refused == {
        "promo_00002": "still rendering",
        "promo_00003": "already finished",
        "cloud_2": "its request is not stored (made elsewhere, or nested)",
        "cloud_3": "still queued",
    }
    assert dialog.confirm_button.text() == "Retry 2 jobs"
    assert dialog.keep_button.hasFocus(), "the safe choice is focused"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


@pytest.mark.usefixtures("fake_env")
def test_a_failed_local_job_retried_from_the_window_renders_to_the_end(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_MODE", "error-no-comp")
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    window.show()
    host = EngineHost(engine.ctx, command="render-manager", on_change=window.request_refresh)

    def status(job_id: str) -> str | None:
        row = window.model.row_of(job_id)
        return None if row is None else window.model.index(row, Column.STATUS).data()

    async def scenario() -> None:
        await window.load()
        await host.start()
        ((_, job_id),) = engine.submit(engine.job_body()).jobs
        await _until(lambda: status(job_id) == "Failed")
        fake_env.setenv("FAKE_AERENDER_MODE", "ok")
        name = engine.ctx.jobs.get(job_id).name  # type: ignore[union-attr]
        _select(window, {name})
        _press_ctrl_r(qtbot, window)
        await _until(lambda: window.retry_flow.dialog is not None)
        dialog = window.retry_flow.dialog
        assert dialog is not None
        assert dialog.confirm_button.text() == "Retry 1 job"
        dialog.confirm_button.click()
        await _until(lambda: status(job_id) == "Finished")
        assert "1 retried" in window.outcome_panel.header_label.text()
        await _until(lambda: "2. finished" in window.details.values["Attempts"].text())
        assert window.details.values["Attempts"].text().startswith("1. failed")
        await host.stop()

    qloop.run_until_complete(asyncio.wait_for(scenario(), 90))


def test_a_job_whose_earlier_retry_is_unknown_waits_for_the_users_word(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.upsert_many([_cloud_job(1, "error")])
    ctx.requests.save_bodies([("cloud-1", {"template": {"id": "tpl"}})])
    ctx.requests.mark_retry_unknown(["cloud-1"])
    window = open_window(qtbot, qloop, ctx)
    _select(window, {"cloud_1"})
    window.commands.retry.trigger()
    qloop.run_until_complete(_until(lambda: window.retry_flow.dialog is not None))
    dialog = window.retry_flow.dialog
    assert dialog is not None

    ((name, why),) = _rows(dialog, RetrySection.REFUSED)
    assert name == "cloud_1"
    assert why.startswith("an earlier retry's answer was lost, so its new job may exist")
    assert not dialog.confirm_button.isEnabled()
    assert dialog.option_box.isVisible()
    assert "I checked the service: it was not created" in dialog.option_box.text()

    dialog.option_box.click()
    assert dialog.confirm_button.isEnabled()
    assert dialog.confirm_button.text() == "Retry 1 job"
    assert dialog.option_checked
