"""Priority from the window: offered only for queued jobs whose service can change it, and
Ctrl+Up on a queued local job raises it, so the engine takes it first."""

from __future__ import annotations

import asyncio

import qasync
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine
from tests.gui.test_window_retry import _select, _until


def test_ctrl_up_raises_a_queued_local_job_and_finished_ones_are_not_offered(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    (_, first), (_, second) = engine.submit(
        {**engine.job_body(), "name": "first"}, {**engine.job_body(), "name": "second"}
    ).jobs
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    window.show()
    raise_action = window.commands.raise_priority
    assert raise_action.shortcut().toString() == "Ctrl+Up"
    assert window.commands.lower_priority.shortcut().toString() == "Ctrl+Down"

    async def scenario() -> None:
        await window.load()
        assert not raise_action.isEnabled()
        _select(window, {"second"})
        assert raise_action.isEnabled()
        window.activateWindow()
        window.table.setFocus()
        raise_action.trigger()
        await _until(lambda: engine.local.queue_places([second])[second].priority == 1)
        assert engine.local.queue_places([first])[first].priority == 0
        await _until(lambda: "1 changed" in window.outcome_panel.header_label.text())
        assert engine.local.queued("local", 1)[0].job.id == second

    qloop.run_until_complete(asyncio.wait_for(scenario(), 60))
