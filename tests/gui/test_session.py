"""The whole window session: it renders local jobs and shuts its engine down on close."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import qasync
from PySide6.QtWidgets import QApplication

from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.store.engine_lock import EngineLock
from render_manager.ui.jobs.columns import Column
from render_manager.ui.submit.dialog import BatchDialog
from render_manager.ui.window.main_window import MainWindow
from render_manager.ui.window.session import run_session
from tests.engine.fixtures import Engine


def _run_session(
    qapp: QApplication,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    scenario: Callable[[MainWindow], Awaitable[None]],
) -> MainWindow:
    """Run a whole session, play `scenario` once its engine renders, then close it."""
    windows: list[MainWindow] = []
    closed = asyncio.Event()

    async def main() -> int:
        session = asyncio.ensure_future(
            run_session(qapp, AppServices(ctx), closed=closed, on_window=windows.append)
        )
        while not windows or "local: rendering" not in windows[0].engine_label.text():
            assert not session.done(), session
            await asyncio.sleep(0.02)
        try:
            await scenario(windows[0])
        except BaseException:
            # End the session all the same: a window left open keeps its refresh timer
            # firing into the tests that follow, long after this loop has stopped.
            closed.set()
            windows[0].close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session, 30)
            raise
        closed.set()
        return await session

    assert qloop.run_until_complete(main()) == 0
    return windows[0]


async def _until_finished(window: MainWindow, job_id: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (row := window.model.row_of(job_id)) is None or window.model.index(
        row, Column.STATUS
    ).data() != "Finished":
        assert loop.time() < deadline, "the row never reached Finished"
        await asyncio.sleep(0.05)


def test_the_session_renders_a_job_and_releases_the_engine_on_close(
    qapp: QApplication, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    async def scenario(window: MainWindow) -> None:
        ((_, job_id),) = engine.submit(engine.job_body()).jobs
        await _until_finished(window, job_id)

    window = _run_session(qapp, qloop, engine.ctx, scenario)
    # The window's engine is gone: another process could take the queue over now.
    with EngineLock(engine.ctx.home, "test") as lock:
        assert lock.held
    window.close()


def test_a_render_submitted_through_the_window_reaches_finished(
    qapp: QApplication, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    async def scenario(window: MainWindow) -> None:
        window.commands.new_render.trigger()
        dialog = window.dialogs.current("render")
        assert isinstance(dialog, BatchDialog)
        combo = dialog.source.connection
        while combo.findData("local") < 0:  # the dialog reads connections off the GUI thread
            await asyncio.sleep(0.02)
        combo.setCurrentIndex(combo.findData("local"))
        dialog.source.aep.setText(str(engine.project))
        dialog.source.composition.setText("Main")
        dialog.next.click()
        await dialog.build_preview()
        await dialog.send()
        (job,) = engine.ctx.jobs.list()
        await _until_finished(window, job.id)
        dialog.close()

    _run_session(qapp, qloop, engine.ctx, scenario).close()
