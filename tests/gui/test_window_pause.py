"""Pausing from the window: Ctrl+P and Ctrl+Shift+P are offered only where they change a
job (the tooltip says why not), the plan says per job what will happen, and confirming
holds the job in the store and resuming puts it back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.context import AppContext
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.plan_dialog import WHY_COLUMN
from render_manager.ui.window.main_window import MainWindow
from tests.gui.conftest import make_job, open_window


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


def _press(qtbot: QtBot, window: MainWindow, modifiers: Qt.KeyboardModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_P, modifiers)


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _cloud_job() -> Job:
    return Job.from_raw(
        kind=BackendKind.NEXRENDER_CLOUD,
        id="cloud-1",
        connection="cloud",
        name="cloud_1",
        raw_status="queued",
        created_at=datetime(2026, 11, 2, 10, 1, tzinfo=UTC),
    )


def test_pause_and_resume_are_offered_only_where_they_change_a_job(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.upsert_many([make_job(1), make_job(2, raw_status="finished"), _cloud_job()])
    window = open_window(qtbot, qloop, ctx)
    pause, resume = window.commands.pause, window.commands.resume
    assert (pause.shortcut().toString(), resume.shortcut().toString()) == (
        "Ctrl+P",
        "Ctrl+Shift+P",
    )
    assert not pause.isEnabled()

    _select(window, {"cloud_1"})
    assert not pause.isEnabled()
    assert "Nexrender Cloud has no pause" in pause.toolTip()

    _select(window, {"promo_00002"})
    assert not pause.isEnabled()
    assert "it has already finished" in pause.toolTip()
    assert "None of the selected jobs is paused" in resume.toolTip()

    _select(window, {"promo_00001", "cloud_1"})
    assert pause.isEnabled()
    assert not resume.isEnabled()


def test_ctrl_p_shows_the_plan_and_holds_the_job_then_ctrl_shift_p_resumes_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.upsert_many([make_job(1), _cloud_job()])
    window = open_window(qtbot, qloop, ctx)
    _select(window, {"promo_00001", "cloud_1"})

    _press(qtbot, window, Qt.KeyboardModifier.ControlModifier)
    qloop.run_until_complete(_until(lambda: window.pause_flow.dialog is not None))
    dialog = window.pause_flow.dialog
    assert dialog is not None
    held, refused = (dialog.section(0), dialog.section(2))
    assert held is not None
    assert refused is not None
    assert (held.child(0).text(0), held.child(0).text(WHY_COLUMN)) == (
        "promo_00001",
        "held: not started until resumed",
    )
    assert "Nexrender Cloud has no pause" in refused.child(0).text(WHY_COLUMN)
    assert dialog.confirm_button.text() == "Pause 1 job"
    dialog.confirm_button.click()

    def status() -> JobStatus | None:
        job = ctx.jobs.get("job-00001")
        return None if job is None else job.status

    qloop.run_until_complete(_until(lambda: status() is JobStatus.PAUSED))
    qloop.run_until_complete(_until(window.outcome_dock.isVisible))
    qloop.run_until_complete(_until(window.commands.resume.isEnabled))

    window.pause_flow.dialog = None
    _select(window, {"promo_00001"})
    _press(qtbot, window, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qloop.run_until_complete(_until(lambda: window.pause_flow.dialog is not None))
    resumed = window.pause_flow.dialog
    assert resumed is not None
    assert resumed.confirm_button.text() == "Resume 1 job"
    resumed.confirm_button.click()
    qloop.run_until_complete(_until(lambda: status() is JobStatus.QUEUED))


def test_the_side_panel_toggle_pauses_the_local_queue_and_shows_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    window = open_window(qtbot, qloop, ctx)
    side = window.side_panel
    view, button = side.connection_view, side.pause_button
    qloop.run_until_complete(_until(lambda: "local" in side.connections.names()))
    names = side.connections.names()
    view.setCurrentIndex(side.connections.index(names.index("cloud")))
    assert not button.isEnabled()
    assert "Nexrender Cloud has no pause" in button.toolTip()

    local = side.connections.index(names.index("local"))
    view.setCurrentIndex(local)
    assert button.isEnabled()
    assert not button.isChecked()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)

    qloop.run_until_complete(_until(lambda: "local" in ctx.connections.paused()))
    qloop.run_until_complete(_until(button.isChecked))
    assert "Paused: starts no new render" in local.data()
    assert button.text().replace("&", "") == "Resume queue of local"

    # A resume from elsewhere (renderctl) shows at the next poll of the store.
    ctx.connections.set_paused("local", False)
    qloop.run_until_complete(_until(lambda: not button.isChecked()))
    assert "Paused" not in local.data()
