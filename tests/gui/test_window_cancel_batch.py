"""Cancel batch from the window: a Nexrender Cloud batch goes in one request once confirmed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService
from render_manager.ui.window.main_window import MainWindow
from tests.fakes import nexrender_cloud
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.gui.conftest import open_window


def _body(name: str) -> dict[str, object]:
    return {"name": name, "template": {"id": "tpl-1", "composition": "Main"}}


def _confirm(qloop: qasync.QEventLoop, window: MainWindow) -> None:
    dialog = window.cancel_flow.dialog
    assert dialog is not None
    assert dialog.isVisible()

    async def confirm() -> None:
        dialog.confirm_button.click()
        while not window.outcome_dock.isVisible():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(confirm(), 30))


def _cloud_window(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    cloud: FakeNexrenderCloud,
    *,
    before_open: Callable[[qasync.QEventLoop, AppContext, FakeNexrenderCloud, str], None]
    | None = None,
) -> tuple[MainWindow, JobService, list[str], str]:
    """A window over a cloud batch of Shot 1-3; `before_open` gets the first job's id."""
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.keychain.set("cloud", nexrender_cloud.TOKEN)

    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return cloud.transport()

    services = AppServices(ctx, transport_for=transport_for)
    remote = services.job_service
    bodies = [_body(f"Shot {n}") for n in range(1, 4)]
    result = qloop.run_until_complete(remote.submit("cloud", bodies))
    assert result.batch_id is not None
    if before_open is not None:
        before_open(qloop, ctx, cloud, result.jobs[0][1])
    window = open_window(qtbot, qloop, ctx, services)
    return window, remote, [job_id for _, job_id in result.jobs], result.batch_id


def test_cancel_batch_sends_one_batch_request_and_shows_every_job(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    cloud = FakeNexrenderCloud()
    window, remote, ids, batch_id = _cloud_window(qtbot, qloop, ctx, cloud)

    window.cancel_batch(batch_id)
    _confirm(qloop, window)
    qloop.run_until_complete(remote.aclose())

    assert cloud.count("POST", f"/batches/{batch_id}/cancel") == 1
    assert cloud.count("PATCH", "/jobs/*") == cloud.count("POST", "/jobs/cancel") == 0
    assert {ctx.jobs.get(i).status for i in ids} == {JobStatus.CANCELLED}  # type: ignore[union-attr]
    assert "3 cancelled" in window.outcome_panel.header_label.text()


def test_cancelling_selected_jobs_of_a_batch_never_cancels_the_whole_batch(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    cloud = FakeNexrenderCloud()
    window, remote, ids, batch_id = _cloud_window(qtbot, qloop, ctx, cloud)
    chosen = [job for job in window.model.jobs() if job.id == ids[0]]

    window.cancel_flow.start(chosen, window.model.jobs())
    _confirm(qloop, window)
    qloop.run_until_complete(remote.aclose())

    assert cloud.count("POST", f"/batches/{batch_id}/cancel") == 0
    assert cloud.statuses() == {ids[0]: "manually_cancelled", ids[1]: "queued", ids[2]: "queued"}


def _outcome_rows(window: MainWindow) -> dict[str, tuple[str, str]]:
    """The outcome panel's rows: {job id: (the Job column, the Outcome column)}."""
    tree = window.outcome_panel.tree
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return {item.text(3): (item.text(0), item.text(1)) for item in items if item is not None}


def _with_one_rendering(
    qloop: qasync.QEventLoop, ctx: AppContext, cloud: FakeNexrenderCloud, job_id: str
) -> None:
    """The cloud started rendering `job_id`, and the store has heard of it."""
    cloud.start(job_id)
    job = ctx.jobs.get(job_id)
    assert job is not None
    ctx.jobs.upsert_many(
        [job.with_changes(status=JobStatus.RENDERING, raw_status="render:dorender")]
    )


def test_shift_del_cancels_the_batch_and_the_outcome_names_every_job(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    cloud = FakeNexrenderCloud()
    window, remote, ids, batch_id = _cloud_window(
        qtbot, qloop, ctx, cloud, before_open=_with_one_rendering
    )
    window.table.setFocus()
    window.table.selectRow(0)

    with caplog.at_level(logging.WARNING, logger="render_manager"):
        qtbot.keyClick(window.table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
        _confirm(qloop, window)
    # The dialog opened on the key press and, being modal, swallowed the Shift release: let
    # go of Shift here, or it stays held for every test after this one.
    qtbot.keyRelease(window.table, Qt.Key.Key_Shift)
    qloop.run_until_complete(remote.aclose())

    assert cloud.count("POST", f"/batches/{batch_id}/cancel") == 1
    assert [r.getMessage() for r in caplog.records] == []
    rows = _outcome_rows(window)
    assert rows == {
        ids[0]: ("Shot 1", "Not cancelled"),
        ids[1]: ("Shot 2", "Cancelled"),
        ids[2]: ("Shot 3", "Cancelled"),
    }
    assert {ctx.jobs.get(i).status for i in ids[1:]} == {JobStatus.CANCELLED}  # type: ignore[union-attr]


def test_the_side_panel_s_batch_cancel_names_every_job_too(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    cloud = FakeNexrenderCloud()
    window, remote, ids, batch_id = _cloud_window(
        qtbot, qloop, ctx, cloud, before_open=_with_one_rendering
    )
    panel = window.side_panel
    panel.select_batch(batch_id)

    panel.cancel_batch_action.trigger()
    _confirm(qloop, window)
    qloop.run_until_complete(remote.aclose())

    names = {job: name for job, (name, _) in _outcome_rows(window).items()}
    assert names == {ids[0]: "Shot 1", ids[1]: "Shot 2", ids[2]: "Shot 3"}
