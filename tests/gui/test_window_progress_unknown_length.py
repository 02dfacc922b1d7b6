"""A render whose log gives no frame range, as the window shows it: frames, a busy bar, and a
cancel dialog that does not claim "0 % done". The fake aerender replays real log 01."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.services.engine_host import EngineHost
from render_manager.ui.cancel.dialog import WHY_COLUMN, Section
from render_manager.ui.jobs.cell_roles import PROGRESS_ROLE
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine

LOG_01 = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "aerender-logs"
    / "01-success-mov-logfile-ae22-mac.log"
)


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _frames_shown(window: MainWindow, job_id: str) -> int:
    row = window.model.row_of(job_id)
    if row is None:
        return 0
    job = window.model.job_at(row)
    return job.frames_done or 0 if job.status.value == "rendering" else 0


def _bar_pixels(window: MainWindow, row: int) -> int:
    """Pixels across the Progress cell's middle that differ from the row's background."""
    view = window.table
    rect = view.visualRect(window.proxy.index(row, Column.PROGRESS))
    image = view.viewport().grab().toImage()
    background = image.pixelColor(rect.right() + 5, rect.top() + 1)
    y = rect.top() + 4  # above the label, inside the bar
    return sum(
        1 for x in range(rect.left() + 4, rect.right() - 4) if image.pixelColor(x, y) != background
    )


def test_a_render_of_unknown_length_shows_frames_and_a_busy_bar(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_MODE", "replay")
    fake_env.setenv("FAKE_AERENDER_REPLAY", str(LOG_01))
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.1")
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    window.resize(1400, 800)
    window.show()
    host = EngineHost(engine.ctx, command="render-manager", on_change=window.request_refresh)

    async def scenario() -> None:
        await window.load()
        await host.start()
        ((_, job_id),) = engine.submit(engine.job_body()).jobs
        await _until(lambda: _frames_shown(window, job_id) >= 10)
        row = window.proxy.rowCount() - 1
        index = window.proxy.index(row, Column.PROGRESS)
        text = index.data()
        assert text.endswith(" frames"), text
        assert index.data(PROGRESS_ROLE) is None  # unknown, not 0
        assert _bar_pixels(window, row) > 20, "a busy bar, not an empty cell"

        window.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        window.table.setCurrentIndex(index)
        details = window.details

        def details_show_it() -> bool:
            label = details.values.get("Progress")
            return label is not None and label.text().endswith("frames rendered (length unknown)")

        await _until(details_show_it)
        assert details.progress_bar.isVisible()
        assert details.progress_bar.busy  # striped: no share to show

        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
        dialog = window.cancel_flow.dialog
        assert dialog is not None
        stop = dialog.section(Section.STOP)
        assert stop is not None
        why = stop.child(0).text(WHY_COLUMN)
        assert why.startswith("rendering now, ")
        assert why.endswith("frames rendered (length unknown)")
        assert "0%" not in why
        dialog.reject()

        await _until(lambda: window.model.job_at(window.model.row_of(job_id) or 0).is_terminal)
        finished = window.proxy.index(row, Column.PROGRESS).data()
        assert finished == "100 %"
        await host.stop()

    qloop.run_until_complete(scenario())
