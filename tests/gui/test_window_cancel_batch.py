"""Cancel batch from the window: a Nexrender Cloud batch goes in one request once confirmed."""

from __future__ import annotations

import asyncio

import httpx
import qasync
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.context import AppContext
from render_manager.services.remote import RemoteService
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
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, cloud: FakeNexrenderCloud
) -> tuple[MainWindow, RemoteService, list[str], str]:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.keychain.set("cloud", nexrender_cloud.TOKEN)

    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return cloud.transport()

    remote = RemoteService(ctx.connections, ctx.jobs, ctx.keychain, transport_for=transport_for)
    bodies = [_body(f"Shot {n}") for n in range(1, 4)]
    result = qloop.run_until_complete(remote.submit("cloud", bodies))
    assert result.batch_id is not None
    window = open_window(qtbot, qloop, ctx)
    window.cancel_flow.remote = remote
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
