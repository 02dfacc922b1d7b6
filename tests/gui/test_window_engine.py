"""The window runs the local engine: rows follow renders live, and renderctl can cancel them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import qasync
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.services.engine_host import EngineHost
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl


def _status_of(window: MainWindow, job_id: str) -> str | None:
    row = window.model.row_of(job_id)
    return None if row is None else window.model.index(row, Column.STATUS).data()


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_job_submitted_elsewhere_renders_in_the_window_to_finished(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    window.show()
    host = EngineHost(engine.ctx, command="render-manager", on_change=window.request_refresh)

    async def scenario() -> None:
        await window.load()
        states = await host.start()
        window.show_engine_states(states)
        assert [s.running_here for s in states] == [True]
        ((_, job_id),) = engine.submit(engine.job_body()).jobs
        await _until(lambda: _status_of(window, job_id) == "Finished")
        row = window.model.row_of(job_id)
        assert row is not None
        assert window.model.index(row, Column.PROGRESS).data() == "100 %"
        await host.stop()

    qloop.run_until_complete(scenario())
    assert "rendering" in window.engine_label.text()


def test_renderctl_cancel_stops_a_render_the_window_started(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    host = EngineHost(engine.ctx, command="render-manager", on_change=window.request_refresh)

    async def scenario() -> None:
        await window.load()
        await host.start()
        ((_, job_id),) = engine.submit(engine.job_body()).jobs
        await _until(lambda: _status_of(window, job_id) == "Rendering")
        # renderctl is another process: it can only flag the job; the window's engine stops it.
        result = await asyncio.to_thread(renderctl, engine.ctx.home, "cancel", job_id)
        assert result.returncode == 0, result.stderr
        await _until(lambda: _status_of(window, job_id) == "Cancelled")
        record = engine.local.get(job_id)
        assert record is not None
        assert record.pid is None
        await host.stop()

    qloop.run_until_complete(scenario())


def test_a_second_window_shows_who_runs_the_engine(
    qloop: qasync.QEventLoop, engine: Engine
) -> None:
    async def scenario() -> None:
        first = EngineHost(engine.ctx, command="render-manager (first window)")
        await first.start()
        second = EngineHost(engine.ctx, command="render-manager (second window)")
        (state,) = await second.start()
        assert not state.running_here
        assert "first window" in state.message
        await first.stop()

    qloop.run_until_complete(scenario())
