"""What the details panel says of jobs that ended without an output, or never started."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from render_manager.engine.pool import RenderPool
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.engine_host import EngineHost
from render_manager.ui.details.panel import JobDetails
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine
from tests.gui.conftest import make_job


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _panel(qtbot: QtBot, ctx: AppContext) -> JobDetails:
    details = JobDetails(AppServices(ctx))
    qtbot.addWidget(details)
    details.resize(520, 700)
    details.show()
    return details


def test_a_never_started_job_does_not_show_the_previous_jobs_log_path(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    details = _panel(qtbot, engine.ctx)
    ((_, rendered_id),) = engine.submit(engine.job_body()).jobs

    async def scenario() -> None:
        pool = RenderPool(
            engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
        )
        await pool.run(until_idle=True)
        details.show_job(engine.ctx.jobs.get(rendered_id))
        record = engine.local.get(rendered_id)
        assert record is not None
        await _until(lambda: str(record.log_path) in details.log_label.text())
        # Submitted after the engine went idle: it never starts.
        ((_, queued_id),) = engine.submit(engine.job_body()).jobs
        details.show_job(engine.ctx.jobs.get(queued_id))
        await _until(lambda: "has not started" in details.log_view.placeholderText())

    qloop.run_until_complete(scenario())
    assert details.log_label.text() == "Log"
    assert details.values["Log file"].text() == "—"


def _status(engine: Engine, job_id: str) -> JobStatus | None:
    job = engine.ctx.jobs.get(job_id)
    return None if job is None else job.status


@pytest.mark.parametrize(
    ("raw_status", "error", "why"),
    [
        ("cancelled", None, "promo_00001 was cancelled, so it has no output."),
        (
            "failed",
            "aerender ERROR: No comp was found with the given name.",
            "promo_00001 failed, so it has no output: aerender ERROR: No comp",
        ),
    ],
)
def test_a_job_that_ended_without_an_output_offers_no_output_action(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    *,
    raw_status: str,
    error: str | None,
    why: str,
) -> None:
    details = _panel(qtbot, ctx)
    details.show_job(make_job(1, raw_status=raw_status, error=error))
    actions = details.output_actions.actions()
    assert [a.isEnabled() for a in actions] == [False, False, False]
    assert all(a.toolTip().startswith(why) for a in actions)

    details.show_job(make_job(2, raw_status="rendering", progress=40.0))
    assert [a.isEnabled() for a in actions] == [True, True, True]
    assert "(Ctrl+O)" in details.output_actions.open_output.toolTip()


def _select(window: MainWindow, job_id: str) -> None:
    row = window.model.row_of(job_id)
    assert row is not None
    index = window.proxy.mapFromSource(window.model.index(row, Column.NAME))
    window.table.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    window.table.setCurrentIndex(index)


def test_a_render_cancelled_midway_says_its_partial_output_is_kept(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    # After Effects writes a movie as it renders: stopping it leaves the start of one.
    fake_env.setenv("FAKE_AERENDER_MOVIE_GROWS", "1")
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    window.show()
    host = EngineHost(engine.ctx, command="render-manager", on_change=window.request_refresh)

    async def scenario() -> Path:
        await window.load()
        await host.start()
        ((_, job_id),) = engine.submit(engine.job_body(outputExt="mov")).jobs

        def rendering() -> bool:
            row = window.model.row_of(job_id)
            return row is not None and (window.model.job_at(row).frames_done or 0) >= 2

        await _until(rendering)
        _select(window, job_id)
        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
        dialog = window.cancel_flow.dialog
        assert dialog is not None
        dialog.confirm_button.click()

        def cancelled() -> bool:
            row = window.model.row_of(job_id)
            return row is not None and window.model.job_at(row).status is JobStatus.CANCELLED

        await _until(cancelled)
        await _until(lambda: window.details.values["Status"].text() == "Cancelled")
        await host.stop()
        record = engine.local.get(job_id)
        assert record is not None
        return Path(record.work_dir) / "result.mov"

    partial = qloop.run_until_complete(scenario())
    assert partial.is_file(), "what was rendered is kept"
    error = window.details.values["Error"].text()
    assert error == f"cancelled by user; its partial output is kept as {partial} (incomplete)"
    open_output = window.details.output_actions.open_output
    assert not open_output.isEnabled()
    assert "before it wrote an output" not in open_output.toolTip()
    assert "partial output is kept" in open_output.toolTip()
